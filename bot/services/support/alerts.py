"""Incidents: who is alerted when a member may need help, in what order, and what happens next.

An incident (a lapse, an SOS, a slip the member chose to share, three very low days) opens
only for a member who has supporters, and alerts one person at a time: the supporters in
the member's order, then every coordinator on call today at once (the rota:
`escalation.coordinators_to_alert`; all coordinators if none is on call: an alert must
reach someone). "I can't right now", no answer within the escalation
window (hours for a lapse, minutes for an SOS and other immediate alerts:
`escalation.Windows`, which the caller takes from Settings; an incident keeps the window
it was opened with), or a recipient who has blocked the bot passes it on; "I'll reach
out" stops it and everyone alerted is told who is reaching out. A check-in closes a
lapse incident and everyone alerted is told. Every message about a move says who has the
alert now, or that nobody else could be reached: never "someone else" when there is nobody.

Every alert and notice is an outbox row written in the same transaction as the change that
causes it. `Incident.step` is bumped by every move with `UPDATE ... WHERE step=:seen`, so the
escalation tick (which also compares `next_escalation_at`), a button press, a re-route and
a second process never both act on the same state: nobody is alerted twice for one step.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import i18n, texts
from bot.buttons import inline
from bot.crypto import Vault
from bot.db import changed
from bot.models import (
    AlertRecipient,
    Checkin,
    CoordinatorDuty,
    CrisisRequest,
    Incident,
    Outbox,
    Person,
    SupportLink,
)
from bot.runtime import Runtime
from bot.services import audit, outbox
from bot.services.people import people
from bot.services.support import buttons, crisis, escalation, lapses
from bot.services.support.escalation import Windows
from bot.services.support.states import (
    AlertResponse,
    AlertRole,
    CrisisSource,
    IncidentKind,
    IncidentStatus,
    OutboxKind,
)

log = logging.getLogger("fellowship.alerts")

LOW_MOOD_DAYS = 3
# Live: still being passed on, or (a lapse) waiting for the member's check-in. A lapse stays
# live until the member checks in; an immediate alert ends when someone answers or nobody
# is left to ask.
_STILL_LIVE = (IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED, IncidentStatus.UNANSWERED)
_LIVE: dict[str, tuple[IncidentStatus, ...]] = {
    IncidentKind.LAPSE: _STILL_LIVE,
    IncidentKind.SOS: (IncidentStatus.OPEN,),
    IncidentKind.SLIP: (IncidentStatus.OPEN,),
    IncidentKind.LOW_MOOD: (IncidentStatus.OPEN,),
}
# Kinds a coordinator is not told the details of (shared only with supporters).
_PRIVATE_KINDS = (IncidentKind.SLIP, IncidentKind.LOW_MOOD)
ALERT = OutboxKind.ALERT
NEWS = OutboxKind.ALERT_NEWS


@dataclass(frozen=True)
class Moved:
    """Who an alert went to: a supporter or the coordinators and their names, or role None (nobody)."""

    role: AlertRole | None
    names: tuple[str, ...] = ()

    def who(self) -> str:
        """Named for a message: `Jo`, or `the coordinators on call (Cee and Dee)`."""
        names = texts.names_list([texts.h(n) for n in self.names])
        return names if self.role == AlertRole.SUPPORTER else texts.ALERT_COORDINATORS_NAMED.format(names=names)


# --- who may be alerted -------------------------------------------------------------------


async def supporters_for(session: AsyncSession, member_id: int, kind: str) -> list[tuple[SupportLink, Person]]:
    """The member's supporters in order, only those who may hear of this kind of alert
    (three very low days reach only supporters the member shares their mood with)."""
    query = (
        select(SupportLink, Person)
        .join(Person, col(Person.id) == col(SupportLink.supporter_id))
        .where(SupportLink.member_id == member_id)
        .order_by(col(SupportLink.position), col(SupportLink.id))
    )
    if kind == IncidentKind.LOW_MOOD:
        query = query.where(col(SupportLink.share_mood).is_(True))
    return [(link, person) for link, person in (await session.execute(query)).all()]


async def is_on_call(session: AsyncSession, person_id: int) -> bool:
    duty = (await session.execute(select(CoordinatorDuty.on_call).where(CoordinatorDuty.person_id == person_id))).scalar()
    return duty is None or duty


async def switch_on_call(session: AsyncSession, person: Person, on_call: bool, now: datetime) -> bool:
    """A coordinator goes on or off call, for themselves only; False for anyone else."""
    if person.id is None or not await people.is_coordinator(session, person.id):
        return False
    await set_on_call(session, person.id, on_call, now)
    return True


async def set_on_call(session: AsyncSession, person_id: int, on_call: bool, now: datetime) -> None:
    duty = (await session.execute(select(CoordinatorDuty).where(CoordinatorDuty.person_id == person_id))).scalar_one_or_none()
    if duty is None:
        try:
            async with session.begin_nested():
                session.add(CoordinatorDuty(person_id=person_id, on_call=on_call, updated_at=now))
            return
        except IntegrityError:  # a double tap in another process
            duty = (await session.execute(select(CoordinatorDuty).where(CoordinatorDuty.person_id == person_id))).scalar_one()
    duty.on_call, duty.updated_at = on_call, now


async def _next_recipients(
    session: AsyncSession, incident: Incident, now: datetime, links: list[tuple[SupportLink, Person]] | None = None
) -> tuple[AlertRole | None, list[Person]]:
    """The next supporter not yet asked, else the coordinators on call today (once; the
    rota's rule: `escalation.coordinators_to_alert`), else nobody.
    (`links`: the member's supporters when already loaded, for a new incident.)"""
    asked = (
        []
        if incident.step == 0 and links is not None  # a new incident: nobody asked yet
        else (
            await session.execute(
                select(AlertRecipient.person_id, AlertRecipient.role).where(AlertRecipient.incident_id == incident.id)
            )
        ).all()
    )
    alerted = {person_id for person_id, _ in asked}
    for _, supporter in links if links is not None else await supporters_for(session, incident.member_id, incident.kind):
        if supporter.id not in alerted and supporter.unreachable_at is None:
            return AlertRole.SUPPORTER, [supporter]
    if any(role == AlertRole.COORDINATOR for _, role in asked):
        return None, []
    reachable = [
        c for c in await people.coordinators(session, exclude=incident.member_id)
        if c.id not in alerted and c.unreachable_at is None
    ]
    return AlertRole.COORDINATOR, await escalation.coordinators_to_alert(session, reachable, now)


# --- what alerts say ----------------------------------------------------------------------


async def last_checkin(session: AsyncSession, member_id: int) -> date | None:
    return (await session.execute(select(func.max(Checkin.local_date)).where(Checkin.person_id == member_id))).scalar()


def alert_text(kind: str, role: str, name: str | None, last: date | None, age: timedelta = timedelta(0)) -> str:
    """What the recipient reads, saying when the alert was raised (`age` ago). Coordinators
    are not told a slip or a mood the member shared only with their supporters: just that
    an alert went unanswered."""
    name, ago = texts.h(name), texts.ago(age.total_seconds())
    if role == AlertRole.COORDINATOR and kind in _PRIVATE_KINDS:
        lines = [texts.ALERT_COORDINATOR_PRIVATE.format(name=name), texts.ALERT_RAISED.format(ago=ago)]
    else:
        lines = [texts.ALERT_HEADLINES[kind].format(name=name, ago=ago)]
        if kind != IncidentKind.SOS and age >= timedelta(minutes=1):
            lines.append(texts.ALERT_RAISED.format(ago=ago))
        lines.append(texts.ALERT_LAST_CHECKIN.format(day=texts.day_label(last)) if last else texts.ALERT_NO_CHECKIN_YET)
        if role == AlertRole.COORDINATOR:
            lines.append(texts.ALERT_FOR_COORDINATOR.format(name=name))
    lines += ["", (texts.ALERT_ASK_COORDINATOR if role == AlertRole.COORDINATOR else texts.ALERT_ASK).format(name=name)]
    return "\n".join(lines)


def alert_markup(recipient_id: int, member_id: int, name: str | None) -> dict[str, object]:
    return inline(
        [
            [(texts.ALERT_REACH_OUT, buttons.alert_data(recipient_id, True)), (texts.ALERT_CANT, buttons.alert_data(recipient_id, False))],
            [(texts.RELAY_MESSAGE_BUTTON.format(name=name or ""), buttons.message_to(member_id))],
        ]
    )


def recipient_of(vault: Vault, row: Outbox) -> int | None:
    """The recipient an alert row was for, from its own buttons (`v1:al:<id>:y`)."""
    for data in callbacks_in(outbox.params_of(vault, row)):
        answer = buttons.parse_alert(data)
        if answer is not None:
            return answer[0]
    return None


def callbacks_in(params: dict[str, Any]) -> list[str]:
    """Callback data of the inline buttons in an outbox row's (decrypted) parameters."""
    markup = params.get("reply_markup")
    if not isinstance(markup, dict):
        return []
    return [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row if isinstance(b, dict)]


# --- opening and moving on ----------------------------------------------------------------


async def open_incident(
    session: AsyncSession, member: Person, kind: IncidentKind, now: datetime, *, windows: Windows
) -> Incident | None:
    """Open an incident and alert the first person; None when there is nobody to alert or
    the same kind of alert is already being passed on (one chain at a time)."""
    assert member.id is not None
    links = await supporters_for(session, member.id, kind)
    if not links:
        return None  # alerts are something a member chooses by adding supporters
    live = await session.execute(
        select(Incident.id).where(Incident.member_id == member.id, Incident.kind == kind, col(Incident.status).in_(_LIVE[kind]))
    )
    if live.first() is not None:
        return None
    wait = windows.for_kind(kind)
    incident = Incident(member_id=member.id, kind=kind, opened_at=now, next_escalation_at=now + wait)
    session.add(incident)
    await session.flush()
    log.info("incident %s (%s) opened for person %s", incident.id, kind, member.id)
    moved = await _alert_next(session, incident, member, now, wait, links)
    if not moved.role and kind != IncidentKind.SOS:  # (the reply to an SOS says so itself)
        _tell_member(session, incident, member, moved, now)
    return incident


async def _alert_next(
    session: AsyncSession, incident: Incident, member: Person, now: datetime, wait: timedelta,
    links: list[tuple[SupportLink, Person]] | None = None,
) -> Moved:
    """Alert the next person (or people), who get `wait` to answer; says who, so every
    message about it can be true."""
    role, recipients = await _next_recipients(session, incident, now, links)
    if role is None or not recipients:
        incident.status, incident.next_escalation_at = IncidentStatus.UNANSWERED, None
        log.warning("incident %s: nobody left to alert", incident.id)
        return Moved(None)
    last = await last_checkin(session, incident.member_id)
    assert incident.id is not None
    for person in recipients:
        assert person.id is not None
        recipient = AlertRecipient(incident_id=incident.id, person_id=person.id, role=role, step=incident.step, alerted_at=now)
        session.add(recipient)
        await session.flush()
        assert recipient.id is not None
        await outbox.enqueue_for(
            session, person.id, ALERT, functools.partial(alert_text, incident.kind, role, member.pseudonym, last, now - incident.opened_at),
            now=now, reply_markup=functools.partial(alert_markup, recipient.id, incident.member_id, member.pseudonym),
        )
    incident.next_escalation_at = now + wait
    return Moved(role, tuple(p.pseudonym or "" for p in recipients))


def _nothing() -> str:
    return ""


def _tell_member(session: AsyncSession, incident: Incident, member: Person, moved: Moved, now: datetime,
                 because: outbox.Render = _nothing) -> None:
    """The truth to the member about an alert that moved: why (`because`, may say
    nothing), then who has it now, or that nobody else could be reached and the helplines.
    Written in the member's language."""
    if member.unreachable_at is not None or member.id is None:
        return
    with i18n.speaking(member.language):
        then = texts.ALERT_MEMBER_ASKED_NOW.format(who=moved.who()) if moved.role else texts.ALERT_NOBODY_REACHED
        lines = [texts.ALERT_MEMBER_ABOUT[incident.kind], " ".join(p for p in (because(), then) if p)]
    outbox.enqueue(session, member.id, NEWS, "\n".join(lines), now=now)


async def _pass_on(
    session: AsyncSession, incident_id: int, seen_step: int, now: datetime, *, seen_due: datetime | None = None
) -> Moved | None:
    """Move an open incident to the next person, once: compare-and-set on its step (and on
    its due time, for the tick). Anyone asked at that step who hasn't answered: no answer.
    Returns who has it now, or None if another process moved it first."""
    wait = await _kept_window(session, incident_id, seen_step)
    condition = [col(Incident.id) == incident_id, col(Incident.step) == seen_step, col(Incident.status) == IncidentStatus.OPEN]
    if seen_due is not None:
        condition.append(col(Incident.next_escalation_at) == seen_due)
    won = await changed(
        session,
        update(Incident).where(*condition).values(step=col(Incident.step) + 1, next_escalation_at=None)
        .execution_options(synchronize_session=False),
    )
    if won != 1:
        return None
    await session.execute(
        update(AlertRecipient)
        .where(col(AlertRecipient.incident_id) == incident_id, col(AlertRecipient.step) == seen_step,
               col(AlertRecipient.response).is_(None))
        .values(response=AlertResponse.NO_ANSWER, responded_at=now)
        .execution_options(synchronize_session=False)
    )
    incident = await session.get(Incident, incident_id, populate_existing=True)
    member = await session.get(Person, incident.member_id) if incident is not None else None
    assert incident is not None and member is not None
    return await _alert_next(session, incident, member, now, wait)


async def _kept_window(session: AsyncSession, incident_id: int, step: int) -> timedelta:
    """The window the incident was opened with: its due time less when the people asked
    at `step` were alerted (an open incident always has both). Settings changed since
    apply to new incidents, so nobody's wait changes halfway through a chain."""
    found = (
        await session.execute(
            select(Incident.next_escalation_at, AlertRecipient.alerted_at)
            .join(AlertRecipient, col(AlertRecipient.incident_id) == col(Incident.id))
            .where(col(Incident.id) == incident_id, col(AlertRecipient.step) == step)
            .limit(1)
        )
    ).first()
    if found is None or found[0] is None or found[0] <= found[1]:
        return timedelta(0)  # never for an open incident; if it were, pass on at the next tick
    return found[0] - found[1]


async def _waiting_on_others(session: AsyncSession, incident: Incident, besides: int) -> bool:
    """Whether someone else asked at the current step (coordinators) may still answer."""
    found = await session.execute(
        select(AlertRecipient.id).where(
            AlertRecipient.incident_id == incident.id,
            AlertRecipient.step == incident.step,
            col(AlertRecipient.response).is_(None),
            AlertRecipient.id != besides,
        )
    )
    return found.first() is not None


async def claim_due_escalations(session: AsyncSession, now: datetime, *, limit: int) -> tuple[int, int]:
    """Pass on incidents nobody answered within the window: (how many were due, passed on)."""
    due = (
        await session.execute(
            select(Incident.id, Incident.step, Incident.next_escalation_at)
            .where(col(Incident.next_escalation_at) <= now)
            .order_by(col(Incident.next_escalation_at), col(Incident.id))
            .limit(limit)
        )
    ).all()
    passed = 0
    for incident_id, step, seen_due in due:
        assert incident_id is not None
        moved = await _pass_on(session, incident_id, step, now, seen_due=seen_due)
        if moved is None:
            continue
        passed += 1
        await _tell_member_after_silence(session, incident_id, moved, now)
    return len(due), passed


async def _tell_member_after_silence(session: AsyncSession, incident_id: int, moved: Moved, now: datetime) -> None:
    """Nobody answered in time: someone who asked for support hears who has it now; anyone
    hears when nobody is left (a lapse or a shared mood moving on is not news to them)."""
    incident = await session.get(Incident, incident_id)
    member = await session.get(Person, incident.member_id) if incident is not None else None
    if incident is not None and member is not None and (incident.kind == IncidentKind.SOS or not moved.role):
        _tell_member(session, incident, member, moved, now, lambda: texts.ALERT_MEMBER_NO_ANSWER)


async def scan_lapses(
    session: AsyncSession, now: datetime, *, default_zone: str, limit: int, windows: Windows
) -> tuple[int, int]:
    """Claim due lapse watches and open an incident for each member who lapsed:
    (how many watches were due, incidents opened)."""
    found, lapsed = await lapses.claim_due(session, now, default_zone=default_zone, limit=limit)
    opened = 0
    members = (await session.execute(select(Person).where(col(Person.id).in_(lapsed)))).scalars().all() if lapsed else []
    for member in members:
        if await open_incident(session, member, IncidentKind.LAPSE, now, windows=windows) is not None:
            opened += 1
    return found, opened


# --- answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What the presser sees: a toast (None: none), and the alert's new text and buttons."""

    ok: bool
    toast: str | None = None
    text: str | None = None
    markup: dict[str, Any] | None = None


async def respond(session: AsyncSession, person: Person, recipient_id: int, reaching_out: bool, now: datetime) -> Answer:
    """"I'll reach out" (from anyone this incident was sent to, even late: someone acting is
    what matters) or "I can't right now" (from whoever it waits on now)."""
    recipient = await session.get(AlertRecipient, recipient_id)
    if recipient is None or recipient.person_id != person.id:
        return Answer(False, texts.NOT_FOR_YOU)  # forged data, or an alert for someone else
    incident = await session.get(Incident, recipient.incident_id)
    member = await session.get(Person, incident.member_id) if incident is not None else None
    if incident is None or member is None:
        return Answer(False, texts.STALE_BUTTON)
    if recipient.role == AlertRole.COORDINATOR:  # an escalated alert: accountable
        action = audit.Action.REACHING_OUT if reaching_out else audit.Action.CANT
        audit.record(session, person.id, audit.ActorRole.COORDINATOR, audit.Subject.ALERT, incident.id, action, now)
    name = texts.h(member.pseudonym)
    answerable = (IncidentStatus.OPEN, IncidentStatus.UNANSWERED)
    if reaching_out and incident.status in answerable:
        won = await changed(
            session,
            update(Incident)
            .where(col(Incident.id) == incident.id, col(Incident.status).in_(answerable))
            .values(status=IncidentStatus.ACKNOWLEDGED, acknowledged_by_id=person.id, acknowledged_at=now,
                    next_escalation_at=None, step=col(Incident.step) + 1)
            .execution_options(synchronize_session=False),
        )
        if won == 1:
            recipient.response, recipient.responded_at = AlertResponse.REACHING_OUT, now
            told = await _tell_chain(session, incident.id, lambda: texts.ALERT_SOMEONE_REACHING_OUT.format(helper=texts.h(person.pseudonym), name=name),
                                     now, skip=recipient.id)
            if member.unreachable_at is None:
                assert member.id is not None
                await outbox.enqueue_for(session, member.id, NEWS, lambda: texts.ALERT_MEMBER_TOLD.format(helper=texts.h(person.pseudonym)), now=now)
            log.info("incident %s acknowledged by person %s", incident.id, person.id)
            thanks = texts.ALERT_THANKS if told else texts.ALERT_THANKS_ONLY_YOU
            return Answer(True, text=thanks.format(name=name), markup=_message_markup(member))
        await session.refresh(incident)
    if incident.status == IncidentStatus.RESOLVED:
        return Answer(False, texts.ALERT_ALREADY_CHECKED_IN.format(name=name), texts.ALERT_CHECKED_IN.format(name=name))
    if incident.status == IncidentStatus.ACKNOWLEDGED:
        if incident.acknowledged_by_id == person.id:
            return Answer(False, texts.ALERT_YOU_ARE_REACHING_OUT.format(name=name))
        helper = await session.get(Person, incident.acknowledged_by_id) if incident.acknowledged_by_id else None
        return Answer(False, texts.ALERT_ALREADY_REACHING_OUT.format(helper=texts.h(helper.pseudonym if helper else "Someone"), name=name))
    if reaching_out:  # unreachable, changed under us: say what is true now
        return Answer(False, texts.STALE_BUTTON)
    if incident.status == IncidentStatus.UNANSWERED:
        return Answer(False, texts.ALERT_ALREADY_UNANSWERED.format(name=name))
    if incident.status != IncidentStatus.OPEN or recipient.step != incident.step or recipient.response is not None:
        return Answer(False, texts.ALERT_ALREADY_PASSED_ON, texts.ALERT_PASSED_ON)
    recipient.response, recipient.responded_at = AlertResponse.CANT, now
    await session.flush()
    log.info("incident %s: person %s can't respond now", incident.id, person.id)
    if await _waiting_on_others(session, incident, recipient.id or 0):
        return Answer(True, text=texts.ALERT_OTHERS_HAVE_IT, markup=_message_markup(member))
    moved = await _pass_on(session, incident.id or 0, incident.step, now)
    if moved is None:  # moved on a moment ago by the tick or another press
        return Answer(False, texts.ALERT_ALREADY_PASSED_ON, texts.ALERT_PASSED_ON)
    _tell_member(session, incident, member, moved, now, lambda: texts.ALERT_MEMBER_CANT.format(helper=texts.h(person.pseudonym)))
    said = texts.ALERT_PASSED_TO.format(who=moved.who()) if moved.role else texts.ALERT_PASSED_TO_NOBODY.format(name=name)
    return Answer(True, text=said, markup=_message_markup(member))


def _message_markup(member: Person) -> dict[str, object]:
    return inline([[(texts.RELAY_MESSAGE_BUTTON.format(name=member.pseudonym or ""), buttons.message_to(member.id))]])


async def _tell_chain(session: AsyncSession, incident_id: int | None, text: outbox.Render, now: datetime, *,
                      skip: int | None = None) -> int:
    """A notice to everyone alerted about the incident who can be reached, each in their
    language; returns how many."""
    rows = (
        await session.execute(
            select(AlertRecipient.id, AlertRecipient.person_id)
            .join(Person, col(Person.id) == col(AlertRecipient.person_id))
            .where(AlertRecipient.incident_id == incident_id, col(Person.unreachable_at).is_(None))
            .order_by(col(AlertRecipient.id))
        )
    ).all()
    told = 0
    for recipient_id, person_id in rows:
        if recipient_id != skip:
            await outbox.enqueue_for(session, person_id, NEWS, text, now=now)
            told += 1
    return told


# --- what the member's own actions do -----------------------------------------------------


async def checked_in(session: AsyncSession, person_id: int, day: date, now: datetime) -> None:
    """A new day's check-in: close the member's lapse incidents (everyone alerted is told)
    and watch the next prompt. Called by the check-in service when the day's row is created."""
    person = await session.get(Person, person_id)
    if person is None:
        return
    live = (
        await session.execute(
            select(Incident.id, Incident.status).where(
                Incident.member_id == person_id, Incident.kind == IncidentKind.LAPSE,
                col(Incident.status).in_(_LIVE[IncidentKind.LAPSE]),
            )
        )
    ).all()
    for incident_id, status in live:
        won = await changed(
            session,
            update(Incident)
            .where(col(Incident.id) == incident_id, col(Incident.status) == status)
            .values(status=IncidentStatus.RESOLVED, closed_at=now, next_escalation_at=None, step=col(Incident.step) + 1)
            .execution_options(synchronize_session=False),
        )
        if won == 1:
            told = await _tell_chain(session, incident_id, lambda: texts.ALERT_CHECKED_IN.format(name=texts.h(person.pseudonym)), now)
            log.info("incident %s resolved by a check-in; %d told", incident_id, told)
    await lapses.watch_next_prompt(session, person, now, after_day=day)


async def very_low_mood(
    session: AsyncSession, person_id: int, day: date, now: datetime, *, windows: Windows
) -> None:
    """A mood of 1 recorded: alert at once if it is the third such day in a row (and the
    member shares their mood with someone). At most one such alert in any three days."""
    first = day - timedelta(days=LOW_MOOD_DAYS - 1)
    moods = (
        await session.execute(
            select(Checkin.mood).where(Checkin.person_id == person_id, col(Checkin.local_date) >= first, col(Checkin.local_date) <= day)
        )
    ).scalars().all()
    if len(moods) < LOW_MOOD_DAYS or any(m != 1 for m in moods):
        return
    recent = await session.execute(
        select(Incident.id).where(
            Incident.member_id == person_id, Incident.kind == IncidentKind.LOW_MOOD,
            col(Incident.opened_at) > now - timedelta(days=LOW_MOOD_DAYS),
        )
    )
    member = await session.get(Person, person_id)
    if recent.first() is None and member is not None:
        await open_incident(session, member, IncidentKind.LOW_MOOD, now, windows=windows)


async def slip_shared(session: AsyncSession, member: Person, now: datetime, *, windows: Windows) -> None:
    """The member had a slip and said "Yes, tell them": their supporters hear of it now."""
    await open_incident(session, member, IncidentKind.SLIP, now, windows=windows)


async def _on_crisis(session: AsyncSession, member: Person, request: CrisisRequest, now: datetime, windows: Windows) -> None:
    """The member asked for support now (/sos or the button): their supporters, at once."""
    if await open_incident(session, member, IncidentKind.SOS, now, windows=windows) is not None:
        request.alerted_at = now




@dataclass(frozen=True)
class SupportNow:
    """After /sos or the button: who knows (`news`), and whether this was a double tap."""

    news: str
    double_tap: bool


async def support_now(session: AsyncSession, member: Person, source: CrisisSource, now: datetime, *, windows: Windows) -> SupportNow:
    """Record the request (a new one alerts the member's supporters at once) and say who knows."""
    request, new = await crisis.record_request(session, member, source, now=now, windows=windows)
    if new:  # counted, but not tied to anyone in the logs
        log.info("a support request was recorded (%s)", source)
    double_tap = not new and now - request.created_at < crisis.DOUBLE_TAP
    return SupportNow(await sos_news(session, member, request, new=new), double_tap)


async def sos_news(session: AsyncSession, member: Person, request: CrisisRequest, *, new: bool) -> str:
    """For the reply to /sos or the button: who has been told, is reaching out, or that
    nobody could be. "Already know" when this request did not raise the alert itself."""
    assert member.id is not None
    incident = (
        await session.execute(
            select(Incident)
            .where(Incident.member_id == member.id, Incident.kind == IncidentKind.SOS,
                   (col(Incident.status) == IncidentStatus.OPEN) | (col(Incident.opened_at) >= request.created_at))
            .order_by(col(Incident.opened_at).desc(), col(Incident.id).desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if incident is None:
        has_supporters = bool(await supporters_for(session, member.id, IncidentKind.SOS))
        return texts.SOS_NOBODY_REACHED if has_supporters else texts.SOS_NO_SUPPORTERS
    if incident.status == IncidentStatus.ACKNOWLEDGED:
        helper = await session.get(Person, incident.acknowledged_by_id) if incident.acknowledged_by_id else None
        return texts.SOS_HELPER_COMING.format(helper=texts.h(helper.pseudonym if helper else "Someone"))
    if incident.status != IncidentStatus.OPEN:
        return texts.SOS_NOBODY_REACHED
    asked = (
        await session.execute(
            select(AlertRecipient.role, Person.pseudonym)
            .join(Person, col(Person.id) == col(AlertRecipient.person_id))
            .where(
                AlertRecipient.incident_id == incident.id,
                AlertRecipient.step == incident.step,
                col(AlertRecipient.response).is_(None),
            )
            .order_by(col(AlertRecipient.id))
        )
    ).all()
    if not asked:  # everyone at this step has just said no: it is moving on
        return texts.SOS_NOBODY_REACHED
    names = texts.names_list([texts.h(name) for _, name in asked])
    if any(role == AlertRole.COORDINATOR for role, _ in asked):
        told = texts.SOS_TOLD_COORDINATORS.format(names=names)
    else:
        told = texts.SOS_TOLD.format(count=len(asked), names=names)
    raised_now = new and request.alerted_at is not None and incident.opened_at == request.alerted_at
    return (texts.SOS_JUST_TOLD if raised_now else texts.SOS_ALREADY_KNOW).format(told=told)


# --- people who can't be reached or leave -------------------------------------------------


async def reroute(session: AsyncSession, row: Outbox, now: datetime) -> None:
    """An alert couldn't be delivered (blocked bot, chat gone): that recipient counts as
    unable, the member is told if it was one of their supporters, and the alert moves on."""
    recipient = await session.get(AlertRecipient, recipient_of(outbox.vault_of(session), row) or 0)
    if recipient is None or recipient.person_id != row.person_id:
        return
    if recipient.response in (None, AlertResponse.NO_ANSWER):  # (passed on already if it waited long in the outbox)
        recipient.response, recipient.responded_at = AlertResponse.UNREACHABLE, now
    incident = await session.get(Incident, recipient.incident_id)
    member = await session.get(Person, incident.member_id) if incident is not None else None
    if incident is None or member is None or member.id is None:
        return
    supporter = await session.get(Person, recipient.person_id)
    log.info("incident %s: alert to person %s undeliverable", incident.id, recipient.person_id)
    moved = await _move_past(session, incident, recipient, now)
    if recipient.role == AlertRole.SUPPORTER and supporter is not None:
        def because() -> str:
            return texts.ALERT_SUPPORTER_UNREACHABLE.format(name=texts.h(supporter.pseudonym))

        if moved is not None:
            _tell_member(session, incident, member, moved, now, because)
        elif member.unreachable_at is None:
            await outbox.enqueue_for(session, member.id, NEWS, because, now=now)
    elif moved is not None and not moved.role:
        _tell_member(session, incident, member, moved, now)


async def _move_past(session: AsyncSession, incident: Incident, recipient: AlertRecipient, now: datetime) -> Moved | None:
    """Pass the incident on if it was waiting on `recipient` alone: who has it now, or None."""
    await session.flush()
    if incident.status == IncidentStatus.OPEN and recipient.step == incident.step and not await _waiting_on_others(session, incident, recipient.id or 0):
        return await _pass_on(session, incident.id or 0, incident.step, now)
    return None


async def stop_waiting_on(
    session: AsyncSession, person_id: int, now: datetime, *, member_id: int | None = None, role: str | None = None
) -> None:
    """The person ended a link (with `member_id`), lost a role (alerts that reached them as
    `role`) or is leaving: alerts waiting on them move on."""
    query = (
        select(AlertRecipient, Incident)
        .join(Incident, col(Incident.id) == col(AlertRecipient.incident_id))
        .where(
            AlertRecipient.person_id == person_id,
            col(AlertRecipient.response).is_(None),
            col(AlertRecipient.step) == col(Incident.step),
            Incident.status == IncidentStatus.OPEN,
            Incident.member_id != person_id,
        )
    )
    if member_id is not None:
        query = query.where(Incident.member_id == member_id)
    if role is not None:
        query = query.where(AlertRecipient.role == role)
    for recipient, incident in (await session.execute(query)).all():
        recipient.response, recipient.responded_at = AlertResponse.LEFT, now
        moved = await _move_past(session, incident, recipient, now)
        member = await session.get(Person, incident.member_id)
        if moved is not None and member is not None and (incident.kind == IncidentKind.SOS or not moved.role):
            _tell_member(session, incident, member, moved, now)


async def live_incidents(session: AsyncSession, member_ids: Sequence[int]) -> dict[int, Incident]:
    """Each member's live incident (newest), for status lines."""
    if not member_ids:
        return {}
    rows = (
        await session.execute(
            select(Incident).where(col(Incident.member_id).in_(member_ids), col(Incident.status).in_(_STILL_LIVE))
            .order_by(col(Incident.opened_at))
        )
    ).scalars()
    return {i.member_id: i for i in rows}


async def was_alerted_about(session: AsyncSession, helper_id: int, member_id: int, since: datetime) -> bool:
    """Whether `helper_id` was alerted about `member_id` since `since` (coordinators may
    then message the member through the bot)."""
    found = await session.execute(
        select(AlertRecipient.id)
        .join(Incident, col(Incident.id) == col(AlertRecipient.incident_id))
        .where(AlertRecipient.person_id == helper_id, Incident.member_id == member_id, col(Incident.opened_at) >= since)
    )
    return found.first() is not None


# --- /mydata and /forget ------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export(session: AsyncSession, rt: Runtime, person: Person) -> dict[str, Any]:
    """Alerts about the person and alerts they received (with their answers)."""
    assert person.id is not None
    person_id = person.id
    about = (await session.execute(select(Incident).where(Incident.member_id == person_id).order_by(col(Incident.id)))).scalars()
    received = (
        await session.execute(
            select(AlertRecipient, Incident.kind, Person.pseudonym)
            .join(Incident, col(Incident.id) == col(AlertRecipient.incident_id))
            .join(Person, col(Person.id) == col(Incident.member_id))
            .where(AlertRecipient.person_id == person_id)
            .order_by(col(AlertRecipient.id))
        )
    ).all()
    return {
        "alerts_about_you": [
            {"kind": i.kind, "opened_at": _iso(i.opened_at), "status": i.status, "closed_at": _iso(i.closed_at)} for i in about
        ],
        "alerts_you_received": [
            {"about": name, "kind": kind, "alerted_at": _iso(r.alerted_at), "your_answer": r.response}
            for r, kind, name in received
        ],
        "on_call_as_coordinator": await is_on_call(session, person_id),
    }


async def erase(session: AsyncSession, person: Person) -> None:
    """Incidents about the person and every trace of them in other people's incidents."""
    person_id = person.id
    await session.execute(update(Incident).where(col(Incident.acknowledged_by_id) == person_id).values(acknowledged_by_id=None))
    await session.execute(delete(AlertRecipient).where(col(AlertRecipient.person_id) == person_id))
    incidents = select(Incident.id).where(Incident.member_id == person_id)
    await audit.erase_subject(session, audit.Subject.ALERT, *(await session.execute(incidents)).scalars())
    await session.execute(delete(AlertRecipient).where(col(AlertRecipient.incident_id).in_(incidents)))
    await session.execute(delete(Incident).where(col(Incident.member_id) == person_id))
    await session.execute(delete(CoordinatorDuty).where(col(CoordinatorDuty.person_id) == person_id))
