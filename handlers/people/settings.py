"""`/settings`: see and change each set-up answer, and ask for a secretary/companion role."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot import i18n, texts
from bot.buttons import inline
from bot.models import Person
from bot.services.people import buttons, people, role_changes
from bot.services.people.buttons import CleanDateChoice, OnboardingAction, SettingsAction
from bot.services.people.states import Step
from handlers import follow_ups
from handlers.common import answer_callback, callback_data, edit_or_reply, reply, runtime, user_id
from handlers.people.onboarding import ask, language_markup

# Which set-up question each "change" button asks again.
_EDITABLE = {
    SettingsAction.NAME: Step.PSEUDONYM,
    SettingsAction.PURPOSE: Step.PURPOSE,
    SettingsAction.TIMEZONE: Step.TIMEZONE,
    SettingsAction.CHECKIN_TIME: Step.CHECKIN_TIME,
    SettingsAction.CLEAN_DATE: Step.CLEAN_DATE,
}


async def choose_language(update: Update, session: AsyncSession, person: Person, code: str) -> None:
    """Switch this person's language; the answer, and everything after, is in the new one.
    During set-up the open question is asked again in it; after, /settings is shown again."""
    if not people.set_language(person, code):
        await answer_callback(update, texts.STALE_BUTTON)
        return
    await answer_callback(update, texts.LANGUAGE_SET)
    if person.onboarded_at is not None:
        await show_settings(update, session, person, saved=True)
    elif person.awaiting == Step.PSEUDONYM:
        await edit_or_reply(update, f"{texts.WELCOME_BODY}\n\n{texts.AGREED} {texts.ASK_PSEUDONYM}", language_markup())
    elif person.awaiting in set(Step):
        await ask(update, person, Step(person.awaiting))


async def show_settings(update: Update, session: AsyncSession, person: Person, *, saved: bool = False) -> None:
    assert person.id is not None
    held = await people.roles_of(session, person.id)
    text = texts.SETTINGS.format(
        name=texts.h(person.pseudonym),
        purpose=texts.PURPOSES.get(person.purpose or "", texts.NOT_SET),
        zone=person.timezone or texts.NOT_SET,
        time=person.checkin_time or texts.NOT_SET,
        language=i18n.LANGUAGES[i18n.current()],
        clean=texts.format_date(person.clean_date, "dd MMM y") if person.clean_date else texts.NOT_SET,
        roles=", ".join(texts.ROLE_NAMES[r] for r in sorted(held)),
    )
    labels = texts.SETTINGS_BUTTONS
    rows = [
        [(labels["name"], buttons.settings(SettingsAction.NAME)), (labels["timezone"], buttons.settings(SettingsAction.TIMEZONE))],
        [(labels["checkin_time"], buttons.settings(SettingsAction.CHECKIN_TIME)),
         (labels["clean_date"], buttons.settings(SettingsAction.CLEAN_DATE))],
        [(labels["purpose"], buttons.settings(SettingsAction.PURPOSE))],
        [(f"🌐 {name}", buttons.settings(SettingsAction.LANGUAGE, code)) for code, name in i18n.LANGUAGES.items() if code != i18n.current()],
    ]
    rows += [
        [(texts.SETTINGS_ASK_ROLE_BUTTON.format(role=texts.ROLE_NAMES[role]), buttons.settings(SettingsAction.ASK_FOR_ROLE, role))]
        for role in people.REQUESTABLE_ROLES
        if role not in held
    ]
    if held & set(people.GRANTED_ROLES):
        rows.append([(texts.ROLES_YOURS_BUTTON, buttons.settings(SettingsAction.MY_ROLES))])
    await reply(update, (texts.SETTINGS_SAVED + "\n\n" if saved else "") + text, inline(rows))


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    tg_id = user_id(update)
    if tg_id is None:
        return
    async with rt.db.session() as session:
        person = await people.find(session, rt, tg_id)
        if person is None or person.onboarded_at is None:
            await reply(update, texts.NEED_START if person is None else texts.FINISH_ONBOARDING)
            return
        people.expect(person, None)  # leaving whatever question was open
        await show_settings(update, session, person)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:set:*`: change an answer, ask for a role, see and step down from one's roles."""
    rt = runtime(context)
    pressed = buttons.parse_settings(callback_data(update))
    tg_id = user_id(update)
    if tg_id is None:
        return
    async with rt.db.session() as session:
        person = await people.find(session, rt, tg_id)
        if person is not None and pressed is not None and pressed.action == SettingsAction.LANGUAGE:
            await choose_language(update, session, person, pressed.args[0] if len(pressed.args) == 1 else "")
            return
        if person is None or person.onboarded_at is None:
            await answer_callback(update, texts.NEED_START, alert=True)
            return
        if pressed is None:
            await answer_callback(update, texts.STALE_BUTTON)
            return
        action, args = pressed.action, pressed.args
        role = args[0] if len(args) == 1 else ""
        if action in _EDITABLE:
            await answer_callback(update)
            people.expect(person, _EDITABLE[action])
            await ask(update, person, _EDITABLE[action])
            if action == SettingsAction.CLEAN_DATE and person.clean_date:
                remove = buttons.onboarding(OnboardingAction.CLEAN_DATE, CleanDateChoice.CLEAR)
                await reply(update, texts.CLEAN_DATE_REMOVE_ASK, inline([[(texts.CLEAN_DATE_REMOVE_BUTTON, remove)]]))
        elif action == SettingsAction.ASK_FOR_ROLE and role in people.REQUESTABLE_ROLES:
            await answer_callback(update)
            await follow_ups.ask_for_role(update, context, session, person, role, edit=True)
        elif action == SettingsAction.MY_ROLES and not args:
            await answer_callback(update)
            await _your_roles(update, session, person)
        elif action in (SettingsAction.STEP_DOWN, SettingsAction.STEP_DOWN_CONFIRMED) and role in people.GRANTED_ROLES:
            await _step_down(update, context, session, person, role, confirmed=action == SettingsAction.STEP_DOWN_CONFIRMED)
        else:
            await answer_callback(update, texts.STALE_BUTTON)


async def _your_roles(update: Update, session: AsyncSession, person: Person) -> None:
    """The roles this person holds, each with a way to step down."""
    assert person.id is not None
    grants = await role_changes.grants_of(session, person.id)
    if not grants:
        await edit_or_reply(update, texts.ROLES_NONE)
        return
    lines = "\n".join(f"• {texts.ROLE_NAMES[g.role]}" for g in grants)
    rows = [[(texts.ROLE_STEP_DOWN_BUTTON.format(role=texts.ROLE_NAMES[g.role]), buttons.settings(SettingsAction.STEP_DOWN, g.role))]
            for g in grants]
    await edit_or_reply(update, texts.ROLES_YOURS.format(roles=lines), inline(rows))


async def _step_down(update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person,
                     role: str, *, confirmed: bool) -> None:
    """Ask once ("what happens"), then step down."""
    name = texts.ROLE_NAMES[role]
    if not confirmed:
        await answer_callback(update)
        question = texts.ROLE_STEP_DOWN_ASK.format(role=name, effect=texts.ROLE_STEP_DOWN_EFFECTS[role])
        await edit_or_reply(update, question, inline([[
            (texts.ROLE_STEP_DOWN_YES, buttons.settings(SettingsAction.STEP_DOWN_CONFIRMED, role)),
            (texts.ROLE_STEP_DOWN_NO, buttons.settings(SettingsAction.MY_ROLES)),
        ]]))
        return
    outcome = await role_changes.step_down(session, person, role, now=runtime(context).clock.now())
    await answer_callback(update, None if outcome.ok else outcome.message, alert=not outcome.ok)
    await edit_or_reply(update, outcome.message)
