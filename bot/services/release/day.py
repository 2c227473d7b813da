"""On the day: the companion says how it is going, with buttons.

On my way, at the gate, met, delayed (with a new time), not released today, couldn't find
them. Coordinators see every change; "not released" and "couldn't find them" reach them at
once as alerts, with the details, so someone can act. Only the assigned companion may
report (buttons can be forged: the presser is checked against the request, and anyone else
learns nothing about it). After "met" the request closes, the companion is shown the
nearest meetings later that day, and the person is asked about daily check-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.buttons import Button, inline
from bot.crypto import Vault
from bot.models import Person, ReleaseRequest
from bot.services import audit
from bot.services.meetings import search as meetings
from bot.services.meetings import text as meeting_text
from bot.services.release import aftercare as release_aftercare
from bot.services.release import buttons, prisons
from bot.services.release import records as release_records
from bot.services.release import requests as releases
from bot.services.release import text as release_text
from bot.services.release.buttons import DayAction
from bot.services.release.records import record, tell, tell_coordinators
from bot.services.release.states import ALERTS, LIVE, DayStatus, Event, Notice, Outcome, RequestStatus

# Which status each button reports.
STATUS_OF = {
    DayAction.ON_WAY: DayStatus.ON_WAY, DayAction.AT_GATE: DayStatus.AT_GATE, DayAction.MET: DayStatus.MET,
    DayAction.DELAYED: DayStatus.DELAYED, DayAction.NOT_RELEASED: DayStatus.NOT_RELEASED, DayAction.NOT_FOUND: DayStatus.NOT_FOUND,
}
MEETINGS_SHOWN = 5
# The texts (by name: read when sent, in the reader's language).
_PERSON_HEARS = {
    DayStatus.ON_WAY: "RELEASE_ON_WAY_FOR_PERSON",
    DayStatus.AT_GATE: "RELEASE_AT_GATE_FOR_PERSON",
    DayStatus.NOT_FOUND: "RELEASE_NOT_FOUND_FOR_PERSON",
}


@dataclass(frozen=True)
class Reported:
    ok: bool
    message: str
    markup: dict[str, object] | None = None
    ask_time: bool = False  # "delayed": the handler asks for the new time
    edit: bool = False  # replaces the status message (so one set of status buttons stays live)


def status_buttons(request: ReleaseRequest) -> dict[str, object]:
    labels = texts.RELEASE_STATUS_BUTTONS
    pairs = [(DayAction.ON_WAY, DayAction.AT_GATE), (DayAction.MET, DayAction.DELAYED),
             (DayAction.NOT_RELEASED, DayAction.NOT_FOUND)]
    rows: list[list[Button]] = [[(labels[STATUS_OF[a]], buttons.day(request.id, a)) for a in pair] for pair in pairs]
    return inline(rows)


def went_together_button(request: ReleaseRequest) -> dict[str, object]:
    return inline([[(texts.RELEASE_WENT_TOGETHER_BUTTON, buttons.day(request.id, DayAction.WENT_TOGETHER))]])


async def _reporter_request(session: AsyncSession, request_id: int, companion: Person) -> ReleaseRequest | None:
    """The request, only if `companion` is the one assigned to it (else the same None as for
    a request that doesn't exist, so a forged button learns nothing)."""
    request = await session.get(ReleaseRequest, request_id)
    if request is None or companion.id is None or request.companion_id != companion.id:
        return None
    return request


async def view(session: AsyncSession, request_id: int, companion: Person, vault: Vault, *, now: datetime) -> Reported:
    """The companion's own view of a live release they are meeting, with the status buttons
    (audited: they see the details)."""
    request = await _reporter_request(session, request_id, companion)
    if request is None or request.status not in LIVE:
        return Reported(False, texts.NOT_FOR_YOU)
    audit.record_release(session, request, companion.id, audit.Action.VIEWED, now)
    text = texts.RELEASE_VIEW_FOR_COMPANION.format(id=request.id, details=release_text.details(request, vault))
    return Reported(True, text, status_buttons(request))


async def report(session: AsyncSession, request_id: int, action: DayAction, companion: Person, vault: Vault, *,
                 now: datetime) -> Reported:
    """A status button pressed by `companion`."""
    request = await _reporter_request(session, request_id, companion)
    if request is None:
        return Reported(False, texts.NOT_FOR_YOU)
    if action == DayAction.WENT_TOGETHER:
        return _went_together(session, request, companion, now)
    status = STATUS_OF.get(action)
    if status is None:
        return Reported(False, texts.STALE_BUTTON)
    if request.status != RequestStatus.ASSIGNED:
        return Reported(False, texts.RELEASE_STATUS_CLOSED)
    assert request.release_date is not None
    if release_records.today(now) < request.release_date:
        return Reported(False, texts.RELEASE_STATUS_TOO_EARLY.format(day=texts.day_label(request.release_date)))
    if status == DayStatus.DELAYED:  # the status message loses its buttons; the new time's reply brings them back
        return Reported(True, status_message(request, vault, texts.RELEASE_STATUS_WAITING_FOR_TIME), ask_time=True, edit=True)
    await _record_status(session, request, status, companion, vault, now)
    if status == DayStatus.MET:
        await releases.close(session, request, Outcome.MET, now=now, actor_id=companion.id)
        await release_aftercare.ask(session, request, now=now)
        text = texts.RELEASE_MET.format(name=texts.h(companion.pseudonym)) + "\n\n" + await suggest_meetings(session, request, now=now)
        return Reported(True, text, went_together_button(request), edit=True)
    saved = texts.RELEASE_ALERT_SAVED if status in ALERTS else texts.RELEASE_STATUS_SAVED.format(status=texts.RELEASE_STATUS_WORDS[status])
    return Reported(True, status_message(request, vault, saved), status_buttons(request), edit=True)


def status_message(request: ReleaseRequest, vault: Vault, status: str) -> str:
    """The status message after a tap: what was saved, and the details still to hand."""
    return texts.RELEASE_STATUS_MESSAGE.format(status=status, details=release_text.details(request, vault))


async def delay(session: AsyncSession, request_id: int, new_time: time, companion: Person, vault: Vault, *,
                now: datetime) -> Reported:
    """The new expected time after "delayed": everyone hears, reminders follow."""
    request = await _reporter_request(session, request_id, companion)
    if request is None:
        return Reported(False, texts.NOT_FOR_YOU)
    if request.status != RequestStatus.ASSIGNED:
        return Reported(False, texts.RELEASE_STATUS_CLOSED)
    await _record_status(session, request, DayStatus.DELAYED, companion, vault, now)
    when = await releases.move(session, request, companion, now=now, new_time=new_time)
    return Reported(True, texts.RELEASE_MOVED.format(when=when), status_buttons(request))


async def _record_status(session: AsyncSession, request: ReleaseRequest, status: DayStatus, companion: Person, vault: Vault,
                         now: datetime) -> None:
    request.day_status, request.updated_at = status, now
    record(session, request, status, now, companion.id)
    name = texts.h(companion.pseudonym)
    if status in ALERTS:
        await tell_coordinators(session, lambda: texts.RELEASE_ALERT_FOR_COORDINATOR.format(
            id=request.id, status=texts.RELEASE_STATUS_WORDS[status], companion=name,
            details=release_text.details(request, vault, companion=companion.pseudonym),
        ), now, exclude=companion.id, kind=Notice.ALERT, markup=lambda: release_records.coordinator_buttons(request))
    elif status != DayStatus.DELAYED:  # a delay reaches coordinators with its new time, from `releases.move`
        await tell_coordinators(session, lambda: texts.RELEASE_STATUS_FOR_COORDINATOR.format(
            id=request.id, prison=texts.h(release_text.prison_name(request)), companion=name, status=texts.RELEASE_STATUS_WORDS[status],
        ), now, exclude=companion.id)
    if status in _PERSON_HEARS:
        await tell(session, request.person_id, Notice.PERSON, lambda: getattr(texts, _PERSON_HEARS[status]).format(companion=name), now)


def _went_together(session: AsyncSession, request: ReleaseRequest, companion: Person, now: datetime) -> Reported:
    if request.outcome != Outcome.MET:
        return Reported(False, texts.RELEASE_WENT_TOGETHER_NOT_YET)
    record(session, request, Event.WENT_TO_A_MEETING, now, companion.id)
    return Reported(True, texts.RELEASE_WENT_TOGETHER_SAVED)


async def suggest_meetings(session: AsyncSession, request: ReleaseRequest, *, now: datetime) -> str:
    """The nearest in-person meetings later today to where the person is going (or, without
    a home area, to the prison), from the meetings feature, of every fellowship: the first
    evening out, any meeting near is better than one fellowship's far away."""
    prison = prisons.by_code(request.prison_code or "")
    if request.destination_latitude is not None and request.destination_longitude is not None:
        latitude, longitude = request.destination_latitude, request.destination_longitude
        place = request.destination_label or ""
    elif prison is not None:
        latitude, longitude, place = prison.latitude, prison.longitude, prison.area
    else:
        return ""
    zone = release_records.ZONE.key
    page = await meetings.search_near(
        session, latitude, longitude, meetings.Filters(when="t"), now=now, viewer_zone=zone, page_size=MEETINGS_SHOWN
    )
    if not page.results:
        return texts.RELEASE_NO_MEETINGS_TODAY.format(place=texts.h(place))
    blocks = [
        meeting_text.result_block(n, r.meeting, r.distance_km, r.shown, r.following, r.out_of_date, viewer_zone=zone, now=now)
        for n, r in enumerate(page.results, start=1)
    ]
    return texts.RELEASE_MEETINGS_TODAY.format(place=texts.h(place), meetings="\n\n".join(blocks))
