"""The report's SQL: set-based aggregates over a period, on SQLite and PostgreSQL alike.

Every query returns counts grouped by a label or a value (a histogram), never a row per
person; medians and percentiles are computed from those histograms (`histogram_quantile`).
Per-person conditions are correlated `EXISTS` look-ups on an index (check-ins by person
and day), never a scan per person. The few date expressions that differ between the two
databases live in `Sql`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

EPOCH = date(2000, 1, 1)


@dataclass(frozen=True)
class Sql:
    """SQL snippets whose spelling differs between SQLite and PostgreSQL."""

    postgres: bool

    def day(self, column: str) -> str:
        """Days since 2000-01-01 of a DATE column."""
        if self.postgres:
            return f"({column} - DATE '2000-01-01')"
        return f"CAST(julianday({column}) - julianday('2000-01-01') AS INTEGER)"

    def day_of(self, column: str) -> str:
        """Days since 2000-01-01 of a UTC timestamp column (its UTC date)."""
        if self.postgres:
            return f"(CAST(timezone('UTC', {column}) AS DATE) - DATE '2000-01-01')"
        return f"CAST(julianday(date({column})) - julianday('2000-01-01') AS INTEGER)"

    def date_of_plus(self, column: str, days: int) -> str:
        """The UTC date of a timestamp column plus `days`, as a DATE (comparable to a DATE column)."""
        if self.postgres:
            return f"(CAST(timezone('UTC', {column}) AS DATE) + {int(days)})"
        return f"date({column}, '{int(days):+d} days')"

    def date_plus(self, column: str, days: int) -> str:
        """A DATE column plus `days`."""
        if self.postgres:
            return f"({column} + {int(days)})"
        return f"date({column}, '{int(days):+d} days')"

    def month(self, column: str, *, timestamp: bool = False) -> str:
        """'YYYY-MM' of a DATE (or UTC timestamp) column."""
        if self.postgres:
            inner = f"timezone('UTC', {column})" if timestamp else column
            return f"to_char({inner}, 'YYYY-MM')"
        return f"strftime('%Y-%m', {column})"

    def minutes_between(self, later: str, earlier: str) -> str:
        """Minutes from `earlier` to `later` (two timestamp columns), to the nearest minute."""
        if self.postgres:
            return f"CAST(round(extract(epoch from ({later} - {earlier})) / 60) AS INTEGER)"
        return f"CAST(round((julianday({later}) - julianday({earlier})) * 1440) AS INTEGER)"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.postgres else f"max({a}, {b})"


def day_number(day: date) -> int:
    return (day - EPOCH).days


def bounds(start: date, end: date) -> dict[str, Any]:
    """Query parameters for a period of whole UTC days, `start` to `end` inclusive."""
    return {
        "d_from": start, "d_to": end,
        "t_from": datetime.combine(start, time(0), UTC), "t_to": datetime.combine(end + timedelta(days=1), time(0), UTC),
        "n_from": day_number(start), "n_to": day_number(end),
        "m_from": start.strftime("%Y-%m"), "m_to": end.strftime("%Y-%m"),
    }


async def rows(session: AsyncSession, sql: str, params: dict[str, Any]) -> Sequence[Any]:
    result = await session.execute(text(sql), _bind(session, params))
    return result.all()


def _bind(session: AsyncSession, params: dict[str, Any]) -> dict[str, Any]:
    """SQLite stores naive UTC (bot.db.UTCDateTime): compare with naive UTC there."""
    if session.bind is not None and session.bind.dialect.name == "sqlite":
        return {k: v.replace(tzinfo=None) if isinstance(v, datetime) else v for k, v in params.items()}
    return params


def sql_for(session: AsyncSession) -> Sql:
    return Sql(postgres=session.bind is not None and session.bind.dialect.name == "postgresql")


def histogram_quantile(histogram: Iterable[tuple[float, int]], q: float) -> float | None:
    """The q-quantile of values given as (value, how many); median = the mean of the two
    middle values for an even count, other quantiles by nearest rank."""
    pairs = sorted((float(v), int(n)) for v, n in histogram if n)
    total = sum(n for _, n in pairs)
    if total == 0:
        return None
    if q == 0.5:
        return (_nth(pairs, (total - 1) // 2) + _nth(pairs, total // 2)) / 2
    return _nth(pairs, max(0, math.ceil(q * total) - 1))


def _nth(pairs: list[tuple[float, int]], index: int) -> float:
    """The value at a 0-based position of the sorted values."""
    seen = 0
    for value, n in pairs:
        seen += n
        if index < seen:
            return value
    return pairs[-1][0]
