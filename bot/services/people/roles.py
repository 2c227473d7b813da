"""Secretary and companion roles: requested by the person, decided by a coordinator.
Coordinators come from settings or are invited by another coordinator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import i18n, texts
from bot.buttons import inline
from bot.db import rows_changed
from bot.models import Invitation, Person, RoleRequest
from bot.services import outbox
from bot.services.caps import Caps
from bot.services.meetings import buttons as meeting_buttons
from bot.services.meetings.buttons import ListingAction
from bot.services.people import buttons, invitations, people
from bot.services.people.buttons import Decision
from bot.services.people.states import News, RequestStatus, Role
from bot.services.support import buttons as support_buttons

# What an applicant says about their role ("which group or meeting?"), on one line.
MAX_ANSWER = 120


def clean_answer(text: str) -> str | None:
    """The answer on one line, or None when there is nothing in it."""
    words = " ".join(text.split())
    return words or None


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str


@dataclass(frozen=True)
class RequestView:
    """How a coordinator sees a request: its text and buttons."""

    text: str
    markup: dict[str, object]


# A role whose request carries more than "approve?" registers how coordinators see it
# (companions: their application, and an approve button that first records vetting).
# Such a role is approved only through its own flow, which calls `decide(..., confirmed=True)`.
RequestViewer = Callable[[AsyncSession, RoleRequest, Person], Awaitable[RequestView]]
_viewers: dict[str, RequestViewer] = {}


def register_request_view(role: str, viewer: RequestViewer) -> None:
    _viewers[role] = viewer


async def request_view(session: AsyncSession, request: RoleRequest, requester: Person) -> RequestView:
    viewer = _viewers.get(request.role)
    if viewer is not None:
        return await viewer(session, request, requester)
    text = texts.ROLE_REQUEST_FOR_COORDINATOR.format(name=texts.h(requester.pseudonym), role=texts.ROLE_NAMES[request.role])
    return RequestView(
        text + said_line(request),
        inline([[(texts.APPROVE_BUTTON, buttons.decision(request.id, Decision.APPROVE)),
                 (texts.DECLINE_BUTTON, buttons.decision(request.id, Decision.DECLINE))],
                [message_them_button(requester)]]),
    )


def said_line(request: RoleRequest) -> str:
    """What the applicant said (which group or meeting), escaped, for the coordinator."""
    return texts.ROLE_REQUEST_SAID.format(answer=texts.h(request.answer)) if request.answer else ""


def message_them_button(requester: Person) -> tuple[str, str]:
    """"Message them" through the relay, to arrange vetting; the relay checks the presser
    is a coordinator and the person has a pending request. (`v1:rl:` is the relay's family,
    in the support package.)"""
    return texts.ROLE_REQUEST_MESSAGE_THEM.format(name=requester.pseudonym or "them")[:64], support_buttons.message_to(requester.id)


async def request_problem(session: AsyncSession, person: Person, role: str) -> str | None:
    """Why this person can't ask for this role now (unknown, held, already asked), or None."""
    if role not in people.REQUESTABLE_ROLES:
        return texts.UNKNOWN_ROLE
    assert person.id is not None
    if role in await people.roles_of(session, person.id):
        return texts.ROLE_ALREADY_HELD.format(role=texts.ROLE_NAMES[role])
    pending = await session.execute(
        select(RoleRequest.id).where(
            col(RoleRequest.person_id) == person.id, col(RoleRequest.role) == role,
            col(RoleRequest.status) == RequestStatus.PENDING,
        )
    )
    if pending.first() is not None:
        return texts.ROLE_ALREADY_REQUESTED.format(role=texts.ROLE_NAMES[role])
    return None


def approved_markup(role: str) -> dict[str, object] | None:
    """The next step a newly approved role can take at once (a secretary: add a meeting,
    through the meetings package's `v1:sc:` family)."""
    if role == Role.SECRETARY:
        return inline([[(texts.ROLE_APPROVED_ADD_MEETING, meeting_buttons.listing(ListingAction.NEW))]])
    return None


async def request_role(
    session: AsyncSession, person: Person, role: str, *, now: datetime, answer: str | None = None
) -> Outcome:
    """Record a request (with what the applicant said) and tell every coordinator (through
    the outbox, same transaction)."""
    problem = await request_problem(session, person, role)
    if problem is not None:
        return Outcome(False, problem)
    assert person.id is not None
    request = RoleRequest(person_id=person.id, role=role, created_at=now, answer=answer)
    session.add(request)
    await session.flush()
    coordinators = await people.coordinators(session, exclude=person.id)
    for coordinator in coordinators:
        assert coordinator.id is not None
        with i18n.speaking(coordinator.language):
            view = await request_view(session, request, person)
        outbox.enqueue(session, coordinator.id, News.ROLE_REQUEST, view.text, now=now, reply_markup=view.markup)
    if not coordinators:
        return Outcome(True, texts.ROLE_REQUESTED_NO_COORDINATOR.format(role=texts.ROLE_NAMES[role]))
    return Outcome(True, texts.ROLE_REQUESTED.format(role=texts.ROLE_NAMES[role]))


async def send_application(
    session: AsyncSession, person: Person, role: str, *, now: datetime, answer: str | None = None
) -> Outcome:
    """The applicant answered (or skipped) the role's question: stop asking, send the request."""
    people.expect(person, None)
    return await request_role(session, person, role, now=now, answer=answer)


async def decide(
    session: AsyncSession, coordinator: Person, request_id: int, approve: bool, *, now: datetime, confirmed: bool = False
) -> Outcome:
    """Approve or decline. Only a coordinator may; only the first decision counts.
    Roles with their own view are approved only by their own flow (`confirmed`)."""
    assert coordinator.id is not None
    if not await people.is_coordinator(session, coordinator.id):
        return Outcome(False, texts.NOT_FOR_YOU)
    request = await session.get(RoleRequest, request_id)
    if request is None:
        return Outcome(False, texts.REQUEST_GONE)
    if approve and request.role in _viewers and not confirmed:
        return Outcome(False, texts.STALE_BUTTON)
    verdict = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    decided = await session.execute(
        update(RoleRequest)
        .where(col(RoleRequest.id) == request_id, col(RoleRequest.status) == RequestStatus.PENDING)
        .values(status=verdict, decided_at=now, decided_by_id=coordinator.id)
    )
    if rows_changed(decided) != 1:
        await session.refresh(request)
        return Outcome(False, texts.REQUEST_ALREADY_DECIDED.format(status=texts.REQUEST_STATUSES.get(request.status, request.status)))
    requester = await session.get(Person, request.person_id)
    assert requester is not None and requester.id is not None
    role_name = texts.ROLE_NAMES[request.role]
    if approve:
        await people.ensure_role(session, requester, request.role, now=now, granted_by=coordinator.id)
        await outbox.enqueue_for(
            session, requester.id, News.ROLE_OUTCOME, lambda: texts.ROLE_APPROVED.format(role=texts.ROLE_NAMES[request.role]), now=now,
            reply_markup=lambda: approved_markup(request.role),
        )
    else:
        await outbox.enqueue_for(session, requester.id, News.ROLE_OUTCOME, lambda: texts.ROLE_DECLINED.format(role=texts.ROLE_NAMES[request.role]), now=now)
    return Outcome(True, texts.DECISION_DONE.format(verdict=texts.REQUEST_STATUSES.get(verdict, verdict), name=texts.h(requester.pseudonym), role=role_name))


@dataclass(frozen=True)
class CoordinatorOffer:
    """A coordinator link as its invitee sees it: usable (with who sent it) or why not."""

    invitation: Invitation | None
    problem: str | None
    inviter_name: str


async def coordinator_invitation(session: AsyncSession, invitation_id: int | None, *, now: datetime) -> CoordinatorOffer:
    """The coordinator invitation with this id, if still usable, and who sent it."""
    checked = await invitations.check(session, invitation_id, invitations.COORDINATOR_KIND, now)
    if checked.problem or checked.invitation is None:
        return CoordinatorOffer(None, invitations.problem_text(checked.problem), "")
    inviter = await people.by_id(session, checked.invitation.created_by_id)
    name = (inviter.pseudonym or "") if inviter is not None else "a coordinator"
    return CoordinatorOffer(checked.invitation, None, name)


async def invite_coordinator(session: AsyncSession, coordinator: Person, caps: Caps, *, now: datetime) -> Outcome:
    """A coordinator link made by `coordinator`: Outcome(True, payload), or Outcome(False,
    why not) when they have made their day's share of invitation links."""
    capped = await invitations.daily_cap_problem(session, coordinator, caps, now)
    if capped is not None:
        return Outcome(False, capped)
    return Outcome(True, invitations.create(session, invitations.COORDINATOR_KIND, created_by=coordinator.id, now=now))


@dataclass(frozen=True)
class Joined:
    """After "Accept": why the link can't be used (`link_problem`), or what happened."""

    link_problem: str | None
    message: str


async def join_as_coordinator(session: AsyncSession, person: Person, invitation_id: int, *, now: datetime) -> Joined:
    """Use the link up (once, even if two taps race) and make the person a coordinator."""
    assert person.id is not None
    redeemed = await invitations.redeem(session, invitation_id, invitations.COORDINATOR_KIND, person_id=person.id, now=now)
    if redeemed.problem or redeemed.invitation is None:
        return Joined(invitations.problem_text(redeemed.problem), "")
    outcome = await accept_coordinator_invitation(session, person, redeemed.invitation.created_by_id, now=now)
    return Joined(None, outcome.message)


async def accept_coordinator_invitation(
    session: AsyncSession, person: Person, inviter_id: int | None, *, now: datetime
) -> Outcome:
    assert person.id is not None
    granted = await people.ensure_role(session, person, Role.COORDINATOR, now=now, granted_by=inviter_id)
    if not granted:
        return Outcome(False, texts.ROLE_ALREADY_HELD.format(role=texts.ROLE_NAMES[Role.COORDINATOR]))
    if inviter_id is not None:
        await outbox.enqueue_for(
            session, inviter_id, News.COORDINATOR_ADDED, lambda: texts.COORDINATOR_JOINED.format(name=texts.h(person.pseudonym)), now=now
        )
    return Outcome(True, texts.COORDINATOR_WELCOME)


async def pending_count(session: AsyncSession) -> int:
    """How many role requests wait for a coordinator."""
    found = await session.execute(
        select(func.count()).select_from(RoleRequest).where(col(RoleRequest.status) == RequestStatus.PENDING)
    )
    return int(found.scalar_one())


async def pending_views(session: AsyncSession) -> list[RequestView]:
    """Every waiting request as a coordinator sees it, oldest first."""
    pending = (await session.execute(
        select(RoleRequest, Person).join(Person, col(Person.id) == col(RoleRequest.person_id))
        .where(col(RoleRequest.status) == RequestStatus.PENDING).order_by(col(RoleRequest.id))
    )).all()
    return [await request_view(session, request, requester) for request, requester in pending]
