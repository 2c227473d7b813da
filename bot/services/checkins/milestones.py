"""Clean time and its milestones: 24 hours, 1 week, 30/60/90 days, 6 and 9 months, 1 year,
18 months, then every year. Each is congratulated once, on the day, at the prompt time.

Months are calendar months from the clean date; a date that does not exist in the target
month (31 August + 6 months) falls on that month's last day, as people count it.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import takewhile

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.models import Milestone

# A milestone missed while the bot was down or the member paused is still congratulated
# (belatedly) if it is this recent; older ones would only be confusing.
BELATED_LIMIT = timedelta(days=31)
_DAY_MILESTONES = ((1, "1d", "24 hours"), (7, "7d", "1 week"), (30, "30d", "30 days"), (60, "60d", "60 days"), (90, "90d", "90 days"))
_MONTH_MILESTONES = ((6, "6m", "6 months"), (9, "9m", "9 months"), (12, "1y", "1 year"), (18, "18m", "18 months"))


@dataclass(frozen=True)
class Reached:
    key: str
    label: str
    on: date


@dataclass(frozen=True)
class CleanTime:
    days: int
    years: int
    months: int
    remaining_days: int


def add_months(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    return date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))


def clean_time(clean_date: date, today: date) -> CleanTime:
    """Days since the clean date, and the same as years, months and days."""
    months = (today.year - clean_date.year) * 12 + today.month - clean_date.month
    if months > 0 and add_months(clean_date, months) > today:
        months -= 1
    months = max(months, 0)
    remaining = (today - add_months(clean_date, months)).days
    return CleanTime((today - clean_date).days, months // 12, months % 12, remaining)


def milestones(clean_date: date) -> Iterator[Reached]:
    """Every milestone in date order (endless: yearly after 18 months)."""
    for days, key, label in _DAY_MILESTONES:
        yield Reached(key, label, clean_date + timedelta(days=days))
    for months, key, label in _MONTH_MILESTONES:
        yield Reached(key, label, add_months(clean_date, months))
    years = 2
    while True:
        yield Reached(f"{years}y", f"{years} years", add_months(clean_date, 12 * years))
        years += 1


def latest_between(clean_date: date, after: date, through: date) -> Reached | None:
    """The most recent milestone on a day in (after, through], if any."""
    passed = [m for m in takewhile(lambda m: m.on <= through, milestones(clean_date)) if m.on > after]
    return passed[-1] if passed else None


def next_after(clean_date: date, today: date) -> Reached:
    """The next milestone after today."""
    return next(m for m in milestones(clean_date) if m.on > today)


def candidate(clean_date: date | None, last_handled: date | None, today: date) -> Reached | None:
    """The milestone to congratulate at today's prompt time: reached since the last day
    handled (only today when there was none), at most `BELATED_LIMIT` ago."""
    if clean_date is None:
        return None
    after = max(last_handled or today - timedelta(days=1), today - BELATED_LIMIT)
    return latest_between(clean_date, after, today)


async def congratulated(session: AsyncSession, person_ids: list[int]) -> set[tuple[int, date, str]]:
    """(person, clean date, key) already congratulated, for one batch of people."""
    if not person_ids:
        return set()
    rows = await session.execute(
        select(col(Milestone.person_id), col(Milestone.clean_date), col(Milestone.key)).where(col(Milestone.person_id).in_(person_ids))
    )
    return {(pid, clean, key) for pid, clean, key in rows.all()}


def record(session: AsyncSession, person_id: int, clean_date: date, reached: Reached, now: datetime) -> None:
    session.add(Milestone(person_id=person_id, clean_date=clean_date, key=reached.key, reached_on=reached.on, congratulated_at=now))
