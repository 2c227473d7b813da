"""How long an alert waits for an answer before it moves on, and which coordinators it
reaches when it gets to them (the on-call rota, below: `coordinators_to_alert`).

The windows come from Settings (`ALERT_ESCALATION_HOURS`, `SOS_ESCALATION_MINUTES`) through
whoever opens an incident: the caller passes `Windows.of(rt.settings)`. An incident keeps
the window it was opened with: each person asked after the first gets as long as the
first did (`alerts._pass_on` reads it back from the incident's own due time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.models import CoordinatorDuty, Person
from bot.services.schedule_times import local_date
from bot.services.support.states import IncidentKind


class WindowSettings(Protocol):
    """The two Settings fields the windows come from."""

    alert_escalation_hours: float
    sos_escalation_minutes: float


@dataclass(frozen=True)
class Windows:
    """A lapse waits hours (`lapse`); an SOS, a shared slip or three very low days minutes
    (`immediate`): someone who asked for support now can't wait the hours a missed
    check-in may."""

    lapse: timedelta
    immediate: timedelta

    @classmethod
    def of(cls, settings: WindowSettings) -> Windows:
        return cls(timedelta(hours=settings.alert_escalation_hours), timedelta(minutes=settings.sos_escalation_minutes))

    def for_kind(self, kind: str) -> timedelta:
        return self.lapse if kind == IncidentKind.LAPSE else self.immediate


# --- who among the coordinators: the on-call rota -------------------------------------------
#
# The one rule: an alert passed on to the coordinators goes to every reachable coordinator
# who is on call today, London's weekday (`ROTA_ZONE`): their switch is on (`on_call`) and
# today is one of their rota days (`days`, Monday = bit 0; every day until they choose).
# When nobody is on call today it goes to every reachable coordinator: never to nobody.

ROTA_ZONE = ZoneInfo("Europe/London")
EVERY_DAY = 0b1111111
WEEK = range(7)  # Monday .. Sunday, as `date.weekday()`


def rota_day(now: datetime) -> int:
    """Today's weekday (Monday 0) in London, whatever the server's zone."""
    return local_date(now, ROTA_ZONE).weekday()


def week_of(now: datetime) -> list[date]:
    """This London week's days, Monday first."""
    today = local_date(now, ROTA_ZONE)
    monday = today - timedelta(days=today.weekday())
    return [monday + timedelta(days=n) for n in WEEK]


def is_on(duty: CoordinatorDuty | None, weekday: int) -> bool:
    """On call that weekday: no row yet means on call every day."""
    return duty is None or (duty.on_call and bool(duty.days & (1 << weekday)))


async def duties(session: AsyncSession, person_ids: Sequence[int]) -> dict[int, CoordinatorDuty]:
    if not person_ids:
        return {}
    rows = (await session.execute(select(CoordinatorDuty).where(col(CoordinatorDuty.person_id).in_(person_ids)))).scalars()
    return {d.person_id: d for d in rows}


async def coordinators_to_alert(session: AsyncSession, reachable: list[Person], now: datetime) -> list[Person]:
    """The rule above: those of `reachable` on call today, else all of them."""
    kept = await duties(session, [p.id for p in reachable if p.id is not None])
    today = rota_day(now)
    on_call = [p for p in reachable if is_on(kept.get(p.id or 0), today)]
    return on_call or reachable


async def rota(session: AsyncSession, coordinators: list[Person], now: datetime) -> list[tuple[date, list[Person]]]:
    """Who is on call on each day of this London week (an empty day: alerts reach everyone)."""
    kept = await duties(session, [p.id for p in coordinators if p.id is not None])
    return [(day, [p for p in coordinators if is_on(kept.get(p.id or 0), day.weekday())]) for day in week_of(now)]


async def days_of(session: AsyncSession, person_id: int) -> int:
    """A coordinator's rota days as bits (every day until they choose)."""
    duty = (await duties(session, [person_id])).get(person_id)
    return EVERY_DAY if duty is None else duty.days


async def duty_row(session: AsyncSession, person_id: int, now: datetime) -> CoordinatorDuty:
    """The coordinator's row, made on first use (a double tap in another process made it first: read it)."""
    duty = (await duties(session, [person_id])).get(person_id)
    if duty is not None:
        return duty
    try:
        async with session.begin_nested():
            duty = CoordinatorDuty(person_id=person_id, on_call=True, days=EVERY_DAY, updated_at=now)
            session.add(duty)
        return duty
    except IntegrityError:
        return (await duties(session, [person_id]))[person_id]


async def toggle_day(session: AsyncSession, person_id: int, weekday: int, now: datetime) -> int:
    """Add or remove one weekday from the coordinator's rota; returns the new days."""
    duty = await duty_row(session, person_id, now)
    duty.days, duty.updated_at = duty.days ^ (1 << weekday), now
    return duty.days
