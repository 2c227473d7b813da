"""The coordinator's view (`/coordinators`): what needs a coordinator now, who is on call this
week, and the audit trail of a record.

Counts come first, then one short section at a time, a page per screen (at most
`PAGE_SIZE[section]` items, so a page stays far inside Telegram's 4,096 characters and 100
buttons, and fits a small phone). Each item carries the buttons that already do the work
elsewhere: an alert's own "I'll reach out" (`v1:al:`, only for the coordinator it was sent
to), a release's Assign and Open (`v1:rx:`), an application's Approve / Decline (`v1:rr:`,
`v1:cv:`). Only coordinators get any of it (the handler checks first, and so does
`screen_for`); alerts shown here are audited as seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import texts
from bot.buttons import Button, inline
from bot.models import AlertRecipient, Incident, Person, ReleaseRequest, RoleRequest, SupportLink
from bot.services import audit
from bot.services.people import buttons, people, roles
from bot.services.people.buttons import CoordinatorAction, Section, TrailOf
from bot.services.people.states import RequestStatus as RoleRequestStatus
from bot.services.release import buttons as release_buttons
from bot.services.release import text as release_text
from bot.services.release.records import ZONE
from bot.services.release.states import RequestStatus as ReleaseStatus
from bot.services.support import alerts, escalation
from bot.services.support import buttons as support_buttons
from bot.services.support.states import AlertRole, IncidentStatus

PAGE_SIZE = {Section.ALERTS: 5, Section.RELEASES: 5, Section.APPLICATIONS: 1, Section.UNREACHABLE: 10}
# Names on the overview, so it stays one message (4,096 characters) however big the team.
NAMES_LISTED = 20
NAMES_PER_DAY = 5
# An alert nobody answered stays in the view this long after it was raised (then it is history).
UNANSWERED_SHOWN = timedelta(days=7)


@dataclass(frozen=True)
class Screen:
    """One message: its text and buttons."""

    text: str
    markup: dict[str, Any]


# --- what needs a coordinator now ------------------------------------------------------------


def _waiting_alerts(now: datetime) -> Any:
    """Incidents escalated to coordinators that nobody has taken: still being passed on,
    or unanswered in the last `UNANSWERED_SHOWN`."""
    escalated = select(AlertRecipient.incident_id).where(col(AlertRecipient.role) == AlertRole.COORDINATOR)
    return select(Incident).where(
        col(Incident.id).in_(escalated),
        (col(Incident.status) == IncidentStatus.OPEN)
        | ((col(Incident.status) == IncidentStatus.UNANSWERED) & (col(Incident.opened_at) >= now - UNANSWERED_SHOWN)),
    )


def _releases_without_companion() -> Any:
    return select(ReleaseRequest).where(col(ReleaseRequest.status) == ReleaseStatus.OPEN)


def _unreachable_with_supporters() -> Any:
    had = select(SupportLink.member_id)
    return select(Person).where(col(Person.unreachable_at).is_not(None), col(Person.id).in_(had))


async def _count(session: AsyncSession, query: Any) -> int:
    return int((await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one())


async def counts(session: AsyncSession, now: datetime) -> dict[Section, int]:
    """How many items wait in each section."""
    pending = select(RoleRequest).where(col(RoleRequest.status) == RoleRequestStatus.PENDING)
    return {
        Section.ALERTS: await _count(session, _waiting_alerts(now)),
        Section.RELEASES: await _count(session, _releases_without_companion()),
        Section.APPLICATIONS: await _count(session, pending),
        Section.UNREACHABLE: await _count(session, _unreachable_with_supporters()),
    }


async def overview(session: AsyncSession, viewer: Person, now: datetime) -> Screen:
    """The first screen: coordinators, the counts (a button for each section with something
    in it), this week's rota, and the coordinator's own tools."""
    assert viewer.id is not None
    everyone = await people.coordinators(session)
    names = "\n".join(f"• {texts.h(c.pseudonym)}" for c in everyone[:NAMES_LISTED])
    if len(everyone) > NAMES_LISTED:
        names += "\n" + texts.DESK_MORE_PEOPLE.format(count=len(everyone) - NAMES_LISTED)
    found = await counts(session, now)
    lines = [texts.COORDINATORS_HEADER.format(names=names), "", texts.DESK_NOW]
    if any(found.values()):
        lines += [texts.DESK_COUNTS[s].format(count=n) for s, n in found.items() if n]
    else:
        lines.append(texts.DESK_NOTHING_NOW)
    lines += ["", texts.DESK_ON_CALL_WEEK]
    for day, on_duty in await escalation.rota(session, everyone, now):
        who = _some([texts.h(p.pseudonym) for p in on_duty]) if on_duty else texts.DESK_ON_CALL_NOBODY
        lines.append(texts.DESK_ON_CALL_DAY.format(day=texts.day_label(day), names=who))
    # Applications open from "Requests waiting" (the button coordinators already know).
    sections = [(texts.DESK_SECTION_BUTTONS[s].format(count=n), buttons.desk_section(s))
                for s, n in found.items() if n and s != Section.APPLICATIONS]
    rows: list[list[Button]] = [sections[i : i + 2] for i in range(0, len(sections), 2)]
    on_call = await alerts.is_on_call(session, viewer.id)
    rows += [
        [(texts.ADD_COORDINATOR_BUTTON, buttons.coordinators(CoordinatorAction.INVITE))],
        [(texts.REQUESTS_WAITING_BUTTON.format(count=found[Section.APPLICATIONS]), buttons.coordinators(CoordinatorAction.REQUESTS))],
        [(texts.ROLES_BUTTON, buttons.coordinators(CoordinatorAction.PEOPLE_WITH_ROLES))],
        [duty_button(on_call), (texts.ROTA_BUTTON, support_buttons.rota_data())],
    ]
    return Screen("\n".join(lines), inline(rows))


def _some(names: list[str]) -> str:
    """A day's names, at most `NAMES_PER_DAY` of them (so a big team's week stays one message)."""
    if len(names) <= NAMES_PER_DAY:
        return texts.names_list(names)
    return texts.DESK_SOME_NAMES.format(names=", ".join(names[:NAMES_PER_DAY]), count=len(names) - NAMES_PER_DAY)


def duty_button(on_call: bool) -> Button:
    """The coordinator's own on-call switch (`v1:oc:on|off`)."""
    return (texts.ON_CALL_BUTTON, support_buttons.on_call_data(False)) if on_call else \
        (texts.OFF_CALL_BUTTON, support_buttons.on_call_data(True))


# --- the sections ----------------------------------------------------------------------------


async def section(session: AsyncSession, viewer: Person, which: Section, page: int, now: datetime) -> Screen:
    """One page of one section (a page past the end shows the last page)."""
    if which == Section.ALERTS:
        return await _alerts(session, viewer, page, now)
    if which == Section.RELEASES:
        return await _releases(session, page)
    if which == Section.APPLICATIONS:
        return await _applications(session, page)
    return await _unreachable(session, page)


def _page(total: int, size: int, page: int) -> tuple[int, int]:
    """(the page to show, how many pages), the page kept within range."""
    pages = max(1, -(-total // size))
    return min(max(page, 0), pages - 1), pages


def _framed(which: Section, body: list[str], rows: list[list[Button]], page: int, pages: int) -> Screen:
    """A section's title, its items (or that it is empty), paging and the way back."""
    lines = [texts.DESK_SECTION_TITLES[which], ""] + (body or [texts.DESK_SECTION_EMPTY])
    nav: list[Button] = []
    if pages > 1:
        lines += ["", texts.DESK_PAGE.format(page=page + 1, pages=pages)]
        if page > 0:
            nav.append((texts.DESK_PREVIOUS, buttons.desk_section(which, page - 1)))
        if page + 1 < pages:
            nav.append((texts.DESK_NEXT, buttons.desk_section(which, page + 1)))
    return Screen("\n".join(lines), inline([*rows, *([nav] if nav else []), [(texts.DESK_BACK, buttons.desk_home())]]))


async def _alerts(session: AsyncSession, viewer: Person, page: int, now: datetime) -> Screen:
    size = PAGE_SIZE[Section.ALERTS]
    query = _waiting_alerts(now)
    page, pages = _page(await _count(session, query), size, page)
    shown = list((await session.execute(
        query.order_by(col(Incident.opened_at).desc(), col(Incident.id).desc()).offset(page * size).limit(size)
    )).scalars())
    members = await people.pseudonyms(session, *(i.member_id for i in shown))
    asked = (await session.execute(
        select(AlertRecipient, Person.pseudonym).join(Person, col(Person.id) == col(AlertRecipient.person_id))
        .where(col(AlertRecipient.incident_id).in_([i.id for i in shown]), col(AlertRecipient.role) == AlertRole.COORDINATOR)
        .order_by(col(AlertRecipient.id))
    )).all() if shown else []
    body: list[str] = []
    rows: list[list[Button]] = []
    for incident in shown:
        name = members.get(incident.member_id, "")
        coordinators = [(r, n) for r, n in asked if r.incident_id == incident.id]
        mine = next((r for r, _ in coordinators if r.person_id == viewer.id), None)
        icon, what = texts.DESK_ALERT_ICONS.get(incident.kind, "🔔"), texts.DESK_ALERT_WHAT.get(incident.kind, "")
        waiting = texts.names_list([texts.h(n) for _, n in coordinators]) if coordinators else ""
        state = texts.DESK_ALERT_WAITING.format(names=waiting) if incident.status == IncidentStatus.OPEN else texts.DESK_ALERT_UNANSWERED
        body.append(texts.DESK_ALERT_LINE.format(icon=icon, name=texts.h(name), what=what,
                                                 ago=texts.ago((now - incident.opened_at).total_seconds()), state=state))
        if mine is not None and mine.id is not None:
            rows.append([(texts.DESK_REACH_OUT_BUTTON.format(name=name)[:64], support_buttons.alert_data(mine.id, True)),
                         (texts.RELAY_MESSAGE_BUTTON.format(name=name)[:64], support_buttons.message_to(incident.member_id))])
        elif waiting:
            body.append(texts.DESK_ALERT_NOT_YOURS.format(names=waiting))
        audit.record(session, viewer.id, audit.ActorRole.COORDINATOR, audit.Subject.ALERT, incident.id, audit.Action.LISTED, now)
    return _framed(Section.ALERTS, body, rows, page, pages)


async def _releases(session: AsyncSession, page: int) -> Screen:
    size = PAGE_SIZE[Section.RELEASES]
    query = _releases_without_companion()
    page, pages = _page(await _count(session, query), size, page)
    shown = list((await session.execute(
        query.order_by(col(ReleaseRequest.release_date), col(ReleaseRequest.id)).offset(page * size).limit(size)
    )).scalars())
    body = [texts.DESK_RELEASE_LINE.format(id=r.id, when=release_text.when(r), prison=texts.h(release_text.prison_name(r)),
                                           area=texts.h(r.destination_label or texts.NOT_SET)) for r in shown]
    rows = [[(texts.DESK_ASSIGN_BUTTON.format(id=r.id), release_buttons.manage(r.id, release_buttons.ManageAction.PICK_COMPANION)),
             (texts.DESK_OPEN_BUTTON.format(id=r.id), release_buttons.manage(r.id, release_buttons.ManageAction.OPEN))] for r in shown]
    return _framed(Section.RELEASES, body, rows, page, pages)


async def _applications(session: AsyncSession, page: int) -> Screen:
    """One application a page, exactly as its coordinator notice shows it, with its buttons."""
    views = await roles.pending_views(session)
    page, pages = _page(len(views), PAGE_SIZE[Section.APPLICATIONS], page)
    if not views:
        return _framed(Section.APPLICATIONS, [], [], 0, 1)
    view = views[page]
    keyboard = view.markup.get("inline_keyboard", [])
    rows = [[(b["text"], b["callback_data"]) for b in row if "callback_data" in b] for row in keyboard] if isinstance(keyboard, list) else []
    body = [texts.DESK_APPLICATION_OF.format(number=page + 1, count=len(views)), view.text]
    return _framed(Section.APPLICATIONS, body, rows, page, pages)


async def _unreachable(session: AsyncSession, page: int) -> Screen:
    size = PAGE_SIZE[Section.UNREACHABLE]
    query = _unreachable_with_supporters()
    page, pages = _page(await _count(session, query), size, page)
    shown = list((await session.execute(
        query.order_by(col(Person.unreachable_at).desc(), col(Person.id)).offset(page * size).limit(size)
    )).scalars())
    links = (await session.execute(
        select(SupportLink.member_id, Person.pseudonym).join(Person, col(Person.id) == col(SupportLink.supporter_id))
        .where(col(SupportLink.member_id).in_([p.id for p in shown])).order_by(col(SupportLink.position))
    )).all() if shown else []
    body = []
    for person in shown:
        helpers = [texts.h(n) for member, n in links if member == person.id]
        since = person.unreachable_at.astimezone(ZONE).date() if person.unreachable_at else None
        body.append(texts.DESK_UNREACHABLE_LINE.format(
            name=texts.h(person.pseudonym), since=texts.day_label(since) if since else "?",
            supporters=texts.names_list(helpers) if helpers else texts.DESK_NO_SUPPORTERS_NOW))
    if body:
        body += ["", texts.DESK_UNREACHABLE_HINT]
    return _framed(Section.UNREACHABLE, body, [], page, pages)


# --- the rota --------------------------------------------------------------------------------


async def rota_screen(session: AsyncSession, viewer: Person) -> Screen | None:
    """The coordinator's own weekdays, each a toggle; None for anyone who isn't a coordinator."""
    if viewer.id is None or not await people.is_coordinator(session, viewer.id):
        return None
    days = await escalation.days_of(session, viewer.id)
    toggles = [((texts.ROTA_DAY_ON if days & (1 << d) else texts.ROTA_DAY_OFF).format(day=texts.weekday_name(d, "abbreviated")),
                support_buttons.rota_day_data(d)) for d in escalation.WEEK]
    return Screen(texts.ROTA_ASK, inline([toggles[:4], toggles[4:], [(texts.DESK_BACK, buttons.desk_home())]]))


async def toggle_rota_day(session: AsyncSession, viewer: Person, weekday: int, now: datetime) -> Screen | None:
    """Change one of the coordinator's own days; None for anyone who isn't a coordinator."""
    if viewer.id is None or not await people.is_coordinator(session, viewer.id) or weekday not in escalation.WEEK:
        return None
    await escalation.toggle_day(session, viewer.id, weekday, now)
    return await rota_screen(session, viewer)


# --- the audit trail -------------------------------------------------------------------------


async def trail_screen(session: AsyncSession, viewer: Person, of: TrailOf, record_id: int, *, now: datetime,
                       keep_days: int) -> Screen | None:
    """Who viewed or changed a release request (or an escalated alert), for a coordinator;
    None when the record no longer exists. Looking at it is itself recorded."""
    assert viewer.id is not None
    subject = audit.Subject.RELEASE if of == TrailOf.RELEASE else audit.Subject.ALERT
    if of == TrailOf.RELEASE:
        request = await session.get(ReleaseRequest, record_id)
        if request is None or request.status == ReleaseStatus.DRAFT:
            return None
        back = (texts.BACK_BUTTON, release_buttons.manage(record_id, release_buttons.ManageAction.OPEN))
    else:
        if await session.get(Incident, record_id) is None:
            return None
        back = (texts.BACK_BUTTON, buttons.desk_section(Section.ALERTS))
    lines, total = await audit.trail(session, subject, record_id)
    audit.record(session, viewer.id, audit.ActorRole.COORDINATOR, subject, record_id, audit.Action.VIEWED_TRAIL, now)
    body = [texts.TRAIL_HEADER.format(what=texts.TRAIL_OF[of].format(id=record_id), days=keep_days), ""]
    for line in lines:
        role = texts.TRAIL_ROLES.get(line.role, line.role)
        at, action = f"{line.at.astimezone(ZONE):%d %b %H:%M}", texts.TRAIL_ACTIONS.get(line.action, line.action)
        body.append(texts.TRAIL_LINE.format(at=at, who=texts.h(line.who), role=role, action=action) if line.who is not None
                    else texts.TRAIL_FORMER_LINE.format(at=at, role=role, action=action))
    if total > len(lines):
        body.append(texts.TRAIL_MORE.format(count=total - len(lines)))
    if not lines:
        body.append(texts.TRAIL_EMPTY)
    return Screen("\n".join(body), inline([[back]]))
