"""Messages passed between a member and a supporter (or a coordinator) through the bot.

"💬 Message Sam" (on an alert, in /supporting or /supporters) or "↩️ Reply" asks for one
typed message; what is awaited is stored on the person (`relay:<relay id>:<minute asked>`),
so a restart loses nothing, and it lapses after a while. Once a message has gone through,
the conversation is open: for a day, plain text either side types (outside any other
question) goes to the other, each answered "Sent to Alex" with a Stop button. Only text is
passed on: media and locations are refused kindly and the question stays open.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Location, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import callback, inline
from bot.models import Person, RelaySession
from bot.services.people import people
from bot.services.support import distress, relay
from handlers import fallback
from handlers.common import (
    answer_callback,
    callback_parts,
    edit_or_reply,
    onboarded_person,
    reply,
    runtime,
    user_id,
)
from handlers.crisis import crisis_reply

AWAITING = "relay"
# How long after tapping "Message" typed text is still taken as the message.
WRITING_WINDOW = timedelta(minutes=30)


def _awaiting(relay_id: int, minute: int) -> str:
    return f"{AWAITING}:{relay_id}:{minute}"


def _minute(context: ContextTypes.DEFAULT_TYPE) -> int:
    return int(runtime(context).clock.now().timestamp() // 60)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:rl:new:<person id>`, `v1:rl:w:<relay id>` (reply), `v1:rl:s:<relay id>` (stop), `v1:rl:c` (cancel)."""
    rt = runtime(context)
    parts = callback_parts(update)
    action, arg = (parts[1] if len(parts) > 1 else ""), (parts[2] if len(parts) > 2 else "")
    if not ((action in ("new", "w", "s") and arg.isdigit() and len(parts) == 3) or (action == "c" and len(parts) == 2)):
        await answer_callback(update, texts.STALE_BUTTON)
        return
    async with rt.db.session() as session:
        me = await onboarded_person(session, update, rt)
        if me is None:
            return
        now = rt.clock.now()
        if action == "c":
            if (me.awaiting or "").startswith(AWAITING + ":"):
                me.awaiting = None
            await answer_callback(update)
            await edit_or_reply(update, texts.RELAY_CANCELLED)
            return
        if action == "s":
            found = await session.get(RelaySession, int(arg))
            outcome = await relay.stop(session, found, me, now) if found is not None else None
            if outcome is None or not outcome.ok:
                await answer_callback(update, outcome.message if outcome else texts.STALE_BUTTON, alert=True)
                return
            if (me.awaiting or "").startswith(f"{AWAITING}:{arg}:"):
                me.awaiting = None
            await answer_callback(update)
            await reply(update, outcome.message)
            return
        opened = await (relay.start(session, me, int(arg), now) if action == "new" else relay.resume(session, me, int(arg), now))
        if opened.relay is None or opened.other is None:
            await answer_callback(update, opened.problem or texts.STALE_BUTTON, alert=True)
            return
        await session.flush()
        me.awaiting = _awaiting(opened.relay.id or 0, _minute(context))
        await answer_callback(update)
        await reply(
            update,
            texts.RELAY_ASK.format(name=texts.h(opened.other.pseudonym)),
            inline([[(texts.RELAY_CANCEL, callback("rl", "c"))]]),
        )


def _parse(awaiting: str | None) -> tuple[int, int] | None:
    parts = (awaiting or "").split(":")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return int(parts[1]), int(parts[2])


async def answer_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    """The typed message: passed on once, then the question closes (one message per tap)."""
    rt = runtime(context)
    asked = _parse(person.awaiting)
    if asked is None or _minute(context) - asked[1] > WRITING_WINDOW.total_seconds() // 60:
        person.awaiting = None
        await reply(update, texts.RELAY_EXPIRED)
        return
    problem = relay.problem_with(text)
    if problem is not None:
        await reply(update, problem)  # still waiting for the message
        return
    person.awaiting = None
    found = await session.get(RelaySession, asked[0])
    if found is None:
        await reply(update, texts.RELAY_ENDED)
        return
    outcome = await relay.send(session, found, person, text, rt.clock.now())
    again = inline([[(texts.RELAY_AGAIN, callback("rl", "w", found.id)), _stop_button(found)]]) if outcome.ok else None
    await reply(update, outcome.message, again)
    if outcome.ok:
        await _crisis_words_from_member(update, context, found, person, text)


def _stop_button(found: RelaySession) -> tuple[str, str]:
    return texts.RELAY_STOP, callback("rl", "s", found.id)


async def conversation_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> bool:
    """Plain text while a conversation is open goes to the other side, with "Sent to Alex"
    and a way to stop. False when there is no open conversation (the text is someone else's)."""
    now = runtime(context).clock.now()
    found = await relay.open_conversation(session, person, now)
    if found is None:
        return False
    outcome = await relay.send(session, found, person, text, now)
    if not outcome.ok:
        await reply(update, outcome.message)
        return True
    other = await session.get(Person, found.helper_id if person.id == found.member_id else found.member_id)
    name = texts.h(other.pseudonym if other is not None else "")
    await reply(update, texts.RELAY_SENT_PLAIN.format(name=name), inline([[_stop_button(found)]]))
    await _crisis_words_from_member(update, context, found, person, text)
    return True


async def _crisis_words_from_member(
    update: Update, context: ContextTypes.DEFAULT_TYPE, found: RelaySession, person: Person, text: str
) -> None:
    """A member who writes crisis words to a supporter also gets the helplines at once
    (the supporter may not be reading yet)."""
    if person.id == found.member_id and distress.is_distress(text):
        await crisis_reply(update, context, person.timezone)


async def answer_location(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, location: Location
) -> None:
    """A location while a message is awaited: not passed on (it would say where someone is)."""
    await reply(update, texts.RELAY_TEXT_ONLY)


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos, voice, stickers...: while a relay message is awaited, explain that only text
    is passed on (and keep waiting); otherwise the general reply for media."""
    rt = runtime(context)
    tg_id = user_id(update)
    if tg_id is not None:
        async with rt.db.session() as session:
            person = await people.find(session, rt, tg_id)
            if person is not None and (person.awaiting or "").startswith(AWAITING + ":"):
                await reply(update, texts.RELAY_TEXT_ONLY)
                return
    await fallback.media(update, context)
