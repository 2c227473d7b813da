"""Retention: a closed request's details are erased thirty days after it closes.

What remains is a count per month and outcome (`ReleaseTally`): enough to see how the
service is doing ("12 met in March, 2 not released"), with no prison, date, person or
companion attached. Drafts nobody finished are dropped after a week.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Invitation, ReleaseDuty, ReleaseEvent, ReleaseOffer, ReleaseRequest, ReleaseTally

DRAFT_KEPT = timedelta(days=7)


async def count(session: AsyncSession, closed_at: datetime, outcome: str) -> None:
    """Add one to the month's count for `outcome` (a second process may add the row first)."""
    month = f"{closed_at:%Y-%m}"
    add_one = (
        update(ReleaseTally)
        .where(ReleaseTally.month == month, ReleaseTally.outcome == outcome)
        .values(count=ReleaseTally.count + 1)
    )
    if (await session.execute(add_one)).rowcount == 1:  # type: ignore[attr-defined]
        return
    try:
        async with session.begin_nested():
            session.add(ReleaseTally(month=month, outcome=outcome, count=1))
    except IntegrityError:
        await session.execute(add_one)


async def delete_request(session: AsyncSession, request: ReleaseRequest) -> None:
    """The request and everything hanging off it, including its card's link."""
    request_id, invitation_id = request.id, request.invitation_id
    for table, column in ((ReleaseOffer, ReleaseOffer.request_id), (ReleaseEvent, ReleaseEvent.request_id),
                          (ReleaseDuty, ReleaseDuty.request_id)):
        await session.execute(delete(table).where(column == request_id))
    await session.execute(delete(ReleaseRequest).where(ReleaseRequest.id == request_id))
    if invitation_id is not None:
        await session.execute(delete(Invitation).where(Invitation.id == invitation_id))


async def erase(session: AsyncSession, request: ReleaseRequest) -> bool:
    """Erase a closed request's details, leaving only its count. False if it isn't closed."""
    if request.status != "closed" or request.closed_at is None:
        return False
    await count(session, request.closed_at, request.outcome or "not_recorded")
    await delete_request(session, request)
    return True


async def drop_stale_drafts(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(ReleaseRequest).where(ReleaseRequest.status == "draft", ReleaseRequest.updated_at < now - DRAFT_KEPT)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def counts_since(session: AsyncSession, month: str) -> dict[str, int]:
    """Erased requests per outcome from `month` ("2026-01") on."""
    rows = await session.execute(select(ReleaseTally.outcome, ReleaseTally.count).where(ReleaseTally.month >= month))
    totals: dict[str, int] = {}
    for outcome, n in rows.all():
        totals[outcome] = totals.get(outcome, 0) + n
    return totals
