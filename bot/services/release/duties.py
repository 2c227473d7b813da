"""The release tick's work: claim due duties and carry each one out.

A duty (`ReleaseDuty`) is claimed with `UPDATE ... SET due_at=<next or NULL> WHERE id=:id
AND due_at=:seen`; only the process whose update changed the row acts, in the same
transaction, so two processes never both send a reminder and a crash before commit loses
nothing (the duty is simply still due). After downtime, a reminder that no longer makes
sense (the release has passed, or an evening check-in's local day has ended) is dropped
rather than sent late.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import texts
from bot.crypto import Vault
from bot.db import changed
from bot.models import Outbox, Person, ReleaseDuty, ReleaseRequest
from bot.services.release import aftercare as release_aftercare
from bot.services.release import day as release_day
from bot.services.release import records as release_records
from bot.services.release import requests as releases
from bot.services.release import retention as release_retention
from bot.services.release import text as release_text
from bot.services.release.records import tell, tell_coordinators
from bot.services.release.states import LIVE, REMINDERS, Duty, Event, Notice, Outcome, RequestStatus

# After downtime, the morning reminder is still worth sending this long after the expected time.
MORNING_USEFUL_FOR = timedelta(hours=6)


class Batch(NamedTuple):
    found: int
    claimed: int


async def claim_due(session: AsyncSession, now: datetime, *, vault: Vault, default_zone: str, limit: int) -> Batch:
    """Claim up to `limit` due duties (oldest first) and carry them out. The caller commits."""
    rows = (
        await session.execute(
            select(ReleaseDuty.id, ReleaseDuty.request_id, ReleaseDuty.kind, ReleaseDuty.due_at)
            .where(col(ReleaseDuty.due_at) <= now)
            .order_by(col(ReleaseDuty.due_at), col(ReleaseDuty.id))
            .limit(limit)
        )
    ).all()
    claimed = 0
    for duty_id, request_id, stored_kind, seen in rows:
        request = await session.get(ReleaseRequest, request_id)
        if request is None or seen is None:
            continue
        kind = Duty(stored_kind) if stored_kind in set(Duty) else None  # None: a kind from a newer version, claimed and left
        person = await session.get(Person, request.person_id) if kind == Duty.EVENING and request.person_id else None
        following = release_aftercare.next_evening(request, person, now, default_zone) if person is not None else None
        won = await changed(session, (
            update(ReleaseDuty)
            .where(col(ReleaseDuty.id) == duty_id, col(ReleaseDuty.due_at) == seen)
            .values(due_at=following, done_at=now)
            .execution_options(synchronize_session=False)
        ))
        if won != 1:
            continue
        claimed += 1
        await _carry_out(session, kind, request, vault=vault, now=now, default_zone=default_zone, due_at=seen)
    return Batch(len(rows), claimed)


async def _carry_out(session: AsyncSession, kind: Duty | None, request: ReleaseRequest, *, vault: Vault, now: datetime,
                     default_zone: str, due_at: datetime) -> None:
    if kind in REMINDERS:
        assert kind is not None
        if request.status in LIVE and _still_useful(kind, request, now):
            await _remind(session, kind, request, vault, now)
    elif kind == Duty.ESCALATE:
        if request.status == RequestStatus.OPEN:
            await _escalate(session, request, now)
    elif kind == Duty.CLOSE:
        if request.status in LIVE:
            await releases.close(session, request, Outcome.NOT_RECORDED, now=now)
    elif kind == Duty.ERASE:
        await release_retention.erase(session, request)
    elif kind == Duty.EVENING:
        await release_aftercare.evening_prompt(session, request, now=now, default_zone=default_zone, due_at=due_at)


def _still_useful(kind: Duty, request: ReleaseRequest, now: datetime) -> bool:
    """"Tomorrow" only before the day itself; the morning one until a few hours after."""
    if kind == Duty.DAY_BEFORE:
        return request.release_date is not None and release_records.today(now) < request.release_date
    return now < release_records.gate_at(request) + MORNING_USEFUL_FOR


async def _remind(session: AsyncSession, kind: Duty, request: ReleaseRequest, vault: Vault, now: datetime) -> None:
    """The day before and on the morning: the companion gets the details (and, on the day,
    the status buttons); the person, if connected, hears who will meet them and where. A
    release nobody has taken yet goes to the coordinators instead."""
    prison = texts.h(release_text.prison_name(request))
    if request.status == RequestStatus.OPEN:
        await tell_coordinators(session, lambda: texts.RELEASE_UNASSIGNED_SOON.format(
            id=request.id, day=texts.RELEASE_DAY_WORDS[kind], when=release_text.when(request), prison=prison,
        ), now, kind=Notice.ALERT, markup=lambda: release_records.coordinator_buttons(request))
        return
    companion = texts.h(await release_records.companion_name(session, request))
    if kind == Duty.DAY_BEFORE:
        await tell(session, request.companion_id, Notice.COMPANION,
                   lambda: texts.RELEASE_DAY_BEFORE_COMPANION.format(details=release_text.details(request, vault)), now)
        await tell(session, request.person_id, Notice.PERSON,
                   lambda: texts.RELEASE_DAY_BEFORE_PERSON.format(companion=companion, prison=prison, when=release_text.when(request)), now)
    else:
        await tell(session, request.companion_id, Notice.COMPANION,
                   lambda: texts.RELEASE_MORNING_COMPANION.format(details=release_text.details(request, vault)), now,
                   lambda: release_day.status_buttons(request))
        await tell(session, request.person_id, Notice.PERSON,
                   lambda: texts.RELEASE_MORNING_PERSON.format(companion=companion, prison=prison, when=release_text.when(request)), now)
    release_records.record(session, request, f"reminded_{kind}", now)


async def _escalate(session: AsyncSession, request: ReleaseRequest, now: datetime) -> None:
    """Nobody has accepted and release is ESCALATE_BEFORE (or less) away: coordinators decide."""
    hours = max(0, int((release_records.gate_at(request) - now).total_seconds() // 3600))
    await tell_coordinators(session, lambda: texts.RELEASE_ESCALATION.format(
        id=request.id, when=release_text.when(request), prison=texts.h(release_text.prison_name(request)), hours=hours
    ), now, kind=Notice.ALERT, markup=lambda: release_records.coordinator_buttons(request))
    release_records.record(session, request, Event.ESCALATED, now)


async def reroute_companion_message(session: AsyncSession, row: Outbox, now: datetime) -> None:
    """A companion can't be reached (blocked the bot, account gone): the coordinators hear,
    for each release they are meeting, so someone else can be asked in time."""
    for request in await releases.live_requests(session, companion_id=row.person_id):
        def text(request: ReleaseRequest = request) -> str:
            return texts.RELEASE_COMPANION_UNREACHABLE.format(id=request.id, when=release_text.when(request))

        def markup(request: ReleaseRequest = request) -> dict[str, object]:
            return release_records.coordinator_buttons(request)

        await tell_coordinators(session, text, now, kind=Notice.ALERT, markup=markup)
