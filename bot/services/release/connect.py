"""After release: the person opens their card (its link, or the short code typed by hand) and
a coordinator confirms it is them before they see anything about their release.

A printed card is a bearer credential: whoever opens it first would otherwise be shown the
prison, the date, probation details and notes. So opening a card only *claims* it: the
person is greeted, the coordinators are asked "is this them?" (they check by phone or with
probation, outside the bot), and only a coordinator's ✅ links the person to the request
(`person_id`). Until then the person, and the companion, learn nothing about each other.
A ❌ frees the card again for the right person (or the coordinator makes a new one).

The short code (CODE_LENGTH characters without 0/O/1/I/L) is stored only as a keyed hash,
works once (it uses up the same invitation as the link), expires with the card, and a
person gets MAX_WRONG_CODES wrong tries a day, so it can't be guessed.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import i18n, texts
from bot.buttons import Button, inline
from bot.crypto import Vault
from bot.db import changed
from bot.geo import timezone_at
from bot.models import CardCodeTry, Invitation, Person, ReleaseRequest
from bot.services.people import invitations, people
from bot.services.release import aftercare as release_aftercare
from bot.services.release import buttons
from bot.services.release import records as release_records
from bot.services.release import text as release_text
from bot.services.release.buttons import ManageAction
from bot.services.release.records import record, tell, tell_coordinators
from bot.services.release.states import LIVE, ClaimProblem, Event, Notice

CARD_KIND = "rc"  # the invitation kind of a release card's link
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a card, typed on a phone
CODE_LENGTH = 7
MAX_WRONG_CODES = 5  # a day, per person
TYPED_CODE = re.compile(rf"^[A-Za-z0-9]{{{CODE_LENGTH}}}$")  # what `/start <code>` may look like


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise(typed: str) -> str | None:
    """The code as stored, from what someone typed ("abc 2345", "ABC-2345"); None if it can't be one."""
    cleaned = re.sub(r"[\s\-]", "", typed).upper()
    if len(cleaned) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in cleaned):
        return None
    return cleaned


@dataclass(frozen=True)
class Claimed:
    problem: ClaimProblem | None  # None when claimed
    request: ReleaseRequest | None = None
    tries_left: int = MAX_WRONG_CODES


async def claim_by_link(session: AsyncSession, invitation: Invitation, person: Person, *, now: datetime) -> Claimed:
    """`/start rc_<token>` (or its code typed before set-up): the card's invitation, looked up
    when it was opened. An invitation of any other kind is unknown here."""
    if invitation.kind != CARD_KIND:
        return Claimed(ClaimProblem.UNKNOWN)
    request = await _request_of(session, invitation.id)
    if request is None:  # a card replaced by a newer one points at no request any more
        replaced = invitations.state(invitation, now) in ("expired", "used")
        return Claimed(ClaimProblem.REPLACED if replaced else ClaimProblem.UNKNOWN)
    return await _claim(session, request, invitation, person, now=now)


async def invitation_for_code(session: AsyncSession, vault: Vault, typed: str) -> Invitation | None:
    """The card a code typed before set-up belongs to (so it rides through set-up like the
    link does); no try is counted, as nobody is stored yet. After set-up, `claim_by_code`."""
    code = normalise(typed)
    found = await _request_with_code(session, vault, code) if code else None
    return await session.get(Invitation, found.invitation_id) if found and found.invitation_id else None


async def _request_with_code(session: AsyncSession, vault: Vault, code: str) -> ReleaseRequest | None:
    """The request whose card has this code; after a key rotation, also a card printed
    before it (hashed under OLD_FELLOWSHIP_SECRET_KEY), whose hash is then upgraded."""
    hashes = [vault.hash_code(code)] + ([vault.previous.hash_code(code)] if vault.previous else [])
    found = await session.execute(select(ReleaseRequest).where(col(ReleaseRequest.card_code_hash).in_(hashes)))
    request = found.scalars().first()
    if request is not None:
        request.card_code_hash = hashes[0]
    return request


async def claim_by_code(session: AsyncSession, vault: Vault, typed: str, person: Person, *, now: datetime) -> Claimed:
    """The short code typed by hand. A wrong one counts against today's tries."""
    assert person.id is not None
    tries = await _tries_today(session, person.id, now)
    if tries.wrong >= MAX_WRONG_CODES:
        return Claimed(ClaimProblem.LOCKED, tries_left=0)
    code = normalise(typed)
    found = await _request_with_code(session, vault, code) if code else None
    invitation = await session.get(Invitation, found.invitation_id) if found and found.invitation_id else None
    if found is None or invitation is None:
        tries.wrong += 1
        left = MAX_WRONG_CODES - tries.wrong
        return Claimed(ClaimProblem.LOCKED if left <= 0 else ClaimProblem.UNKNOWN, tries_left=left)
    if invitation.expires_at <= now:
        return Claimed(ClaimProblem.EXPIRED)
    return await _claim(session, found, invitation, person, now=now)


async def _tries_today(session: AsyncSession, person_id: int, now: datetime) -> CardCodeTry:
    day = release_records.today(now)
    row = (
        await session.execute(select(CardCodeTry).where(col(CardCodeTry.person_id) == person_id, col(CardCodeTry.day) == day))
    ).scalar_one_or_none()
    if row is None:
        row = CardCodeTry(person_id=person_id, day=day, wrong=0)
        session.add(row)
    return row


async def _request_of(session: AsyncSession, invitation_id: int | None) -> ReleaseRequest | None:
    return (
        await session.execute(select(ReleaseRequest).where(col(ReleaseRequest.invitation_id) == invitation_id))
    ).scalar_one_or_none()


async def _claim(session: AsyncSession, request: ReleaseRequest, invitation: Invitation, person: Person, *,
                 now: datetime) -> Claimed:
    """Use the card up (compare-and-set: two people at once, one wins) and ask the
    coordinators to confirm. The person is told nothing about the release yet."""
    assert person.id is not None and request.id is not None
    if request.person_id == person.id:
        return Claimed(ClaimProblem.CONNECTED, request)
    if request.claimed_by_id == person.id:
        return Claimed(ClaimProblem.WAITING, request)
    if invitation.used_at is not None or request.person_id is not None:
        return Claimed(ClaimProblem.USED)
    if invitation.expires_at <= now:
        return Claimed(ClaimProblem.EXPIRED)
    won = await changed(session, (
        update(Invitation)
        .where(col(Invitation.id) == invitation.id, col(Invitation.used_at).is_(None))
        .values(used_at=now, used_by_id=person.id)
    ))
    if won != 1:
        return Claimed(ClaimProblem.USED)
    request.claimed_by_id, request.claimed_at, request.updated_at = person.id, now, now
    record(session, request, Event.CARD_OPENED, now, person.id)
    await tell_coordinators(session, lambda: texts.RELEASE_CLAIM_FOR_COORDINATOR.format(id=request.id, name=texts.h(person.pseudonym)),
                            now, kind=Notice.ALERT, markup=lambda: confirm_buttons(request.id, person.id))
    return Claimed(None, request)


def confirm_row(request_id: int | None, claimant_id: int | None) -> list[Button]:
    """Opaque ids only; the presser, the request and the claimant are checked on press."""
    return [(texts.RELEASE_CLAIM_YES_BUTTON, buttons.confirm(request_id, claimant_id, True)),
            (texts.RELEASE_CLAIM_NO_BUTTON, buttons.confirm(request_id, claimant_id, False))]


def confirm_buttons(request_id: int | None, claimant_id: int | None) -> dict[str, object]:
    return inline([confirm_row(request_id, claimant_id)])


# --- the coordinator's answer ------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    ok: bool
    message: str
    markup: dict[str, object] | None = None


async def decide(session: AsyncSession, request_id: int, claimant_id: int, yes: bool, coordinator: Person, vault: Vault, *,
                 now: datetime, default_zone: str) -> Decided:
    """✅ links the claimant to the request; ❌ frees the card for the right person. Only a
    coordinator may answer, only for the claim the button was made for, and only once."""
    assert coordinator.id is not None
    request = await session.get(ReleaseRequest, request_id)
    if request is None or not await people.is_coordinator(session, coordinator.id):
        return Decided(False, texts.NOT_FOR_YOU)
    claimant = await session.get(Person, claimant_id)
    if claimant is None or request.claimed_by_id != claimant_id or request.person_id is not None:
        return Decided(False, texts.RELEASE_CLAIM_DECIDED)
    # Compare-and-set: two coordinators answering at once, the first answer stands.
    values = {"person_id": claimant_id} if yes else {}
    won = await changed(session, (
        update(ReleaseRequest)
        .where(col(ReleaseRequest.id) == request_id, col(ReleaseRequest.claimed_by_id) == claimant_id,
               col(ReleaseRequest.person_id).is_(None))
        .values(claimed_by_id=None, claimed_at=None, updated_at=now, **values)
    ))
    if won != 1:
        return Decided(False, texts.RELEASE_CLAIM_DECIDED)
    await session.refresh(request)
    name = texts.h(claimant.pseudonym)
    if yes:
        await _connected(session, request, claimant, coordinator, vault, now=now, default_zone=default_zone)
        return Decided(True, texts.RELEASE_CLAIM_CONFIRMED.format(id=request_id, name=name))
    await _rejected(session, request, claimant, coordinator, now=now)
    card = inline([[(texts.RELEASE_MANAGE_BUTTONS["card"], buttons.manage(request_id, ManageAction.NEW_CARD))]])
    return Decided(True, texts.RELEASE_CLAIM_REJECTED.format(id=request_id, name=name), card)


async def _connected(session: AsyncSession, request: ReleaseRequest, person: Person, coordinator: Person, vault: Vault, *,
                     now: datetime, default_zone: str) -> None:
    """Now they see their release: everyone involved hears, and the time zone comes from
    where they are going (no question to answer)."""
    record(session, request, Event.CONNECTED, now, coordinator.id)
    if person.timezone is None and request.destination_latitude is not None and request.destination_longitude is not None:
        person.timezone = timezone_at(request.destination_latitude, request.destination_longitude) or default_zone
    with i18n.speaking(person.language):
        view = await person_view(session, request, vault)
    await tell(session, person.id, Notice.PERSON, lambda: texts.RELEASE_CONNECTED.format(name=texts.h(person.pseudonym)) + "\n\n" + view, now)
    if request.status in LIVE:
        await tell(session, request.companion_id, Notice.COMPANION,
             lambda: texts.RELEASE_CONNECTED_FOR_COMPANION.format(when=release_text.when(request)), now)
    await tell_coordinators(session, lambda: texts.RELEASE_CONNECTED_FOR_COORDINATOR.format(id=request.id), now, exclude=coordinator.id)
    await release_aftercare.ask(session, request, now=now)  # if they have met already


async def _rejected(session: AsyncSession, request: ReleaseRequest, person: Person, coordinator: Person, *, now: datetime) -> None:
    """Not them: the card works again (the right person may still have it), nothing was shown."""
    await session.execute(
        update(Invitation)
        .where(col(Invitation.id) == request.invitation_id, col(Invitation.used_by_id) == person.id)
        .values(used_at=None, used_by_id=None)
    )
    record(session, request, Event.CARD_REJECTED, now, coordinator.id)
    await tell(session, person.id, Notice.PERSON, lambda: texts.RELEASE_CLAIM_REJECTED_FOR_PERSON, now)
    await tell_coordinators(session, lambda: texts.RELEASE_CLAIM_REJECTED_FOR_COORDINATOR.format(id=request.id), now, exclude=coordinator.id)


async def person_view(session: AsyncSession, request: ReleaseRequest, vault: Vault) -> str:
    """The person's own request, with who will meet them: never the companion's notes."""
    companion = await release_records.companion_name(session, request)
    return texts.RELEASE_YOURS.format(
        details=release_text.for_person(request, vault, companion=companion or texts.RELEASE_NO_COMPANION_YET)
    )


async def waiting(session: AsyncSession, person_id: int) -> bool:
    """Whether the person opened a card that no coordinator has confirmed yet."""
    found = await session.execute(select(ReleaseRequest.id).where(col(ReleaseRequest.claimed_by_id) == person_id).limit(1))
    return found.first() is not None


async def forget(session: AsyncSession, person_id: int) -> None:
    """Erasure: their open claims go (the card works again) and so do their wrong tries."""
    claimed = (await session.execute(select(ReleaseRequest).where(col(ReleaseRequest.claimed_by_id) == person_id))).scalars().all()
    for request in claimed:
        request.claimed_by_id, request.claimed_at = None, None
        await session.execute(
            update(Invitation).where(col(Invitation.id) == request.invitation_id, col(Invitation.used_by_id) == person_id)
            .values(used_at=None, used_by_id=None)
        )
    await session.execute(delete(CardCodeTry).where(col(CardCodeTry.person_id) == person_id))
