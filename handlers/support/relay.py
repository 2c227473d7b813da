"""Messages passed between a member and a supporter (or a coordinator) through the bot.

"💬 Message Sam" (on an alert, in /supporting or /supporters) or "↩️ Reply" asks for one
typed message; what is awaited is stored on the person (`relay:<relay id>:<minute asked>`),
so a restart loses nothing, and it lapses after a while. Once a message has gone through,
the conversation is open: for a day, plain text either side types (outside any other
question) goes to the other, each answered "Sent to Alex" with a Stop button. Only text is
passed on: media and locations are refused kindly and the question stays open.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Location, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import inline
from bot.models import Person
from bot.services.caps import Caps
from bot.services.people import people
from bot.services.support import buttons, distress, relay
from bot.services.support.buttons import RelayAction
from handlers import fallback
from handlers.common import (
    answer_callback,
    edit_or_reply,
    onboarded_person,
    parsed_press,
    reply,
    runtime,
    user_id,
)
from handlers.support.crisis import crisis_reply

AWAITING = relay.AWAITING


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:rl:new:<person id>`, `v1:rl:w:<relay id>` (reply), `v1:rl:s:<relay id>` (stop), `v1:rl:c` (cancel)."""
    rt = runtime(context)
    pressed = await parsed_press(update, buttons.parse_relay)
    if pressed is None:
        return
    action, target = pressed
    async with rt.db.session() as session:
        me = await onboarded_person(session, update, rt)
        if me is None:
            return
        now = rt.clock.now()
        if action is RelayAction.CANCEL or target is None:
            relay.stop_writing(me)
            await answer_callback(update)
            await edit_or_reply(update, texts.RELAY_CANCELLED)
            return
        if action is RelayAction.STOP:
            outcome = await relay.stop_by_id(session, target, me, now)
            if not outcome.ok:
                await answer_callback(update, outcome.message, alert=True)
                return
            await answer_callback(update)
            await reply(update, outcome.message)
            return
        opened = await relay.begin_writing(session, me, action, target, now)
        if opened.relay is None or opened.other is None:
            await answer_callback(update, opened.problem or texts.STALE_BUTTON, alert=True)
            return
        await answer_callback(update)
        await reply(update, texts.RELAY_ASK.format(name=texts.h(opened.other.pseudonym)), relay.cancel_markup())


async def answer_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    """The typed message: passed on once, then the question closes (one message per tap)."""
    rt = runtime(context)
    passed = await relay.send_written(session, person, text, rt.clock.now(), Caps.of(rt.settings))
    await reply(update, passed.message, relay.again_markup(passed.relay.id) if passed.relay is not None else None)
    await _crisis_words_from_member(update, context, passed, text, person.timezone)


async def conversation_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> bool:
    """Plain text while a conversation is open goes to the other side, with "Sent to Alex"
    and a way to stop. False when there is no open conversation (the text is someone else's)."""
    rt = runtime(context)
    passed = await relay.send_in_conversation(session, person, text, rt.clock.now(), Caps.of(rt.settings))
    if passed is None:
        return False
    markup = inline([[relay.stop_button(passed.relay.id)]]) if passed.relay is not None else None
    await reply(update, passed.message, markup)
    await _crisis_words_from_member(update, context, passed, text, person.timezone)
    return True


async def _crisis_words_from_member(
    update: Update, context: ContextTypes.DEFAULT_TYPE, passed: relay.Passed, text: str, zone: str | None
) -> None:
    """A member who writes crisis words to a supporter also gets the helplines at once
    (the supporter may not be reading yet, or the words could not go on)."""
    if passed.by_member and distress.is_distress(text):
        await crisis_reply(update, context, zone)


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
            if person is not None and relay.is_writing(person):
                await reply(update, texts.RELAY_TEXT_ONLY)
                return
    await fallback.media(update, context)
