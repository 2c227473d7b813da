"""What every part of the release-day feature shares: London times, the request's history,
telling people (always through the outbox, in the caller's transaction) and timed duties.

Every prison here is in England or Wales, so release times are London times. A duty is a
row with an indexed UTC `due_at` (see `bot.models.ReleaseDuty`); `release_duties` claims
and carries them out.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import texts
from bot.buttons import inline
from bot.crypto import Vault
from bot.models import ReleaseDuty, ReleaseEvent, ReleaseRequest
from bot.services import audit, outbox
from bot.services.people import people
from bot.services.release import buttons
from bot.services.release import text as release_text
from bot.services.release.states import BEFORE_CLOSING, Duty, Notice, RequestStatus
from bot.services.schedule_times import local_date, occurrence

ZONE = ZoneInfo("Europe/London")
MORNING = time(8, 0)  # "morning, time not known" is taken as 08:00 for reminders

# When each duty falls, relative to the release (London time).
DAY_BEFORE_AT = time(18, 0)
MORNING_REMINDER_AT = time(7, 0)
MORNING_LEAD = timedelta(hours=2)
ESCALATE_BEFORE = timedelta(hours=72)
CLOSE_AFTER_DAYS = 14  # a request nobody closed is closed this long after the release day
CLOSE_AT = time(12, 0)


def today(now: datetime) -> date:
    return local_date(now, ZONE)


def gate_at(request: ReleaseRequest) -> datetime:
    """When the person is expected at the gate (UTC)."""
    assert request.release_date is not None
    at = time.fromisoformat(request.release_time) if request.release_time else MORNING
    return occurrence(request.release_date, at, ZONE)


# --- who is who -------------------------------------------------------------------------------


async def companion_name(session: AsyncSession, request: ReleaseRequest) -> str | None:
    return (await people.pseudonyms(session, request.companion_id)).get(request.companion_id or 0)


async def coordinator_view(session: AsyncSession, request: ReleaseRequest, vault: Vault) -> str:
    """Everything, for a coordinator: details, companion, whether the person has connected
    (or who opened the card and waits for a coordinator to confirm it's them)."""
    companion = await companion_name(session, request)
    details = release_text.details(request, vault, companion=companion, connected=request.person_id is not None, person_note=True)
    if request.claimed_by_id is not None:
        claimant = (await people.pseudonyms(session, request.claimed_by_id)).get(request.claimed_by_id, "")
        details += "\n" + texts.RELEASE_DETAIL_CLAIMED.format(name=texts.h(claimant))
    return texts.RELEASE_VIEW_FOR_COORDINATOR.format(id=request.id, state=release_text.state(request, companion), details=details)


def coordinator_buttons(request: ReleaseRequest) -> dict[str, object]:
    """What a coordinator can do from a notice: assign (while nobody has it) and open it."""
    rows = [[(texts.RELEASE_MANAGE_BUTTONS["open"], buttons.manage(request.id, buttons.ManageAction.OPEN))]]
    if request.status == RequestStatus.OPEN:
        rows.insert(0, [(texts.RELEASE_MANAGE_BUTTONS["assign"], buttons.manage(request.id, buttons.ManageAction.PICK_COMPANION))])
    return inline(rows)


# --- history and messages -----------------------------------------------------------------


def record(session: AsyncSession, request: ReleaseRequest, kind: str, now: datetime, actor_id: int | None = None,
           detail: str | None = None) -> None:
    """One step of the request's history; a coordinator's or companion's step is audited too."""
    assert request.id is not None
    session.add(ReleaseEvent(request_id=request.id, kind=kind, detail=detail, actor_id=actor_id, at=now))
    audit.record_release(session, request, actor_id, kind, now)


async def tell(session: AsyncSession, person_id: int | None, kind: Notice, text: outbox.Render, now: datetime,
               markup: outbox.MarkupRender | None = None) -> None:
    """Queue a message, written by `text` (and `markup`) in the recipient's language."""
    if person_id is not None:
        await outbox.enqueue_for(session, person_id, kind, text, now=now, reply_markup=markup)


async def tell_coordinators(session: AsyncSession, text: outbox.Render, now: datetime, *, exclude: int | None = None,
                            kind: Notice = Notice.COORDINATOR, markup: outbox.MarkupRender | None = None) -> int:
    """Every coordinator but `exclude` (who is acting, and hears in their reply instead),
    each in their own language."""
    coordinators = await people.coordinators(session, exclude=exclude)
    for coordinator in coordinators:
        await tell(session, coordinator.id, kind, text, now, markup)
    return len(coordinators)


# --- timed duties -------------------------------------------------------------------------


def duty_times(request: ReleaseRequest) -> dict[Duty, datetime]:
    """When each reminder and check falls for the request's current date and time."""
    assert request.release_date is not None
    gate = gate_at(request)
    return {
        Duty.DAY_BEFORE: occurrence(request.release_date - timedelta(days=1), DAY_BEFORE_AT, ZONE),
        Duty.MORNING: min(occurrence(request.release_date, MORNING_REMINDER_AT, ZONE), gate - MORNING_LEAD),
        Duty.ESCALATE: gate - ESCALATE_BEFORE,
        Duty.CLOSE: occurrence(request.release_date + timedelta(days=CLOSE_AFTER_DAYS), CLOSE_AT, ZONE),
    }


async def arm_duties(session: AsyncSession, request: ReleaseRequest, now: datetime, *, again: bool = True) -> None:
    """(Re)schedule the reminders, the escalation and the automatic close, when the request
    is sent and whenever its date or time changes. With `again` (a new date) a reminder
    already sent for the old date comes again for the new one; without it (a new time on
    the same day) what was sent stays sent. Overdue reminders are simply due: the tick
    decides whether they still make sense. A short-notice request escalates at once."""
    assert request.id is not None
    times: dict[Duty, datetime | None] = dict(duty_times(request))
    escalate = times[Duty.ESCALATE]
    assert escalate is not None
    times[Duty.ESCALATE] = max(escalate, now) if request.status == RequestStatus.OPEN else None
    for kind, due in times.items():
        await arm(session, request.id, kind, due, again=again)


async def arm(session: AsyncSession, request_id: int, kind: Duty, due_at: datetime | None, *, again: bool = True) -> None:
    """Set one duty's time, creating it on first use; None switches it off. Without
    `again`, a duty already carried out is left alone."""
    duty = (
        await session.execute(select(ReleaseDuty).where(col(ReleaseDuty.request_id) == request_id, col(ReleaseDuty.kind) == kind))
    ).scalar_one_or_none()
    if duty is None:
        if due_at is not None:
            session.add(ReleaseDuty(request_id=request_id, kind=kind, due_at=due_at))
    elif again or duty.done_at is None:
        duty.due_at, duty.done_at = due_at, None


async def disarm_before_closing(session: AsyncSession, request_id: int) -> None:
    """The request closed: reminders, the escalation and the automatic close stop."""
    await session.execute(
        update(ReleaseDuty)
        .where(col(ReleaseDuty.request_id) == request_id, col(ReleaseDuty.kind).in_(BEFORE_CLOSING))
        .values(due_at=None)
    )
