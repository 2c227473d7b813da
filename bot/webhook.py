"""Webhook workers (`fellowship serve`): Telegram posts updates, the worker stores them in the
inbox and answers 200, and a loop in every worker handles what is stored (bot/inbox.py).

The endpoint is the only door from the internet, so it is strict and cheap: the secret first
(403, nothing read or stored), then a capped body (413), then JSON (400); an update type the
bot doesn't handle is acknowledged and dropped; a database that can't be reached answers
503, which Telegram retries, and the next request tries again (the pool reconnects). Nothing
is logged but counts.

The handling loop claims a few updates at a time (one per chat, see `inbox.claim`), runs each
through the application's own update processor and handlers (as polling would), and wakes
as soon as an update is stored or one is finished (a chat's next update may now be due).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot import inbox, metrics
from bot.runtime import Runtime
from bot.services.validation import is_digits

log = logging.getLogger("fellowship.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 256 * 1024  # a message is at most 4096 characters; updates are far below this
# Updates one worker handles at once: as many as it has connections to the Bot API
# (bot.app.HTTP_CONNECTIONS), so replies don't queue for a connection and time out.
CLAIM_BATCH = 8
IDLE_POLL_SECONDS = 0.5  # how often an idle worker looks for updates other workers stored
SLOW_SECONDS = 2.0  # a handler slower than this is logged (its duration only)
_DATABASE_ERRORS = (SQLAlchemyError, OSError, ConnectionError, TimeoutError)


class _TooLarge(Exception):
    pass


async def _read_capped(request: Request) -> bytes:
    """The body, refused once it passes MAX_BODY_BYTES (declared or actually sent)."""
    declared = request.headers.get("content-length", "")
    if is_digits(declared) and int(declared) > MAX_BODY_BYTES:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise _TooLarge
    return bytes(body)


def _parse(body: bytes) -> dict[str, Any] | None:
    """A Telegram update: a JSON object with a non-negative integer update_id, or None."""
    try:
        update = json.loads(body)
    except ValueError:
        return None
    if not isinstance(update, dict):
        return None
    update_id = update.get("update_id")
    if isinstance(update_id, bool) or not isinstance(update_id, int) or not 0 <= update_id < 1 << 62:
        return None
    return update


def webhook_route(rt: Runtime, path: str, secret: str, on_stored: Callable[[], None]) -> Route:
    """POST `path`: check, store, acknowledge."""
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), expected):
            metrics.WEBHOOK_REJECTED.labels("secret").inc()
            return Response(status_code=403)
        try:
            body = await _read_capped(request)
        except _TooLarge:
            metrics.WEBHOOK_REJECTED.labels("size").inc()
            return Response(status_code=413)
        except ClientDisconnect:
            return Response(status_code=400)
        update = _parse(body)
        if update is None:
            metrics.WEBHOOK_REJECTED.labels("json").inc()
            return Response(status_code=400)
        kind = inbox.update_kind(update)
        if kind not in inbox.ALLOWED_UPDATES:  # acknowledged, so Telegram doesn't re-post it
            metrics.UPDATES_RECEIVED.labels("ignored").inc()
            return Response(status_code=200)
        try:
            new = await inbox.record(rt.db, rt.vault, update, now=rt.clock.now())
        except _DATABASE_ERRORS as exc:
            metrics.WEBHOOK_REJECTED.labels("database").inc()
            log.warning("could not store an update: %s", type(exc).__name__)
            return Response(status_code=503, headers={"Retry-After": "1"})
        if new:
            metrics.UPDATES_RECEIVED.labels(kind).inc()
            on_stored()
        else:
            metrics.UPDATES_DUPLICATE.inc()
        return Response(status_code=200)

    return Route(path, receive, methods=["POST"])


class InboxWorker:
    """Handles stored updates: claims, runs handlers, marks done; until `stop()`."""

    def __init__(self, app: Application, *, slots: int = CLAIM_BATCH) -> None:
        self.app = app
        self.rt: Runtime = app.bot_data["runtime"]
        self.slots = slots
        self.wake = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()
        self._held: dict[int, str] = {}  # update_id -> lease token, while being handled
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.worker_id = secrets.token_hex(4)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="inbox-worker")
        self._renewer = asyncio.create_task(self._renew(), name="inbox-lease-renewal")

    async def _renew(self) -> None:
        """Every third of a lease, extend the leases of updates still being handled."""
        lease = self.rt.settings.inbox_lease_seconds
        while not self._stopping:
            await asyncio.sleep(lease / 3)
            try:
                until = self.rt.clock.now() + timedelta(seconds=lease)
                await inbox.renew(self.rt.db, list(self._held.values()), until=until)
            except _DATABASE_ERRORS as exc:
                log.warning("could not renew leases: %s", type(exc).__name__)

    async def stop(self) -> None:
        """Stop claiming, let updates being handled finish (their leases would expire anyway)."""
        self._stopping = True
        self.wake.set()
        if self._task is not None:
            await self._task
        if self._inflight:
            await asyncio.wait(self._inflight, timeout=10)
        self._renewer.cancel()

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            self.wake.clear()
            free = self.slots - len(self._inflight)
            claimed: list[inbox.Claimed] = []
            if free > 0:
                try:
                    claimed = await self.claim(free)
                    failures = 0
                except _DATABASE_ERRORS as exc:
                    failures += 1
                    log.warning("could not claim updates: %s", type(exc).__name__)
                    await asyncio.sleep(min(5.0, 0.2 * 2**failures))
                    continue
            for item in claimed:
                task = asyncio.create_task(self._handle(item))
                self._inflight.add(task)
                task.add_done_callback(self._inflight.discard)
            if not claimed or free <= len(claimed):
                await self._idle()

    async def _idle(self) -> None:
        try:
            await asyncio.wait_for(self.wake.wait(), IDLE_POLL_SECONDS)
        except TimeoutError:
            pass

    async def claim(self, limit: int) -> list[inbox.Claimed]:
        lease = timedelta(seconds=self.rt.settings.inbox_lease_seconds)
        return await inbox.claim(self.rt.db, self.rt.vault, now=self.rt.clock.now(), lease=lease, limit=limit)

    async def _handle(self, claimed: inbox.Claimed) -> None:
        self._held[claimed.update_id] = claimed.token
        started = time.monotonic()
        try:
            await handle_one(self.app, claimed)
            if time.monotonic() - started > SLOW_SECONDS:
                log.warning("an update took %.1f s to handle", time.monotonic() - started)
        except Exception as exc:  # never let one update stop the worker; its lease will expire
            log.warning("update not finished: %s", type(exc).__name__)
        finally:
            self._held.pop(claimed.update_id, None)
            self.wake.set()  # this chat's next update may be claimable now


async def handle_one(app: Application, claimed: inbox.Claimed) -> None:
    """Run one stored update through the application, as polling would, then make sure it
    is marked done (if its handler wrote nothing, or failed)."""
    rt: Runtime = app.bot_data["runtime"]
    if claimed.payload:
        update = Update.de_json(claimed.payload, app.bot)
        with inbox.handling(claimed, now=rt.clock.now()):
            await app.update_processor.process_update(update, app.process_update(update))
    await inbox.finish(rt.db, claimed, now=rt.clock.now())
    metrics.UPDATES_HANDLED.inc()


async def set_webhook(app: Application) -> None:
    """Point Telegram at WEBHOOK_URL. Idempotent: every worker calls it at start with the
    same address, secret, update types and connection count, which changes nothing twice."""
    settings = app.bot_data["runtime"].settings
    url, _path, secret = settings.webhook()
    await app.bot.set_webhook(
        url=url,
        secret_token=secret,
        allowed_updates=list(inbox.ALLOWED_UPDATES),
        max_connections=settings.webhook_max_connections,
        drop_pending_updates=False,
    )


async def webhook_in_use(app: Application) -> str:
    """The webhook address Telegram has (empty: none), for `fellowship run` to refuse."""
    info = await app.bot.get_webhook_info()
    return info.url or ""


async def serve_forever(app: Application, stop: asyncio.Event, *, ready: Callable[[], Awaitable[None]] | None = None) -> None:
    """The worker's whole life: start the application (schedules, web, webhook), handle
    updates until `stop` is set, then shut down in order."""
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)  # schema check, command menu, web server with the webhook route
    await set_webhook(app)
    worker: InboxWorker = app.bot_data["inbox_worker"]
    worker.start()
    await app.start()  # the JobQueue: this worker's local timers that claim due rows
    log.info("webhook worker %s ready", worker.worker_id)
    if ready is not None:
        await ready()
    await stop.wait()
    log.info("webhook worker %s stopping", worker.worker_id)
    await app.stop()
    await worker.stop()
    await app.shutdown()
    assert app.post_shutdown is not None
    await app.post_shutdown(app)  # stops the web server, closes the database
