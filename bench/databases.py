"""Throwaway databases for benchmarks: a fresh schema from the migrations, emptied afterwards.

A PostgreSQL database given to a benchmark is wiped (use the throwaway one printed by
`scripts/postgres-test.sh start`); SQLite runs use a file in a temporary directory.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import SQLModel

import bot.models  # noqa: F401  (every table known to the metadata)
from bot.config import normalise_database_url
from bot.crypto import Vault, generate_secret_key
from bot.db import Database


def backends(tmp_dir: str, postgres: str | None) -> list[tuple[str, str]]:
    """(name, URL): SQLite always, PostgreSQL when a URL is given."""
    found = [("SQLite", f"sqlite+aiosqlite:///{os.path.join(tmp_dir, 'bench.sqlite3')}")]
    if postgres:
        found.append(("PostgreSQL", normalise_database_url(postgres)))
    return found


def _remove_sqlite_files(url: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        path = url.split(":///", 1)[1] + suffix
        if os.path.exists(path):
            os.remove(path)


@asynccontextmanager
async def fresh(url: str, *, empty_after: bool = True) -> AsyncIterator[Database]:
    """A migrated, empty database; emptied again afterwards so a shared one stays small
    (unless told to keep what was put in it)."""
    if url.startswith("sqlite"):
        _remove_sqlite_files(url)
    else:
        db = Database(url)
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await db.dispose()
    # The outbox encrypts what it writes, so a database that claims work needs a vault; a
    # throwaway key is enough for measuring.
    db = Database(url, vault=Vault(generate_secret_key()))
    await db.migrate()
    try:
        yield db
    finally:
        if db.dialect == "postgresql" and empty_after:
            async with db.engine.begin() as conn:
                for table in reversed(SQLModel.metadata.sorted_tables):
                    await conn.execute(table.delete())
        await db.dispose()


async def analyze(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text("ANALYZE"))


@dataclass(frozen=True)
class BatchTimes:
    median: float  # seconds for one batch, median of the repeats
    counts: str  # rows each repeat acted on, e.g. "100" (always the batch size when healthy)
    drained: int  # rows acted on by batches run until one came back short
    drain: float  # seconds those batches took


async def time_batches(
    one_batch: Callable[[], Awaitable[tuple[float, int]]],
    put_back: Callable[[], Awaitable[None]],
    *,
    repeats: int,
    batch: int,
) -> BatchTimes:
    """Time a tick's batch: once to warm caches, `repeats` times putting the rows back after
    each, then batch after batch until everything due is done."""
    await one_batch()
    await put_back()
    timings, counts = [], set()
    for _ in range(repeats):
        seconds, count = await one_batch()
        timings.append(seconds)
        counts.add(count)
        await put_back()
    drained, started = 0, time.perf_counter()
    while True:
        _, count = await one_batch()
        drained += count
        if count < batch:
            break
    return BatchTimes(statistics.median(timings), "/".join(map(str, sorted(counts))), drained, time.perf_counter() - started)
