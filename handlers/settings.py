"""`/settings`: see and change each set-up answer, and ask for a secretary/companion role."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import callback, inline
from bot.models import Person
from bot.services.people import people, role_changes
from handlers import follow_ups
from handlers.common import answer_callback, callback_parts, edit_or_reply, reply, runtime, user_id
from handlers.onboarding import ask

_EDITABLE = {
    "name": "pseudonym",
    "purpose": "purpose",
    "tz": "timezone",
    "time": "checkin_time",
    "clean": "clean_date",
}


async def show_settings(update: Update, session: AsyncSession, person: Person, *, saved: bool = False) -> None:
    assert person.id is not None
    held = await people.roles_of(session, person.id)
    text = texts.SETTINGS.format(
        name=texts.h(person.pseudonym),
        purpose=people.PURPOSES.get(person.purpose or "", texts.NOT_SET),
        zone=person.timezone or texts.NOT_SET,
        time=person.checkin_time or texts.NOT_SET,
        clean=person.clean_date.strftime("%d %b %Y") if person.clean_date else texts.NOT_SET,
        roles=", ".join(texts.ROLE_NAMES[r] for r in sorted(held)),
    )
    rows = [
        [("Name", callback("set", "name")), ("Time zone", callback("set", "tz"))],
        [("Check-in time", callback("set", "time")), ("Clean date", callback("set", "clean"))],
        [("What brings you here", callback("set", "purpose"))],
    ]
    rows += [
        [(f"Ask to be a {texts.ROLE_NAMES[role]}", callback("set", "role", role))]
        for role in people.REQUESTABLE_ROLES
        if role not in held
    ]
    if held & set(people.GRANTED_ROLES):
        rows.append([(texts.ROLES_YOURS_BUTTON, callback("set", "roles"))])
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
        person.awaiting = None  # leaving whatever question was open
        await show_settings(update, session, person)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    parts = callback_parts(update)
    tg_id = user_id(update)
    if tg_id is None:
        return
    async with rt.db.session() as session:
        person = await people.find(session, rt, tg_id)
        if person is None or person.onboarded_at is None:
            await answer_callback(update, texts.NEED_START, alert=True)
            return
        what = parts[1] if len(parts) > 1 else ""
        if what in _EDITABLE:
            await answer_callback(update)
            person.awaiting = _EDITABLE[what]
            await ask(update, person, person.awaiting)
            if what == "clean" and person.clean_date:
                await reply(update, "Or remove your clean date:", inline([[("Remove it", callback("ob", "clean", "clear"))]]))
        elif what == "role" and len(parts) > 2 and parts[2] in people.REQUESTABLE_ROLES:
            await answer_callback(update)
            await follow_ups.ask_for_role(update, context, session, person, parts[2], edit=True)
        elif what == "roles" and len(parts) == 2:
            await answer_callback(update)
            await _your_roles(update, session, person)
        elif what in ("down", "downok") and len(parts) == 3 and parts[2] in people.GRANTED_ROLES:
            await _step_down(update, context, session, person, parts[2], confirmed=what == "downok")
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
    rows = [[(texts.ROLE_STEP_DOWN_BUTTON.format(role=texts.ROLE_NAMES[g.role]), callback("set", "down", g.role))] for g in grants]
    await edit_or_reply(update, texts.ROLES_YOURS.format(roles=lines), inline(rows))


async def _step_down(update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person,
                     role: str, *, confirmed: bool) -> None:
    """Ask once ("what happens"), then step down."""
    name = texts.ROLE_NAMES[role]
    if not confirmed:
        await answer_callback(update)
        ask = texts.ROLE_STEP_DOWN_ASK.format(role=name, effect=texts.ROLE_STEP_DOWN_EFFECTS[role])
        await edit_or_reply(update, ask, inline([[(texts.ROLE_STEP_DOWN_YES, callback("set", "downok", role)),
                                                  (texts.ROLE_STEP_DOWN_NO, callback("set", "roles"))]]))
        return
    outcome = await role_changes.step_down(session, person, role, now=runtime(context).clock.now())
    await answer_callback(update, None if outcome.ok else outcome.message, alert=not outcome.ok)
    await edit_or_reply(update, outcome.message)
