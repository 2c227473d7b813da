"""Webhook workers (issue 15): Telegram posts updates, a worker stores them before it answers,
and any worker handles each stored update once, a person's updates in order.

`WebhookRig` sends a person's updates the way Telegram's webhook would (HTTP POST to the
worker's ASGI app) instead of handing them to the application directly, and plays the
handling loop of one or more workers by hand, so each step can be checked."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, text

from bot import inbox, metrics, web
from bot.__main__ import _check_no_webhook
from bot.config import SettingsError
from bot.db import Database, create_engine
from bot.models import Inbox, Person
from bot.standin import serve_standin
from bot.webhook import MAX_BODY_BYTES, SECRET_HEADER, InboxWorker, handle_one, set_webhook, webhook_route
from tests.conftest import TEST_SECRET
from tests.harness import TOKEN, Harness
from tests.test_onboarding import onboard, people_count

ROOT = Path(__file__).resolve().parent.parent
SECRET = "webhook-test-secret-0123456789abcdef"
PATH = "/telegram/webhook"
LEASE = timedelta(seconds=30)


class WebhookRig:
    """One worker's web face over ASGI, and its handling loop run step by step."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.rt = h.runtime
        self.stored = 0
        route = webhook_route(self.rt, PATH, SECRET, self._on_stored)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web.create_web_app(self.rt, [route])), base_url="http://worker"
        )

    def _on_stored(self) -> None:
        self.stored += 1

    async def post(self, update: Any, *, secret: str | None = SECRET, raw: bytes | None = None) -> int:
        headers = {"content-type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        body = raw if raw is not None else json.dumps(update).encode()
        response = await self.client.post(PATH, content=body, headers=headers)
        return response.status_code

    async def claim(self, limit: int = 16) -> list[inbox.Claimed]:
        return await inbox.claim(self.rt.db, self.rt.vault, now=self.h.clock.now(), lease=LEASE, limit=limit)

    async def drain(self) -> None:
        """Handle everything stored, as the workers' loops would."""
        for _ in range(100):
            claimed = await self.claim()
            if not claimed:
                return
            await asyncio.gather(*(handle_one(self.h.app, c) for c in claimed))  # type: ignore[arg-type]

    async def feed(self, update: dict[str, Any]) -> None:
        """In place of `Harness.feed`: through the webhook and the inbox."""
        self.h.standin.take_updates(offset=update["update_id"] + 1)
        assert await self.post(update) == 200
        await self.drain()


@pytest.fixture
async def rig(h: Harness) -> Any:
    rig = WebhookRig(h)
    h.feed = rig.feed  # type: ignore[method-assign]
    yield rig
    await rig.client.aclose()


async def inbox_rows(db: Database) -> list[Inbox]:
    async with db.session() as session:
        return list((await session.execute(select(Inbox).order_by(Inbox.update_id))).scalars())  # type: ignore[arg-type]


async def test_a_newcomer_set_up_through_the_webhook_sees_every_step_once(h: Harness, rig: WebhookRig) -> None:
    sam = await onboard(h, "Sam")
    assert "You're all set, Sam" in sam.find("You're all set").text
    assert await people_count(h) == 1
    assert sum("What should we call you?" in t for t in sam.texts()) == 1
    rows = await inbox_rows(h.db)
    assert rows and all(r.status == "done" and r.payload == "" and r.chat_key == "" for r in rows)


async def test_an_update_telegram_posts_twice_is_acknowledged_and_handled_once(h: Harness, rig: WebhookRig) -> None:
    sam = h.user("Sam")
    update = h.standin.send_text(sam.id, "/start")
    assert await rig.post(update) == 200
    assert await rig.post(update) == 200  # Telegram didn't see our 200 and tries again
    await rig.drain()
    assert await rig.post(update) == 200  # even after it was handled
    await rig.drain()
    assert sum("never keep your phone number" in t for t in sam.texts()) == 1
    assert len(await inbox_rows(h.db)) == 1


async def test_a_request_without_the_right_secret_is_refused_and_nothing_is_stored(h: Harness, rig: WebhookRig) -> None:
    update = h.standin.send_text(h.user("Sam").id, "/start")
    assert await rig.post(update, secret=None) == 403
    assert await rig.post(update, secret="not-the-secret-at-all-0000000000") == 403
    assert await rig.post(update, secret=SECRET[:-1]) == 403
    assert await inbox_rows(h.db) == []


async def test_broken_oversized_and_unknown_updates_get_clear_answers_and_store_nothing(h: Harness, rig: WebhookRig) -> None:
    assert await rig.post(None, raw=b"{not json") == 400
    assert await rig.post(None, raw=b"[1, 2]") == 400
    assert await rig.post({"update_id": "7", "message": {}}) == 400
    assert await rig.post({"update_id": True, "message": {}}) == 400
    assert await rig.post({"message": {}}) == 400
    big = {"update_id": 9, "message": {"text": "x" * (MAX_BODY_BYTES + 10)}}
    assert await rig.post(big) == 413
    # A kind of update the bot doesn't handle: acknowledged, so Telegram stops re-posting it.
    assert await rig.post({"update_id": 10, "poll": {"id": "1"}}) == 200
    assert await inbox_rows(h.db) == []


async def test_what_a_person_wrote_is_stored_encrypted_and_cleared_once_handled(h: Harness, rig: WebhookRig) -> None:
    sam = h.user("Sam")
    update = h.standin.send_text(sam.id, "my secret words tonight")
    assert await rig.post(update) == 200
    (row,) = await inbox_rows(h.db)
    assert "secret words" not in row.payload and str(sam.id) not in row.payload
    assert row.chat_key == h.runtime.vault.hash_telegram_id(sam.id) and str(sam.id) not in row.chat_key
    await rig.drain()
    (row,) = await inbox_rows(h.db)
    assert (row.status, row.payload, row.chat_key) == ("done", "", "")


async def test_a_persons_updates_are_taken_one_at_a_time_in_order_and_others_go_alongside(h: Harness, rig: WebhookRig) -> None:
    sam, ann = h.user("Sam"), h.user("Ann")
    first = h.standin.send_text(sam.id, "/start")
    second = h.standin.send_text(sam.id, "/help")
    other = h.standin.send_text(ann.id, "/start")
    for update in (first, second, other):
        assert await rig.post(update) == 200
    taken = await rig.claim()
    assert [c.update_id for c in taken] == [first["update_id"], other["update_id"]]
    assert await rig.claim() == []  # a second worker: Sam's next waits for his first
    await handle_one(h.app, taken[0])  # type: ignore[arg-type]
    assert [c.update_id for c in await rig.claim()] == [second["update_id"]]


async def test_an_update_held_by_a_worker_that_died_is_handled_by_another_after_its_lease(h: Harness, rig: WebhookRig) -> None:
    sam = h.user("Sam")
    assert await rig.post(h.standin.send_text(sam.id, "/start")) == 200
    assert len(await rig.claim()) == 1  # this worker is killed now
    assert await rig.claim() == []
    h.clock.advance(LEASE + timedelta(seconds=1))
    (again,) = await rig.claim()
    await handle_one(h.app, again)  # type: ignore[arg-type]
    assert sum("never keep your phone number" in t for t in sam.texts()) == 1
    assert (await inbox_rows(h.db))[0].attempts == 2


async def test_a_worker_that_lost_its_lease_keeps_none_of_its_changes(h: Harness, rig: WebhookRig) -> None:
    sam = h.user("Sam")
    await sam.send("/start")
    h.feed = rig.post  # type: ignore[assignment]  # store only: two workers handle it below
    await sam.press("✅ I agree")  # creates Sam: a write
    (slow,) = await rig.claim()
    h.clock.advance(LEASE + timedelta(seconds=1))  # the slow worker's lease runs out...
    (fresh,) = await rig.claim()  # ...and another worker takes the update over
    await handle_one(h.app, slow)  # type: ignore[arg-type]
    assert await people_count(h) == 0  # its commit was refused and rolled back
    await handle_one(h.app, fresh)  # type: ignore[arg-type]
    assert await people_count(h) == 1
    assert sum("What should we call you?" in t for t in sam.texts()) == 1
    assert not any("went wrong" in t.lower() for t in sam.texts())


async def test_a_worker_killed_after_its_handler_committed_leaves_nothing_to_do_again(h: Harness, rig: WebhookRig) -> None:
    sam = h.user("Sam")
    await sam.send("/start")
    h.feed = rig.post  # type: ignore[assignment]
    await sam.press("✅ I agree")
    (claimed,) = await rig.claim()
    update = claimed.payload
    from telegram import Update

    parsed = Update.de_json(update, h.app.bot)  # type: ignore[union-attr]
    with inbox.handling(claimed, now=h.clock.now()):  # the handler runs and commits...
        await h.app.process_update(parsed)  # type: ignore[union-attr]
    # ...and the worker is killed before its own "done": the row was marked with the write.
    h.clock.advance(LEASE + timedelta(seconds=1))
    assert await rig.claim() == []
    assert await people_count(h) == 1


async def test_a_worker_that_cannot_reach_its_database_answers_503_then_recovers(h: Harness, rig: WebhookRig) -> None:
    sam = h.user("Sam")
    update = h.standin.send_text(sam.id, "/start")
    real = h.runtime.db
    h.runtime.db = Database("postgresql+asyncpg://nobody:nothing@127.0.0.1:9/none")
    try:
        assert await rig.post(update) == 503  # Telegram will post it again
        health = await rig.client.get("/healthz")
        assert health.status_code == 503
    finally:
        await h.runtime.db.dispose()
        h.runtime.db = real
    assert await rig.post(update) == 200
    await rig.drain()
    assert "never keep your phone number" in sam.last().text


async def test_a_flood_of_requests_is_answered_and_the_worker_carries_on(h: Harness, rig: WebhookRig) -> None:
    sam = h.user("Sam")
    junk = [rig.post({"update_id": 1}, secret="wrong-secret-wrong-secret-000") for _ in range(200)]
    junk += [rig.post(None, raw=b"\x00" * 64) for _ in range(100)]
    statuses = await asyncio.gather(*junk)
    assert set(statuses) == {400, 403}
    await sam.send("/start")
    assert "never keep your phone number" in sam.last().text


async def test_health_and_metrics_show_the_backlog_and_no_personal_data(h: Harness, rig: WebhookRig) -> None:
    sam = h.user("Sam")
    assert await rig.post(h.standin.send_text(sam.id, "/start")) == 200
    h.clock.advance(timedelta(seconds=42))
    health = (await rig.client.get("/healthz")).json()
    assert health["status"] == "ok" and health["database"] == "reachable"
    assert health["inbox_backlog"] == 1 and health["inbox_oldest_age_seconds"] == pytest.approx(42, abs=1)
    assert {"tick_lag_seconds", "outbox_pending", "outbox_oldest_age_seconds"} <= health.keys()
    await rig.drain()
    page = (await rig.client.get("/metrics")).text
    for name in (
        "fellowship_updates_received_total", "fellowship_updates_handled_total", "fellowship_handler_errors_total",
        "fellowship_outbox_depth", "fellowship_outbox_oldest_age_seconds", "fellowship_telegram_429_total",
        "fellowship_telegram_sends_per_second", "fellowship_tick_lag_seconds", "fellowship_inbox_backlog 0.0",
    ):
        assert name in page
    assert str(sam.id) not in page and "Sam" not in page


async def test_a_429_from_telegram_is_counted(h: Harness) -> None:
    before = metrics.RATE_LIMITED._value.get()
    h.standin.fail_next("sendMessage", status=429, retry_after=1)
    sam = h.user("Sam")
    await sam.send("/start")
    assert metrics.RATE_LIMITED._value.get() == before + 1


async def test_a_worker_asks_telegram_only_for_the_updates_the_bot_handles(h: Harness) -> None:
    h.runtime.settings = h.settings.model_copy(
        update={"webhook_url": "https://bot.example.org/telegram/webhook", "webhook_secret": SecretStr(SECRET), "web_port": 8081}
    )
    assert h.runtime.settings.webhook()[1] == PATH
    await set_webhook(h.app)  # type: ignore[arg-type]
    (call,) = h.standin.calls_to("setWebhook")
    assert call.params["url"] == "https://bot.example.org/telegram/webhook"
    assert call.params["secret_token"] == SECRET
    assert sorted(call.params["allowed_updates"]) == sorted(inbox.ALLOWED_UPDATES)
    assert call.params["max_connections"] == 40


async def test_long_polling_refuses_to_start_while_workers_have_a_webhook(h: Harness) -> None:
    async with await serve_standin(h.standin) as server:
        settings = h.settings.model_copy(update={"telegram_api_url": server.url})
        await _check_no_webhook(settings, TOKEN, drop=False)  # none set: fine
        h.standin.webhook_url = "https://bot.example.org/telegram/webhook"
        with pytest.raises(SettingsError, match="--drop-webhook"):
            await _check_no_webhook(settings, TOKEN, drop=False)
        await _check_no_webhook(settings, TOKEN, drop=True)
        assert h.standin.webhook_url == ""


async def test_the_worker_loop_handles_what_is_stored_as_soon_as_it_arrives(h: Harness, rig: WebhookRig) -> None:
    worker = InboxWorker(h.app)  # type: ignore[arg-type]
    worker.start()
    try:
        sam = h.user("Sam")
        assert await rig.post(h.standin.send_text(sam.id, "/start")) == 200
        worker.wake.set()
        for _ in range(200):
            if sam.texts():
                break
            await asyncio.sleep(0.01)
        assert "never keep your phone number" in sam.last().text
    finally:
        await worker.stop()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
async def test_several_workers_starting_together_on_a_new_database_migrate_once(database_url: str) -> None:
    """Starts from an empty schema (the suite's own database: it ends migrated, as it began)."""
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        await conn.exec_driver_sql("CREATE SCHEMA public")
    await engine.dispose()
    env = {**os.environ, "DATABASE_URL": database_url, "FELLOWSHIP_SECRET_KEY": TEST_SECRET, "PYTHONPATH": str(ROOT)}
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "migrate", env=env, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outputs = [await p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err.decode()[-500:] for _, err in outputs]
    assert sum(b"none ->" in out for out, _ in outputs) == 1  # one migrated; the others found it done
    db = Database(database_url)
    current, head = await db.schema_status()
    await db.dispose()
    assert current == head


async def test_old_handled_updates_are_purged_after_a_day(h: Harness, rig: WebhookRig) -> None:
    await h.user("Sam").send("/start")
    assert await inbox.purge(h.db, now=h.clock.now()) == 0
    assert await inbox.purge(h.db, now=h.clock.now() + timedelta(days=1, seconds=1)) == 1
    async with h.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Inbox))).scalar_one() == 0
    assert Person  # the model module is loaded with the inbox table


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
async def test_a_pooled_connection_the_server_dropped_while_it_sat_idle_is_replaced_before_use(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Connections are checked only after sitting idle (bot.db.IDLE_PING_SECONDS), not at every
    use: a server restart or an idle timeout that dropped one costs nobody an error."""
    from bot import db as db_module

    db = Database(database_url)
    try:
        async with db.autocommit() as conn:
            pid = (await conn.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one()
        other = Database(database_url)
        async with other.autocommit() as conn:
            await conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        await other.dispose()
        monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.0)  # it has sat idle long enough
        async with db.session() as session:
            assert await people_count_in(session) >= 0
        async with db.autocommit() as conn:
            assert (await conn.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        await db.dispose()


async def people_count_in(session: Any) -> int:
    return int((await session.execute(select(func.count()).select_from(Person))).scalar_one())


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
async def test_one_worker_at_a_time_sends_the_outbox_and_another_takes_over_when_it_dies(database_url: str) -> None:
    from schedules.outbox_sender import SENDER_LOCK

    workers = [Database(database_url) for _ in range(3)]
    try:
        async with workers[0].elected(SENDER_LOCK) as first:
            async with workers[1].elected(SENDER_LOCK) as second:
                assert (first, second) == (True, False)
        async with workers[1].elected(SENDER_LOCK) as second:  # the first's run ended
            assert second
            async with workers[1].autocommit() as conn:
                pid = (await conn.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one()
            async with workers[2].autocommit() as conn:  # the holder's session dies (a SIGKILLed worker)
                holders = (await conn.execute(
                    text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = :key"), {"key": SENDER_LOCK}
                )).scalars().all()
                assert holders and pid not in holders  # the lock is held on a connection of its own
                await conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(holders[0])})")
            for _ in range(50):
                async with workers[2].elected(SENDER_LOCK) as third:
                    if third:
                        break
                await asyncio.sleep(0.05)
            assert third
    finally:
        for db in workers:
            await db.dispose()
