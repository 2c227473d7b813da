"""Nearest 10 meetings among 100,000 spread over Great Britain: the bot's search next to a full
scan that computes every distance, on the same database in the same run.

The search is `bot.services.meetings.search.search_near`, exactly what /meetings calls (one session
per search, as per update): a bounding box on the indexed (latitude, longitude) columns that
widens until it holds enough meetings, exact great-circle distances on those few, and each
result's next occurrence. The full scan reads (id, latitude, longitude) of every meeting one can
walk into, computes all the distances, keeps the 10 smallest and loads those 10 rows: the
cheapest honest baseline, so the ratio is conservative. Both must give the same 10 meetings.

Meetings sit where meetings are: at postcode-district centres weighted by how many postcodes
each district has (dense cities, sparse Highlands), scattered by a few hundred metres. Half the
queries are district centres picked the same way, half uniform points over GB's land districts.

    .venv/bin/python -m bench.nearest [--quick] [--meetings 100000] [--queries 300] [--postgres URL]

The PostgreSQL database given is wiped (use the throwaway one from scripts/postgres-test.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import heapq
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime

from sqlalchemy import insert, select, text

from bench.databases import analyze, backends, fresh
from bot.db import Database
from bot.models import Meeting
from bot.services.meetings.search import Filters, haversine_km, search_near
from bot.services.places import DATA

NOW = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
K = 10
TARGET_P95_MS, TARGET_SPEEDUP = 10.0, 20.0


def _districts() -> list[tuple[float, float, int]]:
    with open(DATA / "uk_outcodes.csv", encoding="utf-8") as handle:
        return [
            (float(r["latitude"]), float(r["longitude"]), int(r["postcode_count"] or 1))
            for r in csv.DictReader(handle)
            if r["country"] in ("England", "Scotland", "Wales")
        ]


def _meetings(count: int, rng: random.Random) -> list[dict[str, object]]:
    districts = _districts()
    weights = [d[2] for d in districts]
    rows = []
    for n, (lat, lon, _) in enumerate(rng.choices(districts, weights=weights, k=count)):
        attendance = rng.choices(["in_person", "hybrid", "online"], weights=[85, 10, 5])[0]
        rows.append(
            {
                "slug": f"bench-{n}", "name": f"Meeting {n}", "fellowship": rng.choice(["AA", "AA", "NA", "CA"]),
                "days": 1 << rng.randrange(7), "start_time": f"{rng.randrange(7, 22):02d}:{rng.choice(['00', '30'])}",
                "timezone": "Europe/London", "types": rng.choice(["O", "C", "O,BE", "C,W", "O,X"]),
                "attendance": attendance, "latitude": lat + rng.gauss(0, 0.004), "longitude": lon + rng.gauss(0, 0.006),
                "approximate": False, "address": f"{n} High Street", "status": "active",
                "confirmed_at": NOW, "created_at": NOW, "updated_at": NOW,
            }
        )
    return rows


def _queries(count: int, rng: random.Random) -> list[tuple[float, float]]:
    districts = _districts()
    weighted = rng.choices(districts, weights=[d[2] for d in districts], k=count // 2)
    uniform = rng.choices(districts, k=count - len(weighted))
    points = [(lat + rng.gauss(0, 0.01), lon + rng.gauss(0, 0.015)) for lat, lon, _ in weighted + uniform]
    rng.shuffle(points)
    return points


async def _fill(db: Database, rows: list[dict[str, object]]) -> float:
    started = time.perf_counter()
    async with db.session() as session:
        for start in range(0, len(rows), 5000):
            await session.execute(insert(Meeting), rows[start : start + 5000])
    await analyze(db)
    return time.perf_counter() - started


async def _indexed(db: Database, point: tuple[float, float]) -> tuple[float, list[int]]:
    started = time.perf_counter()
    async with db.session() as session:
        page = await search_near(session, point[0], point[1], Filters(), now=NOW, viewer_zone="Europe/London", page_size=K)
    return time.perf_counter() - started, [r.meeting.id for r in page.results if r.meeting.id is not None]


async def _full_scan(db: Database, point: tuple[float, float]) -> tuple[float, list[int]]:
    started = time.perf_counter()
    async with db.session() as session:
        rows = await session.execute(
            select(Meeting.id, Meeting.latitude, Meeting.longitude).where(
                Meeting.status == "active", Meeting.attendance != "online", Meeting.latitude.is_not(None)  # type: ignore[union-attr]
            )
        )
        nearest = heapq.nsmallest(K, ((haversine_km(point[0], point[1], lat, lon), mid) for mid, lat, lon in rows.all()))
        ids = [mid for _, mid in nearest]
        await session.execute(select(Meeting).where(Meeting.id.in_(ids)))  # type: ignore[union-attr]
    return time.perf_counter() - started, ids


async def _plan(db: Database) -> str:
    """How the box query finds meetings (it must use ix_meeting_position)."""
    where = "latitude BETWEEN 53.7 AND 53.9 AND longitude BETWEEN -1.7 AND -1.4 AND status = 'active'"
    async with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            lines = [r[0] for r in await conn.execute(text(f"EXPLAIN SELECT * FROM meeting WHERE {where}"))]
            return next((line.strip(" ->").split("  (")[0] for line in lines if "ix_meeting_position" in line), lines[0])
        rows = await conn.execute(text(f"EXPLAIN QUERY PLAN SELECT * FROM meeting WHERE {where}"))
        return " / ".join(r[-1] for r in rows)


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def measure(url: str, meetings: int, queries: int, scans: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    rows, points = _meetings(meetings, rng), _queries(queries, rng)
    async with fresh(url) as db:
        load = await _fill(db, rows)
        for point in points[:20]:  # warm caches, prepared statements, zone data
            await _indexed(db, point)
        indexed = []
        answers: dict[int, list[int]] = {}
        for n, point in enumerate(points):
            seconds, ids = await _indexed(db, point)
            indexed.append(seconds)
            answers[n] = ids
        full, same = [], 0
        for n, point in enumerate(points[:scans]):
            seconds, ids = await _full_scan(db, point)
            full.append(seconds)
            same += ids == answers[n]
        return {
            "load": load, "plan": await _plan(db), "p50": _ms(indexed, 0.5), "p95": _ms(indexed, 0.95),
            "p99": _ms(indexed, 0.99), "full_p50": _ms(full, 0.5), "full_p95": _ms(full, 0.95),
            "speedup": statistics.median(full) / statistics.median(indexed), "same": same, "scans": scans,
        }  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 meetings, 100 queries, 10 full scans")
    parser.add_argument("--meetings", type=int, help="meetings to spread over GB (default 100,000)")
    parser.add_argument("--queries", type=int, help="timed searches (default 300)")
    parser.add_argument("--postgres", help="also run on this PostgreSQL database (it is wiped)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    meetings = args.meetings or (20_000 if args.quick else 100_000)
    queries = args.queries or (100 if args.quick else 300)
    scans = 10 if args.quick else 30
    print(f"Nearest {K} of {meetings:,} meetings over Great Britain; {queries} searches, {scans} full scans each.")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for name, url in backends(tmp, args.postgres):
            r = await measure(url, meetings, queries, scans, args.seed)
            ok = r["p95"] < TARGET_P95_MS and r["speedup"] >= TARGET_SPEEDUP and r["same"] == r["scans"]  # type: ignore[operator]
            failed |= not ok
            print(f"\n{name}  (loaded in {r['load']:.1f} s; box query: {r['plan']})")
            print(f"  search_near   p50 {r['p50']:6.2f} ms   p95 {r['p95']:6.2f} ms   p99 {r['p99']:6.2f} ms   (target p95 < {TARGET_P95_MS:g} ms)")
            print(f"  full scan     p50 {r['full_p50']:6.1f} ms   p95 {r['full_p95']:6.1f} ms")
            print(f"  speed-up {r['speedup']:.0f}x (median; target >= {TARGET_SPEEDUP:g}x)   same 10 meetings: {r['same']}/{r['scans']}   {'OK' if ok else 'MISSED'}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    asyncio.run(main())
