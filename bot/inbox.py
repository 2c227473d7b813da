"""The inbox: updates a webhook worker has stored before answering Telegram 200.

Why a table, and how it gives "no update lost, none handled twice" with several workers:

- **Stored first.** The webhook endpoint inserts the update keyed by `update_id` and answers
  200 only after the insert committed; a second delivery of the same `update_id` hits the key
  and is acknowledged without a second row. A worker that dies before answering leaves
  Telegram to post the update again.
- **Claimed with a lease.** Any worker claims pending rows: on PostgreSQL with
  `FOR UPDATE SKIP LOCKED` (workers never wait on each other's rows), on SQLite by
  compare-and-set. A claim sets `leased_until` and a fresh `lease_token`, and the worker
  renews the leases it holds every third of a lease (`renew`), so a slow handler keeps its
  update; when a worker is killed its leases run out and another worker claims the rows.
- **One chat at a time, in order.** A row is claimable only while no earlier row of its chat
  (`chat_key`) is still pending, leased or not; different chats go concurrently.
- **Exactly-once effects.** The row is marked done *inside the transaction of the handler's
  first write* (`bot.db.first_write_hook`), by a compare-and-set on the claim's
  `lease_token`. So a worker killed after its handler committed has also marked the row: no
  other worker handles it again. A worker whose lease ran out and was taken over finds its
  token gone, its commit is refused (`LeaseLost`) and rolled back: only the new holder's
  effects stay. Handlers that write nothing (a help text) are marked after they return; a
  kill in between re-sends that reply, which is harmless. A reply is sent after its commit,
  so a kill in the few milliseconds between the two loses that one reply (never a write).
  We chose this over a separate "done" transaction after the handler, which would re-run a
  whole handler (a second check-in, a second alert) after such a kill.

The payload holds what the person wrote, so it is encrypted bound to its `update_id`
(`bot.crypto.INBOX_PAYLOAD`) and cleared, with the chat key, once handled; the bare row stays
a day (`KEEP_DONE`) so a late duplicate is still recognised, then `purge` deletes it. The chat
key is the keyed hash people are found by (`Vault.hash_telegram_id`), never the chat id.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased
from sqlmodel import col

from bot.crypto import INBOX_PAYLOAD, Undecryptable, Vault
from bot.db import Database, first_write_hook, rows_changed
from bot.models import Inbox

PENDING, DONE = "pending", "done"
KEEP_DONE = timedelta(days=1)  # Telegram gives up re-posting an update well before this
# What the bot handles; everything else is acknowledged and dropped (setWebhook's
# allowed_updates asks Telegram for these only).
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")


class LeaseLost(Exception):
    """This worker's claim on an update expired and another worker took it: the handler's
    transaction is refused so only one worker's effects are kept."""


@dataclass(frozen=True)
class Claimed:
    """An update this worker holds until `leased_until`."""

    update_id: int
    token: str
    payload: dict[str, Any]


def update_kind(update: Mapping[str, Any]) -> str:
    """The update's type: its one key besides `update_id` ("" if none)."""
    return next((key for key in update if key != "update_id"), "")


def chat_of(update: Mapping[str, Any]) -> int | None:
    """The chat an update belongs to (private chats: the person), from the raw JSON."""
    body = update.get(update_kind(update))
    if not isinstance(body, Mapping):
        return None
    for holder in (body, body.get("message")):
        chat = holder.get("chat") if isinstance(holder, Mapping) else None
        if isinstance(chat, Mapping) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    sender = body.get("from")
    return int(sender["id"]) if isinstance(sender, Mapping) and isinstance(sender.get("id"), int) else None


def chat_key(vault: Vault, update: Mapping[str, Any]) -> str:
    """The keyed hash that orders a chat's updates; updates without a chat share one key."""
    chat = chat_of(update)
    return vault.hash_telegram_id(chat) if chat is not None else "-"


async def record(db: Database, vault: Vault, update: Mapping[str, Any], *, now: datetime) -> bool:
    """Store an update durably; False when its `update_id` was stored before (a duplicate)."""
    update_id = int(update["update_id"])
    values = {
        "update_id": update_id,
        "chat_key": chat_key(vault, update),
        "kind": update_kind(update)[:32],
        "payload": vault.encrypt(json.dumps(update, separators=(",", ":")), field=INBOX_PAYLOAD, row=update_id),
        "status": PENDING,
        "received_at": now,
        "attempts": 0,
    }
    statement = (pg_insert if db.dialect == "postgresql" else sqlite_insert)(Inbox).values(**values)
    async with db.autocommit() as conn:  # committed before the worker answers 200
        result = await conn.execute(statement.on_conflict_do_nothing(index_elements=["update_id"]))
        return rows_changed(result) == 1


def _claimable(row: Any, now: datetime) -> Any:
    """Pending, not held by a live lease, and no earlier update of its chat still pending."""
    earlier = aliased(Inbox)
    return and_(
        row.status == PENDING,
        or_(row.leased_until.is_(None), row.leased_until < now),
        ~exists().where(
            col(earlier.chat_key) == row.chat_key,
            col(earlier.status) == PENDING,
            col(earlier.update_id) < row.update_id,
        ),
    )


async def claim(db: Database, vault: Vault, *, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
    """Claim up to `limit` updates (at most one per chat), oldest first, until `now + lease`.

    One statement: an UPDATE of the oldest claimable rows, returning their payloads. On
    PostgreSQL the candidates are locked with `FOR UPDATE SKIP LOCKED`, so workers never wait
    on rows another worker is claiming (and a row claimed meanwhile fails the re-check of its
    lease); SQLite has one writer. The rows of one claim share a fresh lease token."""
    candidate = aliased(Inbox)
    oldest = select(col(candidate.update_id)).where(_claimable(candidate, now)).order_by(col(candidate.update_id)).limit(limit)
    if db.dialect == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    token = secrets.token_hex(16)
    statement = (
        update(Inbox)
        .where(col(Inbox.update_id).in_(oldest.scalar_subquery()))
        .values(leased_until=now + lease, lease_token=token, attempts=col(Inbox.attempts) + 1)
        .returning(col(Inbox.update_id), col(Inbox.payload))
    )
    async with db.autocommit() as conn:
        rows = (await conn.execute(statement)).all()
    return [Claimed(update_id, token, _open(vault, update_id, payload)) for update_id, payload in sorted(rows)]


def _open(vault: Vault, update_id: int, payload: str) -> dict[str, Any]:
    """The stored update; {} if it doesn't decrypt (then it is marked done unhandled)."""
    try:
        value = json.loads(vault.decrypt(payload, field=INBOX_PAYLOAD, row=update_id))
    except (Undecryptable, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _done(update_id: int, token: str, now: datetime) -> Any:
    """Compare-and-set on the claim's token: done, and the words and chat key cleared."""
    return (
        update(Inbox)
        .where(col(Inbox.update_id) == update_id, col(Inbox.status) == PENDING, col(Inbox.lease_token) == token)
        .values(status=DONE, payload="", chat_key="", handled_at=now, leased_until=None, lease_token=None)
    )


@contextmanager
def handling(claimed: Claimed, *, now: datetime) -> Iterator[None]:
    """Run a handler for `claimed`: its first writing transaction also marks the row done,
    or is refused with `LeaseLost` if another worker has taken the update over."""

    def mark(session: Session) -> None:
        if rows_changed(session.execute(_done(claimed.update_id, claimed.token, now))) != 1:
            raise LeaseLost(f"update {claimed.update_id} was taken over by another worker")

    with first_write_hook(mark):
        yield


async def finish(db: Database, claimed: Claimed, *, now: datetime) -> bool:
    """Mark done an update whose handler wrote nothing (or failed); False if another worker
    holds it now or it was already marked with the handler's write."""
    async with db.autocommit() as conn:
        return rows_changed(await conn.execute(_done(claimed.update_id, claimed.token, now))) == 1


async def renew(db: Database, tokens: list[str], *, until: datetime) -> int:
    """Extend the leases this worker still holds (a slow handler is not a dead worker)."""
    if not tokens:
        return 0
    async with db.autocommit() as conn:
        return rows_changed(await conn.execute(
            update(Inbox).where(col(Inbox.lease_token).in_(set(tokens)), col(Inbox.status) == PENDING).values(leased_until=until)
        ))


async def backlog(db: Database, *, now: datetime) -> tuple[int, float]:
    """(pending updates, age in seconds of the oldest) for /healthz and /metrics."""
    async with db.session() as session:
        count, oldest = (await session.execute(
            select(func.count(), func.min(col(Inbox.received_at))).where(col(Inbox.status) == PENDING)
        )).one()
    if not oldest:
        return int(count), 0.0
    if oldest.tzinfo is None:  # aggregate results bypass the column type on SQLite
        oldest = datetime.fromisoformat(str(oldest)).replace(tzinfo=now.tzinfo)
    return int(count), max(0.0, (now - oldest).total_seconds())


async def purge(db: Database, *, now: datetime) -> int:
    """Delete handled rows older than `KEEP_DONE`: late duplicates can no longer come."""
    async with db.session() as session:
        return rows_changed(await session.execute(
            delete(Inbox).where(col(Inbox.status) == DONE, col(Inbox.handled_at) < now - KEEP_DONE)
        ))


__all__ = ["ALLOWED_UPDATES", "Claimed", "LeaseLost", "backlog", "claim", "finish", "handling", "purge", "record", "renew"]
