"""A small service with six months of history (1 Jan – 30 Jun 2026), written straight into
the tables as the bot would have left them, so the report's figures can be checked
against numbers worked out by hand (see `EXPECTED` in tests/test_reports.py).

Who is there:
- A1: 20 people joined 5 Jan, check in every day to 30 Jun ("clean: yes"); the first 10 had a
  companion on release day, 5 Jan; the first 10 also record a meeting every day 2 Apr–30 Jun.
- A2: 12 joined 5 Jan, check in every day for 35 days (to 8 Feb), then stop; 4 of them
  report a slip on 15 Jan and restart their clean date.
- A3: 8 joined 5 Jan and never check in.
- B: 15 joined 1 May, check in every other day (31 check-ins to 30 Jun).
- C: 5 joined 1 Dec 2025, check in every day; each ticks "went to a meeting" on 1 Jun.
Alerts: 12 lapses (9 acknowledged after 30, 60 … 270 minutes; 4 passed to a second
supporter; the 3 never acknowledged reached coordinators), 6 SOS acknowledged after 5
minutes, 4 shared slips (2 acknowledged after 10 minutes).
Releases: 10 on 5 Jan (8 matched, 6 met, 2 not released, 3 went to a meeting, 5 enrolled);
8 on 10 Mar for people never connected (3 matched, 2 met); a draft and a July release
that don't count. Erased: Feb 2026, 12 met and 3 not recorded.
Wellbeing: 12 of A1 answer in Feb (30) and May (40), 8 of A1 once in Mar (35); C answer
in Jan (20) and Jun (26).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text

from bot.db import Database
from bot.models import (
    AlertRecipient,
    Checkin,
    Incident,
    MeetingAttendance,
    Milestone,
    Person,
    ReleaseEvent,
    ReleaseRequest,
    ReleaseTally,
    WellbeingCheck,
)

START, END = date(2026, 1, 1), date(2026, 6, 30)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def days(first: date, last: date, step: int = 1) -> list[date]:
    return [first + timedelta(days=i) for i in range(0, (last - first).days + 1, step)]


class Seed:
    """Rows to insert, by table, and the ids of the people made so far."""

    def __init__(self) -> None:
        self.people: list[dict[str, Any]] = []
        self.rows: dict[Any, list[dict[str, Any]]] = {}

    def person(self, joined: date) -> int:
        pid = len(self.people) + 1
        self.people.append({"id": pid, "telegram_hash": f"h{pid:08d}", "chat_id_enc": "x", "pseudonym": f"Member{pid}",
                            "consented_at": at(joined), "created_at": at(joined), "onboarded_at": at(joined)})
        return pid

    def add(self, model: Any, **values: Any) -> None:
        self.rows.setdefault(model, []).append(values)

    def checkins(self, pid: int, on: list[date], *, slip_on: date | None = None, meeting_on: date | None = None) -> None:
        for day in on:
            slip = day == slip_on
            self.add(Checkin, person_id=pid, local_date=day, mood=3, clean="slip" if slip else "yes",
                     went_to_meeting=day == meeting_on, slip_reset_clean_date=True if slip else None,
                     created_at=at(day), updated_at=at(day), completed_at=at(day))

    async def write(self, db: Database) -> None:
        async with db.session() as session:
            await session.execute(insert(Person), self.people)
            order = (Checkin, Milestone, MeetingAttendance, Incident, AlertRecipient, ReleaseRequest, ReleaseEvent,
                     ReleaseTally, WellbeingCheck)
            for model in order:
                if self.rows.get(model):
                    await session.execute(insert(model), self.rows[model])
            if db.dialect == "postgresql":  # ids were given: move the sequences past them
                for table in ("person", "incident", "releaserequest"):
                    await session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


def build() -> Seed:
    seed = Seed()
    jan5, may1 = date(2026, 1, 5), date(2026, 5, 1)
    a1 = [seed.person(jan5) for _ in range(20)]
    a2 = [seed.person(jan5) for _ in range(12)]
    for _ in range(8):
        seed.person(jan5)  # A3: never check in
    b = [seed.person(may1) for _ in range(15)]
    c = [seed.person(date(2025, 12, 1)) for _ in range(5)]
    for pid in a1:
        seed.checkins(pid, days(jan5, END))
        seed.add(Milestone, person_id=pid, clean_date=jan5, key="30d", reached_on=date(2026, 2, 4), congratulated_at=at(date(2026, 2, 4)))
        seed.add(Milestone, person_id=pid, clean_date=jan5, key="90d", reached_on=date(2026, 4, 5), congratulated_at=at(date(2026, 4, 5)))
    for pid in a1[:10]:
        for day in days(date(2026, 4, 2), END):
            seed.add(MeetingAttendance, person_id=pid, attended_on=day, attended_at=at(day, 19), created_at=at(day, 21))
    for i, pid in enumerate(a2):
        seed.checkins(pid, days(jan5, date(2026, 2, 8)), slip_on=date(2026, 1, 15) if i < 4 else None)
    for pid in b:
        seed.checkins(pid, days(may1, END, 2))
    for pid in c:
        seed.checkins(pid, days(date(2025, 12, 1), END), meeting_on=date(2026, 6, 1))
    _alerts(seed, a2, c)
    _releases(seed, a1)
    for pid in a1[:12]:
        seed.add(WellbeingCheck, person_id=pid, month="2026-02", status="done", answers="3" * 10, total=30, offered_at=at(date(2026, 2, 3)), completed_at=at(date(2026, 2, 3)))
        seed.add(WellbeingCheck, person_id=pid, month="2026-05", status="done", answers="4" * 10, total=40, offered_at=at(date(2026, 5, 3)), completed_at=at(date(2026, 5, 3)))
    for pid in a1[12:]:
        seed.add(WellbeingCheck, person_id=pid, month="2026-03", status="done", answers="4" * 5 + "3" * 5, total=35, offered_at=at(date(2026, 3, 3)), completed_at=at(date(2026, 3, 3)))
    for pid in c:
        seed.add(WellbeingCheck, person_id=pid, month="2026-01", status="done", answers="2" * 10, total=20, offered_at=at(date(2026, 1, 3)), completed_at=at(date(2026, 1, 3)))
        seed.add(WellbeingCheck, person_id=pid, month="2026-06", status="done", answers="3" * 6 + "2" * 4, total=26, offered_at=at(date(2026, 6, 3)), completed_at=at(date(2026, 6, 3)))
    return seed


def _alerts(seed: Seed, quiet: list[int], helpers: list[int]) -> None:
    """Alerts numbered from 1; helpers (group C) are the supporters and coordinators alerted."""
    incident = 0

    def open_incident(kind: str, member: int, opened: datetime, ack_after: int | None, recipients: list[tuple[int, str]]) -> None:
        nonlocal incident
        incident += 1
        acked = opened + timedelta(minutes=ack_after) if ack_after is not None else None
        seed.add(Incident, id=incident, member_id=member, kind=kind, status="acknowledged" if acked else "unanswered",
                 step=len(recipients), opened_at=opened, acknowledged_at=acked, acknowledged_by_id=recipients[0][0] if acked else None)
        for step, (pid, role) in enumerate(recipients):
            seed.add(AlertRecipient, incident_id=incident, person_id=pid, role=role, step=step, alerted_at=opened)

    for i, member in enumerate(quiet):  # 12 lapses
        opened = at(date(2026, 2, 10), 9)
        if i < 9:
            chain = [(helpers[0], "supporter"), (helpers[1], "supporter")] if i < 4 else [(helpers[0], "supporter")]
            open_incident("lapse", member, opened, 30 * (i + 1), chain)
        else:
            open_incident("lapse", member, opened, None, [(helpers[0], "supporter"), (helpers[2], "coordinator")])
    for member in quiet[:6]:
        open_incident("sos", member, at(date(2026, 1, 20), 22), 5, [(helpers[0], "supporter")])
    for i, member in enumerate(quiet[:4]):
        open_incident("slip", member, at(date(2026, 1, 15), 20), 10 if i < 2 else None, [(helpers[0], "supporter")])
    open_incident("sos", quiet[0], at(date(2026, 7, 2)), 5, [(helpers[0], "supporter")])  # after the period


def _releases(seed: Seed, people: list[int]) -> None:
    request = 0

    def add(release: date, person: int | None, *, status: str = "closed", assigned: bool = False, outcome: str | None = None,
            meeting: bool = False, aftercare: str | None = None) -> None:
        nonlocal request
        request += 1
        made = at(release - timedelta(days=20))
        seed.add(ReleaseRequest, id=request, person_id=person, status=status, release_date=release, outcome=outcome,
                 day_status=outcome, prison_code="LEI", assigned_at=made if assigned else None, aftercare=aftercare,
                 on_behalf=person is None, created_at=made, updated_at=made)
        if meeting:
            seed.add(ReleaseEvent, request_id=request, kind="meeting", at=at(release, 19))

    jan5 = date(2026, 1, 5)
    for i, pid in enumerate(people[:10]):
        assigned = i < 8
        outcome = "met" if i < 6 else ("not_released" if i < 8 else "not_recorded")
        add(jan5, pid, assigned=assigned, outcome=outcome, meeting=i < 3, aftercare="yes" if i < 5 else None)
    for i in range(8):
        add(date(2026, 3, 10), None, assigned=i < 3, outcome="met" if i < 2 else "not_recorded")
    add(date(2026, 3, 11), None, status="draft")
    add(date(2026, 7, 10), None, status="open")
    seed.add(ReleaseTally, month="2026-02", outcome="met", count=12)
    seed.add(ReleaseTally, month="2026-02", outcome="not_recorded", count=3)
