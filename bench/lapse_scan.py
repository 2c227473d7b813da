"""The lapse scan as membership grows (1% of members lapsed), and alerts delivered at the
configured rate against a stand-in that enforces Telegram's flood limits.

Lapse scan. For each size the database is rebuilt from the migrations and filled in bulk:
every member has a supporter, a check-in plan, a lapse watch and a check-in history; one
in a hundred missed yesterday's prompt and hasn't checked in since. One tick batch is then
timed: the indexed "oldest due watch first" query, the batch's last check-ins, a
compare-and-set claim per watch and, for each lapsed member, an incident, its first
recipient and an outbox row (`alerts.scan_lapses`, exactly what the JobQueue tick runs).
The claims are put back after each timing so every repeat does the same work. The figure
of merit is scan(largest) / scan(smallest): it stays near 1 only if the scan reads the
index and touches nothing but due rows. For contrast, the same question asked of everyone
(who missed a prompt and hasn't checked in since?) is timed as a plain query.

Outbox. `bench.pacing` runs the real application (JobQueue, HTTP to the stand-in) with one
lapsed member per simulated supporter: the alerts tick raises the alerts and the outbox
sender delivers them at OUTBOX_RATE_PER_SECOND; the stand-in answers 429 to anything over
~30 messages/s overall or ~1/s per chat.

    .venv/bin/python -m bench.lapse_scan [--quick] [--postgres URL] [--repeats 7] [--alerts N] [--rate 25]

The PostgreSQL database given is wiped (use the throwaway one from scripts/postgres-test.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, text, update

import bot.models  # noqa: F401  (every table known to the metadata)
from bench import databases, pacing
from bench.tick import _PERSON_COLUMNS, _PLAN_COLUMNS, _sqlite_value
from bot.crypto import Vault
from bot.db import Database
from bot.models import AlertPlan, AlertRecipient, CheckinPlan, Incident, Outbox, Person, SupportLink
from bot.services.support import alerts
from bot.services.support.escalation import Windows
from schedules.lapse_alerts import BATCH

WINDOWS = Windows(lapse=timedelta(hours=4), immediate=timedelta(minutes=15))  # the settings' defaults
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)  # everyone checks in at 09:00 London (= UTC in winter)
TODAY = NOW.date()
LAPSED_SHARE = 100  # one member in a hundred
ZONE = "Europe/London"

_ALERTPLAN_COLUMNS = ["id", "person_id", "threshold_hours", "lapse_day", "lapse_due_at", "updated_at"]
_LINK_COLUMNS = ["id", "member_id", "supporter_id", "position", "share_mood", "share_slips", "created_at"]
_CHECKIN_COLUMNS = [
    "id", "person_id", "local_date", "mood", "clean", "note_enc", "went_to_meeting", "slip_reset_clean_date",
    "clean_date_before_slip", "slip_tell_supporters", "created_at", "updated_at", "completed_at",
]


def _at_nine(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def _rows(size: int) -> Iterator[tuple[str, tuple[object, ...]]]:
    """(table, row) for `size` members and a pool of supporters (one per hundred members)."""
    supporters = max(10, size // LAPSED_SHARE)
    for k in range(1, supporters + 1):
        yield "person", (size + k, f"s{k:012d}", "x", f"S{k}", "support", ZONE, None, None, None, None, NOW, NOW, NOW, None)
    for n in range(1, size + 1):
        lapsed = n % LAPSED_SHARE == 0
        yield "person", (n, f"h{n:012d}", "x", f"M{n}", "recovery", ZONE, "09:00", None, None, None, NOW, NOW, NOW, None)
        # Today's prompt has gone out; tomorrow's is next.
        yield "checkinplan", (n, n, _at_nine(TODAY + timedelta(days=1)), TODAY, None, 3, None, NOW)
        yield "supportlink", (n, n, size + 1 + n % supporters, 1, False, False, NOW)
        if lapsed:  # watched yesterday's prompt, due since 09:00 today; last check-in three days ago
            yield "alertplan", (n, n, 24, TODAY - timedelta(days=1), NOW - timedelta(seconds=n % 1800), NOW)
            yield "checkin", (n, n, TODAY - timedelta(days=3), 3, "yes", None, False, None, None, None, NOW, NOW, NOW)
        else:  # checked in today: watching tomorrow's prompt (due the day after), spread over the day
            due = _at_nine(TODAY + timedelta(days=2)) + timedelta(seconds=(n * 7919) % 86_000)
            yield "alertplan", (n, n, 24, TODAY + timedelta(days=1), due, NOW)
            yield "checkin", (n, n, TODAY, 4, "yes", None, False, None, None, None, NOW, NOW, NOW)


_COLUMNS = {
    "person": _PERSON_COLUMNS, "checkinplan": _PLAN_COLUMNS, "alertplan": _ALERTPLAN_COLUMNS,
    "supportlink": _LINK_COLUMNS, "checkin": _CHECKIN_COLUMNS,
}


async def _fill(db: Database, size: int) -> None:
    """Bulk load in one transaction: COPY on PostgreSQL, executemany on SQLite."""
    tables: dict[str, list[tuple[object, ...]]] = {name: [] for name in _COLUMNS}
    for table, row in _rows(size):
        tables[table].append(row)
    async with db.engine.begin() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        for table, rows in tables.items():  # persons first: the others refer to them
            columns = _COLUMNS[table]
            if db.dialect == "postgresql":
                await raw.copy_records_to_table(table, records=rows, columns=columns)  # type: ignore[union-attr]
            else:
                await conn.exec_driver_sql(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                    [tuple(_sqlite_value(v) for v in row) for row in rows],
                )
    async with db.engine.begin() as conn:
        await conn.execute(text("ANALYZE"))


_DUE_QUERY = (
    "SELECT alertplan.id FROM alertplan JOIN person ON person.id = alertplan.person_id "
    "LEFT OUTER JOIN checkinplan ON checkinplan.person_id = alertplan.person_id "
    "WHERE alertplan.lapse_due_at <= :now ORDER BY alertplan.lapse_due_at, alertplan.id LIMIT 100"
)
# The same question asked of everyone, as a scan without a due time would have to.
_EVERYONE_QUERY = (
    "SELECT count(*) FROM checkinplan "
    "LEFT JOIN (SELECT person_id, max(local_date) AS last FROM checkin GROUP BY person_id) c "
    "ON c.person_id = checkinplan.person_id "
    "WHERE checkinplan.last_prompt_date IS NOT NULL AND (c.last IS NULL OR c.last < checkinplan.last_prompt_date) "
    "AND EXISTS (SELECT 1 FROM supportlink WHERE supportlink.member_id = checkinplan.person_id)"
)


async def _plan(db: Database) -> str:
    """How the database finds due watches (an index range scan, not a table scan)."""
    now = NOW if db.dialect == "postgresql" else _sqlite_value(NOW.replace(tzinfo=None))
    async with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            lines = [r[0] for r in await conn.execute(text("EXPLAIN " + _DUE_QUERY), {"now": now})]
            scans = [line.strip(" ->") for line in lines if "Scan" in line and "alertplan" in line]
            return next((line for line in scans if "ix_alertplan_due" in line), scans[0] if scans else lines[0]).split("  (")[0]
        rows = await conn.execute(text("EXPLAIN QUERY PLAN " + _DUE_QUERY), {"now": now})
        return next(r[-1] for r in rows if "alertplan" in r[-1])


async def _timed_query(db: Database, query: str, repeats: int) -> tuple[float, int]:
    """Median time of a read-only query, and how many rows (or the count) it gave."""
    now = NOW if db.dialect == "postgresql" else _sqlite_value(NOW.replace(tzinfo=None))
    timings, found = [], 0
    async with db.engine.connect() as conn:
        for _ in range(repeats + 1):  # the first run only warms the cache
            started = time.perf_counter()
            rows = (await conn.execute(text(query), {"now": now})).all()
            timings.append(time.perf_counter() - started)
            found = int(rows[0][0]) if query.startswith("SELECT count") else len(rows)
    return statistics.median(timings[1:]), found


async def _one_batch(db: Database) -> tuple[float, int]:
    started = time.perf_counter()
    async with db.session() as session:
        _, opened = await alerts.scan_lapses(session, NOW, default_zone=ZONE, limit=BATCH, windows=WINDOWS)
    return time.perf_counter() - started, opened


async def _put_back(db: Database) -> None:
    """Undo the claims and the alerts (untimed) so the next repeat finds the same due rows."""
    async with db.session() as session:
        await session.execute(
            update(AlertPlan)
            .where(AlertPlan.lapse_due_at.is_(None))  # type: ignore[union-attr]
            .values(lapse_due_at=NOW - timedelta(minutes=1), lapse_day=TODAY - timedelta(days=1))
        )
        for table in (AlertRecipient, Incident, Outbox):
            await session.execute(delete(table))


async def measure(url: str, size: int, repeats: int) -> dict[str, object]:
    async with databases.fresh(url) as db:
        started = time.perf_counter()
        await _fill(db, size)
        load = time.perf_counter() - started
        plan = await _plan(db)
        find, _ = await _timed_query(db, _DUE_QUERY, repeats)
        everyone, found = await _timed_query(db, _EVERYONE_QUERY, repeats)
        assert found == size // LAPSED_SHARE, found
        times = await databases.time_batches(
            lambda: _one_batch(db), lambda: _put_back(db), repeats=repeats, batch=BATCH
        )
        return {
            "size": size, "lapsed": size // LAPSED_SHARE, "opened": times.counts, "load": load,
            "scan": times.median, "drained": times.drained, "drain": times.drain, "plan": plan,
            "find": find, "everyone": everyone,
        }


def _print(backend: str, results: list[dict[str, object]]) -> None:
    print(f"\n{backend}")
    print(f"{'members':>10} {'lapsed':>7} {'scan batch':>16} {'find 100 due':>13} {'ask everyone':>13} "
          f"{'all lapsed':>11} {'per alert':>10}  due query plan")
    for r in results:
        per = float(r["drain"]) / max(1, int(r["drained"])) * 1e6  # type: ignore[arg-type]
        scan = f"{r['scan'] * 1000:.1f} ms ({r['opened']})"  # type: ignore[operator]
        print(
            f"{r['size']:>10,} {r['lapsed']:>7,} {scan:>16} {r['find'] * 1000:>10.2f} ms {r['everyone'] * 1000:>10.0f} ms "  # type: ignore[operator]
            f"{r['drain']:>9.2f} s {per:>7.0f} µs  {r['plan']}"
        )
    first, last = results[0], results[-1]
    ratio = last["scan"] / first["scan"]  # type: ignore[operator]
    print(f"scan({last['size']:,}) / scan({first['size']:,}) = {ratio:.2f}  (target <= 2); finding the due rows "
          f"{last['find'] / first['find']:.1f}x, asking everyone {last['everyone'] / first['everyone']:.0f}x")  # type: ignore[operator]


async def lapsed_supporters(db: Database, vault: Vault, user_ids: list[int]) -> None:
    """For `bench.pacing`: each stand-in user supports one member who lapsed a day ago."""
    now = datetime.now(UTC)
    today = now.date()
    async with db.session() as session:
        for n, user_id in enumerate(user_ids):
            helper = Person(
                telegram_hash=vault.hash_telegram_id(user_id), chat_id_enc="",
                pseudonym=f"Helper {n}", consented_at=now, created_at=now, onboarded_at=now, timezone="UTC",
            )
            member = Person(
                telegram_hash=vault.hash_telegram_id(-1 - n), chat_id_enc="",
                pseudonym=f"Member {n}", timezone="UTC", checkin_time="00:00", consented_at=now, created_at=now,
                onboarded_at=now,
            )
            session.add_all([helper, member])
            await session.flush()
            assert member.id is not None and helper.id is not None
            helper.chat_id_enc = vault.encrypt_chat_id(user_id, person_id=helper.id)  # bound to the row
            member.chat_id_enc = vault.encrypt_chat_id(-1 - n, person_id=member.id)
            session.add(SupportLink(member_id=member.id, supporter_id=helper.id, position=1, created_at=now))
            session.add(CheckinPlan(
                person_id=member.id, next_prompt_at=_at_midnight(today + timedelta(days=1)),
                last_prompt_date=today - timedelta(days=1), updated_at=now,
            ))
            session.add(AlertPlan(
                person_id=member.id, lapse_day=today - timedelta(days=2), lapse_due_at=now - timedelta(minutes=1), updated_at=now,
            ))


def _at_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _print_outbox(count: int, rate: float, r: dict[str, float]) -> None:
    share = r["rate"] / rate * 100
    print(f"\nOutbox: {count:,} lapse alerts raised at once, delivered by the real bot at {rate:g}/s")
    print(f"{'delivered':<34} {r['delivered']:,.0f} of {count:,} in {r['seconds']:.1f} s")
    print(f"{'achieved rate':<34} {r['rate']:.2f}/s = {share:.1f}% of {rate:g}/s  (target >= 90%)")
    print(f"{'busiest second, all chats':<34} {r['busiest_second']:.0f} messages")
    print(f"{'429 Too Many Requests':<34} {r['429']:.0f}  (target 0)")
    print(f"{'Bot API spec violations':<34} {r['violations']:.0f}")


async def main() -> None:
    # The sender tick overlapping itself under a burst is expected (max_instances=1): quiet.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10k, 30k, 100k members and 500 alerts (instead of 10k, 100k, 1M and 3,000)")
    parser.add_argument("--postgres", help="also run on this PostgreSQL database (it is wiped)")
    parser.add_argument("--repeats", type=int, default=7, help="timed batches per size (median reported)")
    parser.add_argument("--alerts", type=int, help="alerts for the outbox run")
    parser.add_argument("--rate", type=float, default=25.0, help="OUTBOX_RATE_PER_SECOND (default 25)")
    args = parser.parse_args()
    sizes = (10_000, 30_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000)
    count = args.alerts or (500 if args.quick else 3_000)
    print(f"One scan batch claims up to {BATCH} due watches; 1% of members have lapsed.")
    with tempfile.TemporaryDirectory() as tmp:
        for name, url in databases.backends(tmp, args.postgres):
            results = [await measure(url, size, args.repeats) for size in sizes]
            _print(name, results)
        outbox_url = f"sqlite:///{os.path.join(tmp, 'outbox.sqlite3')}"
        _print_outbox(count, args.rate, await pacing.run(count, args.rate, outbox_url, seed=lapsed_supporters))


if __name__ == "__main__":
    asyncio.run(main())
