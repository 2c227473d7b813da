"""People: found by a keyed hash of their Telegram id, created only after consent."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import i18n
from bot.crypto import Undecryptable, Vault
from bot.models import Person, RoleChange, RoleGrant
from bot.runtime import Runtime
from bot.services import schedule_times
from bot.services.people.states import GrantSource, Purpose, Role, RoleChangeKind, Step

log = logging.getLogger("fellowship.people")

# What brings someone here: the codes, in the order offered (their words: texts.PURPOSES).
PURPOSES: tuple[str, ...] = tuple(Purpose)
# Roles anyone has, and roles that must be granted.
OPEN_ROLES = (Role.MEMBER, Role.SUPPORTER)
GRANTED_ROLES = (Role.SECRETARY, Role.COMPANION, Role.COORDINATOR)
REQUESTABLE_ROLES = (Role.SECRETARY, Role.COMPANION)


async def find(session: AsyncSession, rt: Runtime, telegram_id: int) -> Person | None:
    """The person with this Telegram id. After a key rotation, someone not yet seen since is
    found by the old key's hash and their row re-hashed under the new key (`bot.rotation`)."""
    person = await _by_hash(session, rt.vault.hash_telegram_id(telegram_id))
    if person is None and rt.vault.previous is not None:
        person = await _by_hash(session, rt.vault.previous.hash_telegram_id(telegram_id))
        if person is not None:
            person.telegram_hash = rt.vault.hash_telegram_id(telegram_id)
    if person is not None:
        await _grant_configured_coordinator(session, rt, person)
        i18n.use(person.language)  # the acting person: this update answers in their language
    return person


async def _by_hash(session: AsyncSession, telegram_hash: str) -> Person | None:
    result = await session.execute(select(Person).where(col(Person.telegram_hash) == telegram_hash))
    return result.scalar_one_or_none()


async def _grant_configured_coordinator(session: AsyncSession, rt: Runtime, person: Person) -> None:
    """People named in COORDINATOR_TELEGRAM_IDS are coordinators from the start (and only
    while they are named there: see `bot.services.people.role_changes.sync_configured_coordinators`)."""
    if person.telegram_hash in rt.coordinator_hashes:
        await ensure_role(session, person, Role.COORDINATOR, now=rt.clock.now(), source=GrantSource.SETTINGS)


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
        chat_id_enc="",  # bound to the row's id, so encrypted once the insert gives one
        awaiting=Step.PSEUDONYM.value,
        language=i18n.current(),  # from Telegram's language_code, set for this update
        consented_at=now,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(person)
            await session.flush()
    except IntegrityError:  # the other tap won the race
        found = await find(session, rt, telegram_id)
        assert found is not None
        return found, False
    person.chat_id_enc = rt.vault.encrypt_chat_id(chat_id, person_id=person.id)
    await _grant_configured_coordinator(session, rt, person)
    return person, True


def set_language(person: Person, code: str) -> bool:
    """Speak `code` to this person from now on (and for the rest of this update); False
    for a language we don't have. Old buttons keep working: their data has no words."""
    if code not in i18n.LANGUAGES:
        return False
    person.language = code
    i18n.use(code)
    return True


def expect(person: Person, question: str | None) -> None:
    """Remember the question this person is answering (`Person.awaiting`, e.g. "pseudonym" or
    "role_answer:secretary"), so their next text goes to it even after a restart; None
    when nothing is asked any more."""
    person.awaiting = None if question is None else str(question)


def refresh_chat(rt: Runtime, person: Person, chat_id: int) -> None:
    """People reach us again after blocking/unblocking: keep the chat current and reachable.
    A stored chat id that doesn't decrypt for this row (copied in from another) is replaced
    by the one they are writing from, and one written before row binding is rewritten bound."""
    person.unreachable_at = None
    if stored_chat_id(rt.vault, person) != chat_id or not Vault.is_bound(person.chat_id_enc):
        person.chat_id_enc = rt.vault.encrypt_chat_id(chat_id, person_id=person.id)


def stored_chat_id(vault: Vault, person: Person) -> int | None:
    """The person's chat id, or None when the stored one doesn't belong to their row."""
    return _chat_id_or_none(vault, person.id, person.chat_id_enc)


def _chat_id_or_none(vault: Vault, person_id: int | None, token: str) -> int | None:
    try:
        return vault.decrypt_chat_id(token, person_id=person_id)
    except Undecryptable:
        log.warning("a stored chat id does not decrypt for person %s; treated as unreachable", person_id)
        return None


async def is_coordinator(session: AsyncSession, person_id: int) -> bool:
    return Role.COORDINATOR in await roles_of(session, person_id)


async def roles_of(session: AsyncSession, person_id: int) -> set[str]:
    result = await session.execute(select(RoleGrant.role).where(col(RoleGrant.person_id) == person_id))
    return set(OPEN_ROLES) | set(result.scalars())


async def ensure_role(
    session: AsyncSession, person: Person, role: str, *, now: datetime, granted_by: int | None = None,
    source: str = GrantSource.GRANTED,
) -> bool:
    """Grant a role if not held, and record the change; returns True when newly granted."""
    assert role in GRANTED_ROLES
    held = await session.execute(
        select(RoleGrant.id).where(col(RoleGrant.person_id) == person.id, col(RoleGrant.role) == role)
    )
    if held.first() is not None:
        return False
    assert person.id is not None
    session.add(RoleGrant(person_id=person.id, role=role, granted_at=now, granted_by_id=granted_by, source=source))
    session.add(RoleChange(person_id=person.id, role=role, change=RoleChangeKind.GRANTED, actor_id=granted_by,
                           reason=GrantSource.SETTINGS if source == GrantSource.SETTINGS else None, at=now))
    await session.flush()
    return True


async def coordinators(session: AsyncSession, *, exclude: int | None = None) -> list[Person]:
    query = (
        select(Person)
        .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
        .where(col(RoleGrant.role) == Role.COORDINATOR)
    )
    if exclude is not None:
        query = query.where(col(Person.id) != exclude)
    return list((await session.execute(query.order_by(col(Person.id)))).scalars())


async def by_id(session: AsyncSession, person_id: int | None) -> Person | None:
    """The person with this id (looked up server-side from a button or a row), if they exist."""
    return await session.get(Person, person_id) if person_id is not None else None


async def chat_ids(session: AsyncSession, vault: Vault, person_ids: Iterable[int]) -> dict[int, int]:
    """Where to reach these people (decrypted chat ids), by person id; the erased are absent,
    and so is anyone whose stored chat id doesn't decrypt for their own row (a copied one)."""
    wanted = set(person_ids)
    if not wanted:
        return {}
    found = await session.execute(select(Person.id, Person.chat_id_enc).where(col(Person.id).in_(wanted)))
    decrypted = {pid: _chat_id_or_none(vault, pid, enc) for pid, enc in found.all() if pid is not None}
    return {pid: chat for pid, chat in decrypted.items() if chat is not None}


def local_today(person: Person, now: datetime, default_tz: str) -> date:
    """The person's local day now (the bot's default zone if theirs is missing or unknown)."""
    return schedule_times.local_date(now, schedule_times.zone_named(person.timezone, default_tz))


def format_time(value: time) -> str:
    return value.strftime("%H:%M")


async def pseudonyms(session: AsyncSession, *person_ids: int | None) -> dict[int, str]:
    """Names of these people (those who still exist), by id."""
    wanted = {i for i in person_ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(Person.id, Person.pseudonym).where(col(Person.id).in_(wanted)))
    return {pid: name or "" for pid, name in rows.all() if pid is not None}
