"""SQLite through `bot.sqlite_driver`: one trip to aiosqlite's thread per statement, and
otherwise exactly what sqlite3 would do (rows, rowcount, errors, transactions)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from bot import sqlite_driver
from bot.db import Database
from bot.models import Person

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/driver.sqlite3")
    await database.migrate()
    yield database
    await database.dispose()


def _person(n: int) -> Person:
    return Person(telegram_hash=f"hash-{n}", chat_id_enc="sealed", consented_at=NOW, created_at=NOW)


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the functions run on the driver's thread, in order."""
    seen: list[str] = []
    original = sqlite_driver.OneTripConnection._execute

    async def counting(self: sqlite_driver.OneTripConnection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(sqlite_driver.OneTripConnection, "_execute", counting)
    return seen


async def test_a_read_and_a_write_take_one_trip_each_plus_the_commit(sqlite_db: Database, trips: list[str]) -> None:
    async with sqlite_db.session() as session:
        session.add(_person(1))
    trips.clear()
    async with sqlite_db.session() as session:
        person = (await session.execute(select(Person).where(Person.telegram_hash == "hash-1"))).scalar_one()
        person.awaiting = "pseudonym"
    assert len(trips) == 3  # SELECT, UPDATE, COMMIT; no ROLLBACK after the commit
    trips.clear()
    async with sqlite_db.session() as session:
        await session.execute(select(Person))
    assert len(trips) == 1  # a session that only read has nothing to commit


async def test_rows_rowcount_and_returned_ids_are_what_sqlite_gives(sqlite_db: Database) -> None:
    async with sqlite_db.session() as session:
        people = [_person(n) for n in range(3)]
        session.add_all(people)
        await session.flush()
        assert [p.id for p in people] == [1, 2, 3]
        changed = await session.execute(update(Person).where(Person.id >= 2).values(awaiting="purpose"))
        assert changed.rowcount == 2  # type: ignore[attr-defined]
        rows = (await session.execute(text("SELECT id FROM person ORDER BY id"))).all()
        assert [row.id for row in rows] == [1, 2, 3]
        streamed = await session.stream(select(Person.id).order_by(Person.id))
        assert [row.id async for row in streamed] == [1, 2, 3]


async def test_a_failed_statement_raises_and_the_session_leaves_nothing_behind(sqlite_db: Database) -> None:
    async with sqlite_db.session() as session:
        session.add(_person(1))
    with pytest.raises(IntegrityError):
        async with sqlite_db.session() as session:
            session.add(_person(2))
            await session.flush()
            session.add(_person(1))  # the same hash again: unique constraint
    async with sqlite_db.session() as session:
        hashes = (await session.execute(select(Person.telegram_hash))).scalars().all()
    assert hashes == ["hash-1"]


async def test_a_transaction_left_open_is_rolled_back_when_the_connection_returns_to_the_pool(
    sqlite_db: Database,
) -> None:
    async with sqlite_db.engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert isinstance(driver, sqlite_driver.OneTripConnection)
        # Behind SQLAlchemy's back, so only the pool's check-in can clean up after it.
        await driver.cursor().execute("UPDATE alembic_version SET version_num = 'x'")
        assert driver.in_transaction
    assert not driver.in_transaction
    async with sqlite_db.engine.connect() as conn:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
    assert version != "x"


async def test_while_handling_an_update_statements_run_on_the_event_loop_without_trips(
    sqlite_db: Database, trips: list[str]
) -> None:
    with sqlite_driver.inline_statements():
        async with sqlite_db.session() as session:
            session.add(_person(1))
        async with sqlite_db.session() as session:
            person = (await session.execute(select(Person).where(Person.telegram_hash == "hash-1"))).scalar_one()
            person.awaiting = "pseudonym"
        assert trips == []
        with sqlite_driver.inline_statements(False):  # a big query inside an update: to the thread
            async with sqlite_db.session() as session:
                await session.execute(select(Person))
        assert trips == ["_patiently"]
    trips.clear()
    async with sqlite_db.session() as session:  # outside: back on the thread, and it was committed
        person = (await session.execute(select(Person))).scalar_one()
    assert person.awaiting == "pseudonym" and trips == ["_patiently"]


async def test_a_write_that_finds_another_process_writing_waits_on_the_thread_not_the_event_loop(
    sqlite_db: Database, trips: list[str]
) -> None:
    path = sqlite_db.url.split(":///", 1)[1]
    other = sqlite3.connect(path, isolation_level=None)  # another process, as far as SQLite knows
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    other.execute(
        "INSERT INTO person (telegram_hash, chat_id_enc, consented_at, created_at)"
        " VALUES ('other', 'x', '2026-11-24 10:00:00', '2026-11-24 10:00:00')"
    )

    async def write() -> None:
        with sqlite_driver.inline_statements():
            async with sqlite_db.session() as session:
                session.add(_person(1))

    writing = asyncio.create_task(write())
    started = time.monotonic()
    for _ in range(20):  # the loop keeps running while the write waits
        await asyncio.sleep(0.01)
    assert time.monotonic() - started < 1 and not writing.done()
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(writing, 5)

    assert "_patiently" in trips  # it went to the thread to wait
    async with sqlite_db.session() as session:
        hashes = set((await session.execute(select(Person.telegram_hash))).scalars())
    assert hashes == {"other", "hash-1"}


async def test_writers_in_one_process_take_turns_instead_of_failing(sqlite_db: Database) -> None:
    async def write(n: int) -> None:
        with sqlite_driver.inline_statements():
            async with sqlite_db.session() as session:
                session.add(_person(n))
                await session.flush()
                await asyncio.sleep(0.01)  # hold the write transaction open across awaits
                session.add(_person(n + 100))

    async def background(n: int) -> None:  # a tick: on the thread
        async with sqlite_db.session() as session:
            await session.execute(update(Person).where(Person.id < 0).values(awaiting="x"))
            session.add(_person(n))

    await asyncio.gather(*(write(n) for n in range(10)), *(background(n) for n in range(200, 205)))
    async with sqlite_db.session() as session:
        count = len((await session.execute(select(Person.id))).all())
    assert count == 25


async def test_a_connection_dropped_mid_write_passes_the_writers_turn_on(sqlite_db: Database) -> None:
    async with sqlite_db.engine.connect() as conn:
        await conn.execute(update(Person).values(awaiting="x"))  # a write transaction: holds the turn
        await conn.invalidate()  # e.g. the task was cancelled: SQLAlchemy throws the connection away

    async def write() -> None:
        with sqlite_driver.inline_statements():
            async with sqlite_db.session() as session:
                session.add(_person(1))

    await asyncio.wait_for(write(), 2)  # the turn was given back, so this needn't wait
    async with sqlite_db.session() as session:
        assert (await session.execute(select(Person.telegram_hash))).scalars().all() == ["hash-1"]
