"""PTB's rate-limiter hook, taking replies' turns from the shared send budget.

Every Bot API call the handlers make (replies to the person acting) passes through here.
A call Telegram counts as a message (`counts_as_message`: send*, copies, forwards) first
waits for its turn in `bot.services.send_budget` (replies come first there, so the wait is
usually nothing), and only then asks for a connection: waiting for the budget never holds
one. A turn missed while waiting for a connection is taken again (`LATE`), so sends reach
Telegram no closer together than their turns. Answering a button press, edits and settings go straight through.

A 429 is recorded in the budget (that chat and every process's bulk sends back off for
`retry_after`) and only that call is tried again after `retry_after`: other replies keep
going (PTB's AIORateLimiter would hold back every call meanwhile).

The outbox asks for no retries (`NO_RETRY`): it has already taken a bulk turn, records a
429 in its row (durably, on the injectable clock) and moves on.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

from bot import metrics
from bot.services.send_budget import SendBudget, counts_as_message

log = logging.getLogger("fellowship.budget")

# A reply this long after its turn is counted again (see `RateLimiter._on_time`): strict, as
# taking a fresh turn costs a reply nothing but a statement, and replies run flat out when
# many people act at once (the chaos test saw 429s with 80 ms).
LATE = 0.05
# A bulk send this long after its turn asks again (the outbox sender's `_on_time`), and loses
# the turn it had: the budget leaves room for sends up to ~80 ms late (send_budget's SPARE).
# On a busy 2-core machine running three workers, a bulk send reached its connection 23 ms
# after its turn at the median, 74 ms at the 99th percentile; at 50 ms, 6-13% of the bulk
# rate was lost.
BULK_LATE = 0.08

# Set while a counted call is under way: what the connection layer awaits, once it holds a
# connection, to be sure the turn is still good (`bot.api_connections`).
LATE_TURN: contextvars.ContextVar[Callable[[], Awaitable[None]] | None] = contextvars.ContextVar("late_turn", default=None)


class TurnMissed(TelegramError):
    """A bulk send whose turn went by while it waited for a connection, with no fresh turn
    free: it was not sent, and may ask again at `retry_at`. (A TelegramError, so PTB hands
    it back as it is instead of wrapping it as a network error.)"""

    def __init__(self, retry_at: float) -> None:
        super().__init__("bulk turn missed")
        self.retry_at = retry_at


# Pass as `rate_limit_args` to get Telegram's answer, 429 included, at once. (Not 0: PTB
# drops falsy rate_limit_args before they reach the limiter.)
NO_RETRY = "no-retry"

Result = bool | dict[str, Any] | list[dict[str, Any]]


class RateLimiter(BaseRateLimiter[int | str]):
    """Replies take a turn from the shared budget; a 429 is retried for that call only."""

    def __init__(self, budget: SendBudget, *, max_retries: int = 2) -> None:
        self.budget = budget
        self.max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up: the budget lives in the database."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | str | None,
    ) -> Result:
        if rate_limit_args == NO_RETRY:
            return await callback(*args, **kwargs)
        chat_id = _chat_of(data)
        counted = chat_id is not None and counts_as_message(endpoint)
        retries = self.max_retries if rate_limit_args is None else int(rate_limit_args)
        for attempt in range(retries + 1):
            token = None
            if counted:
                assert chat_id is not None
                turn_at = await self.budget.reply_turn(chat_id)
                token = LATE_TURN.set(functools.partial(self._on_time, chat_id, turn_at))
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                delay = _seconds(exc)
                await self.budget.record_429(chat_id, delay)
                if attempt == retries:
                    raise
                log.info("429 on %s: trying this call again in %.1f s", endpoint, delay)
                await self.budget.sleep(delay + 0.1)
            finally:
                if token is not None:
                    LATE_TURN.reset(token)
        raise AssertionError("unreachable")  # the loop returns or raises

    async def _on_time(self, chat_id: int | str, turn_at: float) -> None:
        """Called with a connection in hand, just before the send: a turn missed by more than
        LATE (the machine was busy, or every connection was) is given up and a fresh one
        taken, so Telegram never sees more sends in a second than the budget gave out."""
        for _ in range(3):  # a busy machine may be late again; then the send goes anyway
            if self.budget.clock() - turn_at <= LATE:
                return
            metrics.LATE_TURNS.labels("reply").inc()
            turn_at = await self.budget.reply_turn(chat_id)


def _chat_of(data: dict[str, Any]) -> int | str | None:
    """The chat a call goes to: an int id, or a channel's @name; None when it has none."""
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        return int(chat_id)
    return str(chat_id)


def _seconds(exc: RetryAfter) -> float:
    """`retry_after` in seconds (PTB 22 gives a timedelta, older versions an int)."""
    value: Any = exc.retry_after
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)
