"""Accountability: who viewed or changed a release request or an alert escalated to coordinators.

Every time a coordinator or a companion opens or changes such a record, one `AuditEntry` is
written in the same transaction (who, as a pseudonymous person id and role; what; which
record; when), so a coordinator can answer "who has seen this person's release details?".

- Written by: `record` (called by the release history, `release.records.record`, for every
  change with an actor; by the release views; and by the alerts when a coordinator answers
  or is shown an escalated alert). The person acting on their own request is not audited.
- Shown to coordinators only — `trail` (the handler checks the role).
- Kept `Settings.audit_retention_days`, dropped by the storage-hygiene duty — `drop_expired`;
  erased with its record — `erase_subject` (`release.retention.delete_request`,
  `support.alerts.erase`).
- /forget of an actor keeps the rows without them (`forget_actor`): the rows are about the
  record's person, whose right to know who looked at their data outlives the coordinator's
  account; nothing about the actor but their former role is left. /mydata shows both the
  person's own actions and who viewed or changed records about them — `export`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.db import changed
from bot.models import AuditEntry, Incident, Person, ReleaseRequest
from bot.runtime import Runtime

TRAIL_SHOWN = 30  # newest entries on a coordinator's screen (one message, well under 4096 characters)


class Subject(StrEnum):
    RELEASE = "release"
    ALERT = "alert"


class ActorRole(StrEnum):
    COORDINATOR = "coordinator"
    COMPANION = "companion"


class Action(StrEnum):
    """What was done, besides the release history's own kinds (recorded as themselves)."""

    VIEWED = "viewed"
    VIEWED_TRAIL = "viewed_trail"
    LISTED = "listed"  # shown in the coordinator's view
    REACHING_OUT = "reaching_out"
    CANT = "cant"


def record(session: AsyncSession, actor_id: int | None, role: str, subject: Subject, subject_id: int | None, action: str,
           now: datetime) -> None:
    """One entry, in the caller's transaction (so a change and its entry commit together)."""
    if actor_id is None or subject_id is None:
        return
    session.add(AuditEntry(actor_id=actor_id, actor_role=role, action=action[:20], subject=subject, subject_id=subject_id, at=now))


def release_role(request: ReleaseRequest, actor_id: int | None) -> ActorRole | None:
    """Who `actor_id` is to this request: its companion, or (anyone else acting on it, whom
    the services have already checked) a coordinator; None for the person themselves (their
    own request, or the card they have just opened)."""
    own = actor_id in (request.person_id, request.claimed_by_id) or (actor_id == request.created_by_id and not request.on_behalf)
    if actor_id is None or own:
        return None
    return ActorRole.COMPANION if actor_id == request.companion_id else ActorRole.COORDINATOR


def record_release(session: AsyncSession, request: ReleaseRequest, actor_id: int | None, action: str, now: datetime) -> None:
    """An entry for a release request, unless the person acted on their own request."""
    role = release_role(request, actor_id)
    if role is not None:
        record(session, actor_id, role, Subject.RELEASE, request.id, action, now)


@dataclass(frozen=True)
class Line:
    """One entry as a coordinator reads it."""

    at: datetime
    who: str | None  # the actor's pseudonym; None once they erased themselves
    role: str
    action: str


async def trail(session: AsyncSession, subject: Subject, subject_id: int, *, limit: int = TRAIL_SHOWN) -> tuple[list[Line], int]:
    """The newest entries about a record, newest first, and how many there are in all."""
    rows = (await session.execute(
        select(AuditEntry, Person.pseudonym)
        .outerjoin(Person, col(Person.id) == col(AuditEntry.actor_id))
        .where(col(AuditEntry.subject) == subject, col(AuditEntry.subject_id) == subject_id)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    )).all()
    lines = [Line(e.at, name if e.actor_id is not None else None, e.actor_role, e.action) for e, name in rows[:limit]]
    return lines, len(rows)


async def erase_subject(session: AsyncSession, subject: Subject, *subject_ids: int | None) -> int:
    """The entries about these records go with them."""
    wanted = [i for i in subject_ids if i is not None]
    if not wanted:
        return 0
    return await changed(session, delete(AuditEntry).where(col(AuditEntry.subject) == subject, col(AuditEntry.subject_id).in_(wanted)))


async def drop_expired(session: AsyncSession, now: datetime, *, keep_days: int) -> int:
    """Entries older than the retention time go (the storage-hygiene duty)."""
    return await changed(session, delete(AuditEntry).where(col(AuditEntry.at) < now - timedelta(days=keep_days)))


async def forget_actor(session: AsyncSession, person: Person) -> None:
    """/forget: the entries they made stay, without them (see the module docstring)."""
    await session.execute(update(AuditEntry).where(col(AuditEntry.actor_id) == person.id).values(actor_id=None))


async def export(session: AsyncSession, rt: Runtime, person: Person) -> dict[str, Any]:
    """What you viewed or changed as a coordinator or companion, and who viewed or changed
    your own release requests and the alerts about you."""
    assert person.id is not None
    mine = (await session.execute(
        select(AuditEntry).where(col(AuditEntry.actor_id) == person.id).order_by(col(AuditEntry.at), col(AuditEntry.id))
    )).scalars()
    own_requests = select(ReleaseRequest.id).where(col(ReleaseRequest.person_id) == person.id)
    own_alerts = select(Incident.id).where(col(Incident.member_id) == person.id)
    about = (await session.execute(
        select(AuditEntry, Person.pseudonym).outerjoin(Person, col(Person.id) == col(AuditEntry.actor_id))
        .where(((col(AuditEntry.subject) == Subject.RELEASE) & col(AuditEntry.subject_id).in_(own_requests))
               | ((col(AuditEntry.subject) == Subject.ALERT) & col(AuditEntry.subject_id).in_(own_alerts)))
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )).all()
    return {
        "what_you_viewed_or_changed": [
            {"record": e.subject, "number": e.subject_id, "as": e.actor_role, "what": e.action, "at": e.at.isoformat()} for e in mine
        ],
        "who_viewed_or_changed_your_records": [
            {"record": e.subject, "who": name if e.actor_id is not None else None, "as": e.actor_role, "what": e.action,
             "at": e.at.isoformat()}
            for e, name in about
        ],
    }
