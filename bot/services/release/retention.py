"""Retention: a closed request's details are erased ERASE_AFTER after it closes.

What remains is a count per month and outcome (`ReleaseTally`): enough to see how the
service is doing ("12 met in March, 2 not released"), with no prison, date, person or
companion attached. Drafts nobody finished are dropped DRAFT_KEPT after their last answer.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.db import changed
from bot.models import Invitation, ReleaseDuty, ReleaseEvent, ReleaseOffer, ReleaseRequest, ReleaseTally
from bot.services import audit
from bot.services.release.records import ZONE, today
from bot.services.release.states import Outcome, RequestStatus

ERASE_AFTER = timedelta(days=30)  # a closed request's details, from the moment it closed
DRAFT_KEPT = timedelta(days=7)  # an unfinished draft, from its last answer
COUNTS_SHOWN = timedelta(days=365)  # how far back a coordinator's list counts what was erased


def erase_at(closed_at: datetime) -> datetime:
    """When a request closed at `closed_at` is erased (the `erase` duty's time)."""
    return closed_at + ERASE_AFTER


def erase_day(closed_at: datetime) -> date:
    """The London day its details go, as told to whoever closed it."""
    return erase_at(closed_at).astimezone(ZONE).date()


async def count(session: AsyncSession, closed_at: datetime, outcome: str) -> None:
    """Add one to the month's count for `outcome` (a second process may add the row first)."""
    month = f"{closed_at:%Y-%m}"
    add_one = (
        update(ReleaseTally)
        .where(col(ReleaseTally.month) == month, col(ReleaseTally.outcome) == outcome)
        .values(count=col(ReleaseTally.count) + 1)
    )
    if await changed(session, add_one) == 1:
        return
    try:
        async with session.begin_nested():
            session.add(ReleaseTally(month=month, outcome=outcome, count=1))
    except IntegrityError:
        await session.execute(add_one)


async def delete_request(session: AsyncSession, request: ReleaseRequest) -> None:
    """The request and everything hanging off it, including its card's link and its audit trail."""
    request_id, invitation_id = request.id, request.invitation_id
    await audit.erase_subject(session, audit.Subject.RELEASE, request_id)
    await session.execute(delete(ReleaseOffer).where(col(ReleaseOffer.request_id) == request_id))
    await session.execute(delete(ReleaseEvent).where(col(ReleaseEvent.request_id) == request_id))
    await session.execute(delete(ReleaseDuty).where(col(ReleaseDuty.request_id) == request_id))
    await session.execute(delete(ReleaseRequest).where(col(ReleaseRequest.id) == request_id))
    if invitation_id is not None:
        await session.execute(delete(Invitation).where(col(Invitation.id) == invitation_id))


async def erase(session: AsyncSession, request: ReleaseRequest) -> bool:
    """Erase a closed request's details, leaving only its count. False if it isn't closed."""
    if request.status != RequestStatus.CLOSED or request.closed_at is None:
        return False
    await count(session, request.closed_at, request.outcome or Outcome.NOT_RECORDED)
    await delete_request(session, request)
    return True


async def drop_stale_drafts(session: AsyncSession, now: datetime) -> int:
    """Drafts nobody has answered for DRAFT_KEPT go, with nothing counted (never sent)."""
    return await changed(session, delete(ReleaseRequest).where(
        col(ReleaseRequest.status) == RequestStatus.DRAFT, col(ReleaseRequest.updated_at) < now - DRAFT_KEPT
    ))


async def recent_counts(session: AsyncSession, now: datetime) -> tuple[date, dict[str, int]]:
    """Erased requests per outcome over about the last COUNTS_SHOWN (this month and the
    eleven before it), for a coordinator's list: (the month they start in, the counts)."""
    since = today(now).replace(day=1) - (COUNTS_SHOWN - timedelta(days=30))
    return since, await counts_since(session, f"{since:%Y-%m}")


async def counts_since(session: AsyncSession, month: str) -> dict[str, int]:
    """Erased requests per outcome from `month` ("2026-01") on."""
    rows = await session.execute(select(ReleaseTally.outcome, ReleaseTally.count).where(col(ReleaseTally.month) >= month))
    totals: dict[str, int] = {}
    for outcome, n in rows.all():
        totals[outcome] = totals.get(outcome, 0) + n
    return totals
