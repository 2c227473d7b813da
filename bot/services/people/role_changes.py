"""Ending a role: a coordinator removes it, the holder steps down, or the bootstrap list in
COORDINATOR_TELEGRAM_IDS no longer names them. Every change is recorded (who, what, when,
why as a reason code) in `RoleChange`, and the effects of losing a role live here:

- a coordinator stops being waited on for alerts passed to coordinators, and leaves the
  on-call switch and rota (their `CoordinatorDuty` row goes);
- a companion's releases go back to the coordinators (as when a companion leaves);
- a secretary's meetings stay listed, without a secretary, for coordinators to reassign.

Coordinators named in the settings are coordinators for as long as they are named there:
they can't be removed in the bot, and lose the role at the first start without their id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import texts
from bot.db import rows_changed
from bot.models import CoordinatorDuty, Meeting, Person, RoleChange, RoleGrant
from bot.services import outbox
from bot.services.people import people
from bot.services.people.states import GrantSource, News, Role, RoleChangeKind
from bot.services.release import requests as releases
from bot.services.support import alerts

log = logging.getLogger("fellowship.roles")

REMOVAL_REASONS = tuple(texts.REMOVAL_REASONS)  # codes stored in RoleChange.reason
NEWS = News.ROLE_OUTCOME


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str


async def holders(session: AsyncSession) -> list[tuple[Person, list[RoleGrant]]]:
    """Everyone holding a granted role, with their grants, by name."""
    rows = (await session.execute(
        select(Person, RoleGrant).join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .order_by(col(Person.pseudonym), col(Person.id), col(RoleGrant.role))
    )).all()
    grouped: dict[int, tuple[Person, list[RoleGrant]]] = {}
    for person, grant in rows:
        grouped.setdefault(grant.person_id, (person, []))[1].append(grant)
    return list(grouped.values())


async def grants_of(session: AsyncSession, person_id: int) -> list[RoleGrant]:
    found = await session.execute(
        select(RoleGrant).where(col(RoleGrant.person_id) == person_id).order_by(col(RoleGrant.role))
    )
    return list(found.scalars())


async def history(session: AsyncSession, person_id: int, *, limit: int = 20) -> list[RoleChange]:
    """The newest changes to this person's roles, newest first."""
    found = await session.execute(
        select(RoleChange).where(col(RoleChange.person_id) == person_id)
        .order_by(col(RoleChange.at).desc(), col(RoleChange.id).desc()).limit(limit)
    )
    return list(found.scalars())


@dataclass(frozen=True)
class RoleCard:
    """One person's roles and their history, with the names of who changed them."""

    holder: Person
    grants: list[RoleGrant]
    changes: list[RoleChange]
    actors: dict[int, str]


async def card(session: AsyncSession, person_id: int) -> RoleCard | None:
    """What a coordinator sees about one person's roles; None if they no longer exist."""
    holder = await people.by_id(session, person_id)
    if holder is None or holder.id is None:
        return None
    grants = await grants_of(session, holder.id)
    changes = await history(session, holder.id)
    actors = await people.pseudonyms(session, *(c.actor_id for c in changes))
    return RoleCard(holder, grants, changes, actors)


async def grant_with_holder(session: AsyncSession, grant_id: int) -> tuple[RoleGrant, Person] | None:
    """A held role (by id, from a button) and its holder; None once it has ended."""
    grant = await session.get(RoleGrant, grant_id)
    holder = await people.by_id(session, grant.person_id) if grant is not None else None
    return (grant, holder) if grant is not None and holder is not None else None


async def remove(session: AsyncSession, coordinator: Person, grant_id: int, reason: str, *, now: datetime) -> Outcome:
    """A coordinator ends someone else's role, giving a reason code; the person is told
    kindly (without the reason) through the outbox, in this transaction."""
    assert coordinator.id is not None
    if not await people.is_coordinator(session, coordinator.id) or reason not in REMOVAL_REASONS:
        return Outcome(False, texts.NOT_FOR_YOU)
    grant = await session.get(RoleGrant, grant_id)
    if grant is None:
        return Outcome(False, texts.ROLE_NOT_HELD)
    if grant.person_id == coordinator.id:
        return Outcome(False, texts.ROLE_REMOVE_SELF)
    if grant.source == GrantSource.SETTINGS:
        return Outcome(False, texts.ROLE_FROM_SETTINGS_CANT)
    holder = await session.get(Person, grant.person_id)
    assert holder is not None
    if not await _end(session, holder, grant, RoleChangeKind.REMOVED, now, actor_id=coordinator.id, reason=reason):
        return Outcome(False, texts.ROLE_NOT_HELD)
    role = texts.ROLE_NAMES[grant.role]
    await outbox.enqueue_for(session, holder.id or 0, NEWS, lambda: texts.ROLE_REMOVED_NOTICE.format(role=texts.ROLE_NAMES[grant.role]), now=now)
    return Outcome(True, texts.ROLE_REMOVED_DONE.format(name=texts.h(holder.pseudonym), role=role))


async def step_down(session: AsyncSession, person: Person, role: str, *, now: datetime) -> Outcome:
    """The holder gives a role up; the other coordinators are told."""
    assert person.id is not None
    grant = next((g for g in await grants_of(session, person.id) if g.role == role), None)
    if grant is None:
        return Outcome(False, texts.ROLE_NOT_HELD)
    if grant.source == GrantSource.SETTINGS:
        return Outcome(False, texts.ROLE_SETTINGS_COORDINATOR)
    if role == Role.COORDINATOR and not await people.coordinators(session, exclude=person.id):
        return Outcome(False, texts.ROLE_LAST_COORDINATOR)
    if not await _end(session, person, grant, RoleChangeKind.STEPPED_DOWN, now, actor_id=person.id):
        return Outcome(False, texts.ROLE_NOT_HELD)

    def notice() -> str:
        return texts.ROLE_STEPPED_DOWN_NOTICE.format(name=texts.h(person.pseudonym), role=texts.ROLE_NAMES[role])

    for other in await people.coordinators(session, exclude=person.id):
        await outbox.enqueue_for(session, other.id or 0, NEWS, notice, now=now)
    return Outcome(True, texts.ROLE_STEPPED_DOWN.format(role=texts.ROLE_NAMES[role]))


async def sync_configured_coordinators(session: AsyncSession, configured_hashes: frozenset[str], *, now: datetime) -> int:
    """At start: coordinators who were made so by COORDINATOR_TELEGRAM_IDS and are no longer
    named there lose the role (and are told). Returns how many."""
    rows = (await session.execute(
        select(RoleGrant, Person).join(Person, col(Person.id) == col(RoleGrant.person_id))
        .where(col(RoleGrant.role) == Role.COORDINATOR, col(RoleGrant.source) == GrantSource.SETTINGS)
    )).all()
    ended = 0
    for grant, person in rows:
        if person.telegram_hash in configured_hashes:
            continue
        if await _end(session, person, grant, RoleChangeKind.REMOVED, now, reason=GrantSource.SETTINGS):
            await outbox.enqueue_for(session, person.id or 0, NEWS,
                                     lambda: texts.ROLE_REMOVED_NOTICE.format(role=texts.ROLE_NAMES[Role.COORDINATOR]), now=now)
            ended += 1
    if ended:
        log.info("%s coordinator role(s) ended: no longer in COORDINATOR_TELEGRAM_IDS", ended)
    return ended


async def _end(session: AsyncSession, person: Person, grant: RoleGrant, change: str, now: datetime, *,
               actor_id: int | None = None, reason: str | None = None) -> bool:
    """Delete the grant (once, even if two coordinators press at once), record it and undo
    what the role carried."""
    deleted = await session.execute(delete(RoleGrant).where(col(RoleGrant.id) == grant.id))
    if rows_changed(deleted) != 1:
        return False
    assert person.id is not None
    session.add(RoleChange(person_id=person.id, role=grant.role, change=change, reason=reason, actor_id=actor_id, at=now))
    if grant.role == Role.COORDINATOR:
        await session.execute(delete(CoordinatorDuty).where(col(CoordinatorDuty.person_id) == person.id))
        await alerts.stop_waiting_on(session, person.id, now, role=Role.COORDINATOR)
    elif grant.role == Role.COMPANION:
        await releases.hand_back(session, person, now)
    elif grant.role == Role.SECRETARY:
        await session.execute(
            update(Meeting).where(col(Meeting.secretary_id) == person.id).values(secretary_id=None, updated_at=now)
        )
    log.info("person %s: %s role %s", person.id, grant.role, change)
    return True
