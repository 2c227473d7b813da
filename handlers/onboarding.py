"""`/start`, consent and the set-up questions (also reused by /settings to change answers).

Nothing is stored before the person presses "I agree". Each answer is saved as it is
given, and the next question is stored on the person, so set-up survives restarts.
"""

from __future__ import annotations

from datetime import time

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Location, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import REMOVE_KEYBOARD, callback, inline, reply_keyboard
from bot.geo import timezone_at
from bot.models import Invitation, Person
from bot.services.checkins import plans as checkin_plans
from bot.services.people import invitations, onboarding, people
from bot.services.validation import InvalidInput, parse_clean_date, parse_pseudonym, parse_time_of_day
from handlers import deeplinks, follow_ups
from handlers.common import answer_callback, callback_parts, edit_or_reply, log, reply, runtime, user_id

CHECKIN_TIMES = ("07:00", "08:00", "09:00", "12:00", "18:00", "20:00", "21:00")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/start` and `/start <payload>`: welcome, resume set-up, or follow a deep link."""
    rt = runtime(context)
    payload = context.args[0] if context.args else ""
    tg_id = user_id(update)
    if tg_id is None:
        return
    async with rt.db.session() as session:
        invitation = await invitations.lookup(session, payload) if payload else None
        typed = deeplinks.typed_route(payload) if payload and invitation is None else None
        person = await people.find(session, rt, tg_id)
        if typed is not None and (person is None or person.onboarded_at is None):
            invitation = await typed[1](session, rt.vault, payload)  # a code rides through set-up as its link
        route = deeplinks.route_for(invitation)
        # Anyone can type `/start <anything>`: what isn't one of our links (or a card's code)
        # is never stored or put in a button, and the person is told, kindly, that it doesn't work.
        set_up = person is not None and person.onboarded_at is not None
        broken = f"{texts.INVITE_UNKNOWN}\n\n" if payload and route is None and not (typed and set_up) else ""
        if person is None:
            # Nothing is stored before consent, so the link rides on the Agree button: its id
            # and a seal only this person's press matches, never the token.
            agree = (
                deeplinks.invitation_button(rt, "ob", "agree", invitation, tg_id, with_kind=True)
                if route is not None and invitation is not None else callback("ob", "agree")
            )
            await reply(update, broken + texts.WELCOME, inline([[("✅ I agree", agree), ("Not now", callback("ob", "no"))]]))
            return
        people.refresh_chat(rt, person, update.effective_chat.id)  # type: ignore[union-attr]
        if person.onboarded_at is None:
            if route is not None and invitation is not None:
                person.pending_invitation_id = invitation.id
            await reply(update, broken + texts.FINISH_ONBOARDING)
            await ask(update, person, person.awaiting or "pseudonym")
            return
        if route is not None and invitation is not None:
            await route(update, context, session, person, invitation)
            return
        if typed is not None:
            await typed[0](update, context, session, person, payload)
            return
        if payload:
            await reply(update, texts.INVITE_UNKNOWN)
            return
        await reply(update, texts.WELCOME_BACK.format(name=texts.h(person.pseudonym)))


async def ask(update: Update, person: Person, step: str, *, note: str = "") -> None:
    """Send the question for a step (the person's `awaiting` is set by the caller).
    `note` (e.g. "Saved: 09:00.") goes in the same message: one message, not two."""
    lead = f"{note}\n\n" if note else ""
    if step == "pseudonym":
        await reply(update, lead + texts.ASK_PSEUDONYM)
    elif step == "purpose":
        rows = [[(label, callback("ob", "purpose", key))] for key, label in people.PURPOSES.items()]
        await reply(update, lead + texts.ASK_PURPOSE.format(name=texts.h(person.pseudonym)), inline(rows))
    elif step == "timezone":
        zones = list(texts.TIMEZONE_CHOICES)
        rows: list[list[str | dict[str, object]]] = [[{"text": texts.SHARE_LOCATION, "request_location": True}]]
        rows += [zones[i : i + 2] for i in range(0, len(zones), 2)]
        await reply(update, lead + texts.ASK_TIMEZONE, reply_keyboard(rows))
    elif step == "checkin_time":
        buttons = [(t, callback("ob", "time", t.replace(":", ""))) for t in CHECKIN_TIMES]
        await reply(update, lead + texts.ASK_CHECKIN_TIME, inline([buttons[:4], buttons[4:]]))
    elif step == "clean_date":
        rows_ = [[("Today", callback("ob", "clean", "today")), ("No date / skip", callback("ob", "clean", "skip"))]]
        await reply(update, lead + texts.ASK_CLEAN_DATE, inline(rows_))


async def advance(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    session: AsyncSession,
    person: Person,
    done: str,
    *,
    note: str = "",
) -> None:
    """After an answer: next set-up question, or the end of set-up, or back to /settings.
    `note` confirms the answer just given, in the same message as what comes next."""
    rt = runtime(context)
    if person.onboarded_at is not None:  # changing one answer from /settings
        person.awaiting = None
        from handlers.settings import show_settings

        await show_settings(update, session, person, saved=True)
        return
    step = None if await follow_ups.short_setup(session, person, done) else onboarding.next_step(person, done)
    if step is not None:
        person.awaiting = step
        await ask(update, person, step, note=note)
        return
    onboarding.finish(person, rt.clock.now())
    done = (f"{note}\n\n" if note else "") + texts.ONBOARDED.format(name=texts.h(person.pseudonym))
    await reply(update, done, REMOVE_KEYBOARD)  # the time-zone keyboard, folded away since
    log.info("person %s finished set-up", person.id)
    await follow_ups.after_setup(update, context, session, person)
    if person.pending_invitation_id is not None:
        invitation = await session.get(Invitation, person.pending_invitation_id)
        person.pending_invitation_id = None
        route = deeplinks.route_for(invitation)
        if route is not None and invitation is not None:
            await route(update, context, session, person, invitation)


# --- typed answers -----------------------------------------------------------------------


async def answer_pseudonym(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    try:
        person.pseudonym = parse_pseudonym(text)
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    await advance(update, context, session, person, "pseudonym")


async def answer_timezone(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    zone = texts.TIMEZONE_CHOICES.get(text.strip()) or _iana(text.strip())
    if zone is None:
        await reply(update, texts.TIMEZONE_UNKNOWN)
        return
    await set_timezone(update, context, session, person, zone)


def _iana(name: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if "/" not in name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


async def set_timezone(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, zone: str
) -> None:
    person.timezone = zone
    rt = runtime(context)
    await checkin_plans.schedule(session, person, now=rt.clock.now(), default_zone=rt.settings.default_timezone)
    note = texts.TIMEZONE_SET.format(zone=zone)
    if person.onboarded_at is None:
        # The zone keyboard is one-time, so it is already folded away; it is removed for
        # good by the closing "You're all set" message, and the note rides on the next question.
        await advance(update, context, session, person, "timezone", note=note)
        return
    await reply(update, note, REMOVE_KEYBOARD)
    await advance(update, context, session, person, "timezone")


async def answer_checkin_time(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    try:
        await set_checkin_time(update, context, session, person, parse_time_of_day(text))
    except InvalidInput as exc:
        await reply(update, str(exc))


async def set_checkin_time(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, value: time
) -> None:
    person.checkin_time = people.format_time(value)
    rt = runtime(context)
    await checkin_plans.schedule(session, person, now=rt.clock.now(), default_zone=rt.settings.default_timezone)
    await advance(update, context, session, person, "checkin_time", note=texts.CHECKIN_TIME_SET.format(time=person.checkin_time))


async def answer_clean_date(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    rt = runtime(context)
    today = people.local_today(person, rt.clock.now(), rt.settings.default_timezone)
    try:
        person.clean_date = parse_clean_date(text, today=today)
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    await advance(update, context, session, person, "clean_date", note=_clean_date_note(person))


def _clean_date_note(person: Person) -> str:
    return texts.CLEAN_DATE_SET.format(date=person.clean_date.strftime("%d %b %Y")) if person.clean_date else ""




# --- buttons and locations ---------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:ob:*` buttons. Each checks it matches the question being asked (else stale)."""
    rt = runtime(context)
    parts = callback_parts(update)
    action, arg = (parts[1] if len(parts) > 1 else ""), (parts[2] if len(parts) > 2 else "")
    tg_id = user_id(update)
    if tg_id is None:
        return
    if action == "no":
        await answer_callback(update)
        await edit_or_reply(update, texts.NOT_NOW)
        return
    async with rt.db.session() as session:
        if action == "agree":
            person, created = await people.create_on_consent(session, rt, tg_id, update.effective_chat.id)  # type: ignore[union-attr]
            if not created:
                await answer_callback(update, texts.STALE_BUTTON)
                return
            invitation_id = deeplinks.sealed_invitation_id(rt, parts[2], parts[3:], tg_id) if len(parts) == 5 else None
            if invitation_id is not None and person.onboarded_at is None:
                person.pending_invitation_id = invitation_id
            await answer_callback(update)
            # The first question goes into the welcome itself: one message, buttons gone.
            await edit_or_reply(update, f"{texts.WELCOME_BODY}\n\n{texts.AGREED} {texts.ASK_PSEUDONYM}")
            return
        person = await people.find(session, rt, tg_id)
        if person is None:
            await answer_callback(update, texts.NEED_START, alert=True)
            return
        expected = {"purpose": "purpose", "time": "checkin_time", "clean": "clean_date"}.get(action)
        if expected is None or person.awaiting != expected:
            await answer_callback(update, texts.STALE_BUTTON)
            return
        if action == "purpose" and arg in people.PURPOSES:
            person.purpose = arg
            await answer_callback(update)
            await edit_or_reply(update, f"{texts.ASK_PURPOSE.format(name=texts.h(person.pseudonym))}\n<b>{people.PURPOSES[arg]}</b>")
            await advance(update, context, session, person, "purpose")
        elif action == "time" and arg in {t.replace(":", "") for t in CHECKIN_TIMES}:
            await answer_callback(update)
            await set_checkin_time(update, context, session, person, time(int(arg[:2]), int(arg[2:])))
        elif action == "clean" and arg in ("today", "skip", "clear"):
            await answer_callback(update)
            if arg == "today":
                person.clean_date = people.local_today(person, rt.clock.now(), rt.settings.default_timezone)
            elif arg == "clear":
                person.clean_date = None
            await advance(update, context, session, person, "clean_date", note=_clean_date_note(person))
        else:
            await answer_callback(update, texts.STALE_BUTTON)


async def answer_location(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, location: Location
) -> None:
    """A shared location while we ask for a time zone: look the zone up offline."""
    zone = timezone_at(location.latitude, location.longitude)
    if zone is None:
        await reply(update, texts.TIMEZONE_NOT_FOUND)
        return
    await set_timezone(update, context, session, person, zone)
