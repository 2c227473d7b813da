"""The check-in prompt tick's find-and-claim, as membership grows (1% of members due).

For each size the database is rebuilt from the migrations and filled in bulk, then one
tick batch is timed: the indexed "oldest due first" query plus a compare-and-set claim and
an outbox row for each of up to `BATCH` members (`claim_due_prompts`, exactly what the
JobQueue tick runs). The claimed rows are put back after each timing, so every repeat
does the same work. The figure of merit is tick(largest) / tick(smallest): it stays near 1
only if the query reads the index and touches nothing but due rows. Draining every due
member (1% of the size, batch after batch) is reported too, per member claimed.

    .venv/bin/python -m bench.tick [--quick] [--postgres URL] [--repeats 7]

The PostgreSQL database given is wiped (use the throwaway one from scripts/postgres-test.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, text, update

import bot.models  # noqa: F401  (every table known to the metadata)
from bench import databases
from bot.db import Database
from bot.models import CheckinPlan, Outbox
from bot.services.checkins.plans import claim_due_prompts
from schedules.checkin_prompts import BATCH

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # members due: check-in time 09:00 London
DUE_SHARE = 100  # one member in a hundred is due
CHUNK = 20_000
ZONE = "Europe/London"


def _rows(size: int) -> Iterator[tuple[tuple[object, ...], tuple[object, ...]]]:
    """(person, plan) rows: every 100th member due within the last half hour, the rest later today or tomorrow."""
    for n in range(1, size + 1):
        due = n % DUE_SHARE == 0
        at = NOW - timedelta(seconds=n % 1800) if due else NOW + timedelta(seconds=60 + (n * 7919) % 86_000)
        person = (n, f"h{n:012d}", "x", f"M{n}", "recovery", ZONE, "09:00", None, None, None, NOW, NOW, NOW, None)
        plan = (n, n, at, None, None, 3, None, NOW)
        yield person, plan


_PERSON_COLUMNS = [
    "id", "telegram_hash", "chat_id_enc", "pseudonym", "purpose", "timezone", "checkin_time", "clean_date",
    "awaiting", "pending_invitation_id", "onboarded_at", "consented_at", "created_at", "unreachable_at",
]
_PLAN_COLUMNS = ["id", "person_id", "next_prompt_at", "last_prompt_date", "remind_at", "reminder_hours", "paused_until", "updated_at"]


def _sqlite_value(value: object) -> object:
    """Times as SQLAlchemy writes them on SQLite (naive UTC text with microseconds): the
    claim compares them as text, so a different format would never match."""
    return f"{value:%Y-%m-%d %H:%M:%S.%f}" if isinstance(value, datetime) else value


async def _fill(db: Database, size: int) -> None:
    """Bulk load: COPY on PostgreSQL, executemany in one transaction on SQLite."""
    people, plans = [], []
    for person, plan in _rows(size):
        people.append(person)
        plans.append(plan)
    async with db.engine.begin() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        if db.dialect == "postgresql":
            await raw.copy_records_to_table("person", records=people, columns=_PERSON_COLUMNS)  # type: ignore[union-attr]
            await raw.copy_records_to_table("checkinplan", records=plans, columns=_PLAN_COLUMNS)  # type: ignore[union-attr]
        else:
            for table, columns, rows in (("person", _PERSON_COLUMNS, people), ("checkinplan", _PLAN_COLUMNS, plans)):
                await conn.exec_driver_sql(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                    [tuple(_sqlite_value(v) for v in row) for row in rows],
                )
    async with db.engine.begin() as conn:
        await conn.execute(text("ANALYZE"))


async def _plan(db: Database) -> str:
    """How the database finds due rows (it must be an index range scan, not a table scan)."""
    query = (
        "SELECT checkinplan.id FROM checkinplan JOIN person ON person.id = checkinplan.person_id "
        "WHERE checkinplan.next_prompt_at <= :now ORDER BY checkinplan.next_prompt_at, checkinplan.id LIMIT 100"
    )
    now = NOW if db.dialect == "postgresql" else NOW.replace(tzinfo=None).isoformat(sep=" ")
    async with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            lines = [r[0] for r in await conn.execute(text("EXPLAIN " + query), {"now": now})]
            scans = [line.strip(" ->") for line in lines if "Scan" in line and "checkinplan" in line]
            return next((line for line in scans if "ix_checkinplan_due" in line), scans[0] if scans else lines[0]).split("  (")[0]
        rows = await conn.execute(text("EXPLAIN QUERY PLAN " + query), {"now": now})
        return next(r[-1] for r in rows if "checkinplan" in r[-1])


async def _one_batch(db: Database) -> tuple[float, int]:
    started = time.perf_counter()
    async with db.session() as session:
        batch = await claim_due_prompts(session, NOW, default_zone=ZONE, limit=BATCH)
    return time.perf_counter() - started, batch.claimed


async def _put_back(db: Database) -> None:
    """Undo the claims (untimed) so the next repeat finds the same due rows."""
    async with db.session() as session:
        await session.execute(
            update(CheckinPlan)
            .where(CheckinPlan.last_prompt_date.is_not(None))  # type: ignore[union-attr]
            .values(next_prompt_at=NOW - timedelta(minutes=1), last_prompt_date=None, remind_at=None)
        )
        await session.execute(delete(Outbox))


@dataclass(frozen=True)
class Result:
    size: int
    claimed: str  # members claimed by each timed batch
    tick: float  # median seconds for one batch
    drained: int
    drain: float  # seconds to claim every due member
    plan: str


async def measure(url: str, size: int, repeats: int) -> Result:
    async with databases.fresh(url) as db:
        await _fill(db, size)
        plan = await _plan(db)
        times = await databases.time_batches(
            lambda: _one_batch(db), lambda: _put_back(db), repeats=repeats, batch=BATCH
        )
        return Result(size, times.counts, times.median, times.drained, times.drain, plan)


def _print(backend: str, results: list[Result]) -> None:
    print(f"\n{backend}")
    print(f"{'members':>10} {'due':>7} {'tick: find+claim':>18} {'all due drained':>16} {'per member':>11}  due query plan")
    for r in results:
        tick = f"{r.tick * 1000:.1f} ms ({r.claimed})"
        per = r.drain / max(1, r.drained) * 1e6
        print(f"{r.size:>10,} {r.drained:>7,} {tick:>18} {r.drain:>14.2f} s {per:>8.0f} µs  {r.plan}")
    ratio = results[-1].tick / results[0].tick
    print(f"tick({results[-1].size:,}) / tick({results[0].size:,}) = {ratio:.2f}  (target <= 2)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10k, 30k and 100k members instead of 10k, 100k and 1M")
    parser.add_argument("--postgres", help="also run on this PostgreSQL database (it is wiped)")
    parser.add_argument("--repeats", type=int, default=7, help="timed batches per size (median reported)")
    args = parser.parse_args()
    sizes = (10_000, 30_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000)
    print(f"One tick batch claims up to {BATCH} due members; 1% of members are due.")
    with tempfile.TemporaryDirectory() as tmp:
        for name, url in databases.backends(tmp, args.postgres):
            results = [await measure(url, size, args.repeats) for size in sizes]
            _print(name, results)


if __name__ == "__main__":
    asyncio.run(main())
