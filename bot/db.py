"""The async database: engine, sessions, a UTC datetime column type, and migrations.

One session per update or per tick (never stored on `context`). SQLite gets WAL and
foreign keys, and its driver waits for other writers (bot.sqlite_driver), so the bot, its
ticks and a second process can share the file.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, Executable, event
from sqlalchemy.engine import Connection, CursorResult, Dialect, Result
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.pool import PoolResetState
from sqlalchemy.types import TypeDecorator

from bot import sqlite_driver
from bot.crypto import Vault

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x66656C6C  # pg_advisory_xact_lock key held while migrating ("fell")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend.

    SQLite drops offsets, so we store naive UTC and re-attach UTC on read; PostgreSQL keeps
    `timestamptz`. Naive input is refused: it is always a bug about which zone was meant.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Overwrite deleted and replaced content with zeros: a delivered relay message or an
    # erased person must not linger in the file's free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL; None for PostgreSQL or an in-memory database."""
    if not url.startswith("sqlite") or ":///" not in url:
        return None
    path = url.split(":///", 1)[1].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite's companions of the database file


def make_private(path: Path) -> None:
    """The database holds health and criminal-justice data: its directory is created 0700
    and the file 0600 whatever the umask. The file is created empty before SQLite opens it,
    because SQLite gives its WAL and SHM files the database file's own permissions.
    Existing files are left as the operator set them; `fellowship check` warns about them."""
    directory = path.parent
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True)
        os.chmod(directory, 0o700)  # in case a umask took bits we asked for
    if not path.exists():
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:  # another process made it first
            return
        os.fchmod(descriptor, 0o600)
        os.close(descriptor)


def exposure_warnings(url: str) -> list[str]:
    """For `fellowship check`: the database file or directory other users can get into,
    each with the command that fixes it."""
    path = sqlite_path(url)
    if path is None:
        return []
    warnings = []
    targets = [(path.parent, "700", "directory")]
    targets += [(f, "600", "file") for f in (path, *(path.with_name(path.name + s) for s in SIDE_FILES))]
    for target, mode, kind in targets:
        try:
            current = stat.S_IMODE(target.stat().st_mode)
        except OSError:
            continue
        if current & 0o077:
            warnings.append(
                f"The database {kind} {target} can be read by other users on this machine (mode {current:o}). "
                f"It holds private data. Fix: chmod {mode} {target}"
            )
    return warnings


def create_engine(url: str) -> AsyncEngine:
    """An async engine for a normalised URL (see `bot.config.normalise_database_url`)."""
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path is not None:
            make_private(path)
        # aiosqlite with one trip to its thread per statement (see bot.sqlite_driver), and
        # no pool-level ROLLBACK after every commit: `_rollback_if_open` does it only when a
        # transaction was really left open.
        engine: AsyncEngine
        turn = sqlite_driver.WriterTurn()  # one per database file: writers in this process take turns
        engine = create_async_engine(
            url, async_creator=lambda: _connect_sqlite(engine, turn), pool_reset_on_return=None
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "reset", _rollback_if_open)
        return engine
    # Kept open: a webhook worker handles several updates at once while it claims, stores and
    # renews leases, and a connection opened and closed per overflow is a fork on the server.
    engine = create_async_engine(url, pool_size=12, max_overflow=8)
    event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    event.listen(engine.sync_engine, "checkin", _note_use)
    return engine


# A pooled PostgreSQL connection idle longer than this is checked before use. SQLAlchemy's
# pool_pre_ping checks every checkout, and on asyncpg its check is three round trips (BEGIN,
# an empty query, ROLLBACK): half of all the trips a busy webhook worker made. A connection
# in steady use needs no check; one that sat idle (the server may have restarted) gets it,
# and a connection lost in between fails once and SQLAlchemy then replaces every connection
# opened before the loss (a disconnect invalidates the pool).
IDLE_PING_SECONDS = 10.0
_USED_AT = "used_at"


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    last = record.info.get(_USED_AT)
    now = time.monotonic()
    if last is not None and now - last > IDLE_PING_SECONDS:
        try:
            dbapi_connection.ping()
        except Exception as exc:  # the pool drops this connection and opens another
            raise DisconnectionError("a pooled connection was lost while idle") from exc
    record.info[_USED_AT] = now


def _note_use(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_USED_AT] = time.monotonic()


def _connect_sqlite(engine: AsyncEngine, turn: sqlite_driver.WriterTurn) -> sqlite_driver.OneTripConnection:
    """What `sqlite+aiosqlite` would open for this URL (path, URL options); the driver
    handles waiting for other writers (see bot.sqlite_driver)."""
    args, kwargs = engine.dialect.create_connect_args(engine.url)
    return sqlite_driver.connect(*args, turn=turn, **kwargs)


def _rollback_if_open(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
    """Pool check-in: roll back a transaction left open, as SQLAlchemy's default reset does,
    but skip the no-op ROLLBACK (a trip to the driver's thread) after a commit."""
    if state.asyncio_safe and not state.terminate_only and dbapi_connection.driver_connection.in_transaction:
        dbapi_connection.rollback()


# Replies to the person are sent after their change is committed: nobody is told "saved"
# about something that was rolled back, and no lock is held while we wait on the network.
VAULT_INFO = "vault"  # the key of the runtime's vault in `session.info`
_after_commit: ContextVar[list[Callable[[], Awaitable[object]]] | None] = ContextVar("after_commit", default=None)


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed: the answer to a compare-and-set (1: this
    caller won; 0: someone else did first). `session.execute` is typed as returning a plain
    `Result`, but for DML it is a `CursorResult`, which carries the count."""
    return cast(CursorResult[Any], result).rowcount


async def changed(session: AsyncSession, statement: Executable) -> int:
    """Run an UPDATE or DELETE and say how many rows it changed: a compare-and-set won when
    this is 1, and only then may the caller act."""
    return rows_changed(await session.execute(statement))


def defer_until_commit(action: Callable[[], Awaitable[object]]) -> bool:
    """Run `action` once the current outermost session commits (dropped if it rolls back).
    Returns False when no session is open, so the caller should act now."""
    pending = _after_commit.get()
    if pending is None:
        return False
    pending.append(action)
    return True


# --- the first write of an update carries its inbox mark (bot/inbox.py) -------------------
# A webhook worker handles each stored update inside `first_write_hook(...)`. The first
# transaction of that update that writes anything runs the hook just before it commits, so the
# update is marked handled in the same transaction as its effects: both, or neither.
FirstWriteHook = Callable[[Session], None]
# A one-element list (the hook) emptied when it runs: mutable, so the sync session's events,
# run in SQLAlchemy's greenlet, and the task that set it see the same state.
_first_write: ContextVar[list[FirstWriteHook] | None] = ContextVar("first_write", default=None)
_WROTE = "wrote"  # session.info flag: this transaction changed something


@contextmanager
def first_write_hook(hook: FirstWriteHook) -> Iterator[None]:
    """Run `hook(session)` inside the first writing transaction committed in this context
    (it may raise to refuse the commit); it is dropped after it has run once."""
    token = _first_write.set([hook])
    try:
        yield
    finally:
        _first_write.reset(token)


def first_write_pending() -> bool:
    """True while a hook set by `first_write_hook` has not run yet."""
    return bool(_first_write.get())


class TrackedSession(Session):
    """The sync session behind every AsyncSession: notes whether a transaction wrote."""


@event.listens_for(TrackedSession, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(TrackedSession, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not state.is_select:  # UPDATE, INSERT, DELETE, or text we can't tell: count it as a write
        state.session.info[_WROTE] = True


@event.listens_for(TrackedSession, "before_commit")
def _before_commit(session: Session) -> None:
    pending = _first_write.get()
    if pending and session.info.get(_WROTE):
        hook = pending.pop()  # once; a refused commit rolls back, and nothing else may run it
        hook(session)
    session.info.pop(_WROTE, None)


@event.listens_for(TrackedSession, "after_soft_rollback")
def _rolled_back(session: Session, _previous: Any) -> None:
    session.info.pop(_WROTE, None)


class Database:
    """Engine plus session factory; the only way code reaches the database."""

    def __init__(self, url: str, *, vault: Vault | None = None) -> None:
        self.url = url
        self.engine = create_engine(url)
        # On SQLite, writers in this process take turns (see bot.sqlite_driver); sessions
        # hold a write transaction briefly because replies wait until after the commit.
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, sync_session_class=TrackedSession)
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        if vault is not None:
            self.use_vault(vault)

    def use_vault(self, vault: Vault) -> None:
        """Sessions carry the runtime's vault (`session.info["vault"]`), so the outbox can
        encrypt what it writes without every caller passing a vault down (see
        `bot.services.outbox.vault_of`)."""
        self._sessions.configure(info={VAULT_INFO: vault})

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session that commits on success and rolls back on any error (nothing half-written).
        Actions deferred with `defer_until_commit` inside it run after the commit."""
        token = _after_commit.set([]) if _after_commit.get() is None else None
        try:
            async with self._sessions() as session:
                try:
                    yield session
                    await session.commit()
                except BaseException:
                    await session.rollback()
                    raise
            if token is not None:
                for action in _after_commit.get() or []:
                    await action()
        finally:
            if token is not None:
                _after_commit.reset(token)

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A connection for statements that each stand alone (an upsert, a claim, a
        compare-and-set), each committed by itself. On PostgreSQL that is one round trip a
        statement instead of three (BEGIN, it, COMMIT): the send budget, the inbox and the
        outbox's marks run one for every message. On SQLite, one transaction as usual (its
        statements are calls in this process, not trips)."""
        if self.dialect == "postgresql":
            async with self._autocommit.connect() as conn:
                yield conn
        else:
            async with self.engine.begin() as conn:
                yield conn

    @asynccontextmanager
    async def elected(self, key: int) -> AsyncIterator[bool]:
        """True in one process at a time for `key`, on PostgreSQL: a session advisory lock,
        held (on a connection outside any transaction) until the block ends, and released by
        the server if this process dies. On SQLite, always True (one process)."""
        if self.dialect != "postgresql":
            yield True
            return
        async with self._autocommit.connect() as conn:
            won = bool((await conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({int(key)})")).scalar())
            try:
                yield won
            finally:
                if won:
                    with suppress(SQLAlchemyError):  # a session the server ended holds no lock
                        await conn.exec_driver_sql(f"SELECT pg_advisory_unlock({int(key)})")

    async def truncate_write_ahead_log(self) -> None:
        """SQLite keeps recent page versions in its WAL file, old texts included, until the
        file is reused; checkpointing and truncating it leaves only the main file."""
        if self.dialect == "sqlite":
            async with self.engine.connect() as conn:
                await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def dispose(self) -> None:
        await self.engine.dispose()

    # --- migrations ---------------------------------------------------------------------

    async def migrate(self) -> tuple[str | None, str]:
        """Apply pending migrations; returns (revision before, revision after).

        On PostgreSQL the whole upgrade runs under a transaction-scoped advisory lock, so
        workers started together take turns: the first migrates, the others then find the
        schema at head and change nothing (DDL is transactional there). SQLite's one writer
        at a time does the same for a single machine."""
        async with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            before = await conn.run_sync(_current_revision)
            await conn.run_sync(_upgrade_to_head)
            after = await conn.run_sync(_current_revision)
        return before, after or ""

    async def schema_status(self) -> tuple[str | None, str]:
        """(current revision, head revision) without changing anything."""
        async with self.engine.connect() as conn:
            current = await conn.run_sync(_current_revision)
        return current, head_revision()


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade_to_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")
