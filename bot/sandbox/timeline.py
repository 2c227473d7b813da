"""When the next thing is due: what lets the sandbox clock run *through* a day, not over it.

Every timed duty is a row with an indexed UTC due time (see `bot.models`). A clock that
jumps straight past a member's prompt time makes the check-in tick treat that prompt as
downtime (skipped, so never "missed", so no alert). The sandbox instead asks here for the
earliest due time after now, moves the clock to it, runs the ticks, and asks again.

The queries mirror the ticks' own `WHERE ... <= now` filters, so a row the tick would not
claim is not a stop either. The outbox is left out: it is delivered by its own 1-second job
in real time, and a message sent a little late in sandbox time changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.models import AlertPlan, CheckinPlan, Incident, Meeting, MeetingReminder, ReleaseDuty

# (column, extra conditions) for each duty a tick claims by due time.
_DUE_COLUMNS: tuple[tuple[Any, tuple[Any, ...]], ...] = (
    (CheckinPlan.next_prompt_at, ()),
    (CheckinPlan.remind_at, ()),
    (AlertPlan.lapse_due_at, ()),
    (Incident.next_escalation_at, ()),
    (ReleaseDuty.due_at, ()),
    (MeetingReminder.due_at, ()),
    (Meeting.confirm_due_at, (col(Meeting.secretary_id).is_not(None), col(Meeting.status) == "active")),
)


async def _earliest(session: AsyncSession, column: Any, after: datetime, *conditions: Any) -> datetime | None:
    """MIN over one indexed due column, later than `after`."""
    found: datetime | None = (await session.execute(select(func.min(column)).where(column > after, *conditions))).scalar()
    return found


async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
    """The earliest moment after `after` at which any tick has something to claim."""
    found = [await _earliest(session, column, after, *conditions) for column, conditions in _DUE_COLUMNS]
    return min((moment for moment in found if moment is not None), default=None)


async def next_prompt(session: AsyncSession, after: datetime) -> datetime | None:
    """The next daily check-in prompt of anyone (in the sandbox, every person is simulated)."""
    return await _earliest(session, CheckinPlan.next_prompt_at, after)
