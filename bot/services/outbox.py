"""The outbox: messages that must reach a person, written in the caller's transaction.

Delivery is at-least-once: a row stays pending until the Bot API answers ok. A crash
between sending and marking may send one message twice; it never loses one.

Encrypted at rest until sent (issue 18, item 4): `payload` (the Bot API parameters, with the
words) is written already encrypted by `enqueue`, with the vault the session carries
(`bot.db.Database.use_vault`, done by `Runtime.build`), and read back through `params_of`.
It is bound to the recipient (`bot.crypto.OUTBOX_PAYLOAD`: the row id doesn't exist yet when
the text is sealed). A final row keeps `CLEARED`, never text. Rows written before this change
hold plain JSON and are still read (they start with "{"; ciphertexts never do).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlmodel import col, select

from bot import i18n
from bot.crypto import OUTBOX_PAYLOAD, Undecryptable, Vault
from bot.db import VAULT_INFO
from bot.models import Outbox, Person


class OutboxStatus(StrEnum):
    """`Outbox.status`: waiting, delivered, or final without delivery (blocked bot or gone
    chat; a request Telegram refused). Only pending rows keep their text."""

    PENDING = "pending"
    SENT = "sent"
    UNDELIVERABLE = "undeliverable"
    FAILED = "failed"


CLAIM_SECONDS = 60
CLEARED = "{}"  # the payload of a row in a final state: its text is never kept
MAX_BACKOFF = timedelta(minutes=30)

# Called when a row can never be delivered (blocked bot, chat gone), so a feature can
# send the message to someone else instead of dropping it: (session, row, now) -> None.
Rerouter = Callable[[AsyncSession, Outbox, datetime], Awaitable[None]]
_rerouters: dict[str, Rerouter] = {}


def on_undeliverable(kind: str, rerouter: Rerouter) -> None:
    _rerouters[kind] = rerouter


def enqueue(
    session: AsyncSession,
    person_id: int,
    kind: str,
    text: str,
    *,
    now: datetime,
    reply_markup: dict[str, object] | None = None,
    method: str = "sendMessage",
    extra: dict[str, Any] | None = None,
    author_id: int | None = None,
) -> Outbox:
    """Add a message to the caller's transaction; it is sent only if that commits.
    `author_id`: the person whose own words it carries (a relay message, an announcement)."""
    params: dict[str, Any] = {"text": text, "parse_mode": "HTML"} if method == "sendMessage" else {}
    if reply_markup:
        params["reply_markup"] = reply_markup
    params.update(extra or {})
    row = Outbox(
        person_id=person_id,
        author_id=author_id,
        kind=kind,
        method=method,
        payload=vault_of(session).encrypt(json.dumps(params), field=OUTBOX_PAYLOAD, row=person_id),
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row


async def language_of(session: AsyncSession, person_id: int | None) -> str:
    """The recipient's language, for rendering a message to them inside
    `i18n.speaking(...)`: messages to other people are written in the reader's language,
    not the writer's. (Texts are rendered when queued, so a later change of language
    applies to the next message.)"""
    person = await session.get(Person, person_id) if person_id is not None else None
    return i18n.supported(person.language if person is not None else None)


async def languages_of(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, str]:
    """`language_of` for many recipients in one query (a reminder batch, a list of followers)."""
    ids = set(person_ids)
    if not ids:
        return {}
    found = await session.execute(select(col(Person.id), col(Person.language)).where(col(Person.id).in_(ids)))
    return {pid: i18n.supported(code) for pid, code in found.all() if pid is not None}


Render = Callable[[], str]
MarkupRender = Callable[[], dict[str, object] | None]


async def enqueue_for(
    session: AsyncSession,
    person_id: int,
    kind: str,
    render: Render,
    *,
    now: datetime,
    reply_markup: MarkupRender | dict[str, object] | None = None,
    author_id: int | None = None,
) -> Outbox:
    """`enqueue`, with the text (and buttons) written now in the RECIPIENT's language:
    `render` runs inside `i18n.speaking(their language)`, whoever is acting."""
    with i18n.speaking(await language_of(session, person_id)):
        text = render()
        markup = reply_markup() if callable(reply_markup) else reply_markup
    return enqueue(session, person_id, kind, text, now=now, reply_markup=markup, author_id=author_id)


def vault_of(session: AsyncSession) -> Vault:
    """The runtime's vault, carried by every session of its Database."""
    vault = session.info.get(VAULT_INFO)
    if not isinstance(vault, Vault):
        raise RuntimeError("the outbox encrypts what it writes: open the Database with the runtime's vault")
    return vault


def params_of(vault: Vault, row: Outbox) -> dict[str, Any]:
    """A row's Bot API parameters, decrypted; {} once cleared, or when the stored payload
    doesn't decrypt for this recipient (copied in from another row)."""
    if row.payload == CLEARED:
        return {}
    try:
        text = row.payload if row.payload.startswith("{") else vault.decrypt(row.payload, field=OUTBOX_PAYLOAD, row=row.person_id)
        params = json.loads(text)
    except (Undecryptable, ValueError):
        return {}
    return params if isinstance(params, dict) else {}


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[Outbox]:
    """Claim up to `limit` due rows, oldest first, in one statement: a compare-and-set on
    `claimed_until` (unclaimed, or a claim that expired after a crash) so two processes
    never take the same row. (PostgreSQL re-checks the condition on a row another process
    has just claimed, and skips it; SQLite has one writer.)"""
    due = (
        select(col(Outbox.id))
        .where(
            col(Outbox.status) == OutboxStatus.PENDING,
            col(Outbox.next_attempt_at) <= now,
            or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) < now),
        )
        .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
        .limit(limit)
    )
    candidates = [row_id for (row_id,) in (await session.execute(due)).all()]
    if not candidates:
        return []
    claimed = (
        await session.execute(
            update(Outbox)
            .where(
                col(Outbox.id).in_(candidates),
                col(Outbox.status) == OutboxStatus.PENDING,
                or_(col(Outbox.claimed_until).is_(None), col(Outbox.claimed_until) < now),
            )
            .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=col(Outbox.attempts) + 1)
            .returning(col(Outbox.id))
            .execution_options(synchronize_session=False)
        )
    ).scalars().all()
    await session.commit()
    if not claimed:
        return []
    rows = (await session.execute(select(Outbox).where(col(Outbox.id).in_(claimed)).order_by(col(Outbox.id)))).scalars()
    return list(rows)


async def mark_sent(session: AsyncSession | AsyncConnection, row_id: int, now: datetime) -> None:
    """Delivered (one statement: the sender runs it on an autocommit connection)."""
    # The text is not kept once delivered: relay messages and alerts are personal.
    await session.execute(
        update(Outbox)
        .where(col(Outbox.id) == row_id)
        .values(status=OutboxStatus.SENT, sent_at=now, claimed_until=None, payload=CLEARED, last_error=None)
    )


async def mark_retry(session: AsyncSession, row: Outbox, now: datetime, error: str, delay: float | None) -> None:
    """Try again later: after `retry_after` when Telegram gave one, else with backoff."""
    if delay is None:
        delay = min(2 ** min(row.attempts, 12), MAX_BACKOFF.total_seconds())
    await session.execute(
        update(Outbox)
        .where(col(Outbox.id) == row.id)
        .values(next_attempt_at=now + timedelta(seconds=delay), claimed_until=None, last_error=error[:200])
    )


async def mark_undeliverable(session: AsyncSession, row: Outbox, now: datetime, error: str) -> None:
    """The recipient blocked the bot or their chat is gone: record it and hand the message
    on. Its text is not kept: the row keeps only its kind and the error."""
    await session.execute(
        update(Outbox)
        .where(col(Outbox.id) == row.id)
        .values(status=OutboxStatus.UNDELIVERABLE, claimed_until=None, last_error=error[:200], payload=CLEARED)
    )
    await session.execute(
        update(Person)
        .where(col(Person.id) == row.person_id, col(Person.unreachable_at).is_(None))
        .values(unreachable_at=now)
    )
    await _hand_on(session, row, now)


async def _hand_on(session: AsyncSession, row: Outbox, now: datetime) -> None:
    """Let the feature send it to someone else or tell the writer (`row` still holds the
    text in memory; the stored copy is already cleared)."""
    rerouter = _rerouters.get(row.kind)
    if rerouter is not None:
        await rerouter(session, row, now)


async def pending_for(session: AsyncSession, person_ids: Sequence[int]) -> list[Outbox]:
    result = await session.execute(
        select(Outbox).where(col(Outbox.person_id).in_(person_ids), col(Outbox.status) == OutboxStatus.PENDING)
    )
    return list(result.scalars())


async def mark_failed(session: AsyncSession, row: Outbox, now: datetime, error: str) -> None:
    """Telegram refused the request itself (a 400 that retrying won't fix). The text is not
    kept; the feature hands the message on as for a blocked recipient (an alert moves to the
    next person, a relay writer is told), so nothing is dropped silently."""
    await session.execute(
        update(Outbox)
        .where(col(Outbox.id) == row.id)
        .values(status=OutboxStatus.FAILED, claimed_until=None, last_error=error[:200], payload=CLEARED)
    )
    await _hand_on(session, row, now)


async def written_by(session: AsyncSession, person_id: int) -> list[Outbox]:
    """Messages carrying this person's own words that are still waiting to be delivered."""
    result = await session.execute(
        select(Outbox)
        .where(col(Outbox.author_id) == person_id, col(Outbox.status) == OutboxStatus.PENDING)
        .order_by(col(Outbox.id))
    )
    return list(result.scalars())


async def release(session: AsyncSession, row_ids: Sequence[int]) -> None:
    """Give back claimed rows not attempted (e.g. after a 429), without counting an attempt."""
    if row_ids:
        await session.execute(
            update(Outbox)
            .where(col(Outbox.id).in_(row_ids), col(Outbox.status) == OutboxStatus.PENDING)
            .values(claimed_until=None, attempts=col(Outbox.attempts) - 1)
        )
