"""Offering a release to companions; the first to say yes gets it.

Offers go to approved, available companions with an area near the prison or the
destination (and of the gender asked for, if any), nearest first. An offer says only where,
when, fellowship and needs: no name, no prison, no notes. Accepting is a compare-and-set on
the request's status, so when two companions tap at once exactly one wins and the others
are told it is taken. A coordinator can also assign a companion directly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import texts
from bot.buttons import inline
from bot.crypto import Vault
from bot.db import changed
from bot.models import Person, ReleaseOffer, ReleaseRequest
from bot.services.people import people
from bot.services.release import buttons, companions, prisons
from bot.services.release import records as release_records
from bot.services.release import text as release_text
from bot.services.release.buttons import OfferAnswer
from bot.services.release.records import record, tell, tell_coordinators
from bot.services.release.states import STILL_ANSWERABLE, Duty, Event, Notice, OfferStatus, RequestStatus

MAX_OFFERS = 10


@dataclass(frozen=True)
class Answer:
    ok: bool
    message: str


def offer_buttons(offer_id: int | None) -> dict[str, object]:
    return inline([[(texts.RELEASE_ACCEPT_BUTTON, buttons.offer(offer_id, OfferAnswer.ACCEPT)),
                     (texts.RELEASE_DECLINE_BUTTON, buttons.offer(offer_id, OfferAnswer.DECLINE))]])


def _points(request: ReleaseRequest) -> list[tuple[float, float]]:
    points = []
    prison = prisons.by_code(request.prison_code or "")
    if prison is not None:
        points.append((prison.latitude, prison.longitude))
    if request.destination_latitude is not None and request.destination_longitude is not None:
        points.append((request.destination_latitude, request.destination_longitude))
    return points


async def _offers(session: AsyncSession, request_id: int, *statuses: OfferStatus) -> list[ReleaseOffer]:
    query = select(ReleaseOffer).where(col(ReleaseOffer.request_id) == request_id)
    if statuses:
        query = query.where(col(ReleaseOffer.status).in_(statuses))
    return list((await session.execute(query.order_by(col(ReleaseOffer.id)))).scalars())


async def offer(session: AsyncSession, request: ReleaseRequest, *, now: datetime) -> int:
    """Offer the request to up to MAX_OFFERS companions not asked before; returns how many."""
    assert request.id is not None
    asked = {o.companion_id for o in await _offers(session, request.id)}
    found = await companions.covering(
        session, _points(request), gender=request.gender_preference, exclude=asked | {request.person_id or 0}
    )
    for candidate in found[:MAX_OFFERS]:
        row = ReleaseOffer(request_id=request.id, companion_id=candidate.person_id, created_at=now)
        session.add(row)
        await session.flush()
        await tell(session, candidate.person_id, Notice.OFFER, lambda: release_text.offer(request), now,
                   functools.partial(offer_buttons, row.id))
    offered = min(len(found), MAX_OFFERS)
    record(session, request, Event.OFFERED, now, detail=str(offered))
    return offered


async def refresh_offers(session: AsyncSession, request: ReleaseRequest, *, now: datetime) -> None:
    """The date or time changed while companions are still deciding: show them the new one."""
    assert request.id is not None
    for row in await _offers(session, request.id, OfferStatus.OFFERED):
        await tell(session, row.companion_id, Notice.OFFER, lambda: texts.RELEASE_OFFER_CHANGED + "\n\n" + release_text.offer(request),
                   now, functools.partial(offer_buttons, row.id))


async def _give(session: AsyncSession, request: ReleaseRequest, companion_id: int, now: datetime) -> bool:
    """Assign the request if nobody has it yet (compare-and-set); False if someone was first."""
    won = await changed(session, (
        update(ReleaseRequest)
        .where(col(ReleaseRequest.id) == request.id, col(ReleaseRequest.status) == RequestStatus.OPEN)
        .values(status=RequestStatus.ASSIGNED, companion_id=companion_id, assigned_at=now, updated_at=now)
    ))
    if won != 1:
        return False
    await session.refresh(request)
    assert request.id is not None
    for row in await _offers(session, request.id, OfferStatus.OFFERED):
        if row.companion_id != companion_id:
            row.status, row.answered_at = OfferStatus.TAKEN, now
            await tell(session, row.companion_id, Notice.OFFER, lambda: texts.RELEASE_TAKEN_NOTICE.format(
                when=release_text.when(request), area=texts.h(release_text.area(request))), now)
    await release_records.arm(session, request.id, Duty.ESCALATE, None)
    name = await release_records.companion_name(session, request)
    await tell(session, request.person_id, Notice.PERSON, lambda: texts.RELEASE_ACCEPTED_FOR_PERSON.format(
        companion=texts.h(name), prison=texts.h(release_text.prison_name(request)), when=release_text.when(request)), now)
    return True


async def _reassign(session: AsyncSession, request: ReleaseRequest, previous: int, companion_id: int, now: datetime) -> bool:
    """Hand an assigned release to someone else (the companion can't be reached, say);
    compare-and-set on the companion, so two coordinators can't both do it."""
    won = await changed(session, (
        update(ReleaseRequest)
        .where(col(ReleaseRequest.id) == request.id, col(ReleaseRequest.status) == RequestStatus.ASSIGNED,
               col(ReleaseRequest.companion_id) == previous)
        .values(companion_id=companion_id, assigned_at=now, updated_at=now)
    ))
    if won != 1:
        return False
    await session.refresh(request)
    return True


async def accept(session: AsyncSession, offer_id: int, companion: Person, vault: Vault, *, now: datetime) -> Answer:
    """A companion says yes. Only the companion the offer was made to may; the first wins."""
    row = await session.get(ReleaseOffer, offer_id)
    if row is None or row.companion_id != companion.id:
        return Answer(False, texts.NOT_FOR_YOU)
    request = await session.get(ReleaseRequest, row.request_id)
    assert request is not None and companion.id is not None
    if request.companion_id == companion.id:
        return Answer(False, texts.RELEASE_ALREADY_YOURS)
    open_offer = request.status == RequestStatus.OPEN and row.status in STILL_ANSWERABLE
    if not open_offer or not await _give(session, request, companion.id, now):
        await session.refresh(request)  # another companion (or process) may have just won
        taken = request.status == RequestStatus.ASSIGNED
        if row.status in STILL_ANSWERABLE:
            row.status, row.answered_at = OfferStatus.TAKEN if taken else OfferStatus.WITHDRAWN, now
        return Answer(False, texts.RELEASE_TAKEN if taken else texts.RELEASE_OFFER_GONE)
    row.status, row.answered_at = OfferStatus.ACCEPTED, now
    record(session, request, Event.ACCEPTED, now, companion.id)
    await tell_coordinators(session, lambda: texts.RELEASE_ACCEPTED_FOR_COORDINATOR.format(
        id=request.id, companion=texts.h(companion.pseudonym), when=release_text.when(request),
        prison=texts.h(release_text.prison_name(request))), now, exclude=companion.id)
    return Answer(True, texts.RELEASE_ACCEPTED.format(name=texts.h(companion.pseudonym), details=release_text.details(request, vault)))


async def decline(session: AsyncSession, offer_id: int, companion: Person, *, now: datetime) -> Answer:
    """Not this time. When everyone asked has said no, coordinators hear at once."""
    row = await session.get(ReleaseOffer, offer_id)
    if row is None or row.companion_id != companion.id:
        return Answer(False, texts.NOT_FOR_YOU)
    if row.status != OfferStatus.OFFERED:
        return Answer(False, texts.RELEASE_TAKEN if row.status == OfferStatus.TAKEN else texts.RELEASE_OFFER_GONE)
    row.status, row.answered_at = OfferStatus.DECLINED, now
    request = await session.get(ReleaseRequest, row.request_id)
    assert request is not None and request.id is not None
    if request.status == RequestStatus.OPEN and not await _offers(session, request.id, OfferStatus.OFFERED):
        await tell_coordinators(session, lambda: texts.RELEASE_ALL_DECLINED.format(
            id=request.id, when=release_text.when(request), prison=texts.h(release_text.prison_name(request))),
            now, kind=Notice.ALERT, markup=lambda: release_records.coordinator_buttons(request))
    return Answer(True, texts.RELEASE_DECLINED)


async def assign(session: AsyncSession, request: ReleaseRequest, companion_id: int, coordinator: Person, vault: Vault,
                 *, now: datetime) -> Answer:
    """A coordinator gives the request to an approved companion (after the escalation alert,
    say), or to someone else when the one assigned can't do it."""
    assert coordinator.id is not None
    if not await people.is_coordinator(session, coordinator.id):
        return Answer(False, texts.NOT_FOR_YOU)
    if not await companions.is_companion(session, companion_id):
        return Answer(False, texts.STALE_BUTTON)
    previous = request.companion_id if request.status == RequestStatus.ASSIGNED else None
    if previous == companion_id:
        return Answer(False, texts.RELEASE_ALREADY_ASSIGNED)
    if previous is not None:
        if not await _reassign(session, request, previous, companion_id, now):
            return Answer(False, texts.RELEASE_ALREADY_ASSIGNED)
        await tell(session, previous, Notice.COMPANION, lambda: texts.RELEASE_REASSIGNED_FOR_COMPANION.format(when=release_text.when(request)), now)
    elif request.status != RequestStatus.OPEN or not await _give(session, request, companion_id, now):
        return Answer(False, texts.RELEASE_ALREADY_ASSIGNED)
    for row in await _offers(session, request.id or 0, *STILL_ANSWERABLE):
        if row.companion_id == companion_id:
            row.status, row.answered_at = OfferStatus.ACCEPTED, now
    record(session, request, Event.ASSIGNED, now, coordinator.id)
    await tell(session, companion_id, Notice.COMPANION,
         lambda: texts.RELEASE_ASSIGNED_FOR_COMPANION.format(details=release_text.details(request, vault)), now)
    name = await release_records.companion_name(session, request)
    await tell_coordinators(session, lambda: texts.RELEASE_ACCEPTED_FOR_COORDINATOR.format(
        id=request.id, companion=texts.h(name), when=release_text.when(request),
        prison=texts.h(release_text.prison_name(request))), now, exclude=coordinator.id)
    return Answer(True, texts.RELEASE_ASSIGNED.format(companion=texts.h(name), when=release_text.when(request)))


async def withdraw_offers(session: AsyncSession, request: ReleaseRequest, *, now: datetime) -> None:
    """The request closed before anyone took it: outstanding offers stop working."""
    assert request.id is not None
    for row in await _offers(session, request.id, OfferStatus.OFFERED):
        row.status, row.answered_at = OfferStatus.WITHDRAWN, now
