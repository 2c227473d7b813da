"""Release-day companions: the application, a coordinator's vetting, pausing, and who covers where.

Being a companion is a role, requested in the bot and decided by a coordinator (see
`bot.services.people.roles`). Before the request reaches a coordinator the person describes what
matching needs: the areas they can get to (postcode districts or towns), their fellowship,
their gender (people may ask for someone of the same gender) and how long they have been
clean. Approving records the date the coordinator says vetting (references, DBS) was done,
and who said so; the bot never holds the documents themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import texts
from bot.buttons import inline
from bot.models import CompanionArea, CompanionProfile, Person, RoleGrant, RoleRequest
from bot.runtime import Runtime
from bot.services import places
from bot.services.meetings import search as meetings
from bot.services.people import buttons as people_buttons
from bot.services.people import people, roles
from bot.services.people.buttons import Decision
from bot.services.release import buttons
from bot.services.release.states import COMPANION_ROLE, ROLE_REQUEST_PENDING
from bot.services.validation import InvalidInput, parse_date

FELLOWSHIPS = meetings.FELLOWSHIPS
GENDERS = ("woman", "man", "nonbinary")
CLEAN_TIMES = ("lt1", "1to2", "2to5", "5plus")
MAX_AREAS = 10
# An area "covers" a place within this distance of its centre: a bus ride, not a day's travel.
COVER_KM = 15.0
# Vetting older than this is not "done": ask the coordinator to check the date.
VETTING_VALID = timedelta(days=3 * 366)


@dataclass(frozen=True)
class Covering:
    """A companion who could be offered a request, and how far their nearest area is."""

    person_id: int
    distance_km: float


async def profile_for(session: AsyncSession, person_id: int) -> CompanionProfile | None:
    result = await session.execute(select(CompanionProfile).where(col(CompanionProfile.person_id) == person_id))
    return result.scalar_one_or_none()


async def start_application(session: AsyncSession, person: Person, *, now: datetime) -> CompanionProfile:
    """The person's profile, created empty on the first step (answers are saved as given)."""
    assert person.id is not None
    profile = await profile_for(session, person.id)
    if profile is None:
        profile = CompanionProfile(person_id=person.id, created_at=now, updated_at=now)
        session.add(profile)
        await session.flush()
    if profile.clean_time is None and person.clean_date is not None:
        profile.clean_time = clean_time_since(person.clean_date, now.date())
    return profile


def clean_time_since(clean_date: date, today: date) -> str:
    """The application's clean-time band, from the clean date given at set-up, so a
    companion is asked how long they've been clean once, not twice."""
    years = (today - clean_date).days / 365.25
    if years < 1:
        return "lt1"
    if years < 2:
        return "1to2"
    return "2to5" if years < 5 else "5plus"


async def areas_of(session: AsyncSession, profile: CompanionProfile) -> list[CompanionArea]:
    result = await session.execute(
        select(CompanionArea).where(col(CompanionArea.companion_id) == profile.id).order_by(col(CompanionArea.id))
    )
    return list(result.scalars())


async def add_area(session: AsyncSession, profile: CompanionProfile, place: places.Place, *, now: datetime) -> bool:
    """Add a place the companion can get to; False if it is already there or the list is full."""
    current = await areas_of(session, profile)
    if len(current) >= MAX_AREAS or any(area.place_key == place.key for area in current):
        return False
    assert profile.id is not None
    session.add(
        CompanionArea(
            companion_id=profile.id, place_key=place.key, label=place.label[:100],
            latitude=place.latitude, longitude=place.longitude,
        )
    )
    profile.updated_at = now
    await session.flush()
    return True


async def clear_areas(session: AsyncSession, profile: CompanionProfile, *, now: datetime) -> None:
    await session.execute(delete(CompanionArea).where(col(CompanionArea.companion_id) == profile.id))
    profile.updated_at = now


def choose(profile: CompanionProfile, field: str, value: str, *, now: datetime) -> bool:
    """Save one button answer (fellowship, gender, clean time); False for anything forged."""
    allowed = {"fellowship": FELLOWSHIPS, "gender": GENDERS, "clean_time": CLEAN_TIMES}.get(field)
    if allowed is None or value not in allowed:
        return False
    setattr(profile, field, value)
    profile.updated_at = now
    return True


def next_question(profile: CompanionProfile, areas: list[CompanionArea]) -> str | None:
    """The first unanswered part of the application, or None when it is complete."""
    if not areas:
        return "areas"
    for field in ("fellowship", "gender", "clean_time"):
        if getattr(profile, field) is None:
            return field
    return None


def describe(profile: CompanionProfile, areas: list[CompanionArea]) -> str:
    """The application in a few lines, for the person's review and the coordinator's decision."""
    return texts.COMPANION_SUMMARY.format(
        areas=texts.h(", ".join(a.label for a in areas)) or texts.NOT_SET,
        fellowship=texts.FELLOWSHIP_NAMES.get(profile.fellowship or "", texts.NOT_SET),
        gender=texts.COMPANION_GENDERS.get(profile.gender or "", texts.NOT_SET),
        clean_time=texts.COMPANION_CLEAN_TIMES.get(profile.clean_time or "", texts.NOT_SET),
    )


async def submit(session: AsyncSession, person: Person, profile: CompanionProfile, *, now: datetime) -> roles.Outcome:
    """Send the finished application to the coordinators as a companion role request."""
    if next_question(profile, await areas_of(session, profile)) is not None:
        return roles.Outcome(False, texts.COMPANION_INCOMPLETE)
    outcome = await roles.request_role(session, person, COMPANION_ROLE, now=now)
    if outcome.ok:
        profile.submitted_at = now
        profile.updated_at = now
    return outcome


# --- the coordinator's side ---------------------------------------------------------------


async def request_view(session: AsyncSession, request: RoleRequest, requester: Person) -> roles.RequestView:
    """What coordinators see: the application, and Approve only after vetting (`v1:cv:`)."""
    profile = await profile_for(session, requester.id) if requester.id is not None else None
    details = describe(profile, await areas_of(session, profile)) if profile is not None else ""
    text = texts.COMPANION_REQUEST_FOR_COORDINATOR.format(name=texts.h(requester.pseudonym), details=details)
    return roles.RequestView(
        text,
        # `rr` is the roles feature's family (bot.services.people): Decline is its own button.
        inline([[(texts.COMPANION_APPROVE_BUTTON, buttons.vetting(request.id)), (texts.DECLINE_BUTTON, people_buttons.decision(request.id, Decision.DECLINE))],
                [roles.message_them_button(requester)]]),
    )


def parse_vetting_date(text: str, *, today: date) -> date:
    """The day vetting was completed: not in the future, and recent enough to count."""
    value = parse_date(text)
    if value > today:
        raise InvalidInput(texts.VETTING_DATE_FUTURE)
    if today - value > VETTING_VALID:
        raise InvalidInput(texts.VETTING_DATE_OLD)
    return value


async def pending_request(session: AsyncSession, request_id: int) -> RoleRequest | None:
    """A companion request still waiting for a decision (anything else: None)."""
    request = await session.get(RoleRequest, request_id)
    if request is None or request.role != COMPANION_ROLE or request.status != ROLE_REQUEST_PENDING:
        return None
    return request


@dataclass(frozen=True)
class ToVet:
    """A companion request a coordinator may approve (with the applicant's name), or why not."""

    request: RoleRequest | None
    problem: str = ""
    applicant: str = ""


async def to_vet(session: AsyncSession, coordinator: Person, request_id: int) -> ToVet:
    """Only coordinators approve, and only a request still waiting for a decision."""
    if coordinator.id is None or not await people.is_coordinator(session, coordinator.id):
        return ToVet(None, texts.NOT_FOR_YOU)
    request = await pending_request(session, request_id)
    if request is None:
        return ToVet(None, texts.REQUEST_GONE)
    return ToVet(request, applicant=await applicant_name(session, request))


async def application_pending(session: AsyncSession, person_id: int) -> bool:
    """Whether the person's companion application waits for a coordinator."""
    waiting = await session.execute(
        select(RoleRequest.id).where(col(RoleRequest.person_id) == person_id, col(RoleRequest.role) == COMPANION_ROLE,
                                     col(RoleRequest.status) == ROLE_REQUEST_PENDING)
    )
    return waiting.first() is not None


async def applicant_name(session: AsyncSession, request: RoleRequest) -> str:
    """The pseudonym of whoever asked to be a companion ("" once they have gone)."""
    applicant = await session.get(Person, request.person_id)
    return (applicant.pseudonym or "") if applicant is not None else ""


async def approve(
    session: AsyncSession, coordinator: Person, request_id: int, vetted_on: date, *, now: datetime
) -> roles.Outcome:
    """Approve a companion and record when vetting was done and by whose word."""
    request = await pending_request(session, request_id)
    if request is None:
        return roles.Outcome(False, texts.REQUEST_GONE)
    outcome = await roles.decide(session, coordinator, request_id, True, now=now, confirmed=True)
    if not outcome.ok:
        return outcome
    profile = await profile_for(session, request.person_id)
    if profile is not None:
        profile.vetted_on, profile.vetted_by_id, profile.updated_at = vetted_on, coordinator.id, now
    return roles.Outcome(True, outcome.message + "\n" + texts.VETTING_RECORDED.format(date=texts.long_date(vetted_on)))


# --- availability and matching -------------------------------------------------------------


async def is_companion(session: AsyncSession, person_id: int) -> bool:
    held = await session.execute(
        select(RoleGrant.id).where(col(RoleGrant.person_id) == person_id, col(RoleGrant.role) == COMPANION_ROLE)
    )
    return held.first() is not None


def set_paused(profile: CompanionProfile, paused: bool, *, now: datetime) -> None:
    profile.paused = paused
    profile.updated_at = now


async def covering(
    session: AsyncSession, points: list[tuple[float, float]], *, gender: str | None, exclude: set[int]
) -> list[Covering]:
    """Approved, available companions with an area within COVER_KM of any of `points`,
    nearest first. `gender` ("woman"/"man") keeps only companions who said they are one."""
    found: dict[int, float] = {}
    for latitude, longitude in points:
        south, north, west, east = meetings.bounding_box(latitude, longitude, COVER_KM)
        query = (
            select(CompanionProfile.person_id, CompanionArea.latitude, CompanionArea.longitude)
            .join(CompanionArea, col(CompanionArea.companion_id) == CompanionProfile.id)
            .join(RoleGrant, (col(RoleGrant.person_id) == CompanionProfile.person_id) & (col(RoleGrant.role) == COMPANION_ROLE))
            .join(Person, col(Person.id) == CompanionProfile.person_id)
            .where(
                col(CompanionProfile.paused).is_(False),
                col(CompanionProfile.vetted_on).is_not(None),
                col(Person.unreachable_at).is_(None),
                col(CompanionArea.latitude).between(south, north),
                col(CompanionArea.longitude).between(west, east),
            )
        )
        if gender in ("woman", "man"):
            query = query.where(col(CompanionProfile.gender) == gender)
        for person_id, lat, lon in (await session.execute(query)).all():
            distance = meetings.haversine_km(latitude, longitude, lat, lon)
            if distance <= COVER_KM and person_id not in exclude:
                found[person_id] = min(distance, found.get(person_id, distance))
    return [Covering(pid, km) for pid, km in sorted(found.items(), key=lambda item: (item[1], item[0]))]


async def approved_companions(session: AsyncSession) -> list[tuple[Person, CompanionProfile]]:
    """Everyone a coordinator may assign directly (paused ones too: the coordinator may ask)."""
    rows = await session.execute(
        select(Person, CompanionProfile)
        .join(CompanionProfile, col(CompanionProfile.person_id) == Person.id)
        .join(RoleGrant, (col(RoleGrant.person_id) == Person.id) & (col(RoleGrant.role) == COMPANION_ROLE))
        .order_by(col(CompanionProfile.paused), col(Person.pseudonym), col(Person.id))
    )
    return [(person, profile) for person, profile in rows.all()]


# --- privacy -----------------------------------------------------------------------------


async def _export(session: AsyncSession, rt: Runtime, person: Person) -> dict[str, Any]:
    assert person.id is not None
    profile = await profile_for(session, person.id)
    if profile is None:
        return {}
    return {
        "areas": [a.label for a in await areas_of(session, profile)],
        "fellowship": profile.fellowship,
        "gender": profile.gender,
        "clean_time": profile.clean_time,
        "application_sent_at": profile.submitted_at.isoformat() if profile.submitted_at else None,
        "vetting_recorded_for": profile.vetted_on.isoformat() if profile.vetted_on else None,
        "paused": profile.paused,
    }


async def _erase(session: AsyncSession, person: Person) -> None:
    profile = await profile_for(session, person.id) if person.id is not None else None
    if profile is not None:
        await session.execute(delete(CompanionArea).where(col(CompanionArea.companion_id) == profile.id))
        await session.execute(delete(CompanionProfile).where(col(CompanionProfile.id) == profile.id))
