"""People: found by a keyed hash of their Telegram id, created only after consent."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Person, RoleChange, RoleGrant
from bot.runtime import Runtime

PURPOSES = {
    "recovery": "I'm in recovery",
    "prison": "I'm leaving prison soon",
    "support": "I support someone",
    "meeting": "I run a meeting",
    "companion": "I volunteer as a companion",
}
# Roles anyone has, and roles that must be granted.
OPEN_ROLES = ("member", "supporter")
GRANTED_ROLES = ("secretary", "companion", "coordinator")
REQUESTABLE_ROLES = ("secretary", "companion")


async def find(session: AsyncSession, rt: Runtime, telegram_id: int) -> Person | None:
    result = await session.execute(select(Person).where(Person.telegram_hash == rt.vault.hash_telegram_id(telegram_id)))
    person = result.scalar_one_or_none()
    if person is not None:
        await _grant_configured_coordinator(session, rt, person)
    return person


async def _grant_configured_coordinator(session: AsyncSession, rt: Runtime, person: Person) -> None:
    """People named in COORDINATOR_TELEGRAM_IDS are coordinators from the start (and only
    while they are named there: see `bot.services.people.role_changes.sync_configured_coordinators`)."""
    if person.telegram_hash in rt.coordinator_hashes:
        await ensure_role(session, person, "coordinator", now=rt.clock.now(), source="settings")


async def create_on_consent(
    session: AsyncSession, rt: Runtime, telegram_id: int, chat_id: int
) -> tuple[Person, bool]:
    """Create the person when they press Agree; (person, created). A double tap, or two
    processes, find the existing person instead of making a second."""
    existing = await find(session, rt, telegram_id)
    if existing is not None:
        return existing, False
    now = rt.clock.now()
    person = Person(
        telegram_hash=rt.vault.hash_telegram_id(telegram_id),
        chat_id_enc=rt.vault.encrypt_chat_id(chat_id),
        awaiting="pseudonym",
        consented_at=now,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(person)
    except IntegrityError:  # the other tap won the race
        found = await find(session, rt, telegram_id)
        assert found is not None
        return found, False
    await _grant_configured_coordinator(session, rt, person)
    return person, True


def refresh_chat(rt: Runtime, person: Person, chat_id: int) -> None:
    """People reach us again after blocking/unblocking: keep the chat current and reachable."""
    person.unreachable_at = None
    if rt.vault.decrypt_chat_id(person.chat_id_enc) != chat_id:
        person.chat_id_enc = rt.vault.encrypt_chat_id(chat_id)


async def is_coordinator(session: AsyncSession, person_id: int) -> bool:
    return "coordinator" in await roles_of(session, person_id)


async def roles_of(session: AsyncSession, person_id: int) -> set[str]:
    result = await session.execute(select(RoleGrant.role).where(RoleGrant.person_id == person_id))
    return set(OPEN_ROLES) | set(result.scalars())


async def ensure_role(
    session: AsyncSession, person: Person, role: str, *, now: datetime, granted_by: int | None = None,
    source: str = "granted",
) -> bool:
    """Grant a role if not held, and record the change; returns True when newly granted."""
    assert role in GRANTED_ROLES
    held = await session.execute(select(RoleGrant.id).where(RoleGrant.person_id == person.id, RoleGrant.role == role))
    if held.first() is not None:
        return False
    assert person.id is not None
    session.add(RoleGrant(person_id=person.id, role=role, granted_at=now, granted_by_id=granted_by, source=source))
    session.add(RoleChange(person_id=person.id, role=role, change="granted", actor_id=granted_by,
                           reason="settings" if source == "settings" else None, at=now))
    await session.flush()
    return True


async def coordinators(session: AsyncSession, *, exclude: int | None = None) -> list[Person]:
    query = select(Person).join(RoleGrant, RoleGrant.person_id == Person.id).where(RoleGrant.role == "coordinator")
    if exclude is not None:
        query = query.where(Person.id != exclude)
    return list((await session.execute(query.order_by(Person.id))).scalars())


def local_today(person: Person, now: datetime, default_tz: str) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(person.timezone or default_tz)).date()


def format_time(value: time) -> str:
    return value.strftime("%H:%M")


async def pseudonyms(session: AsyncSession, *person_ids: int | None) -> dict[int, str]:
    """Names of these people (those who still exist), by id."""
    wanted = {i for i in person_ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(Person.id, Person.pseudonym).where(Person.id.in_(wanted)))  # type: ignore[union-attr]
    return {pid: name or "" for pid, name in rows.all()}
