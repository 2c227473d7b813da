"""Telegram's send budget, kept in the database and shared by every process and every send.

Telegram allows a bot about 30 messages a second overall, about 1 a second in one private
chat (short bursts tolerated) and 20 a minute in a group. Replies to the person acting and
bulk sends from the outbox (prompts, alerts, announcements) draw on the same budget:

- **Replies come first.** A reply never asks twice: it reserves its turn on every limit it
  is under and waits for the latest of them (usually not at all). It may use the last few
  turns of a second (`REPLY_BURST`), and a 429 recorded for the whole bot doesn't stop it.
- **Bulk uses what replies leave.** A bulk send is granted only if every limit it is under
  is free now, keeping the reply burst untouched, and only at OUTBOX_RATE_PER_SECOND at
  most; otherwise it is refused and told when to ask again. It never queues ahead of a
  reply, so a reply waits at most for the one bulk turn just taken.
- **A 429 pauses only what it must**, everywhere: that chat (replies and bulk) until
  `retry_after` has passed, and bulk sends to anyone for that long too (the 429 may have
  been for the whole bot); replies to other people carry on.

How. Each limit is one row of `sendbudget` run as a virtual-scheduling rate limiter (GCRA):
`tat` is when the limit is next free; a send at `now` moves it to `max(tat, now) + interval`,
and may go at once while `tat` is at most `tolerance` ahead of `now`. One send is ONE short
statement on both engines: an `INSERT … ON CONFLICT DO UPDATE … RETURNING` over the rows it
needs ("all" plus its chat's row), atomic per row under concurrency (PostgreSQL locks each
row and evaluates the update on its newest version; SQLite has one writer). Rows are taken
in key order, so two statements never deadlock. A bulk grant that won one row but not the
other gives the row it won back (rare: the sender asks when the budget said to).

Sums, for `PER_SECOND` = 30: the steady rate is 30 - REPLY_BURST - SPARE = 25 a second, so
any one second holds at most 25 + 3 (reply burst) + 1 = 29 sends even when replies and bulk
both run flat out, leaving room for a send that reaches Telegram up to ~80 ms late. A chat's replies may go
two at once, then one a second (Telegram tolerates three at once): the spare turn absorbs a send
that reaches Telegram up to a second late, as happens to a worker on a busy machine (the chaos
test saw 429s with 2.5). Bulk waits until the chat had a second's rest.

Times are Unix seconds from this machine's clock (kept by NTP where several machines share
the database). A chat's row is named by a keyed hash of its id cut to 14 bits (`slot_of`),
so the table names nobody; two chats sharing a slot just share a limit.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import TextClause, case, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from bot.db import Database
from bot.models import SendBudget as BudgetRow
from bot.sqlite_driver import inline_statements

OVERALL = "all"
SLOTS = 1 << 14
REPLY_BURST = 3  # sends beyond the steady rate that only replies may take at once
SPARE = 2  # turns a second left unused, for sends that reach Telegram a little late
REFUSED_WAIT = 0.002  # a refused bulk send asks again no sooner (clocks of processes differ a little)
BULK_AHEAD = 2  # turns bulk may take ahead of the steady rate (< REPLY_BURST: replies keep the rest)
CHAT_REPLY_AHEAD = 1.0  # seconds a chat's replies may run ahead of 1/s (Telegram allows ~2 s)

# The Bot API methods Telegram counts as messages (its limits are on messages): every
# send* but the "typing…" action, and copies and forwards. Answering a button press,
# editing, deleting and settings are not messages.
_MESSAGE_METHODS = frozenset({"copymessage", "copymessages", "forwardmessage", "forwardmessages"})


def counts_as_message(method: str) -> bool:
    """Whether a Bot API call is a message under Telegram's limits."""
    name = method.lower()
    return (name.startswith("send") and name != "sendchataction") or name in _MESSAGE_METHODS


@dataclass(frozen=True)
class Limits:
    """Telegram's limits, from settings (SEND_BUDGET_*), and the outbox's own ceiling."""

    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    group_per_minute: float = 20.0
    bulk_per_second: float = 25.0  # OUTBOX_RATE_PER_SECOND: bulk never more, across processes

    @property
    def interval(self) -> float:
        """Between two turns of the steady overall rate (see the module docstring)."""
        return 1.0 / max(self.per_second - REPLY_BURST - SPARE, self.per_second / 2)


@dataclass(frozen=True)
class _Row:
    """One limit a send is under: its key, interval, and how far ahead replies and bulk may run."""

    key: str
    interval: float
    reply_ahead: float
    bulk_ahead: float


@dataclass(frozen=True)
class BulkTurn:
    """The budget's answer to a bulk send: granted or not, and when the next one may be
    (Unix s; for a refusal, when to ask again); `chat_busy`: it was refused for that
    chat's own limit (other chats may go meanwhile)."""

    granted: bool
    retry_at: float
    chat_busy: bool = False
    at: float = 0.0  # when it was granted (Unix s): a send that goes much later asks again


class SendBudget:
    """The shared budget. `slot_of` turns a chat id into its row's slot (a keyed hash)."""

    def __init__(
        self,
        db: Database,
        limits: Limits,
        *,
        slot_of: Callable[[int | str], int],
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.db, self.limits, self.slot_of, self.clock, self.sleep = db, limits, slot_of, clock, sleep

    # --- the rows a send is under ---------------------------------------------------------

    def _overall(self) -> _Row:
        t = self.limits.interval
        # Bulk may run BULK_AHEAD turns ahead (so a sender woken late loses nothing), replies
        # REPLY_BURST: the turns between are kept for replies.
        return _Row(OVERALL, t, REPLY_BURST * t, BULK_AHEAD * t)

    def _chat(self, chat_id: int | str) -> _Row:
        slot = self.slot_of(chat_id) % SLOTS
        if isinstance(chat_id, str) or chat_id < 0:  # a group or channel: 20 a minute, evenly
            return _Row(f"g:{slot}", 60.0 / self.limits.group_per_minute, 0.0, 0.0)
        return _Row(f"c:{slot}", 1.0 / self.limits.per_chat_per_second, CHAT_REPLY_AHEAD, 0.0)

    # --- replies ----------------------------------------------------------------------

    async def reply_turn(self, chat_id: int | str) -> float:
        """Wait until a reply to `chat_id` may go; returns the time of its turn (Unix s).
        Never refused: a reply reserves its turn and bulk sends fit around it."""
        overall, chat = self._overall(), self._chat(chat_id)
        found, now = await self._take([overall, chat], bulk=False, token="")
        at_overall = max(now, found[OVERALL][0] - overall.interval - overall.reply_ahead)
        at_chat = max(now, found[chat.key][0] - chat.interval - chat.reply_ahead)
        if at_chat > at_overall + overall.interval:
            # The chat is the limit: the overall turn we hold comes too early to use. Wait for
            # the chat, then take a fresh overall turn, so the send is counted when it happens.
            await self.sleep(at_chat - now)
            again, now = await self._take([overall], bulk=False, token="")
            at_overall = max(now, again[OVERALL][0] - overall.interval - overall.reply_ahead)
            at_chat = now
        at = max(at_overall, at_chat)
        if at > now:
            await self.sleep(at - now)
        return at

    # --- bulk ---------------------------------------------------------------------------

    async def bulk_turn(self, chat_id: int | str, *, chat_taken: bool = False) -> BulkTurn:
        """Ask for a bulk send to `chat_id` now: granted only if every limit is free without
        touching what replies keep; otherwise when to ask again. `chat_taken`: this send
        already holds its chat's turn (its first overall turn went by unused), so only the
        overall limit is asked."""
        overall, chat = self._overall(), self._chat(chat_id)
        token = secrets.token_hex(8)
        found, now = await self._take([overall] if chat_taken else [overall, chat], bulk=True, token=token)
        won = {key for key, (_, _, _, taker) in found.items() if taker == token}
        tat, bulk_tat, paused, _ = found[OVERALL]
        # The earliest the next bulk send may be granted: asking then (not later) keeps the
        # pace, as a turn asked for late is lost.
        next_at = max(tat - overall.bulk_ahead, bulk_tat - self._bulk_ahead(), paused, now)
        if won == ({OVERALL} if chat_taken else {OVERALL, chat.key}):
            return BulkTurn(True, next_at, at=now)
        chat_busy = not chat_taken and chat.key not in won
        if won:  # half a grant: give back the turn we won, so nobody loses it
            await self._give_back([overall if key == OVERALL else chat for key in won], token)
        if chat_busy:  # when the chat is free (the overall limit may be free sooner)
            next_at = found[chat.key][0] - chat.bulk_ahead
        return BulkTurn(False, max(next_at, now + REFUSED_WAIT), chat_busy)

    def _bulk_ahead(self) -> float:
        """How far bulk sends may run ahead of OUTBOX_RATE_PER_SECOND: two turns, so a sender
        woken a little late catches up (the overall limit still spaces them out)."""
        return 2.0 / self.limits.bulk_per_second

    # --- Telegram said 429 --------------------------------------------------------------

    async def record_429(self, chat_id: int | str | None, retry_after: float) -> None:
        """Every process backs off: that chat for `retry_after` (replies too), and bulk sends
        to anyone for as long. Replies to other chats carry on."""
        until = self.clock() + retry_after
        rows = {OVERALL: (0.0, until)}
        if chat_id is not None:
            chat = self._chat(chat_id)
            rows[chat.key] = (until + chat.reply_ahead, 0.0)  # its next reply goes at `until`
        table = BudgetRow.__table__  # type: ignore[attr-defined]
        values = [{"key": key, "tat": tat, "bulk_tat": 0.0, "paused_until": paused, "taker": ""} for key, (tat, paused) in sorted(rows.items())]
        insert = self._insert().values(values)
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "tat": _greatest(table.c.tat, insert.excluded.tat),
                "paused_until": _greatest(table.c.paused_until, insert.excluded.paused_until),
            },
        )
        async with self.db.autocommit() as conn:
            await conn.execute(statement)

    # --- the statements ---------------------------------------------------------------

    def _insert(self) -> Any:
        """INSERT for this engine (both have ON CONFLICT DO UPDATE … RETURNING)."""
        table = BudgetRow.__table__  # type: ignore[attr-defined]
        return (postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert)(table)

    async def _take(self, rows: list[_Row], *, bulk: bool, token: str) -> tuple[dict[str, tuple[float, float, float, str]], float]:
        """The one statement of a send: for each row, move `tat` on by its interval (a reply
        always; bulk only where every condition holds, marking it with `token`). Returns each
        row's (tat, bulk_tat, paused_until, taker) after the statement, and the time it ran
        at: read once the connection is held, as waiting for one (or, on SQLite, for another
        writer) would make an earlier reading stale and refuse a turn that is free."""
        bulk_interval = 1.0 / self.limits.bulk_per_second
        with inline_statements():  # one indexed upsert: on SQLite, on the event loop (bot.sqlite_driver)
            async with self.db.autocommit() as conn:
                now = self.clock()
                params: dict[str, Any] = {
                    "now": now, "token": token, "bulk_interval": bulk_interval, "overall_ahead": self._overall().bulk_ahead,
                    "bulk_ahead": self._bulk_ahead(),
                }
                for n, row in enumerate(sorted(rows, key=lambda r: r.key)):
                    # A new row is free, so this turn is taken now; its `tat` also carries the
                    # row's own interval into the update (excluded.tat - now).
                    params[f"key{n}"], params[f"tat{n}"] = row.key, now + row.interval
                    params[f"bulk{n}"] = now + bulk_interval if bulk and row.key == OVERALL else 0.0
                result = await conn.execute(_take_statement(len(rows), bulk), params)
        return {key: (tat, bulk_tat, paused, taker) for key, tat, bulk_tat, paused, taker in result.all()}, now

    async def _give_back(self, rows: list[_Row], token: str) -> None:
        """Undo a turn this caller won but can't use, if nobody has taken one since."""
        table = BudgetRow.__table__  # type: ignore[attr-defined]
        async with self.db.autocommit() as conn:
            for row in rows:
                back = {"tat": table.c.tat - row.interval, "taker": ""}
                if row.key == OVERALL:
                    back["bulk_tat"] = table.c.bulk_tat - 1.0 / self.limits.bulk_per_second
                await conn.execute(table.update().where(table.c.key == row.key, table.c.taker == token).values(back))


@functools.cache
def _take_statement(rows: int, bulk: bool) -> TextClause:
    """The statement `_take` runs, the same SQL on both engines (PostgreSQL and SQLite 3.35+
    both have ON CONFLICT DO UPDATE … RETURNING), written once per shape so it is compiled
    once. In the update, `b.` is the row as it was and `excluded.` the row offered. Every
    number is cast, so PostgreSQL never guesses an integer type for one."""

    def number(name: str) -> str:
        return f"CAST(:{name} AS DOUBLE PRECISION)"

    now = number("now")
    values = ", ".join(f"(:key{n}, {number(f'tat{n}')}, {number(f'bulk{n}')}, 0.0, :token)" for n in range(rows))
    moved = f"(CASE WHEN b.tat > {now} THEN b.tat ELSE {now} END) + (excluded.tat - {now})"
    if not bulk:  # a reply: always its turn, and it voids any bulk grant's give-back
        update = f"tat = {moved}, taker = excluded.taker"
    else:
        free = (
            f"(b.tat <= {now} + CASE WHEN b.key = 'all' THEN {number('overall_ahead')} ELSE 0.0 END"
            f" AND (b.key <> 'all' OR (b.bulk_tat <= {now} + {number('bulk_ahead')} AND b.paused_until <= {now})))"
        )
        bulk_moved = f"(CASE WHEN b.bulk_tat > {now} THEN b.bulk_tat ELSE {now} END) + {number('bulk_interval')}"
        update = (
            f"tat = CASE WHEN {free} THEN {moved} ELSE b.tat END, "
            f"bulk_tat = CASE WHEN {free} AND b.key = 'all' THEN {bulk_moved} ELSE b.bulk_tat END, "
            f"taker = CASE WHEN {free} THEN excluded.taker ELSE b.taker END"
        )
    return text(
        f"INSERT INTO sendbudget AS b (key, tat, bulk_tat, paused_until, taker) VALUES {values} "
        f"ON CONFLICT (key) DO UPDATE SET {update} RETURNING key, tat, bulk_tat, paused_until, taker"
    )


def _greatest(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    """max(a, b) on both engines (SQLite has no GREATEST; its max() of two isn't PostgreSQL's)."""
    return case((a > b, a), else_=b)
