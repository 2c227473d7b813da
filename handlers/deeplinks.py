"""`/start <payload>` routing, and the buttons that answer an invitation.

The payload is looked up once (`invitations.lookup`); the route is chosen by the stored
invitation's kind, and the feature receives the row, never the token. A payload that is not
a link may be a short code typed by hand (`/start ABC2345`), routed by its shape. Buttons
that answer an invitation carry `<invitation id>:<seal>`, the seal binding them to its kind,
its id and the person they were shown to, so forged or copied data redeems nothing.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot.buttons import Family
from bot.crypto import Vault
from bot.models import Invitation, Person
from bot.runtime import Runtime
from bot.services.validation import is_digits

# (update, context, session, onboarded person, invitation) -> None
DeepLink = Callable[[Update, ContextTypes.DEFAULT_TYPE, AsyncSession, Person, Invitation], Awaitable[None]]
# (update, context, session, onboarded person, what they typed) -> None
TypedCode = Callable[[Update, ContextTypes.DEFAULT_TYPE, AsyncSession, Person, str], Awaitable[None]]
# The invitation a typed code stands for, so it can ride through consent and set-up as a link does.
CodeResolver = Callable[[AsyncSession, Vault, str], Awaitable[Invitation | None]]
_routes: dict[str, DeepLink] = {}
_typed: list[tuple[re.Pattern[str], TypedCode, CodeResolver]] = []


def register_deep_link(kind: str, handler: DeepLink) -> None:
    _routes[kind] = handler


def register_typed_code(shape: re.Pattern[str], handler: TypedCode, resolve: CodeResolver) -> None:
    if (shape, handler, resolve) not in _typed:
        _typed.append((shape, handler, resolve))


def route_for(invitation: Invitation | None) -> DeepLink | None:
    return _routes.get(invitation.kind) if invitation is not None else None


def typed_route(payload: str) -> tuple[TypedCode, CodeResolver] | None:
    """The feature a hand-typed code of this shape belongs to (not for links: they have `_`)."""
    if "_" in payload:
        return None
    return next(((handler, resolve) for shape, handler, resolve in _typed if shape.match(payload)), None)


def invitation_button(rt: Runtime, family: Family, action: str, invitation: Invitation, telegram_id: int,
                      *, with_kind: bool = False) -> str:
    """Callback data answering `invitation`, usable only by `telegram_id`:
    `v1:<family>:<action>[:<kind>]:<id>:<seal>` (the kind when the feature can't know it)."""
    from bot.services.people import invitations

    assert invitation.id is not None
    seal = rt.vault.seal(invitations.seal_subject(invitation.kind, invitation.id), telegram_id)
    if with_kind:
        return family.data(action, invitation.kind, invitation.id, seal)
    return family.data(action, invitation.id, seal)


def sealed_invitation_id(rt: Runtime, kind: str, args: list[str], telegram_id: int | None) -> int | None:
    """The invitation id in `<id>:<seal>` if the seal was made for this kind, this id and
    this person; None for anything else (forged, copied, stale or malformed)."""
    from bot.services.people import invitations

    if telegram_id is None or len(args) != 2 or not is_digits(args[0]) or len(args[0]) > 12:
        return None
    invitation_id = int(args[0])
    if not rt.vault.seal_matches(invitations.seal_subject(kind, invitation_id), telegram_id, args[1]):
        return None
    return invitation_id
