"""Importing a 10,000-meeting Meeting Guide feed, then importing it again.

Each figure is a whole `fellowship meetings import <file>` minus process start-up: read the
file, parse and validate every meeting, write them in one transaction
(`bot.services.meetings.feeds.sync`, the function the CLI and the schedule call). Then:

- the same feed again, as the schedule usually sees it: the body is unchanged, so nothing is parsed;
- the same feed again with --force: every meeting parsed and compared by fingerprint, none written;
- a typical day's change: 1% of meetings changed, 1% new, 1% gone.

The feed looks like a real 12 Step Meeting List feed over Great Britain: names, slugs, days
(some lists), 24-hour times, type codes, address fields, coordinates, notes, some online links.

    .venv/bin/python -m bench.feed_import [--quick] [--meetings 10000] [--postgres URL]

The PostgreSQL database given is wiped (use the throwaway one from scripts/postgres-test.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.databases import backends, fresh
from bench.nearest import _districts
from bot.db import Database
from bot.services.meetings import feeds as meeting_feeds

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
TARGET_FIRST_S, TARGET_AGAIN_S = 10.0, 3.0
TYPES = ["O", "C", "BE", "W", "M", "X", "SP", "D", "ST", "B", "LGBTQ", "Y", "MED"]


def _feed(count: int, rng: random.Random) -> list[dict[str, object]]:
    districts = _districts()
    weights = [d[2] for d in districts]
    entries = []
    for n, (lat, lon, _) in enumerate(rng.choices(districts, weights=weights, k=count)):
        days = rng.sample(range(7), rng.choice([1, 1, 1, 2, 3]))
        entry: dict[str, object] = {
            "name": f"{rng.choice(['Monday', 'Tuesday', 'Serenity', 'Step', 'Big Book', 'Lunchtime'])} Group {n}",
            "slug": f"group-{n}",
            "day": days[0] if len(days) == 1 else sorted(days),
            "time": f"{rng.randrange(7, 22):02d}:{rng.choice(['00', '15', '30', '45'])}",
            "end_time": f"{rng.randrange(8, 23):02d}:00",
            "types": rng.sample(TYPES, rng.randrange(1, 4)),
            "location": f"St {rng.choice(['Mark', 'John', 'Mary', 'Paul'])}'s Church Hall",
            "address": f"{rng.randrange(1, 200)} {rng.choice(['High', 'Church', 'Station', 'Mill'])} Street",
            "city": "Somewhere",
            "postal_code": "AB1 2CD",
            "country": "UK",
            "latitude": round(lat + rng.gauss(0, 0.004), 6),
            "longitude": round(lon + rng.gauss(0, 0.006), 6),
            "notes": "Side door, up the stairs. Tea from 7pm." if rng.random() < 0.5 else "",
            "updated": "2026-10-01 12:00:00",
        }
        if rng.random() < 0.15:
            entry["conference_url"] = f"https://zoom.example/j/{rng.randrange(10**9, 10**10)}"
        entries.append(entry)
    return entries


async def _timed(db: Database, path: Path, now: datetime, **options: object) -> tuple[float, meeting_feeds.ImportResult]:
    started = time.perf_counter()
    result = await meeting_feeds.sync(db, str(path), now=now, default_zone="Europe/London", **options)  # type: ignore[arg-type]
    return time.perf_counter() - started, result


async def measure(url: str, count: int, seed: int, tmp: str) -> list[tuple[str, float, str, float | None]]:
    rng = random.Random(seed)
    feed = _feed(count, rng)
    path = Path(tmp) / "feed.json"
    path.write_text(json.dumps(feed))
    rows: list[tuple[str, float, str, float | None]] = []

    def record(label: str, seconds: float, result: meeting_feeds.ImportResult, target: float | None = None) -> None:
        what = "unchanged (same body)" if result.not_modified else (
            f"{result.added:,} added, {result.updated:,} updated, {result.unchanged:,} unchanged, {result.removed:,} removed"
        )
        rows.append((label, seconds, what, target))

    async with fresh(url) as db:
        seconds, result = await _timed(db, path, NOW)
        record(f"first import ({path.stat().st_size / 1e6:.1f} MB)", seconds, result, TARGET_FIRST_S)
        seconds, result = await _timed(db, path, NOW + timedelta(hours=6))
        record("again, unchanged", seconds, result, TARGET_AGAIN_S)
        seconds, result = await _timed(db, path, NOW + timedelta(hours=12), force=True)
        record("again, unchanged, --force", seconds, result, TARGET_AGAIN_S)
        share = max(1, count // 100)
        for entry in feed[:share]:
            entry["time"] = "20:30"
        changed = feed[share:] + _feed(share, random.Random(seed + 1))
        for n, entry in enumerate(changed[-share:]):
            entry["slug"] = f"new-{n}"
        path.write_text(json.dumps(feed[:share] + changed[share:]))
        seconds, result = await _timed(db, path, NOW + timedelta(hours=18))
        record("a day's changes (1% each)", seconds, result)
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,000 meetings")
    parser.add_argument("--meetings", type=int, help="meetings in the feed (default 10,000)")
    parser.add_argument("--postgres", help="also run on this PostgreSQL database (it is wiped)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    count = args.meetings or (2_000 if args.quick else 10_000)
    print(f"Importing a {count:,}-meeting Meeting Guide feed from a file (read, parse, validate, write; one transaction).")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for name, url in backends(tmp, args.postgres):
            print(f"\n{name}")
            for label, seconds, what, target in await measure(url, count, args.seed, tmp):
                verdict = "" if target is None else (f"  (target < {target:g} s) " + ("OK" if seconds < target else "MISSED"))
                failed |= target is not None and seconds >= target
                print(f"  {label:<28} {seconds:6.2f} s   {what}{verdict}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    asyncio.run(main())
