"""Release requests: drafted step by step, sent to companions, moved, closed and connected.

A request is made by the person leaving prison (if they have the bot already) or by a
coordinator on their behalf; then it also gets a single-use link (kind "rc") and a
printable card, so the person can connect after release. Each answer is saved as it is
given (`RequestStatus.DRAFT`), so a restart or a second process loses nothing. Messages to anyone
but the person acting go through the outbox, in the same transaction as the change.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import texts
from bot.crypto import Vault
from bot.models import Invitation, Person, ReleaseEvent, ReleaseOffer, ReleaseRequest
from bot.runtime import Runtime
from bot.services import places
from bot.services.caps import Caps, next_allowed, refusal
from bot.services.people import invitations, people
from bot.services.release import connect as release_connect
from bot.services.release import matching as release_matching
from bot.services.release import prisons
from bot.services.release import records as release_records
from bot.services.release import retention as release_retention
from bot.services.release import text as release_text
from bot.services.release.buttons import ManageAction
from bot.services.release.connect import CARD_KIND
from bot.services.release.records import record, tell, tell_coordinators
from bot.services.release.states import LIVE, Duty, Event, Notice, OfferStatus, Outcome, RequestStatus
from bot.services.validation import InvalidInput, parse_date

NEEDS = tuple(texts.RELEASE_NEEDS)
GENDER_PREFERENCES = tuple(texts.RELEASE_GENDER_PREFERENCES)
MAX_AHEAD = timedelta(days=366)
TEXT_MAX = 500
CARD_VALID_AFTER_RELEASE = timedelta(days=30)  # a card's link and code, from the expected gate time
STEPS = ("prison", "date", "time", "destination", "gender", "fellowship", "needs", "probation", "notes", "person_note")
PRIVATE_FIELDS = {
    "probation": ("probation_enc", release_text.PROBATION_CONTEXT),
    "notes": ("notes_enc", release_text.NOTES_CONTEXT),  # for the companion and coordinators, never the person
    "person_note": ("person_note_enc", release_text.PERSON_NOTE_CONTEXT),  # for the person, asked separately
}


# --- drafting -----------------------------------------------------------------------------


async def start_draft(session: AsyncSession, creator: Person, *, on_behalf: bool, now: datetime) -> ReleaseRequest:
    """A new draft; the creator's unfinished one is dropped (one draft at a time)."""
    await session.execute(delete(ReleaseRequest).where(
        col(ReleaseRequest.created_by_id) == creator.id, col(ReleaseRequest.status) == RequestStatus.DRAFT
    ))
    request = ReleaseRequest(
        person_id=None if on_behalf else creator.id,
        created_by_id=creator.id,
        on_behalf=on_behalf,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    await session.flush()
    return request


async def draft_for(session: AsyncSession, creator_id: int, request_id: int) -> ReleaseRequest | None:
    """The creator's own draft with this id, or None (someone else's, sent already, forged)."""
    request = await session.get(ReleaseRequest, request_id)
    if request is None or request.status != RequestStatus.DRAFT or request.created_by_id != creator_id:
        return None
    return request


async def discard(session: AsyncSession, request: ReleaseRequest) -> None:
    """The creator throws their draft away (nothing was sent, so nothing is counted)."""
    await session.delete(request)


def next_step(request: ReleaseRequest, done: str) -> str | None:
    """The question after `done`; probation details only when that need was chosen, and a
    note for the person only when someone else is asking for them."""
    index = STEPS.index(done) if done in STEPS else -1
    for step in STEPS[index + 1 :]:
        if step == "probation" and "probation" not in release_text.need_codes(request):
            continue
        if step == "person_note" and not request.on_behalf:
            continue
        return step
    return None


def missing(request: ReleaseRequest) -> list[str]:
    """Answers still needed before the request can be sent."""
    required = {
        "prison": request.prison_code, "date": request.release_date, "destination": request.destination_label,
        "gender": request.gender_preference, "needs": request.needs,
    }
    return [step for step, value in required.items() if value is None]


def example_date(today: date) -> str:
    """A date a week ahead, written the way we ask people to write dates."""
    return f"{today + timedelta(days=7):%d/%m/%Y}"


def parse_release_date(text: str, *, today: date) -> date:
    """A release date from today to a year ahead."""
    value = parse_date(text)
    if value < today:
        raise InvalidInput(texts.RELEASE_DATE_PAST.format(example=example_date(today)))
    if value - today > MAX_AHEAD:
        raise InvalidInput(texts.RELEASE_DATE_TOO_FAR)
    return value


def set_date(request: ReleaseRequest, text: str, *, now: datetime) -> bool:
    """The release date typed into a draft (InvalidInput if it isn't one we can use).
    True when it is a Friday: Friday releases often move, so the person is told."""
    request.release_date = parse_release_date(text, today=release_records.today(now))
    request.updated_at = now
    return request.release_date.weekday() == 4


def set_time(request: ReleaseRequest, at: time | None, *, now: datetime) -> None:
    """The expected gate time in a draft; None: "morning, time not known yet"."""
    request.release_time = people.format_time(at) if at is not None else None
    request.updated_at = now


def set_prison(request: ReleaseRequest, prison: prisons.Prison, *, now: datetime) -> None:
    request.prison_code, request.updated_at = prison.code, now


def set_destination(request: ReleaseRequest, place: places.Place, *, now: datetime) -> None:
    request.destination_key, request.destination_label = place.key, place.label[:100]
    request.destination_latitude, request.destination_longitude = place.latitude, place.longitude
    request.updated_at = now


def choose(request: ReleaseRequest, field: str, value: str, *, now: datetime) -> bool:
    """A button answer (gender preference, fellowship); False for anything forged."""
    if field == "gender" and value in GENDER_PREFERENCES:
        request.gender_preference = value
    elif field == "fellowship" and value in (*texts.FELLOWSHIP_NAMES, "unsure"):
        request.fellowship = None if value == "unsure" else value
    else:
        return False
    request.updated_at = now
    return True


def toggle_need(request: ReleaseRequest, code: str, *, now: datetime) -> bool:
    if code not in NEEDS:
        return False
    chosen = set(release_text.need_codes(request)) ^ {code}
    request.needs = ",".join(c for c in NEEDS if c in chosen)
    request.updated_at = now
    return True


def confirm_needs(request: ReleaseRequest, *, now: datetime) -> None:
    """"Done" with nothing ticked is an answer too: no needs."""
    request.needs = request.needs or ""
    request.updated_at = now


def set_private_text(request: ReleaseRequest, vault: Vault, step: str, text: str | None, *, now: datetime) -> None:
    """Probation details or notes, encrypted; None clears them (Skip)."""
    column, field = PRIVATE_FIELDS[step]
    cleaned = " ".join((text or "").split())
    if len(cleaned) > TEXT_MAX:
        raise InvalidInput(texts.RELEASE_TEXT_LONG.format(max=TEXT_MAX))
    setattr(request, column, vault.encrypt(cleaned, field=field, row=request.id) if cleaned else None)
    request.updated_at = now


# --- sending ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """A card's credentials, shown once to the coordinator and printed; only hashes are kept."""

    payload: str  # the single-use link's payload
    code: str  # the same card, typed by hand


@dataclass(frozen=True)
class Submitted:
    """What sending did; `refused` (nothing sent, the draft kept) when over the daily cap."""

    offered: int
    card: Card | None
    refused: str | None = None


async def daily_cap_problem(session: AsyncSession, actor: Person, caps: Caps, now: datetime) -> str | None:
    """Why `actor` can't send another release request now, or None. A coordinator gets the
    higher cap: they send requests on behalf of many people leaving prison (one prison's
    Friday releases can be several), while a person sends one for themselves."""
    assert actor.id is not None
    limit = caps.release_requests_coordinator if await people.is_coordinator(session, actor.id) else caps.release_requests
    where = [col(ReleaseRequest.created_by_id) == actor.id]
    when = await next_allowed(session, col(ReleaseRequest.submitted_at), where, limit, now)
    if when is None:
        return None
    return refusal(texts.CAP_RELEASE_REQUESTS, limit, when, now, actor.timezone, caps.default_zone)


async def submit(session: AsyncSession, request: ReleaseRequest, actor: Person, vault: Vault, *, now: datetime,
                 caps: Caps) -> Submitted:
    """Send a finished draft: a card if made on someone's behalf, duties armed, offers to
    companions, and coordinators told (at once, too, when no companion covers the area).
    Over the daily cap nothing is sent and the draft stays, to send later."""
    assert request.id is not None and not missing(request)
    refused = await daily_cap_problem(session, actor, caps, now)
    if refused is not None:
        return Submitted(0, None, refused)
    request.status, request.submitted_at, request.updated_at = RequestStatus.OPEN, now, now
    record(session, request, Event.SUBMITTED, now, actor.id)
    card = await _issue_card(session, request, vault, now) if request.on_behalf else None
    await release_records.arm_duties(session, request, now)
    offered = await release_matching.offer(session, request, now=now)
    await tell_coordinators(session, lambda: texts.RELEASE_NEW_FOR_COORDINATOR.format(
        id=request.id, details=release_text.details(request, vault, person_note=True), offered=texts.plural(offered, "companion")
    ), now, exclude=actor.id, markup=lambda: release_records.coordinator_buttons(request))
    if offered == 0:
        await tell_coordinators(session, lambda: texts.RELEASE_NOBODY_COVERS.format(id=request.id, when=release_text.when(request)),
                                now, kind=Notice.ALERT, markup=lambda: release_records.coordinator_buttons(request))
    return Submitted(offered, card)


def card_expires(request: ReleaseRequest) -> datetime:
    return release_records.gate_at(request) + CARD_VALID_AFTER_RELEASE


async def _issue_card(session: AsyncSession, request: ReleaseRequest, vault: Vault, now: datetime) -> Card:
    """A single-use link and short code valid until a month after release; an earlier card
    (link and code) stops working. No creator is stored on it, so the card outlives a
    coordinator who leaves."""
    if request.invitation_id is not None:
        await session.execute(update(Invitation).where(col(Invitation.id) == request.invitation_id).values(expires_at=now))
    payload = invitations.create(session, CARD_KIND, created_by=None, now=now, ttl=card_expires(request) - now)
    issued = await invitations.lookup(session, payload)
    assert issued is not None
    code = release_connect.new_code()
    request.invitation_id, request.card_code_hash = issued.id, vault.hash_code(code)
    return Card(payload, code)


async def new_card(session: AsyncSession, request: ReleaseRequest, actor: Person, vault: Vault, *, now: datetime) -> Card:
    """A replacement card (lost, copied, or never printed); the old link and code no longer
    work, and whoever opened the old one and is still waiting is told it wasn't confirmed."""
    card = await _issue_card(session, request, vault, now)
    if request.claimed_by_id is not None:
        await tell(session, request.claimed_by_id, Notice.PERSON, lambda: texts.RELEASE_CLAIM_REJECTED_FOR_PERSON, now)
        request.claimed_by_id, request.claimed_at = None, None
    record(session, request, Event.NEW_CARD, now, actor.id)
    return card


# --- who may see and do what --------------------------------------------------------------


# What the person may do to their own request (coordinators may do everything).
OWN_ACTIONS = {(ManageAction.DATE, ""), (ManageAction.TIME, ""), (ManageAction.MORNING, ""), (ManageAction.OUTCOME, Outcome.CANCELLED)}


@dataclass(frozen=True)
class Managed:
    """A sent request someone may act on, or why not (a text for a pop-up)."""

    request: ReleaseRequest | None
    problem: str = ""


async def to_manage(session: AsyncSession, request_id: int, person: Person, action: ManageAction, value: str) -> Managed:
    """A sent request's button: coordinators may do everything, the person may move or
    cancel their own (OWN_ACTIONS); anyone else learns nothing, not even that it exists.
    A closed request can still be opened, not changed."""
    assert person.id is not None
    request = await session.get(ReleaseRequest, request_id)
    own = request is not None and request.person_id == person.id and (action, value) in OWN_ACTIONS
    if request is None or request.status == RequestStatus.DRAFT or not (own or await people.is_coordinator(session, person.id)):
        return Managed(None, texts.NOT_FOR_YOU)
    if request.status not in LIVE and action != ManageAction.OPEN:
        return Managed(None, texts.RELEASE_STATUS_CLOSED)
    return Managed(request)


async def may_manage(session: AsyncSession, request: ReleaseRequest, person: Person) -> bool:
    """Coordinators, and the person themselves for their own request, may move or close it."""
    assert person.id is not None
    if request.status not in LIVE:
        return False
    return request.person_id == person.id or await people.is_coordinator(session, person.id)


async def to_move(session: AsyncSession, request_id: int, person: Person) -> ReleaseRequest | None:
    """The live request a typed new date or time is for, if the person may still move it."""
    request = await session.get(ReleaseRequest, request_id)
    return request if request is not None and await may_manage(session, request, person) else None


async def own_request(session: AsyncSession, person_id: int) -> ReleaseRequest | None:
    """The person's live request about themselves, if any."""
    result = await session.execute(
        select(ReleaseRequest)
        .where(col(ReleaseRequest.person_id) == person_id, col(ReleaseRequest.status).in_(LIVE))
        .order_by(col(ReleaseRequest.release_date))
    )
    return result.scalars().first()


async def live_requests(session: AsyncSession, *, companion_id: int | None = None) -> list[ReleaseRequest]:
    """Open and assigned requests, soonest first (only a companion's own with `companion_id`)."""
    query = select(ReleaseRequest).where(col(ReleaseRequest.status).in_(LIVE))
    if companion_id is not None:
        query = query.where(col(ReleaseRequest.companion_id) == companion_id)
    return list((await session.execute(query.order_by(col(ReleaseRequest.release_date), col(ReleaseRequest.id)))).scalars())


# --- before the day: moving it ------------------------------------------------------------


async def move(session: AsyncSession, request: ReleaseRequest, actor: Person, *, now: datetime, new_date: date | None = None,
               new_time: time | None = None, morning: bool = False) -> str:
    """Change the release date or time (Friday releases often move to Thursday). Everyone
    involved hears at once: the companion (or companions still deciding), the person and
    the coordinators. Reminders follow the new time. Returns the new "when"."""
    assert request.id is not None and request.release_date is not None
    old, new_day = (request.release_date, request.release_time), new_date is not None and new_date != request.release_date
    if new_date is not None:
        request.release_date = new_date
    if new_time is not None:
        request.release_time = people.format_time(new_time)
    elif morning:
        request.release_time = None
    request.updated_at = now
    after = release_text.when(request)
    record(session, request, Event.MOVED, now, actor.id, detail=f"{request.release_date.isoformat()} {request.release_time or 'morning'}")
    await release_records.arm_duties(session, request, now, again=new_day)
    if request.invitation_id is not None:
        await session.execute(
            update(Invitation)
            .where(col(Invitation.id) == request.invitation_id, col(Invitation.used_at).is_(None))
            .values(expires_at=card_expires(request))
        )
    prison = texts.h(release_text.prison_name(request))
    if request.companion_id is not None and request.companion_id != actor.id:
        await tell(session, request.companion_id, Notice.COMPANION,
             lambda: texts.RELEASE_MOVED_FOR_COMPANION.format(when=release_text.when(request), before=release_text.when_of(*old), prison=prison), now)
    if request.status == RequestStatus.OPEN:
        await release_matching.refresh_offers(session, request, now=now)
    if request.person_id != actor.id:
        await tell(session, request.person_id, Notice.PERSON, lambda: texts.RELEASE_MOVED_FOR_PERSON.format(when=release_text.when(request)), now)
    await tell_coordinators(session, lambda: texts.RELEASE_MOVED_FOR_COORDINATOR.format(
        id=request.id, prison=prison, when=release_text.when(request), before=release_text.when_of(*old)),
                            now, exclude=actor.id)
    return after


# --- closing ------------------------------------------------------------------------------


async def close(session: AsyncSession, request: ReleaseRequest, outcome: Outcome, *, now: datetime,
                actor_id: int | None = None) -> None:
    """Close the request: reminders stop, open offers stop working, and its details are
    erased `retention.ERASE_AFTER` from now (aftercare check-ins, if any, carry on)."""
    assert request.id is not None
    request.status, request.outcome, request.closed_at, request.updated_at = RequestStatus.CLOSED, outcome, now, now
    record(session, request, Event.CLOSED, now, actor_id, detail=outcome)
    await release_matching.withdraw_offers(session, request, now=now)
    await release_records.disarm_before_closing(session, request.id)
    await release_records.arm(session, request.id, Duty.ERASE, release_retention.erase_at(now))


async def close_and_tell(session: AsyncSession, request: ReleaseRequest, outcome: Outcome, actor: Person, *,
                         now: datetime) -> date:
    """A coordinator (or the person) closes it: the others involved are told. Returns the
    day its details will be erased, for the one who closed it."""
    when = functools.partial(release_text.when, request)
    word = functools.partial(texts.RELEASE_OUTCOMES.get, outcome, outcome)  # read in each reader's language
    if request.companion_id != actor.id:
        await tell(session, request.companion_id, Notice.COMPANION, lambda: texts.RELEASE_CLOSED_FOR_COMPANION.format(when=when(), outcome=word()), now)
    if request.person_id != actor.id:
        await tell(session, request.person_id, Notice.PERSON, lambda: texts.RELEASE_CLOSED_FOR_PERSON.format(when=when(), outcome=word()), now)
    await tell_coordinators(session, lambda: texts.RELEASE_CLOSED_FOR_COORDINATOR.format(id=request.id, when=when(), outcome=word()), now,
                            exclude=actor.id)
    await close(session, request, outcome, now=now, actor_id=actor.id)
    return release_retention.erase_day(now)


# --- after release: the card (opening it: bot.services.release.connect) ------------------


async def arrived_with_card(session: AsyncSession, person: Person) -> bool:
    """Whether the link this person opened before set-up was a release card (or its code)."""
    if person.pending_invitation_id is None:
        return False
    invitation = await session.get(Invitation, person.pending_invitation_id)
    return invitation is not None and invitation.kind == CARD_KIND


async def card_setup_done(session: AsyncSession, person: Person, done: str) -> bool:
    """Someone opening their card gets the shortest set-up: consent, a name, done. They are
    leaving prison; their time zone comes from where they're going once a coordinator has
    confirmed them, and check-ins are offered once, after they've met their companion."""
    if done != "pseudonym" or not await arrived_with_card(session, person):
        return False
    person.purpose = "prison"
    return True


# --- privacy ------------------------------------------------------------------------------


async def _history(session: AsyncSession, request_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(ReleaseEvent).where(col(ReleaseEvent.request_id) == request_id).order_by(col(ReleaseEvent.at), col(ReleaseEvent.id))
    )
    return [{"what": e.kind, "detail": e.detail, "at": e.at.isoformat()} for e in rows.scalars()]


async def _export(session: AsyncSession, rt: Runtime, person: Person) -> dict[str, Any]:
    """Your own release requests in full; for ones you made or are meeting, only that you did."""
    assert person.id is not None
    own = (await session.execute(select(ReleaseRequest).where(col(ReleaseRequest.person_id) == person.id))).scalars()
    made = (await session.execute(
        select(ReleaseRequest).where(col(ReleaseRequest.created_by_id) == person.id, col(ReleaseRequest.on_behalf).is_(True))
    )).scalars()
    meeting = (await session.execute(select(ReleaseRequest).where(col(ReleaseRequest.companion_id) == person.id))).scalars()
    offers = (await session.execute(select(ReleaseOffer).where(col(ReleaseOffer.companion_id) == person.id))).scalars()
    claimed = (await session.execute(select(ReleaseRequest).where(col(ReleaseRequest.claimed_by_id) == person.id))).scalars().all()
    yours = []
    for request in own:
        assert request.id is not None
        yours.append({
            "prison": release_text.prison_name(request),
            "release": release_text.when(request),
            "going_to": request.destination_label,
            "needs": release_text.need_codes(request),
            "probation": release_text.private_text(rt.vault, request, release_text.PROBATION_CONTEXT),
            # Subject access: the coordinator's notes for the companion are data about you, so
            # they are here (never in the chat); the note meant for you is labelled as such.
            "notes": release_text.private_text(rt.vault, request, release_text.NOTES_CONTEXT),
            "note_for_you": release_text.private_text(rt.vault, request, release_text.PERSON_NOTE_CONTEXT),
            "status": request.status,
            "outcome": request.outcome,
            "companion": await release_records.companion_name(session, request),
            "history": await _history(session, request.id),
        })
    return {
        "about_you": yours,
        "cards_you_opened_waiting_for_a_coordinator": [r.id for r in claimed],
        "made_for_someone_else": [{"request": r.id, "status": r.status} for r in made],
        "you_are_or_were_meeting": [{"request": r.id, "release_date": r.release_date and r.release_date.isoformat(), "status": r.status}
                                    for r in meeting],
        "offers_you_were_sent": [{"request": o.request_id, "status": o.status, "at": o.created_at.isoformat()} for o in offers],
    }


async def _end_links(session: AsyncSession, person: Person, now: datetime) -> None:
    """Before someone is erased: their companion and the coordinators hear the request is
    withdrawn; if they were a companion, their releases go back to the coordinators."""
    assert person.id is not None
    for request in await live_requests(session):
        if request.person_id == person.id:
            await _tell_withdrawn(session, request, now)
    await hand_back(session, person, now)


async def _tell_withdrawn(session: AsyncSession, request: ReleaseRequest, now: datetime) -> None:
    """The companion (if any) and the coordinators hear, each in their language."""
    if request.companion_id is not None:
        await tell(session, request.companion_id, Notice.COMPANION,
                   lambda: texts.RELEASE_WITHDRAWN_FOR_COMPANION.format(when=release_text.when(request)), now)
    await tell_coordinators(session, lambda: texts.RELEASE_WITHDRAWN_FOR_COORDINATOR.format(id=request.id, when=release_text.when(request)), now)


async def _tell_companion_left(session: AsyncSession, request: ReleaseRequest, now: datetime) -> None:
    """The person and the coordinators hear the companion is gone, each in their language."""
    await tell(session, request.person_id, Notice.PERSON,
               lambda: texts.RELEASE_COMPANION_LEFT_FOR_PERSON.format(when=release_text.when(request)), now)
    await tell_coordinators(session, lambda: texts.RELEASE_COMPANION_LEFT.format(id=request.id, when=release_text.when(request)), now,
                            kind=Notice.ALERT, markup=lambda: release_records.coordinator_buttons(request))


async def hand_back(session: AsyncSession, companion: Person, now: datetime) -> int:
    """A companion leaves or loses the role: the releases they were to meet go back to the
    coordinators (and the person hears), and offers still open to them stop working."""
    assert companion.id is not None
    handed = 0
    for request in await live_requests(session):
        if request.companion_id != companion.id:
            continue
        request.companion_id, request.status, request.updated_at = None, RequestStatus.OPEN, now
        assert request.id is not None
        await release_records.arm_duties(session, request, now)
        await _tell_companion_left(session, request, now)
        handed += 1
    await session.execute(
        update(ReleaseOffer).where(col(ReleaseOffer.companion_id) == companion.id, col(ReleaseOffer.status) == OfferStatus.OFFERED)
        .values(status=OfferStatus.WITHDRAWN, answered_at=now)
    )
    return handed


async def _erase(session: AsyncSession, person: Person) -> None:
    """Requests about the person go (each counted, anonymously, as withdrawn); so do their
    drafts and the offers they were sent. Requests they made for others or met stay."""
    assert person.id is not None
    await release_connect.forget(session, person.id)
    about = (await session.execute(select(ReleaseRequest).where(col(ReleaseRequest.person_id) == person.id))).scalars().all()
    for request in about:
        if request.status != RequestStatus.DRAFT:
            await release_retention.count(session, request.closed_at or request.updated_at, request.outcome or Outcome.WITHDRAWN)
        await release_retention.delete_request(session, request)
    await session.execute(delete(ReleaseRequest).where(
        col(ReleaseRequest.created_by_id) == person.id, col(ReleaseRequest.status) == RequestStatus.DRAFT
    ))
    await session.execute(delete(ReleaseOffer).where(col(ReleaseOffer.companion_id) == person.id))
