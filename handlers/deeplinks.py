"""`/start <payload>` routing, and the buttons that answer an invitation.

The payload is looked up once (`invitations.lookup`); the route is chosen by the stored
invitation's kind, and the feature receives the row, never the token. Buttons that answer
an invitation carry `<invitation id>:<seal>`, the seal binding them to its kind, its id and
the person they were shown to, so forged or copied data redeems nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot.buttons import callback
from bot.models import Invitation, Person
from bot.runtime import Runtime

# (update, context, session, onboarded person, invitation) -> None
DeepLink = Callable[[Update, ContextTypes.DEFAULT_TYPE, AsyncSession, Person, Invitation], Awaitable[None]]
_routes: dict[str, DeepLink] = {}


def register_deep_link(kind: str, handler: DeepLink) -> None:
    _routes[kind] = handler


def route_for(invitation: Invitation | None) -> DeepLink | None:
    return _routes.get(invitation.kind) if invitation is not None else None


def invitation_button(rt: Runtime, feature: str, action: str, invitation: Invitation, telegram_id: int,
                      *, with_kind: bool = False) -> str:
    """Callback data answering `invitation`, usable only by `telegram_id`:
    `v1:<feature>:<action>[:<kind>]:<id>:<seal>` (the kind when the feature can't know it)."""
    from bot.services import invitations

    assert invitation.id is not None
    seal = rt.vault.seal(invitations.seal_subject(invitation.kind, invitation.id), telegram_id)
    if with_kind:
        return callback(feature, action, invitation.kind, invitation.id, seal)
    return callback(feature, action, invitation.id, seal)


def sealed_invitation_id(rt: Runtime, kind: str, args: list[str], telegram_id: int | None) -> int | None:
    """The invitation id in `<id>:<seal>` if the seal was made for this kind, this id and
    this person; None for anything else (forged, copied, stale or malformed)."""
    from bot.services import invitations

    if telegram_id is None or len(args) != 2 or not args[0].isdigit() or len(args[0]) > 12:
        return None
    invitation_id = int(args[0])
    if not rt.vault.seal_matches(invitations.seal_subject(kind, invitation_id), telegram_id, args[1]):
        return None
    return invitation_id
