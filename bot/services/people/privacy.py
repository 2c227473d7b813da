"""Seeing and erasing what is held about a person.

Features register what they hold: an exporter adds a section to `/mydata`, a link-ender
tells the other side of a link (supporters, companions) that it ended before erasure.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.crypto import Vault
from bot.models import Invitation, Outbox, Person, RoleChange, RoleGrant, RoleRequest
from bot.runtime import Runtime
from bot.services import outbox
from bot.services.outbox import OutboxStatus
from bot.services.people import people

Exporter = Callable[[AsyncSession, Runtime, Person], Awaitable[dict[str, Any]]]
LinkEnder = Callable[[AsyncSession, Person, datetime], Awaitable[None]]
Eraser = Callable[[AsyncSession, Person], Awaitable[None]]
_exporters: dict[str, Exporter] = {}
_link_enders: list[LinkEnder] = []
_erasers: list[Eraser] = []


def register_exporter(section: str, exporter: Exporter) -> None:
    _exporters[section] = exporter


def register_link_ender(ender: LinkEnder) -> None:
    if ender not in _link_enders:
        _link_enders.append(ender)


def register_eraser(eraser: Eraser) -> None:
    """A feature's own rows about the person, deleted by `forget` before the person."""
    if eraser not in _erasers:
        _erasers.append(eraser)


_TAG = re.compile(r"<[^>]+>")


def _text_of(vault: Vault, row: Outbox) -> str | None:
    """A waiting message's words as the reader will see them (markup removed)."""
    text = outbox.params_of(vault, row).get("text")
    return html.unescape(_TAG.sub("", text)) if isinstance(text, str) else None


def _iso(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


async def export(session: AsyncSession, rt: Runtime, person: Person) -> dict[str, Any]:
    """Everything held about the person, readable, including decrypted private fields."""
    assert person.id is not None
    roles = (await session.execute(select(RoleGrant).where(col(RoleGrant.person_id) == person.id))).scalars()
    requests = (await session.execute(select(RoleRequest).where(col(RoleRequest.person_id) == person.id))).scalars()
    invitations = (await session.execute(select(Invitation).where(col(Invitation.created_by_id) == person.id))).scalars()
    pending = (
        await session.execute(
            select(Outbox).where(col(Outbox.person_id) == person.id, col(Outbox.status) == OutboxStatus.PENDING)
        )
    ).scalars()
    data: dict[str, Any] = {
        "about": "Everything this bot holds about you. Your Telegram id is stored only as a keyed "
        "hash, and your chat id only encrypted; both are shown here decrypted for you.",
        "exported_at": rt.clock.now().isoformat(),
        "profile": {
            "pseudonym": person.pseudonym,
            "purpose": person.purpose,
            "timezone": person.timezone,
            "checkin_time": person.checkin_time,
            "clean_date": _iso(person.clean_date),
            "consented_at": _iso(person.consented_at),
            "joined_at": _iso(person.created_at),
            "chat_id": people.stored_chat_id(rt.vault, person),
        },
        "roles": [{"role": r.role, "granted_at": _iso(r.granted_at)} for r in roles],
        "role_requests": [
            {"role": r.role, "status": r.status, "requested_at": _iso(r.created_at), "decided_at": _iso(r.decided_at),
             "what_you_said": r.answer}
            for r in requests
        ],
        "invitations_made": [
            {"kind": i.kind, "created_at": _iso(i.created_at), "expires_at": _iso(i.expires_at), "used": i.used_at is not None}
            for i in invitations
        ],
        "messages_waiting_to_be_sent_to_you": len(list(pending)),
        "messages_you_wrote_still_waiting_to_be_delivered": [
            {"kind": row.kind, "written_at": _iso(row.created_at), "text": _text_of(rt.vault, row)}
            for row in await outbox.written_by(session, person.id)
        ],
    }
    for section, exporter in _exporters.items():
        data[section] = await exporter(session, rt, person)
    return data


async def forget(session: AsyncSession, person: Person, *, now: datetime) -> None:
    """Erase the person and every row about them; the other side of each link is told
    only that the link ended (through the outbox, in this same transaction)."""
    for ender in _link_enders:
        await ender(session, person, now)
    assert person.id is not None
    for eraser in _erasers:
        await eraser(session, person)
    # Foreign keys cascade, but SQLite enforces them only with the pragma; be explicit.
    # Messages they wrote go too, in both directions: still waiting, they are never sent.
    for table, column in (
        (Outbox, col(Outbox.person_id)),
        (Outbox, col(Outbox.author_id)),
        (RoleChange, col(RoleChange.person_id)),
        (RoleGrant, col(RoleGrant.person_id)),
        (RoleRequest, col(RoleRequest.person_id)),
        (Invitation, col(Invitation.created_by_id)),
    ):
        await session.execute(delete(table).where(column == person.id))
    await session.execute(delete(Person).where(col(Person.id) == person.id))
