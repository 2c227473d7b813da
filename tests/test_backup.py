"""Backup and restore (hardening issue 18, item 7): a backup taken while the bot runs restores
into a fresh database and the bot carries on with nothing lost; the file is private and holds
no Telegram id; a restore never overwrites people by accident, and a damaged backup changes
nothing. Runs on whichever database the suite uses (SQLite, or PostgreSQL via TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot import backup as backups
from bot.__main__ import main
from bot.backup import BackupError, backup, restore
from bot.crypto import Vault
from bot.db import Database, alembic_config, create_engine, head_revision
from bot.models import Checkin, Person, SupportLink
from tests.conftest import TEST_SECRET
from tests.harness import Harness
from tests.supporters_helpers import add_supporter, alerts_about, supporter
from tests.test_onboarding import onboard

NewDatabase = Callable[[], Awaitable[str]]


@pytest.fixture
async def new_database(database_url: str, tmp_path: Path) -> AsyncIterator[NewDatabase]:
    """Fresh, empty databases to restore into: a new SQLite file, or a new PostgreSQL
    database on the test server (dropped afterwards)."""
    created: list[str] = []
    url = make_url(database_url)
    admins = [url]  # the test user, if it may create databases; else the server's superuser
    if url.username != "postgres":
        admins.append(url.set(username="postgres", password=None))  # scripts/postgres-test.sh: trust on loopback
    postgres = database_url.startswith("postgresql")
    engines = [
        create_engine(u.render_as_string(hide_password=False)).execution_options(isolation_level="AUTOCOMMIT")
        for u in (admins if postgres else [])
    ]
    working: list[AsyncEngine] = []  # the engine that could create one

    async def make() -> str:
        if not postgres:
            return f"sqlite+aiosqlite:///{tmp_path}/restored-{uuid.uuid4().hex[:8]}.sqlite3"
        name = f"fbk_test_{uuid.uuid4().hex[:12]}"
        for engine in working or engines:
            try:
                async with engine.connect() as conn:
                    await conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{url.username}"'))
            except DBAPIError:
                continue
            working[:] = [engine]
            created.append(name)
            return url.set(database=name).render_as_string(hide_password=False)
        pytest.skip("the PostgreSQL test user may not create databases, and no superuser is reachable")

    yield make
    for engine in working:
        async with engine.connect() as conn:
            for name in created:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    for engine in engines:
        await engine.dispose()


async def people_in(url: str) -> int:
    db = Database(url)
    try:
        async with db.session() as session:
            return int((await session.execute(select(func.count()).select_from(Person))).scalar_one())
    finally:
        await db.dispose()


async def carry_on_with(h: Harness, url: str) -> None:
    """Stop the bot and start it again on another database, as an operator would after a restore."""
    await h.stop()
    h.db = Database(url, vault=Vault(TEST_SECRET))
    h.settings = h.settings.model_copy(update={"database_url": url})
    await h.start()


async def check_in(member) -> None:  # type: ignore[no-untyped-def]
    await member.send("/checkin")
    await member.press("🙂 good")
    await member.press("✅ Yes")
    await member.press("✅ Done")


async def a_fellowship(h: Harness):  # type: ignore[no-untyped-def]
    """Sam in recovery with two supporters and a check-in."""
    sam = await onboard(h, "Sam")
    alex, jo = await supporter(h, "Alex"), await supporter(h, "Jo")
    await add_supporter(h, sam, alex)
    await add_supporter(h, sam, jo)
    await check_in(sam)
    assert "Checked in" in sam.last().text
    return sam, alex, jo


def readable_contents(path: Path) -> bytes:
    """What is stored in the backup, readable: the SQLite file's bytes, or the SQL that
    pg_restore makes of a (compressed) PostgreSQL dump."""
    data = path.read_bytes()
    if not data.startswith(backups.PG_DUMP_MAGIC):
        return data
    return subprocess.run(
        [backups.pg_binary("pg_restore"), "--file", "-", str(path)], check=True, capture_output=True
    ).stdout


async def test_a_backup_taken_while_the_bot_runs_restores_into_a_fresh_database_and_the_bot_carries_on(
    h: Harness, tmp_path: Path, new_database: NewDatabase
) -> None:
    sam, alex, jo = await a_fellowship(h)
    folder = tmp_path / "backups"
    folder.mkdir()
    file = folder / "fellowship-20261124.dump"
    old_umask = os.umask(0)  # the file must be private whatever the umask
    try:
        # The bot keeps answering while the backup is taken.
        done, _ = await asyncio.gather(backup(h.db.url, file), alex.send("/help"))
    finally:
        os.umask(old_umask)
    assert (done.people, done.revision, done.size) == (3, head_revision(), file.stat().st_size)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == [file.name]  # no .partial left behind

    restored = await new_database()
    summary = await restore(file, restored)
    assert (summary.people, summary.revision) == (3, head_revision())
    assert summary.schema_advice() == f"Schema {head_revision()}: up to date."

    await carry_on_with(h, restored)
    try:
        await sam.send("/start")
        assert "Welcome back, Sam" in sam.last().text
        await alex.send("/start")
        assert "Welcome back, Alex" in alex.last().text
        async with h.db.session() as session:
            links = (await session.execute(select(func.count()).select_from(SupportLink))).scalar_one()
            checkins = (await session.execute(select(func.count()).select_from(Checkin))).scalar_one()
        assert (links, checkins) == (2, 1)
        await sam.send("/supporters")
        assert "Alex" in sam.last().text and "Jo" in sam.last().text
        # An alert still flows to the first supporter, through the restored outbox.
        await sam.send("/sos")
        await h.deliver()
        (alert,) = alerts_about(alex, "Sam")
        assert "Sam asked for support just now." in alert
        assert alerts_about(jo, "Sam") == []
    finally:
        await h.stop()
        await h.db.dispose()


async def test_the_backup_holds_no_telegram_or_chat_id_in_clear(
    h: Harness, tmp_path: Path
) -> None:
    sam, alex, jo = await a_fellowship(h)
    file = tmp_path / "fellowship.dump"
    await backup(h.db.url, file)
    contents = readable_contents(file)
    assert b"Sam" in contents  # the pseudonym is stored in clear: the contents are really being read
    for person in (sam, alex, jo):  # in a private chat the chat id is the user id
        assert str(person.id).encode() not in contents


async def test_restore_refuses_a_database_that_already_has_people_unless_forced(
    h: Harness, tmp_path: Path, new_database: NewDatabase
) -> None:
    await a_fellowship(h)
    file = tmp_path / "fellowship.dump"
    await backup(h.db.url, file)
    target = await new_database()
    await restore(file, target)
    await carry_on_with(h, target)
    try:
        await onboard(h, "Kim")  # written after the backup
    finally:
        await h.stop()
        await h.db.dispose()
    with pytest.raises(BackupError, match=r"already has 4 people in it; nothing was restored\..*--force"):
        await restore(file, target)
    assert await people_in(target) == 4
    assert (await restore(file, target, force=True)).people == 3
    assert await people_in(target) == 3


@pytest.mark.parametrize("damage", ["truncated", "not a backup"])
async def test_a_damaged_backup_gives_a_clear_error_and_leaves_the_target_untouched(
    h: Harness, tmp_path: Path, new_database: NewDatabase, damage: str
) -> None:
    await a_fellowship(h)
    file = tmp_path / "fellowship.dump"
    await backup(h.db.url, file)
    target = await new_database()
    await restore(file, target)
    whole = file.read_bytes()
    file.write_bytes(whole[: len(whole) // 2] if damage == "truncated" else b"hello, this is a shopping list\n" * 50)
    with pytest.raises(BackupError, match=r"(damaged|incomplete|failed).*[Nn]othing was (restored|changed)") as raised:
        await restore(file, target, force=True)
    print(raised.value)  # shown with -s: the operator's view
    assert await people_in(target) == 3
    db = Database(target)
    try:
        assert await db.schema_status() == (head_revision(), head_revision())
    finally:
        await db.dispose()


async def test_a_backup_into_a_missing_folder_says_so_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match=r"The folder .*nowhere does not exist\. Create it first"):
        await backup(db.url, tmp_path / "nowhere" / "fellowship.dump")
    assert os.listdir(tmp_path) == []


async def test_pg_dump_gets_the_password_only_in_its_environment_and_a_failure_keeps_the_old_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[tuple[str, ...], dict[str, str]]] = []

    class FailedProcess:
        returncode = 1

        async def communicate(self) -> tuple[bytes, bytes]:
            return b"", b"pg_dump: error: connection failed\nDETAIL:  Key (pseudonym)=(Sam) a stored row\n"

    async def fake_exec(*args: str, env: dict[str, str], **_: object) -> FailedProcess:
        calls.append((args, env))
        return FailedProcess()

    monkeypatch.setattr(asyncio, "create_subprocess_exec", fake_exec)
    monkeypatch.setattr(backups, "pg_binary", lambda name: f"/usr/bin/{name}")
    file = tmp_path / "fellowship.dump"
    file.write_bytes(b"yesterday's backup")
    url = "postgresql+asyncpg://fellowship:s3cret-pw@db.example:5433/fellowship"
    with pytest.raises(BackupError, match="connection failed") as raised:
        await backup(url, file)
    assert "Sam" not in str(raised.value) and "s3cret-pw" not in str(raised.value)
    ((args, env),) = calls
    assert not any("s3cret-pw" in arg for arg in args)
    assert (env["PGPASSWORD"], env["PGHOST"], env["PGPORT"], env["PGDATABASE"]) == ("s3cret-pw", "db.example", "5433", "fellowship")
    assert "--format=custom" in args
    assert file.read_bytes() == b"yesterday's backup"
    assert os.listdir(tmp_path) == [file.name]


def test_missing_postgresql_tools_are_named_with_how_to_install_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    monkeypatch.setattr(backups, "PG_BIN_DIRS", "/nonexistent-fellowship/*/bin")
    with pytest.raises(BackupError, match=r"pg_dump was not found\. Install the PostgreSQL client tools"):
        backups.pg_binary("pg_dump")


def test_the_commands_say_what_was_written_and_restored_without_personal_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    monkeypatch.setenv("FELLOWSHIP_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/live/fellowship.sqlite3")
    assert main(["migrate"]) == 0
    (tmp_path / "backups").mkdir()
    assert main(["backup", "backups/tonight.dump"]) == 0
    said = capsys.readouterr().out
    assert "Backup written: backups/tonight.dump (" in said and f"0 people, schema {head_revision()})" in said
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/new/fellowship.sqlite3")
    assert main(["restore", "backups/tonight.dump"]) == 0
    said = capsys.readouterr().out
    assert f"0 people. Schema {head_revision()}: up to date." in said
    assert stat.S_IMODE((tmp_path / "new" / "fellowship.sqlite3").stat().st_mode) == 0o600
    assert main(["backup", "nowhere/tonight.dump"]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_a_restored_older_schema_asks_the_operator_to_migrate(tmp_path: Path) -> None:
    head = head_revision()
    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
    assert isinstance(previous, str)
    older = backups.Summary(tmp_path / "old.dump", 10, 2, previous)
    assert older.schema_advice() == (
        f"Schema {previous} is older than this version's {head}. Run `fellowship migrate` before `fellowship run`."
    )
    assert "not one this version knows" in backups.Summary(tmp_path / "x", 1, 0, "9999_future").schema_advice()


def test_the_nightly_wrapper_writes_today_s_backup_and_deletes_those_older_than_14_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = tmp_path / "live" / "fellowship.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FELLOWSHIP_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{live}")
    assert main(["migrate"]) == 0
    shim = tmp_path / "fellowship"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m bot "$@"\n')
    shim.chmod(0o755)
    folder = tmp_path / "backups"
    folder.mkdir()
    now = time.time()
    for name, days in (("fellowship-20261120.dump", 13.5), ("fellowship-20261119.dump", 14.5), ("notes.txt", 30)):
        (folder / name).write_text("old")
        os.utime(folder / name, (now - days * 86400, now - days * 86400))
    wrapper = Path(__file__).resolve().parent.parent / "deploy" / "fellowship-backup.sh"
    env = {**os.environ, "BACKUP_DIR": str(folder), "FELLOWSHIP": str(shim)}
    ran = subprocess.run([str(wrapper)], env=env, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr
    today = datetime.now(UTC).strftime("fellowship-%Y%m%d.dump")
    assert sorted(os.listdir(folder)) == sorted([today, "fellowship-20261120.dump", "notes.txt"])
    assert "Backup written" in ran.stdout and stat.S_IMODE((folder / today).stat().st_mode) == 0o600
