"""Single-use deep links (`https://t.me/<bot>?start=<payload>`).

The payload is `<kind code>_<token>`: at most 64 characters of A-Za-z0-9_-, with 192
random bits. Only a SHA-256 of the token is stored, so a database leak reveals no link.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.models import Invitation

PAYLOAD_RE = re.compile(r"^([a-z]{2})_([A-Za-z0-9_-]{32})$")
DEFAULT_TTL = timedelta(hours=72)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    session: AsyncSession, kind: str, *, created_by: int | None, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> str:
    """Make an invitation and return its deep-link payload (shown once, never stored)."""
    assert re.fullmatch(r"[a-z]{2}", kind)
    token = secrets.token_urlsafe(24)  # 192 bits -> 32 characters
    session.add(
        Invitation(kind=kind, token_hash=_hash(token), created_by_id=created_by, created_at=now, expires_at=now + ttl)
    )
    return f"{kind}_{token}"


@dataclass(frozen=True)
class Redeemed:
    invitation: Invitation | None
    problem: str | None  # None when redeemed: "unknown", "expired", "used"


def problem_text(problem: str | None) -> str:
    """What to tell someone whose link can't be used ("expired", "used", or anything else)."""
    return {"expired": texts.INVITE_EXPIRED, "used": texts.INVITE_USED}.get(problem or "", texts.INVITE_UNKNOWN)


def parse(payload: str) -> tuple[str, str] | None:
    match = PAYLOAD_RE.match(payload)
    return (match.group(1), match.group(2)) if match else None


async def peek(session: AsyncSession, payload: str, now: datetime) -> Redeemed:
    """Check a link without using it up (to show what it is before the person accepts)."""
    parsed = parse(payload)
    if parsed is None:
        return Redeemed(None, "unknown")
    kind, token = parsed
    invitation = (
        await session.execute(select(Invitation).where(Invitation.token_hash == _hash(token), Invitation.kind == kind))
    ).scalar_one_or_none()
    if invitation is None:
        return Redeemed(None, "unknown")
    if invitation.used_at is not None:
        return Redeemed(invitation, "used")
    if invitation.expires_at <= now:
        return Redeemed(invitation, "expired")
    return Redeemed(invitation, None)


async def redeem(session: AsyncSession, payload: str, *, person_id: int, now: datetime) -> Redeemed:
    """Use the link up, exactly once even if two taps race (compare-and-set on used_at)."""
    checked = await peek(session, payload, now)
    if checked.problem or checked.invitation is None:
        return checked
    result = await session.execute(
        update(Invitation)
        .where(Invitation.id == checked.invitation.id, Invitation.used_at.is_(None))  # type: ignore[union-attr]
        .values(used_at=now, used_by_id=person_id)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return Redeemed(checked.invitation, "used")
    return checked
