"""What comes after set-up, or after "Ask to be a ..." in /settings, when another feature owns it.

- Asking for a role: most roles are one tap (coordinators are asked at once). A role that
  needs an application first (companions: areas, fellowship, ...) registers the handler
  that starts it, and that handler asks the coordinators when the application is complete.
- After set-up, a purpose can offer its next step ("I'm leaving prison soon" is offered
  a companion on release day).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot.models import Person
from bot.services.people import onboarding, roles
from handlers.common import edit_or_reply, reply, runtime

# (update, context, session, person) -> None; runs inside the update's transaction.
FollowUp = Callable[[Update, ContextTypes.DEFAULT_TYPE, AsyncSession, Person], Awaitable[None]]
_applications: dict[str, FollowUp] = {}
_after_setup: dict[str, FollowUp] = {}
_short_setups: list[Callable[[AsyncSession, Person, str], Awaitable[bool]]] = []


def register_application(role: str, start: FollowUp) -> None:
    _applications[role] = start


def register_after_setup(purpose: str, follow_up: FollowUp) -> None:
    _after_setup[purpose] = follow_up


def register_short_setup(ends_here: Callable[[AsyncSession, Person, str], Awaitable[bool]]) -> None:
    """`ends_here(session, person, step just answered)`: True ends set-up now (and may set answers)."""
    if ends_here not in _short_setups:
        _short_setups.append(ends_here)


async def short_setup(session: AsyncSession, person: Person, done: str) -> bool:
    """Whether a feature ends this person's set-up after `done` (a card holder: after a name)."""
    return any([await ends_here(session, person, done) for ends_here in _short_setups])


async def ask_for_role(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, role: str, *, edit: bool = False
) -> None:
    """Start the role's application if it has one, else ask the coordinators now."""
    start = _applications.get(role)
    if start is not None:
        await start(update, context, session, person)
        return
    outcome = await roles.request_role(session, person, role, now=runtime(context).clock.now())
    await (edit_or_reply if edit else reply)(update, outcome.message)


async def after_setup(update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person) -> None:
    """The role or next step that the person's purpose leads to, if any."""
    role = onboarding.ROLE_FOR_PURPOSE.get(person.purpose or "")
    if role is not None:
        await ask_for_role(update, context, session, person, role)
    follow_up = _after_setup.get(person.purpose or "")
    if follow_up is not None:
        await follow_up(update, context, session, person)
