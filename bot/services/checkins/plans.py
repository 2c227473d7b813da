"""When each member's daily prompt is due, and the tick that claims due prompts.

The database is the queue (the healthchecks model): every plan carries its next prompt
time in UTC, indexed. A tick selects the oldest due rows and claims each with
`UPDATE ... SET next_prompt_at=<next> WHERE id=:id AND next_prompt_at=:seen`; only the
process whose update changed the row writes the prompt to the outbox, in the same
transaction, so two processes never send the same prompt and a crash before commit loses
nothing (the row is simply still due).

After downtime a due row is judged by the member's local day: today's prompt is sent once
(late) if today's prompt time has passed and today wasn't dealt with yet; a prompt from an
earlier day is skipped. `last_prompt_date` makes "never two prompts a day" hold even when
the member changes their time after today's prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple, cast
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import CursorResult, SQLColumnExpression, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Update
from sqlmodel import col, select

from bot import i18n, texts
from bot.models import Checkin, CheckinPlan, Person
from bot.services import outbox
from bot.services.checkins import card as checkin_card
from bot.services.checkins import milestones
from bot.services.checkins.buttons import REMINDER_CHOICES
from bot.services.checkins.states import Awaiting, SentKind
from bot.services.schedule_times import local_date, next_occurrence, occurrence, zone_named
from bot.services.validation import InvalidInput, parse_date

MAX_PAUSE = timedelta(days=366)


def checkin_time(value: str | None) -> time | None:
    """A stored "HH:MM", or None if unset (or unreadable: never guess a time)."""
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        return None


def is_paused(plan: CheckinPlan | None, today: date) -> bool:
    return plan is not None and plan.paused_until is not None and plan.paused_until > today


def _not_before(last_prompt_date: date | None, paused_until: date | None) -> date | None:
    """The first local day that may still get a prompt."""
    days = [d for d in (paused_until, last_prompt_date and last_prompt_date + timedelta(days=1)) if d]
    return max(days) if days else None


def _next_prompt(at: time | None, zone: ZoneInfo, now: datetime, last: date | None, paused: date | None) -> datetime | None:
    if at is None:
        return None
    return next_occurrence(now, at, zone, not_before=_not_before(last, paused))[1]


# --- the member's choices -----------------------------------------------------------------


async def plan_for(session: AsyncSession, person_id: int) -> CheckinPlan | None:
    return (await session.execute(select(CheckinPlan).where(col(CheckinPlan.person_id) == person_id))).scalar_one_or_none()


async def schedule(session: AsyncSession, person: Person, *, now: datetime, default_zone: str) -> CheckinPlan | None:
    """(Re)plan the next prompt after the check-in time or time zone changed."""
    assert person.id is not None
    plan = await plan_for(session, person.id)
    at = checkin_time(person.checkin_time)
    zone = zone_named(person.timezone, default_zone)
    if plan is None:
        if at is None:
            return None
        # Inserted complete, so the new row needs no UPDATE straight after.
        plan = CheckinPlan(person_id=person.id, updated_at=now, next_prompt_at=_next_prompt(at, zone, now, None, None))
        try:
            async with session.begin_nested():
                session.add(plan)
        except IntegrityError:  # a second process created it a moment ago
            plan = await plan_for(session, person.id)
            assert plan is not None
    plan.next_prompt_at = _next_prompt(at, zone, now, plan.last_prompt_date, plan.paused_until)
    plan.updated_at = now
    return plan


async def pause(
    session: AsyncSession, person: Person, until: date | None, *, now: datetime, default_zone: str
) -> CheckinPlan:
    """No prompts or reminders before `until` (the local day they start again); None resumes."""
    plan = await plan_for(session, person.id) if person.id is not None else None
    assert plan is not None, "only people with a check-in time can pause"
    plan.paused_until = until
    plan.remind_at = None
    await schedule(session, person, now=now, default_zone=default_zone)
    return plan


async def resume(session: AsyncSession, person: Person, *, now: datetime, default_zone: str) -> tuple[bool, str]:
    """Prompts again from the next check-in time; returns whether a pause was ended, and
    when the next prompt comes ("tomorrow at 09:00"), for the member."""
    plan = await plan_for(session, person.id) if person.id is not None else None
    assert plan is not None, "only people with a check-in time can resume"
    was_paused = plan.paused_until is not None
    if was_paused:
        await pause(session, person, None, now=now, default_zone=default_zone)
    return was_paused, describe_next(plan, zone_named(person.timezone, default_zone), now)


def expect_pause_date(person: Person) -> None:
    """The member chose to type the day check-ins start again: their next text is that."""
    person.awaiting = Awaiting.PAUSE_DATE


async def pause_until_typed(session: AsyncSession, person: Person, text: str, *, now: datetime, default_zone: str) -> date | None:
    """The typed day check-ins start again. Raises InvalidInput for a day that won't do
    (still waiting for one). Returns the day paused until, or None if the member has no
    check-in time any more (nothing to pause; no longer waiting either)."""
    until = parse_pause_until(text, local_date(now, zone_named(person.timezone, default_zone)))
    person.awaiting = None
    if person.id is None or person.checkin_time is None or await plan_for(session, person.id) is None:
        return None
    await pause(session, person, until, now=now, default_zone=default_zone)
    return until


def parse_pause_until(text: str, today: date) -> date:
    """The typed day check-ins start again: after today and within `MAX_PAUSE`."""
    day = parse_date(text)
    if day <= today:
        raise InvalidInput(texts.PAUSE_DATE_NOT_FUTURE.format(example=f"{today + timedelta(days=7):%d/%m/%Y}"))
    if day - today > MAX_PAUSE:
        raise InvalidInput(texts.PAUSE_DATE_TOO_FAR)
    return day


def set_reminder(plan: CheckinPlan, hours: int | None, now: datetime) -> None:
    if hours is not None and hours not in REMINDER_CHOICES:
        raise ValueError("not a reminder choice")
    plan.reminder_hours = hours
    if hours is None:
        plan.remind_at = None
    plan.updated_at = now


def describe_next(plan: CheckinPlan, zone: ZoneInfo, now: datetime) -> str:
    """'today at 09:00', 'tomorrow at 09:00' or 'on Tue 1 Dec at 09:00', in the person's zone."""
    assert plan.next_prompt_at is not None
    local = plan.next_prompt_at.astimezone(zone)
    days = (local.date() - local_date(now, zone)).days
    template = {0: texts.WHEN_TODAY, 1: texts.WHEN_TOMORROW}.get(days, texts.WHEN_LATER)
    return template.format(time=f"{local:%H:%M}", day=texts.day_label(local.date()))


# --- the tick -----------------------------------------------------------------------------


class Batch(NamedTuple):
    """One claim: how many due rows were seen, and how many this process won."""

    found: int
    claimed: int

# More columns than `sqlmodel.select` has overloads for: these use `sqlalchemy.select`.
_DUE_COLUMNS: tuple[SQLColumnExpression[Any], ...] = (
    col(CheckinPlan.id),
    col(CheckinPlan.next_prompt_at),
    col(CheckinPlan.last_prompt_date),
    col(CheckinPlan.paused_until),
    col(CheckinPlan.reminder_hours),
    col(Person.id).label("person_id"),
    col(Person.pseudonym),
    col(Person.timezone),
    col(Person.checkin_time),
    col(Person.clean_date),
    col(Person.onboarded_at),
    col(Person.unreachable_at),
    col(Person.language),
)
_REMINDER_COLUMNS: tuple[SQLColumnExpression[Any], ...] = (
    col(CheckinPlan.id),
    col(CheckinPlan.remind_at),
    col(CheckinPlan.last_prompt_date),
    col(CheckinPlan.paused_until),
    col(Person.id).label("person_id"),
    col(Person.pseudonym),
    col(Person.timezone),
    col(Person.unreachable_at),
    col(Person.language),
)


@dataclass(frozen=True)
class Decision:
    """What to do with one due plan at `now`: pure, so it can be tested without a database."""

    zone: ZoneInfo
    today: date
    next_prompt_at: datetime | None
    last_prompt_date: date | None
    paused_until: date | None
    prompt: bool  # today's prompt time has come and the member can be written to
    welcome_back: bool  # a pause ended
    milestone: milestones.Reached | None


def decide(row: Any, now: datetime, default_zone: str) -> Decision:
    zone = zone_named(row.timezone, default_zone)
    today = local_date(now, zone)
    at = checkin_time(row.checkin_time)
    paused_until, welcome_back = row.paused_until, False
    if paused_until is not None and paused_until <= today:
        paused_until, welcome_back = None, True
    last = row.last_prompt_date
    due_today = (
        at is not None
        and paused_until is None
        and (last is None or last < today)
        and occurrence(today, at, zone) <= now
    )
    reachable = row.onboarded_at is not None and row.unreachable_at is None
    milestone = milestones.candidate(row.clean_date, last, today) if due_today and reachable else None
    if due_today:
        last = today  # dealt with, whether or not a message goes out
    return Decision(
        zone=zone,
        today=today,
        next_prompt_at=_next_prompt(at, zone, now, last, paused_until),
        last_prompt_date=last,
        paused_until=paused_until,
        prompt=due_today and reachable,
        welcome_back=welcome_back,
        milestone=milestone,
    )


async def _checked_in(session: AsyncSession, wanted: set[tuple[int, date]]) -> set[tuple[int, date]]:
    """Which (person, day) pairs already have a check-in, in one query for the batch."""
    if not wanted:
        return set()
    rows = await session.execute(
        select(col(Checkin.person_id), col(Checkin.local_date))
        .where(tuple_(col(Checkin.person_id), col(Checkin.local_date)).in_(wanted))
    )
    return {(pid, day) for pid, day in rows.all()}


def _reminder_time(hours: int | None, decision: Decision, now: datetime) -> datetime | None:
    """When an unanswered prompt sent now gets its reminder: never after local midnight."""
    if not hours:
        return None
    later = now + timedelta(hours=hours)
    return later if local_date(later, decision.zone) == decision.today else None


async def _won(session: AsyncSession, compare_and_set: Update) -> bool:
    """Run a compare-and-set UPDATE of one row: True only for the one process whose update
    changed it (the others find it already moved on)."""
    result = cast(CursorResult[Any], await session.execute(compare_and_set))
    return result.rowcount == 1


async def _claim(session: AsyncSession, row: Any, decision: Decision, remind_at: datetime | None, now: datetime) -> bool:
    """The prompt's compare-and-set: moves the plan on to its next prompt."""
    return await _won(
        session,
        update(CheckinPlan)
        .where(col(CheckinPlan.id) == row.id, col(CheckinPlan.next_prompt_at) == row.next_prompt_at)
        .values(
            next_prompt_at=decision.next_prompt_at,
            last_prompt_date=decision.last_prompt_date,
            paused_until=decision.paused_until,
            remind_at=remind_at,
            updated_at=now,
        )
        .execution_options(synchronize_session=False),  # nothing loaded in this session to update
    )


async def _claim_reminder(session: AsyncSession, row: Any, now: datetime) -> bool:
    """The reminder's compare-and-set: a reminder is sent at most once."""
    return await _won(
        session,
        update(CheckinPlan)
        .where(col(CheckinPlan.id) == row.id, col(CheckinPlan.remind_at) == row.remind_at)
        .values(remind_at=None, updated_at=now)
        .execution_options(synchronize_session=False),
    )


async def claim_due_prompts(session: AsyncSession, now: datetime, *, default_zone: str, limit: int) -> Batch:
    """Claim up to `limit` due plans (oldest first) and write their prompts to the outbox.

    The caller commits. Plans claimed by another process in the meantime are left alone.
    """
    rows = (
        await session.execute(
            sa.select(*_DUE_COLUMNS)
            .join(Person, col(Person.id) == col(CheckinPlan.person_id))
            .where(col(CheckinPlan.next_prompt_at) <= now)
            .order_by(col(CheckinPlan.next_prompt_at), col(CheckinPlan.id))
            .limit(limit)
        )
    ).all()
    decisions = [decide(row, now, default_zone) for row in rows]
    already = await _checked_in(session, {(r.person_id, d.today) for r, d in zip(rows, decisions, strict=True) if d.prompt})
    congratulated = await milestones.congratulated(session, [r.person_id for r, d in zip(rows, decisions, strict=True) if d.milestone])
    claimed = 0
    with session.no_autoflush:  # the outbox rows are flushed together at commit
        for row, decision in zip(rows, decisions, strict=True):
            ask = decision.prompt and (row.person_id, decision.today) not in already
            milestone = decision.milestone
            if milestone is not None and (row.person_id, row.clean_date, milestone.key) in congratulated:
                milestone = None
            if not await _claim(session, row, decision, _reminder_time(row.reminder_hours, decision, now) if ask else None, now):
                continue  # another process claimed it first
            claimed += 1
            if milestone is not None:
                milestones.record(session, row.person_id, row.clean_date, milestone, now)
            if ask or milestone is not None:
                with i18n.speaking(row.language):
                    card = checkin_card.prompt(
                        row.pseudonym, decision.today, now.astimezone(decision.zone).hour,
                        milestone=milestone, welcome_back=decision.welcome_back, ask=ask,
                    )
                kind = SentKind.PROMPT if ask else SentKind.MILESTONE
                outbox.enqueue(session, row.person_id, kind, card.text, now=now, reply_markup=card.markup)
    return Batch(len(rows), claimed)


async def claim_due_reminders(session: AsyncSession, now: datetime, *, default_zone: str, limit: int) -> Batch:
    """Claim due reminders; send one only if today's check-in is still missing."""
    rows = (
        await session.execute(
            sa.select(*_REMINDER_COLUMNS)
            .join(Person, col(Person.id) == col(CheckinPlan.person_id))
            .where(col(CheckinPlan.remind_at) <= now)
            .order_by(col(CheckinPlan.remind_at), col(CheckinPlan.id))
            .limit(limit)
        )
    ).all()
    already = await _checked_in(session, {(r.person_id, r.last_prompt_date) for r in rows if r.last_prompt_date})
    claimed = 0
    with session.no_autoflush:
        for row in rows:
            if not await _claim_reminder(session, row, now):
                continue  # another process claimed it first
            claimed += 1
            today = local_date(now, zone_named(row.timezone, default_zone))
            if (
                row.last_prompt_date == today
                and (row.person_id, today) not in already
                and not (row.paused_until and row.paused_until > today)
                and row.unreachable_at is None
            ):
                with i18n.speaking(row.language):
                    card = checkin_card.reminder(row.pseudonym, today)
                outbox.enqueue(session, row.person_id, SentKind.REMINDER, card.text, now=now, reply_markup=card.markup)
    return Batch(len(rows), claimed)


# --- an extra prompt, outside the daily schedule -------------------------------------------


async def send_extra_prompt(
    session: AsyncSession, person_id: int, now: datetime, *, default_zone: str, due_at: datetime | None = None
) -> bool:
    """Write one more check-in prompt for today to the outbox, if the member may be prompted
    now (set up, reachable, not paused) and, for a prompt that was due at `due_at`, it is
    still that local day: after downtime a prompt from an earlier day is skipped, never sent
    labelled for the next one. Returns whether one was written.

    The extension point for features that need more than the daily prompt: release aftercare
    asks twice a day for the first two weeks and owns *when*; this module owns what a prompt
    is and who may get one. A check-in already made today is simply updated from it.
    """
    person = await session.get(Person, person_id)
    if person is None or person.onboarded_at is None or person.unreachable_at is not None:
        return False
    zone = zone_named(person.timezone, default_zone)
    today = local_date(now, zone)
    if due_at is not None and local_date(due_at, zone) != today:
        return False
    if is_paused(await plan_for(session, person_id), today):
        return False
    with i18n.speaking(person.language):
        card = checkin_card.prompt(person.pseudonym, today, now.astimezone(zone).hour)
    outbox.enqueue(session, person_id, SentKind.PROMPT, card.text, now=now, reply_markup=card.markup)
    return True
