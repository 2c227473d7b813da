"""The real `fellowship run` process, polling the Bot API stand-in over HTTP on loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.standin import BotApiStandin, serve_standin
from tests.conftest import TEST_SECRET
from tests.harness import TOKEN, plain
from tests.test_privacy import raw_database_dump

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def served() -> AsyncIterator[tuple[BotApiStandin, str]]:
    standin = BotApiStandin(token=TOKEN)
    server = await serve_standin(standin)
    yield standin, server.url
    await server.stop()
    assert standin.violations == [], f"Bot API calls that break the spec: {standin.violations}"


def bot_env(api_url: str, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FELLOWSHIP_", "DATABASE_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api_url,
        DATABASE_URL=database_url,
        FELLOWSHIP_SECRET_KEY=TEST_SECRET,
        LOG_LEVEL="INFO",
        **extra,
    )
    return env


async def wait_for(condition, within: float = 20.0, what: str = "") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def start_bot(env: dict[str, str], tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    log_path = tmp_path / "bot.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    return process, log_path


async def stop_bot(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    for _ in range(200):
        if process.poll() is not None:
            return process.returncode
        await asyncio.sleep(0.05)
    process.kill()
    raise AssertionError("the bot did not stop within 10 s of SIGTERM")


async def test_the_running_bot_onboards_two_people_and_stops_cleanly_on_sigterm(
    served: tuple[BotApiStandin, str], database_url: str, db, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    standin, url = served
    process, log_path = start_bot(bot_env(url, database_url), tmp_path)
    try:
        await wait_for(lambda: standin.calls_to("setMyCommands"), what="the command menu")
        commands = [c["command"] for c in standin.calls_to("setMyCommands")[-1].params["commands"]]
        assert {"start", "help", "settings", "privacy", "mydata", "forget"} <= set(commands)

        async def say(user_id: int, text: str, expect: str) -> None:
            standin.send_text(user_id, text)
            await wait_for(lambda: any(expect in plain(t) for t in standin.texts(user_id)), what=expect)

        for name, pseudonym in (("Samantha", "Moon"), ("Joseph", "Rook")):
            user = standin.add_user(name, username=f"{name.lower()}_tg")
            await say(user.id, "/start", "Nothing is saved until you press")
            welcome = standin.last_message(user.id)
            assert welcome is not None
            standin.press_button(user.id, welcome.message_id, welcome.buttons[0]["callback_data"])
            await wait_for(lambda uid=user.id: "What should we call you?" in plain(standin.texts(uid)[-1]), what="name question")
            await say(user.id, pseudonym, "What brings you here?")
        log_text = log_path.read_text()
        assert "Moon" not in log_text and "Samantha" not in log_text and "samantha_tg" not in log_text
    finally:
        code = await stop_bot(process)
    assert code == 0, log_path.read_text()[-2000:]
    # What the real process stored holds no Telegram ids, first names or usernames.
    identities = {str(u.id) for u in standin.users} | {u.first_name for u in standin.users}
    identities |= {u.username for u in standin.users if u.username}
    stored = await raw_database_dump(db)
    assert "Moon" in stored and "Rook" in stored
    assert sorted(i for i in identities if i in stored) == []


def test_run_refuses_to_start_without_a_token_and_says_how_to_get_one(tmp_path: Path, database_url: str) -> None:
    env = bot_env("http://127.0.0.1:9", database_url)
    env.pop("TELEGRAM_BOT_TOKEN")
    result = subprocess.run([sys.executable, "-m", "bot", "run"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2
    assert "BotFather" in result.stderr


def test_check_reports_settings_and_database(tmp_path: Path) -> None:
    env = bot_env("http://127.0.0.1:9", f"sqlite:///{tmp_path}/fresh.sqlite3")
    before = subprocess.run([sys.executable, "-m", "bot", "check"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert before.returncode == 1 and "run: fellowship migrate" in before.stdout
    migrated = subprocess.run([sys.executable, "-m", "bot", "migrate"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert migrated.returncode == 0 and "migrations none ->" in migrated.stdout
    after = subprocess.run([sys.executable, "-m", "bot", "check"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert after.returncode == 0, after.stderr
    assert "schema up to date" in after.stdout and "People: 0" in after.stdout and "All good." in after.stdout
    weak = dict(env, FELLOWSHIP_SECRET_KEY="changeme")
    refused = subprocess.run([sys.executable, "-m", "bot", "check"], env=weak, cwd=tmp_path, capture_output=True, text=True)
    assert refused.returncode == 2 and "too weak" in refused.stderr


def test_the_default_database_is_an_sqlite_file_under_data(tmp_path: Path) -> None:
    env = bot_env("http://127.0.0.1:9", "")
    env.pop("DATABASE_URL")
    result = subprocess.run([sys.executable, "-m", "bot", "migrate"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "fellowship.sqlite3").exists()


def test_fellowship_without_arguments_prints_how_to_make_a_secret_key() -> None:
    result = subprocess.run([sys.executable, "-m", "bot"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "FELLOWSHIP_SECRET_KEY" in result.stdout and "token_urlsafe" in result.stdout
