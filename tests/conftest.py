"""Shared fixtures. The database under test is TEST_DATABASE_URL (PostgreSQL in CI's
second run) or a fresh SQLite file; the same suite runs on both."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import bot.models  # noqa: F401  (tables must be known to the metadata)
from bot.clock import ManualClock
from bot.config import Settings, load_settings, normalise_database_url
from bot.crypto import Vault
from bot.db import Database, create_engine
from bot.standin import BotApiStandin, RunningServer, SimUser, serve_standin
from tests.harness import TOKEN, Harness

TEST_SECRET = "test-only-secret-5Qm2Vx8Lr0Tz4Wc7Ny1Kp6Hs3Jb9Gd"
# Tables that hold nobody's data: the send budget (Telegram's limits, a 14-bit slot per chat).
# "/forget erases everything" and "nothing of anyone else changed" leave them out.
SHARED_TABLES = frozenset({"sendbudget"})


def _test_database_url(tmp_dir: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    return normalise_database_url(url) if url else f"sqlite+aiosqlite:///{tmp_dir}/test.sqlite3"


async def _fresh_schema(url: str) -> None:
    """Start from nothing (PostgreSQL keeps data between runs), then run the migrations."""
    if url.startswith("postgresql"):
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    db = Database(url)
    await db.migrate()
    await db.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = _test_database_url(str(tmp_path_factory.mktemp("db")))
    asyncio.run(_fresh_schema(url))
    return url


async def empty_all_tables(db: Database) -> None:
    async with db.session() as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            await session.execute(table.delete())


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated, empty database for one test (its sessions carry the test vault, as the
    runtime's do, so tests can queue outbox messages directly)."""
    database = Database(database_url, vault=Vault(TEST_SECRET))
    await empty_all_tables(database)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> ManualClock:
    # A Tuesday in winter (London = UTC) unless a test moves it.
    return ManualClock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(
        _env_file=None,
        database_url=database_url,
        fellowship_secret_key=TEST_SECRET,
        telegram_api_url="http://127.0.0.1:9",
        coordinator_telegram_ids="",
        # The test clock stands still, so a long story happens in one instant: far more
        # updates "in 10 s" than a person could send. tests/test_flood.py uses the defaults.
        flood_max_updates=1000,
        # Telegram's limits would hold a story told in an instant back for seconds; the
        # budget still runs (tests/test_send_budget.py tests it with Telegram's figures).
        send_budget_per_second=1_000_000,
        send_budget_per_chat_per_second=1_000_000,
        send_budget_group_per_minute=1_000_000,
        outbox_rate_per_second=1_000_000,
    )


@pytest.fixture
async def h(settings: Settings, db: Database, clock: ManualClock) -> AsyncIterator[Harness]:
    """The real application with the in-process Bot API stand-in; fails on any spec violation."""
    standin = BotApiStandin(token=TOKEN)
    harness = Harness(settings, db, clock, standin)
    await harness.start()
    yield harness
    await harness.stop()
    assert standin.violations == [], f"Bot API calls that break the spec: {standin.violations}"


@pytest.fixture
def standin() -> BotApiStandin:
    """A Bot API stand-in on its own, for tests of the stand-in and of how we talk HTTP to it."""
    return BotApiStandin(token=TOKEN)


@pytest.fixture
def ada(standin: BotApiStandin) -> SimUser:
    """A user who has already written to the bot, so the bot may answer her."""
    user = standin.add_user("Ada", username="ada")
    standin.send_text(user.id, "/start")
    return user


@pytest.fixture
async def server(standin: BotApiStandin) -> AsyncIterator[RunningServer]:
    """`standin` served over HTTP on 127.0.0.1."""
    running = await serve_standin(standin)
    yield running
    await running.stop()
