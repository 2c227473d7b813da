"""SQLite under SQLAlchemy's aiosqlite adapter: small statements on the event loop, the
rest on aiosqlite's thread, one trip each.

Where a statement runs. aiosqlite runs every sqlite3 call on its own thread. For the
indexed lookups and one-row writes a person's tap causes (microseconds of SQLite work)
the trip is the cost: a queue put, a thread wake-up, the GIL handed over and back, and a
wait in the event loop's queue behind everything else that is ready. On a busy bot that
is milliseconds per statement, and a write transaction holds the writer's turn (below)
through all of them. So inside `inline_statements()` (each update is handled inside it,
see bot.update_order) statements run on the event loop itself. Everywhere else (ticks,
feed imports, migrations) they go to the thread, where a big scan can take its time
without holding anyone up.

On the loop, SQLite never waits: the connection's busy timeout is 0, so when another
process holds the write lock the statement fails at once with SQLITE_BUSY and runs again
on the thread, which waits up to BUSY_TIMEOUT_MS as SQLite's busy handler does. What can
still take a while on the loop is a commit that happens to trigger SQLite's automatic
checkpoint (every 1,000 pages written), and any big query an update might make: wrap
such a query in `inline_statements(False)` to send it to the thread.

One trip per statement. SQLAlchemy's adapter makes four aiosqlite calls per statement
(open a cursor, execute, fetch, close). Here a statement is executed, its rows fetched
and its cursor closed in one call; the cursor SQLAlchemy sees just hands over the
results. Same sqlite3 calls in the same order, so the same behaviour (errors, rowcount,
lastrowid, RETURNING). A read-only session's COMMIT, which sqlite3 would skip anyway,
makes no call at all.

Writers take turns. SQLite has one writer at a time; left to itself, a second writer in
this process would fail (on the loop) or spin in SQLite's busy handler (on the thread,
sleeps of up to 100 ms) until the first commits. So a connection takes the database's
`WriterTurn` just before the statement that opens a write transaction and gives it back
when that transaction ends. Reads never wait for it (WAL lets them run beside a writer).
SQLite's own locks stay the guarantee; the turn only makes waiting cheap.

Relies on aiosqlite's `Connection._execute` (run a function on the worker thread), pinned
with aiosqlite in pyproject.toml; tests/test_sqlite_driver.py checks it still holds.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import aiosqlite

Row = Any
Outcome = tuple[Any, int, int | None, list[Row]]  # description, rowcount, lastrowid, rows
T = TypeVar("T")

# How long a statement on the worker thread waits for another process's write to finish.
BUSY_TIMEOUT_MS = 10_000

_inline: ContextVar[bool] = ContextVar("sqlite_statements_inline", default=False)


@contextmanager
def inline_statements(inline: bool = True) -> Iterator[None]:
    """Run this block's SQLite statements on the event loop (see the module docstring), or
    with `False` on the worker thread again. Inline only work made of small, indexed
    statements, such as handling one update."""
    token = _inline.set(inline)
    try:
        yield
    finally:
        _inline.reset(token)


class WriterTurn:
    """An asyncio lock the holding task may take again (a write in a session opened
    inside another session of the same task)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._depth = 0

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if self._owner is not task or task is None:
            await self._lock.acquire()
            self._owner = task
        self._depth += 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()


def _may_write(sql: str) -> bool:
    """Anything but a plain SELECT may open a write transaction (INSERT, UPDATE, DELETE,
    SAVEPOINT, DDL, a WITH that writes)."""
    return sql.lstrip()[:6].upper() != "SELECT"


def _run(conn: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> Outcome:
    """Execute, fetch everything, close."""
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


def _patiently(conn: sqlite3.Connection, action: Callable[[], T]) -> T:
    """On the worker thread: `action`, waiting up to BUSY_TIMEOUT_MS for another writer."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        return action()
    finally:
        conn.execute("PRAGMA busy_timeout = 0")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY or one of its extended codes: another connection has the lock."""
    return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_BUSY


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
        if many:
            parameters = list(parameters)  # it may be run twice (see OneTripConnection.run)
        if _may_write(sql):
            await connection.take_turn()
        try:
            outcome = await connection.run(lambda: _run(connection._conn, sql, parameters, many))
        finally:
            connection.end_turn_unless_in_transaction()
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
    turn: WriterTurn | None = None
    _has_turn = False

    # aiosqlite's `cursor()` is an awaitable context manager; SQLAlchemy's adapter uses ours
    # only as `async with` / plain object, so the narrower, synchronous signature is on purpose.
    def cursor(self) -> OneTripCursor:  # type: ignore[override]  # see the comment above
        return OneTripCursor(self)

    async def run(self, action: Callable[[], T]) -> T:
        """Run `action` (sqlite3 calls on this connection) on the event loop inside
        `inline_statements()`, unless SQLite would have to wait; else on the worker thread."""
        if _inline.get():
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                # Another process is writing: wait for it on the thread, not on the loop.
        conn = self._conn
        return await self._execute(_patiently, conn, action)

    async def take_turn(self) -> None:
        """Wait for the writer's turn, unless this connection already has it."""
        if self.turn is not None and not self._has_turn:
            await self.turn.acquire()
            self._has_turn = True

    def end_turn_unless_in_transaction(self) -> None:
        """After a statement (a DDL or a failed BEGIN leaves no transaction), a commit or a
        rollback: let the next writer go."""
        if not (self._connection is not None and self._connection.in_transaction):
            self._give_back_turn()

    def _give_back_turn(self) -> None:
        if self._has_turn:
            assert self.turn is not None
            self._has_turn = False
            self.turn.release()

    # sqlite3 itself does nothing on commit or rollback outside a transaction (a session
    # that only read); checking first saves the trip to do nothing.

    async def commit(self) -> None:
        try:
            if self.in_transaction:
                await self.run(self._conn.commit)
        finally:
            self.end_turn_unless_in_transaction()

    async def rollback(self) -> None:
        try:
            if self.in_transaction:
                await self.run(self._conn.rollback)
        finally:
            self.end_turn_unless_in_transaction()

    def stop(self) -> asyncio.Future[Any] | None:
        """Closing (`close` ends here too) or terminating: the connection is going away and
        SQLite rolls back whatever it left open, so the turn passes on even mid-transaction."""
        try:
            return super().stop()
        finally:
            self._give_back_turn()


def connect(database: str, *, turn: WriterTurn | None = None, **kwargs: Any) -> OneTripConnection:
    """Like `aiosqlite.connect`; `kwargs` go to `sqlite3.connect` on the worker thread.
    Connections given the same `turn` take turns to write. The busy timeout is 0 and the
    connection may be used from the loop's thread too (never at the same time): see above."""
    kwargs = {**kwargs, "timeout": 0, "check_same_thread": False}
    connection = OneTripConnection(lambda: sqlite3.connect(database, **kwargs), iter_chunk_size=64)
    connection.turn = turn
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite: never block exit
    return connection
