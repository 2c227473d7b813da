"""aiosqlite, with one trip to its worker thread per statement instead of four.

aiosqlite runs every sqlite3 call on its own thread; SQLAlchemy's adapter makes four such
calls per statement (open a cursor, execute, fetch, close), and each trip is a queue put, a
thread wake-up and an event-loop wake-up. Here a statement is executed, its rows fetched and
its cursor closed in one call on that thread; the cursor SQLAlchemy sees just hands over
the results. Same sqlite3 calls in the same order on the same thread, so the same behaviour
(errors, rowcount, lastrowid, RETURNING) — only the trips are fewer. A read-only session's
COMMIT, which sqlite3 would skip anyway, makes no trip at all.

Relies on aiosqlite's `Connection._execute` (run a function on the worker thread), pinned
with aiosqlite in pyproject.toml; tests/test_sqlite_driver.py checks it still holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

Row = Any
Outcome = tuple[Any, int, int | None, list[Row]]  # description, rowcount, lastrowid, rows


def _run(conn: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> Outcome:
    """On the worker thread: execute, fetch everything, close."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor:
    """The async cursor SQLAlchemy's aiosqlite adapter expects, minus the extra trips."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Row] = []

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> OneTripCursor:
        return await self._run(sql, () if parameters is None else parameters, many=False)

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> OneTripCursor:
        return await self._run(sql, parameters, many=True)

    async def _run(self, sql: str, parameters: Any, *, many: bool) -> OneTripCursor:
        connection = self._connection
        outcome = await connection._execute(lambda: _run(connection._conn, sql, parameters, many))
        self.description, self.rowcount, self.lastrowid, self._rows = outcome
        return self

    async def fetchone(self) -> Row | None:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Row]:
        size = self.arraysize if size is None else size
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def fetchall(self) -> list[Row]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []


class OneTripConnection(aiosqlite.Connection):
    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    # sqlite3 itself does nothing on commit or rollback outside a transaction (a session
    # that only read); checking first saves the trip to do nothing.

    async def commit(self) -> None:
        if self.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        if self.in_transaction:
            await super().rollback()


def connect(database: str, **kwargs: Any) -> OneTripConnection:
    """Like `aiosqlite.connect`; `kwargs` go to `sqlite3.connect` on the worker thread."""
    connection = OneTripConnection(lambda: sqlite3.connect(database, **kwargs), iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite: never block exit
    return connection
