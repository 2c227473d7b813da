"""The sender tick: claims due outbox rows and delivers them through the Bot API.

Marked sent only after Telegram answers ok (at-least-once). 429 waits `retry_after`;
5xx, timeouts and network errors back off; a blocked bot or a vanished chat marks the
person unreachable and hands the message to the feature's re-router instead of dropping it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from enum import StrEnum
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ContextTypes, ExtBot
from telegram.warnings import PTBUserWarning

from bot.models import Outbox
from bot.rate_limit import NO_RETRY
from bot.runtime import Runtime
from bot.services import outbox
from bot.services.people import people

log = logging.getLogger("fellowship.outbox")
TICK_SECONDS = 1.0
DRAIN_SECONDS = 30.0  # the longest one run keeps sending full batches
_GONE = ("chat not found", "user is deactivated", "bot was blocked", "bot can't initiate", "peer_id_invalid")


class Delivery(StrEnum):
    """How one attempt to deliver a row ended."""

    SENT = "sent"
    RETRY = "retry"  # later, with backoff
    THROTTLED = "throttled"  # 429: later, and the rest of the batch too
    GONE = "gone"  # blocked bot or vanished chat: the feature hands the message on
    FAILED = "failed"  # Telegram refused the request itself


class Pacer:
    """Keeps bulk sends under Telegram's limits: an overall rate and 1 message/s per chat."""

    def __init__(self, rate_per_second: float, per_chat_interval: float = 1.0) -> None:
        self.interval = 1.0 / rate_per_second
        self.per_chat_interval = per_chat_interval
        self._next_slot = 0.0
        self._last_by_chat: dict[int, float] = {}

    def chat_ready(self, chat_id: int) -> bool:
        return time.monotonic() >= self._last_by_chat.get(chat_id, -1e9) + self.per_chat_interval

    def pause(self, seconds: float) -> None:
        """Telegram said 429: send nothing more until `retry_after` has passed."""
        self._next_slot = max(self._next_slot, time.monotonic() + seconds)

    async def wait_turn(self, chat_id: int) -> None:
        now = time.monotonic()
        start = max(now, self._next_slot, self._last_by_chat.get(chat_id, -1e9) + self.per_chat_interval)
        if start > now:
            await asyncio.sleep(start - now)
        self._next_slot = max(start, self._next_slot) + self.interval
        self._last_by_chat[chat_id] = start
        if len(self._last_by_chat) > 10_000:  # forget chats idle for a while
            cutoff = time.monotonic() - 5 * self.per_chat_interval
            self._last_by_chat = {c: t for c, t in self._last_by_chat.items() if t > cutoff}


async def send_due(bot: ExtBot[Any], rt: Runtime, pacer: Pacer, *, limit: int) -> int:
    """Deliver up to `limit` due rows; returns how many were delivered."""
    async with rt.db.session() as session:
        rows = await outbox.claim_due(session, rt.clock.now(), limit)
        chats = await people.chat_ids(session, rt.vault, {r.person_id for r in rows})
    delivered = 0
    ordered = _spread_chats(rows, chats, pacer)
    for index, row in enumerate(ordered):
        chat_id = chats.get(row.person_id)
        if chat_id is None:  # erased after the claim, or their stored chat id doesn't decrypt:
            await _mark(rt, row, Delivery.GONE, "chat id unreadable")  # unreachable, handed on
            continue
        await pacer.wait_turn(chat_id)
        outcome = await _deliver(bot, rt, pacer, row, chat_id)
        delivered += outcome == Delivery.SENT
        if outcome == Delivery.THROTTLED:  # Telegram asked us to slow down: release the rest
            await _release(rt, ordered[index + 1 :])
            break
    return delivered


def _spread_chats(rows: list[Outbox], chats: dict[int, int], pacer: Pacer) -> list[Outbox]:
    """Order a batch so one chat's second message doesn't hold up everyone else's first:
    rows whose chat may receive now come first (in due order), the rest after. Stable, so
    one person's messages keep their order."""
    first_seen: set[int] = set()
    now_ready, later = [], []
    for row in rows:
        chat_id = chats.get(row.person_id)
        if chat_id is not None and chat_id not in first_seen and pacer.chat_ready(chat_id):
            first_seen.add(chat_id)
            now_ready.append(row)
        else:
            if chat_id is not None:
                first_seen.add(chat_id)
            later.append(row)
    return now_ready + later


async def _deliver(bot: ExtBot[Any], rt: Runtime, pacer: Pacer, row: Outbox, chat_id: int) -> Delivery:
    params = outbox.params_of(rt.vault, row)
    if not params:  # its payload doesn't decrypt for this recipient: never sent elsewhere
        await _mark(rt, row, Delivery.FAILED, "payload unreadable")
        return Delivery.FAILED
    params["chat_id"] = chat_id
    assert row.id is not None
    try:
        with warnings.catch_warnings():
            # Rows hold raw Bot API parameters on purpose (any method, stored as JSON), so the
            # generic call is right here; PTB warns only to suggest its typed shortcuts.
            warnings.simplefilter("ignore", PTBUserWarning)
            await bot.do_api_request(row.method, api_kwargs=params, rate_limit_args=NO_RETRY)
    except RetryAfter as exc:
        delay = exc.retry_after.total_seconds() if hasattr(exc.retry_after, "total_seconds") else float(exc.retry_after)
        await _mark(rt, row, Delivery.RETRY, "429 retry after", delay)
        pacer.pause(delay)
        return Delivery.THROTTLED
    except Forbidden as exc:
        await _mark(rt, row, Delivery.GONE, f"403 {_short(exc)}")
        return Delivery.GONE
    except BadRequest as exc:
        if any(marker in str(exc).lower() for marker in _GONE):
            await _mark(rt, row, Delivery.GONE, f"400 {_short(exc)}")
            return Delivery.GONE
        # Our own request was wrong; retrying the same bytes won't help, so keep it for a
        # person to look at (status 'failed') rather than loop forever.
        log.error("outbox row %s rejected: %s", row.id, _short(exc))
        await _mark(rt, row, Delivery.FAILED, f"400 {_short(exc)}")
        return Delivery.FAILED
    except (TimedOut, NetworkError) as exc:  # 5xx arrive as NetworkError in PTB
        await _mark(rt, row, Delivery.RETRY, f"{type(exc).__name__} {_short(exc)}", None)
        return Delivery.RETRY
    await _mark(rt, row, Delivery.SENT, "")
    return Delivery.SENT


def _short(exc: Exception) -> str:
    # Telegram's descriptions name the problem, never the message text.
    return str(exc)[:120]


async def _mark(rt: Runtime, row: Outbox, outcome: Delivery, error: str, delay: float | None = None) -> None:
    now = rt.clock.now()
    assert row.id is not None
    async with rt.db.session() as session:
        if outcome == Delivery.SENT:
            await outbox.mark_sent(session, row.id, now)
        elif outcome == Delivery.RETRY:
            await outbox.mark_retry(session, row, now, error, delay)
        elif outcome == Delivery.GONE:
            log.info("person %s is unreachable; outbox row %s re-routed", row.person_id, row.id)
            await outbox.mark_undeliverable(session, row, now, error)
        else:
            await outbox.mark_failed(session, row, now, error)


async def _release(rt: Runtime, rows: list[Outbox]) -> None:
    async with rt.db.session() as session:
        await outbox.release(session, [r.id for r in rows if r.id is not None])


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback: batches at the configured overall rate, back to back while full
    ones keep coming. (A run still sending makes the scheduler skip the next one, so a
    single batch per run left the sender idle until the next whole interval: about a fifth
    of the time at 25/s.) It stops at the budget, or when the bot is stopping: PTB waits
    for running jobs before it shuts down."""
    rt: Runtime = context.bot_data["runtime"]
    pacer: Pacer = context.bot_data.setdefault("outbox_pacer", Pacer(rt.settings.outbox_rate_per_second))
    limit = max(1, int(rt.settings.outbox_rate_per_second * TICK_SECONDS * 2))
    deadline = time.monotonic() + DRAIN_SECONDS
    while (
        await send_due(context.bot, rt, pacer, limit=limit) == limit
        and time.monotonic() < deadline
        and context.application.running
    ):
        pass
