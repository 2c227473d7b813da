"""Daily local times in a member's IANA zone, turned into UTC instants.

A person asks for "09:00 every day"; the database stores UTC. The mapping changes with
daylight saving (09:00 London is 08:00 UTC in summer, 09:00 UTC in winter), a time can be
missing on a spring-forward day (sent at the next valid minute instead) and appear twice
on a fall-back day (only the first counts, so it is sent once).
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_named(name: str | None, default: str) -> ZoneInfo:
    """The person's zone, or the bot's default when missing or no longer known to tzdata."""
    try:
        return ZoneInfo(name) if name else ZoneInfo(default)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def _wall_time(instant: datetime, zone: ZoneInfo) -> datetime:
    """What a clock on the wall in `zone` shows at `instant` (naive)."""
    return _naive(instant.astimezone(zone))


def _exists(wall: datetime, zone: ZoneInfo) -> bool:
    """False for a wall time skipped by a spring-forward change (it round-trips elsewhere)."""
    return _wall_time(wall.astimezone(UTC), zone) == _naive(wall)


def occurrence(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of `at` on local `day`.

    Ambiguous (fall back): the first occurrence (fold=0). Non-existent (spring forward):
    the first minute after the gap, e.g. London 01:30 on the last Sunday of March -> 02:00 BST.
    """
    wall = datetime.combine(day, at, tzinfo=zone)  # fold=0
    if _exists(wall, zone):
        return wall.astimezone(UTC)
    # In a gap, fold=1 reads the wall time with the later offset (an instant before the
    # change) and fold=0 with the earlier one (after it): the change lies in between.
    # Find the first whole minute there whose local time has reached the asked-for time.
    low, high = wall.replace(fold=1).astimezone(UTC), wall.astimezone(UTC)
    minutes = range(int((high - low) / timedelta(minutes=1)) + 1)
    first = bisect_left(minutes, True, key=lambda m: _wall_time(low + timedelta(minutes=m), zone) >= _naive(wall))
    return min(low + timedelta(minutes=first), high)


def next_occurrence(after: datetime, at: time, zone: ZoneInfo, *, not_before: date | None = None) -> tuple[date, datetime]:
    """The first local day (on or after `not_before`) whose `at` falls strictly after `after`.

    Returns (local day, UTC instant). Starting a day early covers a zone whose gap pushes
    a late-evening time past midnight.
    """
    day = local_date(after, zone) - timedelta(days=1)
    if not_before is not None and not_before > day:
        day = not_before
    while True:
        when = occurrence(day, at, zone)
        if when > after:
            return day, when
        day += timedelta(days=1)
