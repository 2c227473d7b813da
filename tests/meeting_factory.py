"""Meetings for tests, written straight to the database (as an import or a secretary would)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.db import Database
from bot.models import Meeting, Person
from bot.services.meetings import times as meeting_times

LONG_AGO = datetime(2026, 11, 1, tzinfo=UTC)
_numbers = itertools.count(1)

# Around Leeds: LS6 (Headingley) is the searcher's district in most tests.
LS6 = (53.82009, -1.57087)


async def add_meeting(
    db: Database,
    name: str,
    *,
    at: tuple[float, float] | None = None,
    days: str = "Tuesday",
    time: str = "19:30",
    end: str | None = None,
    fellowship: str = "AA",
    types: str = "O",
    attendance: str = "in_person",
    zone: str = "Europe/London",
    address: str | None = "1 Test Street",
    link: str | None = None,
    secretary: str | None = None,
    confirmed_at: datetime | None = LONG_AGO,
    status: str = "active",
    **extra: Any,
) -> Meeting:
    """One listing; `secretary` is the pseudonym of its owner."""
    now = confirmed_at or LONG_AGO
    async with db.session() as session:
        secretary_id = None
        if secretary is not None:
            secretary_id = (await session.execute(select(Person.id).where(Person.pseudonym == secretary))).scalar_one()
        meeting = Meeting(
            slug=f"test-{next(_numbers)}",
            name=name,
            days=meeting_times.parse_days(days),
            start_time=time,
            end_time=end,
            fellowship=fellowship,
            types=types,
            attendance=attendance,
            timezone=zone,
            address=address if attendance != "online" else None,
            latitude=at[0] if at else None,
            longitude=at[1] if at else None,
            conference_url=link,
            secretary_id=secretary_id,
            confirmed_at=confirmed_at,
            confirm_due_at=None,
            status=status,
            created_at=now,
            updated_at=now,
            **extra,
        )
        session.add(meeting)
    return meeting


async def open_result(person: Any, which: int | str) -> None:
    """Press the button of a result in the newest list ("1. Headingley Tuesday · …"), by
    its number or its meeting's name."""
    for shown in reversed(person.messages()):
        for label in shown.buttons():
            if label.startswith(f"{which}. ") if isinstance(which, int) else f". {which} ·" in label:
                await person.press(label, message=shown)
                return
    raise AssertionError(f"no result {which!r}; newest buttons: {person.buttons()}")
