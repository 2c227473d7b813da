"""The sender tick: claims due outbox rows and delivers them through the Bot API.

Marked sent only after Telegram answers ok (at-least-once). 429 waits `retry_after`;
5xx, timeouts and network errors back off; a blocked bot or a vanished chat marks the
person unreachable and hands the message to the feature's re-router instead of dropping it.

Pacing is the shared send budget's (bot/services/send_budget.py): each message asks for a
bulk turn, which is granted only from what replies leave, in every process together. The
sender keeps the budget's pace by doing nothing slow between turns: the next batch is
claimed (one statement) while the last few of this one remain, and each message is sent
and marked in its own task, so the next turn is asked for on time rather than after a
round trip to Telegram and a commit. (Asking late loses the turn: 12% of the rate was lost
that way before.) A chat whose turn isn't free yet (it had a message within the second)
waits aside and goes when it is, in order, while everyone else's messages go on.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import ContextTypes, ExtBot
from telegram.warnings import PTBUserWarning

from bot import metrics
from bot.models import Outbox
from bot.rate_limit import BULK_LATE, LATE_TURN, NO_RETRY, TurnMissed
from bot.runtime import Runtime
from bot.services import outbox
from bot.services.people import people
from bot.services.send_budget import SendBudget
from bot.sqlite_driver import inline_statements

log = logging.getLogger("fellowship.outbox")
TICK_SECONDS = 1.0
DRAIN_SECONDS = 120.0  # the longest one run keeps claiming batches (a new run waits for the next tick)
LONGEST_PAUSE = 5.0  # a pause (after a 429) longer than this ends the run: rows go back
IN_FLIGHT = 16  # messages being sent and marked at once (one per chat; a database connection only to mark)
ASKS_IN_FLIGHT = 2  # bulk turns being asked for at once (few: replies need database connections too)
SENDER_LOCK = 0x6F757462  # pg_try_advisory_lock key held by the process sending ("outb")
_GONE = ("chat not found", "user is deactivated", "bot was blocked", "bot can't initiate", "peer_id_invalid")


class Delivery(StrEnum):
    """How one attempt to deliver a row ended."""

    SENT = "sent"
    RETRY = "retry"  # later, with backoff
    THROTTLED = "throttled"  # 429: later; the budget holds back every bulk send meanwhile
    GONE = "gone"  # blocked bot or vanished chat: the feature hands the message on
    FAILED = "failed"  # Telegram refused the request itself


@dataclass
class _Run:
    """One run of the sender: rows claimed and not yet sent, in due order, those whose chat
    is not free yet (by when it is, then due order), and chats with a turn being asked for
    or a message being sent."""

    rt: Runtime
    bot: ExtBot[Any]
    limit: int
    queue: list[tuple[Outbox, int]] = field(default_factory=list)
    aside: list[tuple[float, int, Outbox, int]] = field(default_factory=list)
    chats: dict[int, int] = field(default_factory=dict)
    busy: set[int] = field(default_factory=set)
    order: dict[int, int] = field(default_factory=dict)  # row id -> its place in claim order
    more: bool = True  # the last claim was full: there may be more due
    next_at: float = 0.0  # when to ask for the next bulk turn (Unix s, the budget's clock)
    stop: bool = False  # paused for longer than a run waits (after a 429)
    delivered: int = 0
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


async def send_due(
    bot: ExtBot[Any], rt: Runtime, *, limit: int, seconds: float = DRAIN_SECONDS, running: Callable[[], bool] = lambda: True
) -> int:
    """Deliver what is due, claiming `limit` rows at a time, for at most `seconds` while
    full batches keep coming and `running()` holds; returns how many were delivered.

    Turns are asked for at the pace the budget expects, several at once: on a busy SQLite
    database a statement may wait for other writers, and waiting for each answer before
    asking again would make that wait the pace."""
    run = _Run(rt, bot, limit, next_at=rt.budget.clock())
    deadline = time.monotonic() + seconds
    slots, asks = asyncio.Semaphore(IN_FLIGHT), asyncio.Semaphore(ASKS_IN_FLIGHT)
    spacing = 1.0 / rt.budget.limits.bulk_per_second
    claiming: asyncio.Task[None] | None = None
    try:
        await _claim(run)
        while not run.stop and (time.monotonic() < deadline or run.queue or run.aside or run.busy):
            if claiming is None and len(run.queue) < limit // 2 and run.more and time.monotonic() < deadline and running():
                claiming = asyncio.create_task(_claim(run))  # the next batch, while this one goes
            if claiming is not None and (claiming.done() or not run.queue):
                await claiming
                claiming = None
            picked = _next(run)
            if picked is None:
                if not run.aside and not run.busy:
                    break
                # Until the next row aside is due (the budget's time); 10 ms when it is due but
                # its chat has a send in flight (real work, so real time).
                wait = run.aside[0][0] - rt.budget.clock() if run.aside else 0.0
                await (rt.budget.sleep(min(0.05, wait)) if wait > 0 else asyncio.sleep(0.01))
                continue
            if (wait := run.next_at - rt.budget.clock()) > 0:
                await rt.budget.sleep(wait)
            await asks.acquire()
            # On schedule, not from now: a wake-up a few ms late (a busy loop) is made up on the
            # next turn instead of pushing every later one back. (Reset from now, 5–10% of the
            # rate went that way under the surge.) Only up to one turn is made up: the budget
            # decides what is granted.
            run.next_at = max(run.next_at, rt.budget.clock() - spacing) + spacing
            row, chat_id = picked
            run.busy.add(chat_id)
            task = asyncio.create_task(_turn_and_send(run, row, chat_id, asks, slots, deadline))
            run.tasks.add(task)
            task.add_done_callback(run.tasks.discard)
    finally:
        if claiming is not None:
            await asyncio.gather(claiming, return_exceptions=True)
        while run.tasks:
            await asyncio.gather(*run.tasks, return_exceptions=True)
        await _release(rt, [r for r, _ in run.queue] + [r for _, _, r, _ in run.aside])
    return run.delivered


async def _turn_and_send(
    run: _Run, row: Outbox, chat_id: int, asks: asyncio.Semaphore, slots: asyncio.Semaphore, deadline: float
) -> None:
    """Ask for this row's bulk turn; send it if granted, else put it back for later."""
    budget = run.rt.budget
    try:
        try:
            turn = await budget.bulk_turn(chat_id)
        finally:
            asks.release()
        run.next_at = max(run.next_at, turn.retry_at)
        if turn.granted:
            async with slots:
                await _send(run, row, chat_id, turn.at)
        else:
            # Later, aside, and before this chat's later rows: the chat had a message within
            # the second, or nothing was free (replies took it, or a 429 paused bulk sends).
            heapq.heappush(run.aside, (turn.retry_at, run.order.get(row.id or 0, 0), row, chat_id))
            wait = turn.retry_at - budget.clock()
            if not turn.chat_busy and (wait > LONGEST_PAUSE or time.monotonic() + wait > deadline):
                run.stop = True  # give the rows back: a later tick carries on
    except Exception:  # never lose the run over one row: its claim expires and it is retried
        log.exception("outbox row %s: unexpected error while sending", row.id)
    finally:
        run.busy.discard(chat_id)


async def _claim(run: _Run) -> None:
    """Claim the next batch (ahead of need, so sending never waits for it)."""
    async with run.rt.db.session() as session:
        rows = await outbox.claim_due(session, run.rt.clock.now(), run.limit)
        run.chats.update(await people.chat_ids(session, run.rt.vault, {r.person_id for r in rows}))
    run.more = len(rows) == run.limit
    for row in rows:
        chat_id = run.chats.get(row.person_id)
        if chat_id is None:  # erased after the claim, or their stored chat id doesn't decrypt:
            await _mark(run.rt, row, Delivery.GONE, "chat id unreadable")  # unreachable, handed on
            continue
        run.order[row.id or 0] = len(run.order)
        run.queue.append((row, chat_id))


def _next(run: _Run) -> tuple[Outbox, int] | None:
    """A row set aside whose chat is free by now goes first, else the next due row. A row
    whose chat already has one waiting aside joins it there, so one person's messages keep
    their order."""
    now = run.rt.budget.clock()
    if run.aside and run.aside[0][0] <= now and (found := _due_aside(run, now)) is not None:
        return found
    while run.queue:
        row, chat_id = run.queue.pop(0)
        waiting = [at for at, _, _, c in run.aside if c == chat_id]
        if chat_id in run.busy:  # its turn is being asked for, or its message sent
            waiting.append(now + 0.05)
        if not waiting:
            return row, chat_id
        heapq.heappush(run.aside, (max(waiting), run.order.get(row.id or 0, 0), row, chat_id))
    return None


def _due_aside(run: _Run, now: float) -> tuple[Outbox, int] | None:
    """The next row set aside that may go now: each chat's first in claim order, once its
    time has come and nothing of that chat is being asked for or sent. (Taking the heap's top
    alone broke a person's order: a row refused for its chat comes back with a later time
    than the row behind it, and two rows of one chat could be asked for at once.)"""
    first: dict[int, tuple[float, int, Outbox, int]] = {}
    for entry in run.aside:
        chat_id = entry[3]
        if chat_id not in first or entry[1] < first[chat_id][1]:
            first[chat_id] = entry
    ready = [entry for entry in first.values() if entry[0] <= now and entry[3] not in run.busy]
    if not ready:
        return None
    entry = min(ready, key=lambda e: (e[0], e[1]))
    run.aside.remove(entry)
    heapq.heapify(run.aside)
    return entry[2], entry[3]


async def _send(run: _Run, row: Outbox, chat_id: int, granted_at: float) -> None:
    """Deliver one row (its turn is already taken) and mark it. Its marking is a one-row
    update: on SQLite it runs on the event loop (bot.sqlite_driver), sparing the sender a
    trip to the database thread per message. A row whose turn went by before it held a
    connection goes back aside, before this chat's later rows (see `_on_time`)."""
    # After a 429 the budget holds every process's bulk turns back for retry_after.
    on_time = LATE_TURN.set(functools.partial(_on_time, run.rt.budget, chat_id, granted_at))
    try:
        with inline_statements():
            outcome = await _deliver(run.bot, run.rt, row, chat_id)
    except TurnMissed as missed:
        heapq.heappush(run.aside, (missed.retry_at, run.order.get(row.id or 0, 0), row, chat_id))
        return
    finally:
        LATE_TURN.reset(on_time)
    run.delivered += outcome == Delivery.SENT


async def _on_time(budget: SendBudget, chat_id: int, granted_at: float) -> None:
    """Called with a connection in hand, just before the send (bot.api_connections). A turn
    granted more than BULK_LATE ago (the worker was busy: every connection in use, or no CPU) is
    not used: sends that each waited would reach Telegram bunched, past its limit. The send
    asks for a fresh overall turn (it keeps its chat's) and goes now, or waits aside."""
    if budget.clock() - granted_at <= BULK_LATE:
        return
    metrics.LATE_TURNS.labels("bulk").inc()
    turn = await budget.bulk_turn(chat_id, chat_taken=True)
    if not turn.granted:
        raise TurnMissed(turn.retry_at)


async def _deliver(bot: ExtBot[Any], rt: Runtime, row: Outbox, chat_id: int) -> Delivery:
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
        await rt.budget.record_429(chat_id, delay)  # every process backs off
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
    if outcome == Delivery.SENT:  # one statement, once for every message: committed by itself
        async with rt.db.autocommit() as conn:
            await outbox.mark_sent(conn, row.id, now)
        return
    async with rt.db.session() as session:
        if outcome == Delivery.RETRY:
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
    """JobQueue callback: sends while full batches keep coming, for up to DRAIN_SECONDS. (A
    run still sending makes the scheduler skip the next one, so stopping after one batch
    left the sender idle until the next whole interval.) It stops at that limit, or when
    the bot is stopping: PTB waits for running jobs before it shuts down.

    With several workers, one sends at a time (`SENDER_LOCK`): three senders pacing
    themselves at the whole bulk rate asked for three times the turns the budget has, and
    each refused ask is a write to its busiest row. Another worker's tick takes over within
    a second when a run ends or its worker dies (the server drops a dead session's lock)."""
    rt: Runtime = context.bot_data["runtime"]
    limit = max(10, int(min(rt.settings.outbox_rate_per_second, rt.settings.send_budget_per_second) * TICK_SECONDS * 2))
    async with rt.db.elected(SENDER_LOCK) as sender:
        if sender:
            await send_due(context.bot, rt, limit=limit, running=lambda: context.application.running)
