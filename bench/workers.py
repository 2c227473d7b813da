"""Updates per second with 1, 2 and 3 webhook workers behind nginx on one PostgreSQL database,
and the CPU each part used (workers, PostgreSQL, nginx, and this process: the Bot API
stand-in posting updates as Telegram's webhook does and answering the workers' sends).

Every person sends `--updates` messages at once; the stand-in posts them one chat at a time
(as Telegram does), so the workers see `--people` chats in parallel. Each update is stored by
a worker, claimed, handled (the person's record looked up, a reply sent) and marked done.

The send budget is set out of the way, as in bench.updates: every reply still takes its turn
(the same statement), but at Telegram's ~25 replies a second the figure would be the budget's,
whatever the workers could do. `--telegram-limits` keeps Telegram's.

    .venv/bin/python -m bench.workers --database-url postgresql://... [--people 60] [--updates 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text

from bench.databases import fresh
from bench.updates import OUT_OF_THE_WAY
from bot.config import normalise_database_url
from bot.crypto import generate_secret_key
from bot.db import Database
from bot.models import Inbox
from bot.standin import BotApiStandin, serve_standin
from bot.standin.webhook import WebhookPoster
from tests.harness import TOKEN
from tests.workers_cluster import Cluster

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int], *, reaped: bool = False) -> float:
    """User + system CPU of these processes so far (those that exited count as 0); with
    `reaped`, also that of their children that have exited (PostgreSQL's backends)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        if reaped:
            total += int(fields[13]) + int(fields[14])
            reaped = False  # only the first pid (the postmaster) waits for the others
    return total / TICKS


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid, *(int(p) for p in found)]


async def postgres_pids(db: Database, folder: str | None) -> list[int]:
    """The server's processes, postmaster first, from its postmaster.pid (`--postgres-data`,
    or the server's own answer when we may ask it); [] if we can't tell."""
    try:
        if folder is None:
            async with db.session() as session:
                folder = (await session.execute(text("SELECT setting FROM pg_settings WHERE name = 'data_directory'"))).scalar_one()
        return children(_postmaster(str(folder)))
    except Exception:
        return []


def _postmaster(folder: str) -> int:
    return int(Path(folder, "postmaster.pid").read_text().split()[0])


async def done(db: Database) -> int:
    async with db.session() as session:
        return int((await session.execute(select(func.count()).select_from(Inbox).where(Inbox.status == "done"))).scalar_one())  # type: ignore[arg-type]


async def run(
    url: str, workers: int, people: int, updates: int, work: Path, pg_data: str | None, telegram_limits: bool = False
) -> dict[str, float]:
    async with fresh(url) as db:
        standin = BotApiStandin(token=TOKEN)
        server = await serve_standin(standin)
        limits = {} if telegram_limits else {key.upper(): str(value) for key, value in OUT_OF_THE_WAY.items()}
        cluster = Cluster(work, url, server.url, generate_secret_key(), TOKEN, size=workers, lease_seconds=30, extra_env=limits)
        poster = WebhookPoster(standin)
        poster.start()
        try:
            await cluster.start()
            users = [standin.add_user(f"P{i}").id for i in range(people)]
            pg = await postgres_pids(db, pg_data)
            worker_pids = [p.pid for p in cluster.procs.values()]
            nginx = children(cluster.nginx.pid) if cluster.nginx else []
            before = (cpu_seconds(worker_pids), cpu_seconds(pg, reaped=True), cpu_seconds(nginx), time.process_time())
            started = time.monotonic()
            for _ in range(updates):
                for user in users:
                    standin.send_text(user, "/help")
            total = people * updates
            while await done(db) < total:  # noqa: ASYNC110 - the workers are other processes: poll their work
                await asyncio.sleep(0.05)
            seconds = time.monotonic() - started
            after = (cpu_seconds(worker_pids), cpu_seconds(pg, reaped=True), cpu_seconds(nginx), time.process_time())
            replies = sum(len(standin.messages(u)) for u in users)
        finally:
            await cluster.stop()
            await poster.stop()
            await server.stop()
    used = [b - a for a, b in zip(before, after, strict=True)]
    return {
        "updates_per_second": total / seconds, "seconds": seconds, "replies": replies, "total": total,
        "cpu_workers": used[0], "cpu_postgres": used[1], "cpu_nginx": used[2], "cpu_standin": used[3],
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a throwaway PostgreSQL database (it is wiped)")
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--updates", type=int, default=10, help="messages each person sends")
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--postgres-data", help="the server's data folder, to count its CPU (e.g. /tmp/pg-.../data)")
    parser.add_argument("--telegram-limits", action="store_true", help="keep the send budget at Telegram's limits")
    args = parser.parse_args()
    url = normalise_database_url(args.database_url)
    print(f"{args.people} people x {args.updates} updates, cores: {os.cpu_count()}, load: {os.getloadavg()[0]:.1f}")
    print("| workers | updates/s | seconds | CPU s: workers | PostgreSQL | nginx | stand-in |")
    print("|---|---|---|---|---|---|---|")
    for n in (int(x) for x in args.workers.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            r = await run(url, n, args.people, args.updates, Path(tmp), args.postgres_data, args.telegram_limits)
        assert r["replies"] >= r["total"], r
        print(
            f"| {n} | {r['updates_per_second']:.0f} | {r['seconds']:.1f} | {r['cpu_workers']:.1f} | "
            f"{r['cpu_postgres']:.1f} | {r['cpu_nginx']:.1f} | {r['cpu_standin']:.1f} |", flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
