"""The outcome report for a big service: 100,000 members and a year of check-ins.

The database is rebuilt from the migrations and filled in bulk (COPY on PostgreSQL,
executemany on SQLite), in chunks so memory stays small: members join over eighteen months
and check in every 2nd to 6th day for 1 to 14 months; one in fifty raises an alert now and
then (most acknowledged, some passed on, some never); a few thousand release requests; meetings,
milestones and wellbeing checks. Then the whole report for the last twelve months is timed
twice: the figures (every query) and the files (CSV, charts, PDF). Finally every query the
report ran is shown with its plan (EXPLAIN QUERY PLAN / EXPLAIN), so one can see that
per-person look-ups are index searches, never a scan per person.

    .venv/bin/python -m bench.report [--members 100000] [--postgres URL] [--no-plans] [--keep DIR [--fill-only]]

With `--keep DIR` the filled databases are kept (SQLite in DIR, PostgreSQL as it is) and a
later run with the same `--keep` times the report on them without filling again.

The PostgreSQL database given is wiped (use the throwaway one from scripts/postgres-test.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

import bot.models  # noqa: F401  (every table known to the metadata)
from bench import databases
from bench.tick import _sqlite_value
from bot.crypto import Vault, generate_secret_key
from bot.db import Database
from bot.services.reports import figures, outputs

START, END = date(2025, 12, 1), date(2026, 11, 30)
FIRST_JOIN = date(2025, 6, 1)
CHUNK = 200_000

COLUMNS = {
    "person": ["id", "telegram_hash", "chat_id_enc", "pseudonym", "purpose", "consented_at", "created_at", "onboarded_at"],
    "checkin": ["person_id", "local_date", "mood", "clean", "went_to_meeting", "created_at", "updated_at"],
    "milestone": ["person_id", "clean_date", "key", "reached_on", "congratulated_at"],
    "meetingattendance": ["person_id", "attended_on", "attended_at", "created_at"],
    "incident": ["id", "member_id", "kind", "status", "step", "opened_at", "acknowledged_at"],
    "alertrecipient": ["incident_id", "person_id", "role", "step", "alerted_at"],
    "releaserequest": ["id", "person_id", "on_behalf", "status", "outcome", "day_status", "release_date", "aftercare",
                       "assigned_at", "created_at", "updated_at"],
    "wellbeingcheck": ["person_id", "month", "status", "answers", "total", "offered_at"],
}


def _at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _joined(n: int) -> date:
    return FIRST_JOIN + timedelta(days=(n * 7919) % 548)


def _rows(members: int) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(table, row): people first, then what hangs off them. Deterministic, no randomness."""
    helpers = members + 1  # one pool of supporters and coordinators, after the members
    for n in range(1, members + 101):
        joined = _joined(n) if n <= members else FIRST_JOIN
        yield "person", (n, f"h{n:012d}", "x", f"M{n}", "recovery", _at(joined), _at(joined), _at(joined))
    incident = 0
    for n in range(1, members + 1):
        joined, every = _joined(n), 2 + n % 5
        last = min(END, joined + timedelta(days=30 + (n * 37) % 400))
        day, k = joined, 0
        while day <= last:
            slip = (n + k) % 97 == 0
            yield "checkin", (n, day, 1 + (n + k) % 5, "slip" if slip else "yes", k % 11 == 0, _at(day), _at(day))
            day, k = day + timedelta(days=every), k + 1
        if (last - joined).days >= 30:
            reached = joined + timedelta(days=30)
            yield "milestone", (n, joined, "30d", reached, _at(reached))
        if n % 10 == 0:
            for j in range(0, 40, 3):
                went = joined + timedelta(days=j)
                yield "meetingattendance", (n, went, _at(went, 19), _at(went, 21))
        if n % 50 == 0:
            for j in range(3):
                incident += 1
                opened = _at(joined + timedelta(days=20 + 30 * j), 10)
                acked = opened + timedelta(minutes=(n * 13 + j) % 600) if (n + j) % 7 else None
                yield "incident", (incident, n, ("lapse", "sos", "slip", "low_mood")[(n + j) % 4],
                                   "acknowledged" if acked else "unanswered", 1, opened, acked)
                yield "alertrecipient", (incident, helpers + n % 50, "supporter", 0, opened)
                if (n + j) % 3 == 0:
                    yield "alertrecipient", (incident, helpers + 50 + n % 50, "coordinator", 1, opened)
        if n % 40 == 0:
            released = joined
            outcome = ("met", "met", "met", "not_released", "not_found", "not_recorded")[n % 6]
            yield "releaserequest", (n // 40, n, False, "closed", outcome, outcome, released,
                                     "yes" if outcome == "met" else None, _at(released) if n % 5 else None,
                                     _at(released - timedelta(days=20)), _at(released))
        if n % 4 == 0:
            for m in (joined + timedelta(days=35), joined + timedelta(days=125)):
                if m <= END:
                    score = 20 + (n + m.month) % 35
                    yield "wellbeingcheck", (n, m.strftime("%Y-%m"), "done", "3" * 10, score, _at(m))


async def _fill(db: Database, members: int) -> dict[str, int]:
    """Bulk load in chunks; returns how many rows each table got."""
    pending: dict[str, list[tuple[Any, ...]]] = {name: [] for name in COLUMNS}
    counts = dict.fromkeys(COLUMNS, 0)
    async with db.engine.begin() as conn:
        raw = (await conn.get_raw_connection()).driver_connection

        async def flush(table: str) -> None:
            rows, columns = pending[table], COLUMNS[table]
            if not rows:
                return
            if db.dialect == "postgresql":
                await raw.copy_records_to_table(table, records=rows, columns=columns)  # type: ignore[union-attr]
            else:
                await conn.exec_driver_sql(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                    [tuple(_sqlite_value(v) for v in row) for row in rows],
                )
            counts[table] += len(rows)
            pending[table] = []

        people_done = False
        for table, row in _rows(members):
            if table != "person" and not people_done:
                await flush("person")
                people_done = True
            pending[table].append(row)
            if len(pending[table]) >= CHUNK:
                await flush(table)
        for table in COLUMNS:
            await flush(table)
    await databases.analyze(db)
    return counts


class Capture:
    """Every statement the report runs, with its parameters, for EXPLAIN afterwards."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []
        self.seconds: list[float] = []
        self._started = 0.0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        self.seen.append((statement, parameters))
        self._started = time.perf_counter()

    def after(self, *_args: Any) -> None:
        self.seconds.append(time.perf_counter() - self._started)


async def _plans(db: Database, statements: list[tuple[str, Any]], seconds: list[float]) -> None:
    prefix = "EXPLAIN QUERY PLAN " if db.dialect == "sqlite" else "EXPLAIN "
    async with db.engine.connect() as conn:
        for number, (statement, parameters) in enumerate(statements, 1):
            first = " ".join(statement.split())[:110]
            print(f"\n  [{number}] {seconds[number - 1]:.2f} s: {first}…")
            result = await conn.exec_driver_sql(prefix + statement, parameters)
            for row in result.all():
                print("      " + (str(row[-1]) if db.dialect == "sqlite" else str(row[0])))


@asynccontextmanager
async def _filled(name: str, url: str, members: int, keep: bool) -> AsyncIterator[Database]:
    """A database holding the service. With `keep`, one filled by an earlier run with
    `--keep` is used as it is, and this one is left filled for the next (filling takes
    10 to 20 minutes; only the report is timed)."""
    if keep:
        db = Database(url, vault=Vault(generate_secret_key()))
        await db.migrate()
        async with db.session() as session:
            found = (await session.execute(text("SELECT count(*) FROM person"))).scalar_one()
        if found >= members:  # members and the people around them
            print(f"\n{name}: using the service a run with --keep left ({found:,} members)")
            try:
                yield db
            finally:
                await db.dispose()
            return
        await db.dispose()
    async with databases.fresh(url, empty_after=not keep) as db:
        started = time.perf_counter()
        counts = await _fill(db, members)
        print(f"\n{name}: filled in {time.perf_counter() - started:.0f} s: "
              + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
        yield db


async def run(name: str, url: str, members: int, plans: bool, keep: bool = False) -> None:
    async with _filled(name, url, members, keep) as db:
        capture = Capture()
        for attempt in (1, 2):
            if attempt == 2:
                event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
                event.listen(db.engine.sync_engine, "after_cursor_execute", capture.after)
            started = time.perf_counter()
            async with db.session() as session:
                found = await figures.compute(session, START, END)
            computed = time.perf_counter() - started
            with tempfile.TemporaryDirectory() as folder:
                files = outputs.write_all(found, 7, Path(folder), END)
            total = time.perf_counter() - started
            print(f"{name}: report {START} to {END} (run {attempt}): figures {computed:.1f} s, "
                  f"with files {total:.1f} s ({len(files)} files)")
        event.remove(db.engine.sync_engine, "before_cursor_execute", capture)
        event.remove(db.engine.sync_engine, "after_cursor_execute", capture.after)
        if plans:
            await _plans(db, capture.seen, capture.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--postgres", help="a throwaway PostgreSQL URL (it is wiped)")
    parser.add_argument("--no-plans", dest="plans", action="store_false")
    parser.add_argument("--keep", metavar="DIR", help="fill once, keep the databases (SQLite in DIR), reuse them next time")
    parser.add_argument("--fill-only", action="store_true", help="with --keep: fill, don't time the report")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, url in databases.backends(args.keep or tmp, args.postgres):
            if args.fill_only:
                asyncio.run(_fill_only(name, url, args.members))
            else:
                asyncio.run(run(name, url, args.members, args.plans, keep=bool(args.keep)))


async def _fill_only(name: str, url: str, members: int) -> None:
    async with _filled(name, url, members, keep=True):
        pass


if __name__ == "__main__":
    main()
