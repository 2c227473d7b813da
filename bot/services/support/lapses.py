"""When a member's silence should alert their supporters: the lapse rule in one place.

A lapse is a daily prompt that went out (the check-in tick recorded the day in
`CheckinPlan.last_prompt_date`) followed by no check-in for that day or later, for the
member's threshold (12-72 hours, default 24) after that prompt's time.

Each member with supporters has one `AlertPlan` row watching one local day's prompt
(`lapse_day`) and due at that prompt plus the threshold (`lapse_due_at`, UTC, indexed).
A check-in moves the watch to the next prompt, so members who check in are never read
by the lapse tick; only due rows are. When a row falls due the verdict is re-checked
against the check-in tables (a pause, a changed time, downtime that skipped a prompt all
just move the watch on): no false alarms from a stale due time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.db import changed
from bot.models import AlertPlan, Checkin, CheckinPlan, Person, SupportLink
from bot.services.checkins.plans import checkin_time
from bot.services.schedule_times import local_date, occurrence, zone_named

THRESHOLD_CHOICES = (12, 24, 36, 48, 72)
DEFAULT_THRESHOLD = 24
# No check-in time (so no prompts), or a member who can't be written to: look again later.
RECHECK = timedelta(hours=24)
# The prompt tick is behind (downtime): give it a little time before judging the day.
WAIT_FOR_PROMPT = timedelta(minutes=15)


@dataclass(frozen=True)
class Verdict:
    """What to do with a due watch: alert now, or watch `day` until `due` (None: stop)."""

    lapsed: bool
    day: date | None
    due: datetime | None


def next_watch(
    now: datetime, zone: ZoneInfo, at: time | None, next_prompt_at: datetime | None, after_day: date | None, threshold: int
) -> Verdict:
    """Watch the first prompt after `after_day` (the last local day already accounted for).

    `next_prompt_at` is the prompt tick's own plan, so a pause or a changed time is followed;
    a prompt for a day already checked in is skipped by that tick, so it is skipped here too.
    """
    if at is None or next_prompt_at is None:
        return Verdict(False, None, now + RECHECK)
    day = local_date(next_prompt_at, zone)
    if after_day is not None and day <= after_day:
        day = after_day + timedelta(days=1)
    return Verdict(False, day, occurrence(day, at, zone) + timedelta(hours=threshold))


def verdict(row: Any, last_checkin: date | None, has_supporters: bool, now: datetime, default_zone: str) -> Verdict:
    """Judge a due watch. `row` carries the plan, person and check-in plan columns of `_DUE`."""
    if not has_supporters:
        return Verdict(False, None, None)  # nobody to alert; a new supporter starts a fresh watch
    if row.onboarded_at is None or row.unreachable_at is not None:
        return Verdict(False, row.lapse_day, now + RECHECK)  # left the bot, or blocked it
    zone = zone_named(row.timezone, default_zone)
    at = checkin_time(row.checkin_time)
    today = local_date(now, zone)
    paused = row.paused_until is not None and row.paused_until > today
    day = row.lapse_day
    if day is None or paused or (last_checkin is not None and last_checkin >= day):
        return _later(next_watch(now, zone, at, row.next_prompt_at, last_checkin, row.threshold_hours), now)
    if row.last_prompt_date is None or row.last_prompt_date < day:
        # That day's prompt hasn't gone out (yet): downtime skipped it, or the tick is behind.
        return _later(next_watch(now, zone, at, row.next_prompt_at, last_checkin, row.threshold_hours), now)
    if at is not None:
        due = occurrence(day, at, zone) + timedelta(hours=row.threshold_hours)
        if due > now:  # the member changed their time or threshold since the watch was set
            return Verdict(False, day, due)
    return Verdict(True, day, None)


def _later(watch: Verdict, now: datetime) -> Verdict:
    """Never re-arm in the past: that would make the row due again at every tick."""
    if watch.due is not None and watch.due <= now:
        return Verdict(False, watch.day, now + WAIT_FOR_PROMPT)
    return watch


# --- the watch row ------------------------------------------------------------------------


async def plan_for(session: AsyncSession, person_id: int) -> AlertPlan | None:
    return (await session.execute(select(AlertPlan).where(AlertPlan.person_id == person_id))).scalar_one_or_none()


async def ensure_plan(session: AsyncSession, person_id: int, now: datetime) -> AlertPlan:
    plan = await plan_for(session, person_id)
    if plan is not None:
        return plan
    plan = AlertPlan(person_id=person_id, threshold_hours=DEFAULT_THRESHOLD, updated_at=now)
    try:
        async with session.begin_nested():
            session.add(plan)
    except IntegrityError:  # another process made it a moment ago
        plan = await plan_for(session, person_id)
        assert plan is not None
    return plan


async def look_again(session: AsyncSession, person_id: int, now: datetime) -> None:
    """Have the lapse tick judge the member's watch again at its next run (a new threshold)."""
    plan = await ensure_plan(session, person_id, now)
    plan.lapse_due_at, plan.updated_at = now, now


async def watch_next_prompt(
    session: AsyncSession, person: Person, now: datetime, *, after_day: date | None, start: bool = False
) -> None:
    """Watch the member's first prompt after `after_day` (the day they last checked in).

    Called when they check in (members without supporters have no plan and cost nothing)
    and, with `start`, when they gain a supporter: prompts missed before then don't count.
    """
    assert person.id is not None
    plan = await (ensure_plan(session, person.id, now) if start else plan_for(session, person.id))
    if plan is None:
        return
    if person.timezone is None:  # only the tick knows the bot's default zone: let it judge
        plan.lapse_due_at, plan.lapse_day, plan.updated_at = now, None, now
        return
    checkin_plan = (
        await session.execute(select(CheckinPlan).where(CheckinPlan.person_id == person.id))
    ).scalar_one_or_none()
    watch = _later(
        next_watch(
            now, zone_named(person.timezone, "UTC"), checkin_time(person.checkin_time),
            checkin_plan.next_prompt_at if checkin_plan else None, after_day, plan.threshold_hours,
        ),
        now,
    )
    plan.lapse_day, plan.lapse_due_at, plan.updated_at = watch.day, watch.due, now


# --- the tick's claim ---------------------------------------------------------------------

_DUE = (
    col(AlertPlan.id),
    col(AlertPlan.person_id),
    col(AlertPlan.threshold_hours),
    col(AlertPlan.lapse_day),
    col(AlertPlan.lapse_due_at),
    col(Person.timezone),
    col(Person.checkin_time),
    col(Person.onboarded_at),
    col(Person.unreachable_at),
    col(CheckinPlan.next_prompt_at),
    col(CheckinPlan.last_prompt_date),
    col(CheckinPlan.paused_until),
)


async def claim_due(session: AsyncSession, now: datetime, *, default_zone: str, limit: int) -> tuple[int, list[int]]:
    """Claim up to `limit` due watches (oldest first): (how many were due, members lapsed).

    Reads the index on (lapse_due_at, id) and, for the batch only, the members' last
    check-in and whether they have supporters. Each watch is moved on with
    `UPDATE ... WHERE id=:id AND lapse_due_at=:seen`; only the process whose update changed
    the row reports the lapse, so two processes never alert for the same silence.
    """
    rows = (
        await session.execute(
            sa_select(*_DUE)
            .join(Person, col(Person.id) == col(AlertPlan.person_id))
            .outerjoin(CheckinPlan, col(CheckinPlan.person_id) == col(AlertPlan.person_id))
            .where(col(AlertPlan.lapse_due_at) <= now)
            .order_by(col(AlertPlan.lapse_due_at), col(AlertPlan.id))
            .limit(limit)
        )
    ).all()
    if not rows:
        return 0, []
    ids = [r.person_id for r in rows]
    last = dict(
        (
            await session.execute(
                select(Checkin.person_id, func.max(col(Checkin.local_date)))
                .where(col(Checkin.person_id).in_(ids))
                .group_by(col(Checkin.person_id))
            )
        ).all()
    )
    supported = set(
        (await session.execute(select(SupportLink.member_id).where(col(SupportLink.member_id).in_(ids)).distinct())).scalars()
    )
    lapsed: list[int] = []
    for row in rows:
        decided = verdict(row, last.get(row.person_id), row.person_id in supported, now, default_zone)
        won = await changed(
            session,
            update(AlertPlan)
            .where(col(AlertPlan.id) == row.id, col(AlertPlan.lapse_due_at) == row.lapse_due_at)
            .values(lapse_day=decided.day, lapse_due_at=decided.due, updated_at=now),
        )
        if won == 1 and decided.lapsed:
            lapsed.append(row.person_id)
    return len(rows), lapsed
