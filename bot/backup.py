"""`fellowship backup FILE` and `fellowship restore FILE [--force]`.

A backup holds exactly what the database holds: people are still found only by a keyed hash,
chat ids and notes are still encrypted, and none of it can be read without
FELLOWSHIP_SECRET_KEY (which is never written into a backup). It is still as sensitive as the
database, so the file is created 0600 whatever the umask.

- SQLite: Python's online backup API copies a consistent snapshot while the bot runs (WAL lets
  the bot keep writing meanwhile). The backup is a plain SQLite file.
- PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore` in one transaction, so a
  damaged file changes nothing. The password goes to the tools in PGPASSWORD, never on a
  command line (which other users can see in `ps`) or in what we print.

Both write to `FILE.partial` and rename it when complete, so a crash or a full disk never leaves
half a backup under the real name. What we print is the size, the number of people and the
schema version: never personal data.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sqlite3
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.db import Database, alembic_config, head_revision, make_private, sqlite_path
from bot.models import Person

PERSON_TABLE = str(Person.__tablename__)
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
PG_BIN_DIRS = "/usr/lib/postgresql/*/bin"  # Debian and Ubuntu keep each version's tools here


class BackupError(Exception):
    """Backup or restore could not be done; the message is for the operator to read."""


@dataclass(frozen=True)
class Summary:
    """What a backup or restore dealt with, without personal data."""

    path: Path
    size: int
    people: int
    revision: str | None

    def size_text(self) -> str:
        size = float(self.size)
        for unit in ("bytes", "kB", "MB", "GB"):
            if size < 1000 or unit == "GB":
                return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
            size /= 1000
        return ""  # unreachable

    def schema_advice(self) -> str:
        """Whether the restored database fits this version of the bot, and what to do if not."""
        head = head_revision()
        if self.revision == head:
            return f"Schema {head}: up to date."
        if self.revision is not None and _known_revision(self.revision):
            return (
                f"Schema {self.revision} is older than this version's {head}. "
                "Run `fellowship migrate` before `fellowship run`."
            )
        return (
            f"Schema {self.revision or 'unknown'} is not one this version knows (its newest is {head}). "
            "Install the version of fellowship-bot that made the backup, or a newer one."
        )


def _known_revision(revision: str) -> bool:
    """A revision this version's migrations know, so `fellowship migrate` can move it on."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:  # alembic raises for ids it has never heard of
        return False


# --- entry points ---------------------------------------------------------------------


async def backup(database_url: str, path: Path) -> Summary:
    """Copy the database at `database_url` to `path`, safely while the bot runs."""
    path = Path(path)
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist. Create it first: mkdir -m 700 {path.parent}")
    if path.is_dir():
        raise BackupError(f"{path} is a folder; give the name of the backup file to write.")
    partial = path.with_name(path.name + ".partial")
    _create_private(partial)
    try:
        source = sqlite_path(database_url)
        if database_url.startswith("sqlite"):
            if source is None or not source.is_file():
                raise BackupError(f"There is no SQLite database at {source or database_url}.")
            await asyncio.to_thread(_sqlite_backup, source, partial)
            people, revision = _sqlite_contents(partial)
        else:
            await _pg_run("pg_dump", ["--format=custom", "--no-password", "--file", str(partial)], database_url)
            os.chmod(partial, 0o600)  # pg_dump keeps our mode, but be sure
            people, revision = await _pg_contents(database_url)
        _fsync(partial)
        os.replace(partial, path)
        _fsync(path.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Summary(path, path.stat().st_size, people, revision)


async def restore(path: Path, database_url: str, *, force: bool = False) -> Summary:
    """Put the backup at `path` into the database at `database_url`.

    Refuses a database that already has people unless `force`: restoring over live data by
    mistake would silently undo everyone's recent check-ins and links. The backup is checked
    before anything in the target is touched."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}; nothing was restored.")
    magic = _read_start(path)
    if database_url.startswith("sqlite"):
        target = sqlite_path(database_url)
        if target is None:
            raise BackupError("Restore needs an SQLite database file, not an in-memory database; nothing was restored.")
        if magic.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{path} is a PostgreSQL backup: restore it into a PostgreSQL database. Nothing was restored.")
        await asyncio.to_thread(_sqlite_restore, path, target, force)
        people, revision = _sqlite_contents(target)
    else:
        if magic.startswith(SQLITE_MAGIC):
            raise BackupError(f"{path} is an SQLite backup: restore it into an SQLite database. Nothing was restored.")
        if not magic.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{path} is not a backup made by `fellowship backup` (damaged, or another kind of file); nothing was restored.")
        await _pg_run("pg_restore", ["--list", str(path)], None)  # a damaged catalogue fails here, before any change
        await _refuse_if_people(database_url, force)
        await _pg_run(
            "pg_restore",
            ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             "--no-password", "--dbname", _pg_database(database_url), str(path)],
            database_url,
        )
        people, revision = await _pg_contents(database_url)
    return Summary(path, path.stat().st_size, people, revision)


# --- SQLite ---------------------------------------------------------------------------


def _sqlite_backup(source: Path, partial: Path) -> None:
    """One step of the online backup API: a consistent snapshot even while the bot writes.
    The copy is switched out of WAL so the backup is a single self-contained file."""
    with closing(sqlite3.connect(_uri(source, "rw"), uri=True, timeout=30)) as src:
        with closing(sqlite3.connect(partial)) as dest:
            src.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")


def _sqlite_restore(backup_file: Path, target: Path, force: bool) -> None:
    """Check the backup is whole, refuse a target with people (unless forced), then copy
    it in with the backup API, which replaces the target in one transaction."""
    _check_sqlite_backup(backup_file)
    if target.is_file() and not force:
        _refuse(_sqlite_people_if_any(target))
    make_private(target)  # a new target is created 0600 in a 0700 folder, like the bot does
    with closing(sqlite3.connect(_uri(backup_file, "ro"), uri=True)) as src:
        with closing(sqlite3.connect(target, timeout=30)) as dest:
            src.backup(dest)


def _check_sqlite_backup(backup_file: Path) -> None:
    """A truncated or damaged file fails here with a plain message."""
    if not _read_start(backup_file).startswith(SQLITE_MAGIC):
        raise BackupError(f"{backup_file} is not a backup made by `fellowship backup` (damaged, or another kind of file); nothing was restored.")
    try:
        with closing(sqlite3.connect(_uri(backup_file, "ro"), uri=True)) as conn:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{backup_file} is damaged or incomplete ({exc}); nothing was restored.") from None
    if problems != ["ok"]:
        raise BackupError(f"{backup_file} is damaged or incomplete (integrity check failed); nothing was restored.")
    if not {"alembic_version", PERSON_TABLE} <= tables:
        raise BackupError(f"{backup_file} is an SQLite file but not a fellowship-bot backup; nothing was restored.")


def _sqlite_people_if_any(database: Path) -> int:
    """People in an existing SQLite database; 0 when it has no tables yet."""
    try:
        with closing(sqlite3.connect(_uri(database, "ro"), uri=True)) as conn:
            return int(conn.execute(f'SELECT count(*) FROM "{PERSON_TABLE}"').fetchone()[0])
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return 0
        raise BackupError(f"The target database {database} could not be read ({exc}).") from None


def _sqlite_contents(database: Path) -> tuple[int, str | None]:
    """(people, schema revision) of an SQLite file."""
    with closing(sqlite3.connect(_uri(database, "ro"), uri=True)) as conn:
        people = int(conn.execute(f'SELECT count(*) FROM "{PERSON_TABLE}"').fetchone()[0])
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return people, (row[0] if row else None)


# --- PostgreSQL -----------------------------------------------------------------------


def pg_binary(name: str) -> str:
    """`pg_dump`/`pg_restore` from PATH, else the newest under /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/").glob(PG_BIN_DIRS.lstrip("/") + "/" + name), key=_version_key)
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        f"{name} was not found. Install the PostgreSQL client tools (Debian/Ubuntu: "
        "sudo apt-get install postgresql-client), in a version at least as new as the server."
    )


def _version_key(binary: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", binary.parent.parent.name)) or (0,)


def _pg_environment(database_url: str) -> dict[str, str]:
    """libpq settings from the URL. The password travels only in PGPASSWORD."""
    url = make_url(database_url)
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGDATABASE", url.database), ("PGPASSWORD", url.password)):
        if value:
            env[key] = str(value)
    ssl = url.query.get("sslmode") or url.query.get("ssl")
    if isinstance(ssl, str):
        env["PGSSLMODE"] = ssl
    return env


def _pg_database(database_url: str) -> str:
    database = make_url(database_url).database
    if not database:
        raise BackupError("DATABASE_URL names no database.")
    return database


async def _pg_run(tool: str, args: list[str], database_url: str | None) -> None:
    """Run a PostgreSQL tool; on failure raise its error lines (not its DETAIL or CONTEXT
    lines, which can quote stored rows)."""
    env = _pg_environment(database_url) if database_url else dict(os.environ)
    process = await asyncio.create_subprocess_exec(
        pg_binary(tool), *args, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        lines = [line[:300] for line in stderr.decode(errors="replace").splitlines()
                 if line.strip() and not re.match(r"\s*(DETAIL|CONTEXT|HINT|LINE \d+):", line)]
        reason = "\n  ".join(lines[-5:]) or f"exit status {process.returncode}"
        raise BackupError(f"{tool} failed; nothing was changed.\n  {reason}")


async def _pg_people(db: Database) -> int | None:
    """People in the database; None when it has no tables yet."""
    async with db.engine.connect() as conn:
        if not await conn.run_sync(lambda sync: inspect(sync).has_table(PERSON_TABLE)):
            return None
        return int((await conn.execute(select(func.count()).select_from(Person))).scalar_one())


async def _pg_contents(database_url: str) -> tuple[int, str | None]:
    db = Database(database_url)
    try:
        people = await _pg_people(db)
        current, _ = await db.schema_status()
    finally:
        await db.dispose()
    return people or 0, current


async def _refuse_if_people(database_url: str, force: bool) -> None:
    if force:
        return
    db = Database(database_url)
    try:
        people = await _pg_people(db)
    except Exception as exc:
        raise BackupError(f"The target database could not be reached ({type(exc).__name__}).") from None
    finally:
        await db.dispose()
    _refuse(people or 0)


# --- files ----------------------------------------------------------------------------


def _refuse(people: int) -> None:
    if people:
        raise BackupError(
            f"The target database already has {people} people in it; nothing was restored. "
            "Restoring would replace everything written since the backup. "
            "If that is what you want, stop the bot and run again with --force."
        )


def _create_private(path: Path) -> None:
    """An empty file only its owner can read, whatever the umask; any old one is replaced."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.fchmod(descriptor, 0o600)
    os.close(descriptor)


def _fsync(path: Path) -> None:
    """On disk before the rename, so a power cut leaves either the old name or a whole file."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _uri(path: Path, mode: str) -> str:
    """An SQLite URI: `mode=ro` never creates a file by mistake; odd characters are escaped."""
    return f"{path.resolve().as_uri()}?mode={mode}"


def _read_start(path: Path) -> bytes:
    with path.open("rb") as file:
        return file.read(16)


# --- command line ---------------------------------------------------------------------


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "backup",
        help="copy the database to FILE, safely while the bot runs (see README: Backups)",
        description="Copy the database to FILE while the bot keeps running. The file is readable "
        "only by you; it stays pseudonymised and encrypted, and is useless without "
        "FELLOWSHIP_SECRET_KEY, so keep the key somewhere else.",
    )
    parser.add_argument("file", type=Path, help="the backup to write; its folder must exist")
    parser = commands.add_parser(
        "restore",
        help="replace the database with a backup made by `fellowship backup` (stop the bot first)",
        description="Put a backup into the database named by DATABASE_URL. Stop the bot first. "
        "A damaged backup changes nothing.",
    )
    parser.add_argument("file", type=Path, help="a file written by `fellowship backup`")
    parser.add_argument(
        "--force", action="store_true", help="replace a database that already has people in it"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """The `backup` and `restore` commands: one line on success, the reason on failure."""
    try:
        if args.command == "backup":
            done = asyncio.run(backup(settings.database_url, args.file))
            print(f"Backup written: {done.path} ({done.size_text()}, {done.people} people, schema {done.revision}).")
            return 0
        done = asyncio.run(restore(args.file, settings.database_url, force=args.force))
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Restored {done.path} ({done.size_text()}): {done.people} people. {done.schema_advice()}")
    return 0
