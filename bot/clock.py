"""One injectable clock for every time-dependent decision.

Production reads the system clock; tests and the sandbox move a `ManualClock` forward so
daily prompts, alerts and milestones can be seen without waiting. All times are aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that can tell the current time (aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests, sandbox).

    It can also run forward with real time (`ticking=True`), so a sandbox user who moves
    it to tomorrow still sees seconds pass afterwards.
    """

    def __init__(self, start: datetime | None = None, *, ticking: bool = False) -> None:
        start = start or datetime.now(UTC)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._offset = start - datetime.now(UTC) if ticking else timedelta(0)
        self._fixed = None if ticking else start.astimezone(UTC)

    def now(self) -> datetime:
        if self._fixed is not None:
            return self._fixed
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move forward (never back: time-dependent rows assume it only grows)."""
        if delta < timedelta(0):
            raise ValueError("The clock only moves forward")
        if self._fixed is not None:
            self._fixed += delta
        else:
            self._offset += delta
        return self.now()

    def set(self, moment: datetime) -> datetime:
        """Jump to a later moment."""
        return self.advance(moment.astimezone(UTC) - self.now())
