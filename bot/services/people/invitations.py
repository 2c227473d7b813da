"""Single-use deep links (`https://t.me/<bot>?start=<payload>`).

The payload is `<kind code>_<token>`: at most 64 characters of A-Za-z0-9_-, with 192
random bits. Only a SHA-256 of the token is stored, so a database leak reveals no link.

A link is a credential; a button is not. The link is looked up once, when it is opened
(`lookup`); from then on the invitation is named only by its row id, and every step that
uses it (`check`, `redeem`) names the kind it expects, so an invitation of one kind can never
be redeemed by another kind's flow. Buttons carry that id and a seal bound to the person
they were shown to (`Vault.seal`), never the token.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import texts
from bot.db import rows_changed
from bot.models import Invitation, Person
from bot.services.caps import Caps, next_allowed, refusal
from bot.services.people.states import InvitationProblem

COORDINATOR_KIND = "co"  # `/start co_<token>`: become a coordinator
KIND_RE = re.compile(r"[a-z]{2}")
PAYLOAD_RE = re.compile(r"^([a-z]{2})_([A-Za-z0-9_-]{32})$")
DEFAULT_TTL = timedelta(hours=72)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    session: AsyncSession, kind: str, *, created_by: int | None, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> str:
    """Make an invitation and return its deep-link payload (shown once, never stored)."""
    if not KIND_RE.fullmatch(kind):
        raise ValueError(f"invitation kind must be two letters, not {kind!r}")
    token = secrets.token_urlsafe(24)  # 192 bits -> 32 characters
    session.add(
        Invitation(kind=kind, token_hash=_hash(token), created_by_id=created_by, created_at=now, expires_at=now + ttl)
    )
    return f"{kind}_{token}"


async def daily_cap_problem(session: AsyncSession, person: Person, caps: Caps, now: datetime) -> str | None:
    """Why `person` can't make another invitation link now (the daily cap), or None. Every
    link they made counts, whatever its kind (supporter, coordinator); release cards have
    no creator, so they never do."""
    where = [col(Invitation.created_by_id) == person.id]
    when = await next_allowed(session, col(Invitation.created_at), where, caps.invitations, now)
    if when is None:
        return None
    return refusal(texts.CAP_INVITATIONS, caps.invitations, when, now, person.timezone, caps.default_zone)


@dataclass(frozen=True)
class Redeemed:
    invitation: Invitation | None
    problem: InvitationProblem | None  # None when usable


def problem_text(problem: str | None) -> str:
    """What to tell someone whose link can't be used (expired, used, or anything else)."""
    known: dict[str, str] = {InvitationProblem.EXPIRED: texts.INVITE_EXPIRED, InvitationProblem.USED: texts.INVITE_USED}
    return known.get(problem or "", texts.INVITE_UNKNOWN)


def parse(payload: str) -> tuple[str, str] | None:
    match = PAYLOAD_RE.match(payload)
    return (match.group(1), match.group(2)) if match else None


async def lookup(session: AsyncSession, payload: str) -> Invitation | None:
    """The invitation a `/start` payload names (whatever its state), or None. The kind in
    the payload must be the stored kind: a token is never accepted under another name."""
    parsed = parse(payload)
    if parsed is None:
        return None
    kind, token = parsed
    found = await session.execute(
        select(Invitation).where(col(Invitation.token_hash) == _hash(token), col(Invitation.kind) == kind)
    )
    return found.scalar_one_or_none()


def state(invitation: Invitation, now: datetime) -> InvitationProblem | None:
    """Why it can't be used now (used, expired), or None."""
    if invitation.used_at is not None:
        return InvitationProblem.USED
    if invitation.expires_at <= now:
        return InvitationProblem.EXPIRED
    return None


async def check(session: AsyncSession, invitation_id: int | None, kind: str, now: datetime) -> Redeemed:
    """The invitation with this id, if it is of `kind`, with why it can't be used (if so).
    An id of another kind is "unknown": nothing about it is revealed."""
    invitation = await session.get(Invitation, invitation_id) if invitation_id else None
    if invitation is None or invitation.kind != kind:
        return Redeemed(None, InvitationProblem.UNKNOWN)
    return Redeemed(invitation, state(invitation, now))


async def redeem(session: AsyncSession, invitation_id: int | None, kind: str, *, person_id: int, now: datetime) -> Redeemed:
    """Use the link up, exactly once even if two taps race (compare-and-set on used_at)."""
    checked = await check(session, invitation_id, kind, now)
    if checked.problem or checked.invitation is None:
        return checked
    result = await session.execute(
        update(Invitation)
        .where(col(Invitation.id) == checked.invitation.id, col(Invitation.kind) == kind, col(Invitation.used_at).is_(None))
        .values(used_at=now, used_by_id=person_id)
    )
    if rows_changed(result) != 1:
        return Redeemed(checked.invitation, InvitationProblem.USED)
    return checked


def seal_subject(kind: str, invitation_id: int) -> str:
    """What a button that answers an invitation is sealed to: its kind and its id."""
    return f"inv:{kind}:{invitation_id}"
