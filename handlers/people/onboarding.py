"""`/start`, consent and the set-up questions (also reused by /settings to change answers).

Nothing is stored before the person presses "I agree". Each answer is saved as it is
given, and the next question is stored on the person, so set-up survives restarts.
"""

from __future__ import annotations

from datetime import time

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Location, Update
from telegram.ext import ContextTypes

from bot import i18n, texts
from bot.buttons import REMOVE_KEYBOARD, inline, reply_keyboard
from bot.geo import timezone_at
from bot.models import Person
from bot.services.people import buttons, invitations, onboarding, people
from bot.services.people.buttons import CleanDateChoice, OnboardingAction, SettingsAction
from bot.services.people.states import Step
from bot.services.validation import InvalidInput, parse_time_of_day
from handlers import deeplinks, follow_ups
from handlers.common import answer_callback, callback_data, edit_or_reply, log, reply, runtime, user_id


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
                deeplinks.invitation_button(
                    rt, buttons.ONBOARDING, OnboardingAction.AGREE, invitation, tg_id, with_kind=True
                )
                if route is not None and invitation is not None else buttons.onboarding(OnboardingAction.AGREE)
            )
            not_now = buttons.onboarding(OnboardingAction.NOT_NOW)
            await reply(update, broken + texts.WELCOME, inline([[(texts.AGREE_BUTTON, agree), (texts.NOT_NOW_BUTTON, not_now)]]))
            return
        if update.effective_chat is not None:
            people.refresh_chat(rt, person, update.effective_chat.id)
        if person.onboarded_at is None:
            if route is not None and invitation is not None:
                onboarding.hold_invitation(person, invitation.id)
            await reply(update, broken + texts.FINISH_ONBOARDING)
            await ask(update, person, person.awaiting or Step.PSEUDONYM)
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


def language_markup() -> dict[str, object]:
    """"Cymraeg" and "English", each in its own words: the choice offered during set-up."""
    return inline([[(name, buttons.settings(SettingsAction.LANGUAGE, code)) for code, name in i18n.LANGUAGES.items()]])


async def ask(update: Update, person: Person, step: str, *, note: str = "") -> None:
    """Send the question for a step (the person's `awaiting` is set by the caller).
    `note` (e.g. "Saved: 09:00.") goes in the same message: one message, not two."""
    lead = f"{note}\n\n" if note else ""
    if step == Step.PSEUDONYM:
        await reply(update, lead + texts.ASK_PSEUDONYM)
    elif step == Step.PURPOSE:
        purposes = [[(label, buttons.onboarding(OnboardingAction.PURPOSE, key))] for key, label in texts.PURPOSES.items()]
        await reply(update, lead + texts.ASK_PURPOSE.format(name=texts.h(person.pseudonym)), inline(purposes))
    elif step == Step.TIMEZONE:
        zones: list[str | dict[str, object]] = list(texts.TIMEZONE_CHOICES)
        keys: list[list[str | dict[str, object]]] = [[{"text": texts.SHARE_LOCATION, "request_location": True}]]
        keys += [zones[i : i + 2] for i in range(0, len(zones), 2)]
        await reply(update, lead + texts.ASK_TIMEZONE, reply_keyboard(keys))
    elif step == Step.CHECKIN_TIME:
        times = [(t, buttons.onboarding(OnboardingAction.CHECKIN_TIME, t.replace(":", ""))) for t in onboarding.CHECKIN_TIMES]
        await reply(update, lead + texts.ASK_CHECKIN_TIME, inline([times[:4], times[4:]]))
    elif step == Step.CLEAN_DATE:
        choices = [[(texts.CLEAN_DATE_TODAY_BUTTON, buttons.onboarding(OnboardingAction.CLEAN_DATE, CleanDateChoice.TODAY)),
                    (texts.CLEAN_DATE_SKIP_BUTTON, buttons.onboarding(OnboardingAction.CLEAN_DATE, CleanDateChoice.SKIP))]]
        await reply(update, lead + texts.ASK_CLEAN_DATE, inline(choices))


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
        people.expect(person, None)
        from handlers.people.settings import show_settings

        await show_settings(update, session, person, saved=True)
        return
    step = None if await follow_ups.short_setup(session, person, done) else onboarding.next_step(person, done)
    if step is not None:
        people.expect(person, step)
        await ask(update, person, step, note=note)
        return
    onboarding.finish(person, rt.clock.now())
    closing = (f"{note}\n\n" if note else "") + texts.ONBOARDED.format(name=texts.h(person.pseudonym))
    await reply(update, closing, REMOVE_KEYBOARD)  # the time-zone keyboard, folded away since
    log.info("person %s finished set-up", person.id)
    await follow_ups.after_setup(update, context, session, person)
    invitation = await onboarding.take_held_invitation(session, person)
    route = deeplinks.route_for(invitation)
    if route is not None and invitation is not None:
        await route(update, context, session, person, invitation)


# --- typed answers -----------------------------------------------------------------------


async def answer_pseudonym(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    try:
        onboarding.set_pseudonym(person, text)
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    await advance(update, context, session, person, Step.PSEUDONYM)


async def answer_timezone(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    zone = onboarding.zone_named(text)
    if zone is None:
        await reply(update, texts.TIMEZONE_UNKNOWN)
        return
    await set_timezone(update, context, session, person, zone)


async def set_timezone(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, zone: str
) -> None:
    rt = runtime(context)
    await onboarding.set_timezone(session, person, zone, now=rt.clock.now(), default_zone=rt.settings.default_timezone)
    note = texts.TIMEZONE_SET.format(zone=zone)
    if person.onboarded_at is None:
        # The zone keyboard is one-time, so it is already folded away; it is removed for
        # good by the closing "You're all set" message, and the note rides on the next question.
        await advance(update, context, session, person, Step.TIMEZONE, note=note)
        return
    await reply(update, note, REMOVE_KEYBOARD)
    await advance(update, context, session, person, Step.TIMEZONE)


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
    rt = runtime(context)
    shown = await onboarding.set_checkin_time(
        session, person, value, now=rt.clock.now(), default_zone=rt.settings.default_timezone
    )
    await advance(update, context, session, person, Step.CHECKIN_TIME, note=texts.CHECKIN_TIME_SET.format(time=shown))


async def answer_clean_date(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    rt = runtime(context)
    try:
        onboarding.set_clean_date_typed(person, text, now=rt.clock.now(), default_zone=rt.settings.default_timezone)
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    await advance(update, context, session, person, Step.CLEAN_DATE, note=_clean_date_note(person))


def _clean_date_note(person: Person) -> str:
    return texts.CLEAN_DATE_SET.format(date=texts.format_date(person.clean_date, "dd MMM y")) if person.clean_date else ""




# --- buttons and locations ---------------------------------------------------------------


# Which question each button answers: a button for another question is stale.
_ANSWERS = {
    OnboardingAction.PURPOSE: Step.PURPOSE,
    OnboardingAction.CHECKIN_TIME: Step.CHECKIN_TIME,
    OnboardingAction.CLEAN_DATE: Step.CLEAN_DATE,
}


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:ob:*` buttons. Each checks it matches the question being asked (else stale)."""
    rt = runtime(context)
    pressed = buttons.parse_onboarding(callback_data(update))
    tg_id = user_id(update)
    if tg_id is None:
        return
    if pressed is None:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    if pressed.action == OnboardingAction.NOT_NOW:
        await answer_callback(update)
        await edit_or_reply(update, texts.NOT_NOW)
        return
    async with rt.db.session() as session:
        if pressed.action == OnboardingAction.AGREE:
            await _agree(update, context, session, tg_id, pressed.args)
            return
        person = await people.find(session, rt, tg_id)
        if person is None:
            await answer_callback(update, texts.NEED_START, alert=True)
            return
        if person.awaiting != _ANSWERS.get(pressed.action):
            await answer_callback(update, texts.STALE_BUTTON)
            return
        arg = pressed.args[0] if len(pressed.args) == 1 else ""
        if pressed.action == OnboardingAction.PURPOSE and onboarding.set_purpose(person, arg):
            await answer_callback(update)
            await edit_or_reply(update, f"{texts.ASK_PURPOSE.format(name=texts.h(person.pseudonym))}\n<b>{texts.PURPOSES[arg]}</b>")
            await advance(update, context, session, person, Step.PURPOSE)
        elif pressed.action == OnboardingAction.CHECKIN_TIME and (chosen := onboarding.offered_time(arg)) is not None:
            await answer_callback(update)
            await set_checkin_time(update, context, session, person, chosen)
        elif pressed.action == OnboardingAction.CLEAN_DATE and onboarding.choose_clean_date(
            person, arg, now=rt.clock.now(), default_zone=rt.settings.default_timezone
        ):
            await answer_callback(update)
            await advance(update, context, session, person, Step.CLEAN_DATE, note=_clean_date_note(person))
        else:
            await answer_callback(update, texts.STALE_BUTTON)


async def _agree(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, tg_id: int, args: list[str]
) -> None:
    """"I agree": the person is created now (once), with a link they opened held by id."""
    rt = runtime(context)
    if update.effective_chat is None:
        return
    person, created = await people.create_on_consent(session, rt, tg_id, update.effective_chat.id)
    if not created:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    # `agree:<kind>:<id>:<seal>`: the seal is checked for this kind, id and person.
    invitation_id = deeplinks.sealed_invitation_id(rt, args[0], args[1:], tg_id) if len(args) == 3 else None
    onboarding.hold_invitation(person, invitation_id)
    await answer_callback(update)
    # The first question goes into the welcome itself: one message, buttons gone.
    # Under it, "Cymraeg / English": the language from Telegram's settings, changeable now.
    await edit_or_reply(update, f"{texts.WELCOME_BODY}\n\n{texts.AGREED} {texts.ASK_PSEUDONYM}", language_markup())


async def answer_location(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, location: Location
) -> None:
    """A shared location while we ask for a time zone: look the zone up offline."""
    zone = timezone_at(location.latitude, location.longitude)
    if zone is None:
        await reply(update, texts.TIMEZONE_NOT_FOUND)
        return
    await set_timezone(update, context, session, person, zone)
