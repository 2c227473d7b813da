"""Operations: what `/healthz` and `/metrics` (Prometheus text format) report.

Counters live in this process (Prometheus sums them over workers); the gauges are read from
the database at each scrape, so every worker reports the same shared state. No label ever
holds personal data: labels are fixed words (update kinds, outcomes), never ids or text.
"""

from __future__ import annotations

import time
from collections import deque
from datetime import datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest
from sqlalchemy import func, select
from sqlmodel import col
from telegram.request import BaseRequest, RequestData

from bot import inbox
from bot.db import Database
from bot.models import CheckinPlan, Outbox

REGISTRY = CollectorRegistry()
UPDATES_RECEIVED = Counter(
    "fellowship_updates_received", "Updates stored by the webhook (kind: the update type)", ["kind"], registry=REGISTRY
)
UPDATES_DUPLICATE = Counter("fellowship_updates_duplicate", "Deliveries of an update already stored", registry=REGISTRY)
WEBHOOK_REJECTED = Counter(
    "fellowship_webhook_rejected", "Webhook requests refused (reason: secret, json, size, database)", ["reason"], registry=REGISTRY
)
UPDATES_HANDLED = Counter("fellowship_updates_handled", "Stored updates handled by this worker", registry=REGISTRY)
HANDLER_ERRORS = Counter("fellowship_handler_errors", "Updates whose handler raised", registry=REGISTRY)
SENDS = Counter("fellowship_telegram_sends", "Messages sent or edited through the Bot API", registry=REGISTRY)
RATE_LIMITED = Counter("fellowship_telegram_429", "Bot API calls answered 429 Too Many Requests", registry=REGISTRY)
LATE_TURNS = Counter(
    "fellowship_send_turns_late",
    "Sends whose budget turn went by before they held a connection, so they asked again (kind: reply, bulk)",
    ["kind"], registry=REGISTRY,
)
SENDS_PER_SECOND = Gauge("fellowship_telegram_sends_per_second", "Sends by this process over the last 10 s", registry=REGISTRY)
OUTBOX_DEPTH = Gauge("fellowship_outbox_depth", "Outbox messages waiting to be sent", registry=REGISTRY)
OUTBOX_OLDEST = Gauge("fellowship_outbox_oldest_age_seconds", "Age of the oldest waiting outbox message", registry=REGISTRY)
INBOX_BACKLOG = Gauge("fellowship_inbox_backlog", "Stored updates not yet handled", registry=REGISTRY)
INBOX_OLDEST = Gauge("fellowship_inbox_oldest_age_seconds", "Age of the oldest unhandled update", registry=REGISTRY)
TICK_LAG = Gauge("fellowship_tick_lag_seconds", "How late the oldest due check-in prompt is", registry=REGISTRY)
DATABASE_UP = Gauge("fellowship_database_up", "1 when the database answered the last scrape", registry=REGISTRY)

_SENDING = ("send", "edit", "copy", "forward")  # Bot API methods that put a message in front of someone
_WINDOW = 10.0
_recent_sends: deque[float] = deque()


def count_send(method: str, status: int) -> None:
    """Count one Bot API answer: a 429, or a message sent."""
    if status == 429:
        RATE_LIMITED.inc()
        return
    if status == 200 and method.lower().startswith(_SENDING) and method != "sendChatAction":
        SENDS.inc()
        _recent_sends.append(time.monotonic())


def sends_per_second() -> float:
    cutoff = time.monotonic() - _WINDOW
    while _recent_sends and _recent_sends[0] < cutoff:
        _recent_sends.popleft()
    return len(_recent_sends) / _WINDOW


class CountingRequest(BaseRequest):
    """The bot's request object, counting sends and 429s on the way (any inner request:
    HTTP connections in production, the stand-in in tests)."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, body = await self.inner.do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        count_send(url.rsplit("/", 1)[-1], status)
        return status, body


async def health(db: Database, *, now: datetime) -> dict[str, Any]:
    """The shared state, read from the database (raises if it can't be reached)."""
    async with db.session() as session:
        depth, oldest = (await session.execute(
            select(func.count(), func.min(col(Outbox.created_at))).where(col(Outbox.status) == "pending")
        )).one()
        due = (await session.execute(
            select(func.min(col(CheckinPlan.next_prompt_at))).where(col(CheckinPlan.next_prompt_at) <= now)
        )).scalar_one()
    backlog, backlog_age = await inbox.backlog(db, now=now)
    return {
        "database": "reachable",
        "tick_lag_seconds": round(_age(due, now), 1),
        "outbox_pending": int(depth),
        "outbox_oldest_age_seconds": round(_age(oldest, now), 1),
        "inbox_backlog": backlog,
        "inbox_oldest_age_seconds": round(backlog_age, 1),
    }


def _age(value: Any, now: datetime) -> float:
    """Seconds since a timestamp from an aggregate (SQLite returns it as text, naive UTC)."""
    if not value:
        return 0.0
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - moment).total_seconds())


async def exposition(db: Database, *, now: datetime) -> tuple[bytes, str]:
    """The Prometheus text page: counters of this process, gauges of the shared state."""
    try:
        state = await health(db, now=now)
    except Exception:  # the database is down: say so, and still report the counters
        DATABASE_UP.set(0)
    else:
        DATABASE_UP.set(1)
        OUTBOX_DEPTH.set(state["outbox_pending"])
        OUTBOX_OLDEST.set(state["outbox_oldest_age_seconds"])
        INBOX_BACKLOG.set(state["inbox_backlog"])
        INBOX_OLDEST.set(state["inbox_oldest_age_seconds"])
        TICK_LAG.set(state["tick_lag_seconds"])
    SENDS_PER_SECOND.set(sends_per_second())
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
