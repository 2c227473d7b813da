"""Asking to be a group secretary: one short question first ("which group or meeting?"),
so the coordinator who decides knows who is asking and for what.

The question is stored on the person (`awaiting` = "role_answer:secretary"), so a restart
continues it; "Skip" sends the request without an answer. The answer is bounded, stored on
the request and shown to coordinators escaped.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import inline
from bot.models import Person
from bot.services.people import buttons, people, roles
from bot.services.people.buttons import ApplicationAction
from bot.services.people.roles import MAX_ANSWER, clean_answer
from bot.services.people.states import Role
from handlers.common import answer_callback, callback_data, edit_or_reply, onboarded_person, reply, runtime

AWAITING = "role_answer"
ROLE = Role.SECRETARY
QUESTION = f"{AWAITING}:{ROLE}"  # stored in `Person.awaiting` while the question is open


async def start_secretary_application(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person
) -> None:
    """From set-up ("I run a meeting") or /settings: ask which group, unless they can't ask."""
    problem = await roles.request_problem(session, person, ROLE)
    if problem is not None:
        await reply(update, problem)
        return
    people.expect(person, QUESTION)
    skip = buttons.application(ApplicationAction.SKIP, ROLE)
    await reply(update, texts.ROLE_ASK_SECRETARY, inline([[(texts.ROLE_ASK_SKIP, skip)]]))


async def answer_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    """The typed group or meeting: kept asking kindly when empty or too long."""
    answer = clean_answer(text)
    if answer is None:
        await reply(update, texts.ROLE_ANSWER_EMPTY)
        return
    if len(answer) > MAX_ANSWER:
        await reply(update, texts.ROLE_ANSWER_TOO_LONG.format(limit=MAX_ANSWER))
        return
    outcome = await roles.send_application(session, person, ROLE, now=runtime(context).clock.now(), answer=answer)
    await reply(update, outcome.message)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:ap:skip:secretary`: send the request without an answer, if still being asked."""
    rt = runtime(context)
    pressed = buttons.parse_application(callback_data(update))
    if pressed is None or pressed.action != ApplicationAction.SKIP or pressed.args != [ROLE]:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None:
            return
        if person.awaiting != QUESTION:
            await answer_callback(update, texts.STALE_BUTTON)
            return
        outcome = await roles.send_application(session, person, ROLE, now=rt.clock.now())
        await answer_callback(update)
        await edit_or_reply(update, outcome.message)
