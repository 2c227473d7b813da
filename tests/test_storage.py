"""Storage: migrations match the models, ids fit, times stay UTC, identity is pseudonymous."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select
from sqlmodel import SQLModel

from bot.crypto import CHECKIN_NOTE, Undecryptable, Vault
from bot.db import Database, head_revision
from bot.models import Person
from tests.conftest import TEST_SECRET
from tests.harness import TOKEN

BIG_TELEGRAM_ID = 7_999_999_999  # beyond 32 bits: Telegram ids are 52-bit


async def test_the_migrations_create_exactly_the_tables_the_models_describe(db: Database) -> None:
    def diff(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)

    async with db.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []
    assert (await db.schema_status()) == (head_revision(), head_revision())


async def test_migrating_twice_changes_nothing(db: Database) -> None:
    assert await db.migrate() == (head_revision(), head_revision())


def _person(vault: Vault, telegram_id: int, now: datetime) -> Person:
    return Person(
        telegram_hash=vault.hash_telegram_id(telegram_id),
        id=1,
        chat_id_enc=vault.encrypt_chat_id(telegram_id, person_id=1),
        consented_at=now,
        created_at=now,
    )


async def test_times_come_back_as_utc_whatever_zone_they_were_written_in(db: Database) -> None:
    vault = Vault(TEST_SECRET)
    written = datetime(2026, 7, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))  # 09:00 BST
    async with db.session() as session:
        session.add(_person(vault, BIG_TELEGRAM_ID, written))
    async with db.session() as session:
        person = (await session.execute(select(Person))).scalar_one()
    assert person.created_at == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert person.created_at.tzinfo is not None
    assert vault.decrypt_chat_id(person.chat_id_enc, person_id=person.id) == BIG_TELEGRAM_ID


async def test_naive_datetimes_are_refused_rather_than_guessed(db: Database) -> None:
    vault = Vault(TEST_SECRET)
    with pytest.raises(Exception, match="naive"):
        async with db.session() as session:
            session.add(_person(vault, 1, datetime(2026, 1, 1)))


def test_identity_hash_is_keyed_and_chat_id_encryption_is_authenticated() -> None:
    vault, other = Vault(TEST_SECRET), Vault(TEST_SECRET[::-1])
    assert vault.hash_telegram_id(42) == vault.hash_telegram_id(42)
    assert vault.hash_telegram_id(42) != other.hash_telegram_id(42)
    assert "42" not in vault.hash_telegram_id(42)
    sealed = vault.encrypt_chat_id(BIG_TELEGRAM_ID, person_id=7)
    assert sealed != vault.encrypt_chat_id(BIG_TELEGRAM_ID, person_id=7)  # fresh nonce each time
    assert str(BIG_TELEGRAM_ID) not in sealed
    with pytest.raises(Undecryptable):
        other.decrypt_chat_id(sealed, person_id=7)
    with pytest.raises(Undecryptable):  # a ciphertext from another column can't be swapped in
        vault.decrypt_chat_id(vault.encrypt("7", field=CHECKIN_NOTE, row=7), person_id=7)


# --- who else on the machine can read the database -------------------------------------------


def _fellowship(command: str, database: Path, *, umask: int = 0o022) -> subprocess.CompletedProcess[str]:
    """`fellowship <command>` in a fresh process whose umask lets everyone read new files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FELLOWSHIP_", "DATABASE_"))}
    env.update(DATABASE_URL=f"sqlite:///{database}", FELLOWSHIP_SECRET_KEY=TEST_SECRET, TELEGRAM_BOT_TOKEN=TOKEN)
    return subprocess.run(
        [sys.executable, "-m", "bot", command], env=env, cwd=database.parent.parent, capture_output=True, text=True,
        preexec_fn=lambda: os.umask(umask),  # the child's umask only
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_database_directory_and_files_are_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    database = tmp_path / "data" / "fellowship.sqlite3"
    result = _fellowship("migrate", database, umask=umask)
    assert result.returncode == 0, result.stderr
    assert (_mode(database.parent), _mode(database)) == (0o700, 0o600)
    # While the bot runs, SQLite keeps a WAL and a shared-memory file next to the database.
    previous = os.umask(umask)
    try:
        connection = sqlite3.connect(database)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE scratch (x)")
        connection.commit()
        wal, shm = (database.with_name(database.name + side) for side in ("-wal", "-shm"))
        assert (_mode(wal), _mode(shm)) == (0o600, 0o600)
        connection.close()
    finally:
        os.umask(previous)


def test_check_warns_when_the_database_is_readable_by_others(tmp_path: Path) -> None:
    database = tmp_path / "data" / "fellowship.sqlite3"
    assert _fellowship("migrate", database).returncode == 0
    quiet = _fellowship("check", database)
    assert quiet.returncode == 0 and "WARNING" not in quiet.stderr
    database.chmod(0o644)
    database.parent.chmod(0o755)
    warned = _fellowship("check", database)
    assert warned.returncode == 0, warned.stderr  # a warning, not a failure: the bot still works
    assert f"The database file {database} can be read by other users on this machine (mode 644)" in warned.stderr
    assert f"Fix: chmod 600 {database}" in warned.stderr
    assert f"Fix: chmod 700 {database.parent}" in warned.stderr
    assert _mode(database) == 0o644  # the operator's file is theirs to change
