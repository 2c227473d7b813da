"""Daily check-ins: each answer saved as it is given, and what they add up to.

One row per person per local day (unique), created by the first answer, so an abandoned
check-in still counts as contact; a later check-in the same day updates the same row.
Private notes are encrypted with the person's vault context "checkin_note" and shown only
to the member (and in /mydata).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.crypto import CHECKIN_NOTE, Undecryptable, Vault
from bot.models import Checkin, CheckinPlan, CrisisRequest, MeetingAttendance, Milestone, Person
from bot.runtime import Runtime
from bot.services.checkins import milestones
from bot.services.checkins.states import Clean
from bot.services.support import alerts
from bot.services.support.escalation import Windows

MOODS = range(1, 6)
NOTE_FIELD = CHECKIN_NOTE
MEETING_WINDOW_DAYS = 90
MOOD_WINDOW_DAYS = 30


async def for_day(session: AsyncSession, person_id: int, day: date) -> Checkin | None:
    result = await session.execute(select(Checkin).where(col(Checkin.person_id) == person_id, col(Checkin.local_date) == day))
    return result.scalar_one_or_none()


async def open_day(session: AsyncSession, person_id: int, day: date, now: datetime) -> Checkin:
    """Today's check-in row, created on the first answer (a racing second process loses cleanly)."""
    existing = await for_day(session, person_id, day)
    if existing is not None:
        return existing
    checkin = Checkin(person_id=person_id, local_date=day, created_at=now, updated_at=now)
    try:
        async with session.begin_nested():
            session.add(checkin)
    except IntegrityError:
        found = await for_day(session, person_id, day)
        assert found is not None
        return found
    # Supporters (issue 6): a new day's check-in closes a lapse alert and watches the next prompt.
    await alerts.checked_in(session, person_id, day, now)
    return checkin


async def answer(session: AsyncSession, person_id: int, day: date, now: datetime, *, windows: Windows, **answers: Any) -> Checkin:
    """Save one step (mood, clean, went_to_meeting, completed_at) for the day."""
    if "mood" in answers and answers["mood"] not in MOODS:
        raise ValueError("mood must be 1-5")
    if "clean" in answers and answers["clean"] not in set(Clean):
        raise ValueError("unknown clean answer")
    checkin = await open_day(session, person_id, day, now)
    for field, value in answers.items():
        setattr(checkin, field, value)
    checkin.updated_at = now
    if answers.get("mood") == 1:  # Supporters (issue 6): three very low days alert those who see mood
        await alerts.very_low_mood(session, person_id, day, now, windows=windows)
    return checkin


def choose_slip_reset(person: Person, checkin: Checkin, reset: bool, now: datetime) -> bool:
    """Record whether the slip restarts the clean date. The first choice stands, so a
    double tap can't overwrite the date kept from before; returns False if already chosen."""
    if checkin.slip_reset_clean_date is not None:
        return False
    checkin.slip_reset_clean_date = reset
    if reset:
        checkin.clean_date_before_slip = person.clean_date
        person.clean_date = checkin.local_date
    checkin.updated_at = now
    return True


def choose_tell_supporters(checkin: Checkin, tell: bool, now: datetime) -> bool:
    """Record whether supporters should hear about the slip; the first choice stands."""
    if checkin.slip_tell_supporters is not None:
        return False
    checkin.slip_tell_supporters = tell
    checkin.updated_at = now
    return True


def complete(checkin: Checkin, now: datetime) -> None:
    """"Done" pressed: the first time counts as the moment the check-in was finished."""
    if checkin.completed_at is None:
        checkin.completed_at = checkin.updated_at = now


def save_note(vault: Vault, checkin: Checkin, text: str, now: datetime) -> None:
    """Encrypted and bound to this check-in's row (it is flushed by `open_day`)."""
    checkin.note_enc = vault.encrypt(text, field=NOTE_FIELD, row=checkin.id)
    checkin.updated_at = now


def read_note(vault: Vault, checkin: Checkin) -> str | None:
    """The note, or None when there is none or it doesn't decrypt for this row (copied in)."""
    if not checkin.note_enc:
        return None
    try:
        return vault.decrypt(checkin.note_enc, field=NOTE_FIELD, row=checkin.id)
    except Undecryptable:
        return None


# --- what it adds up to -------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    clean: milestones.CleanTime | None
    next_milestone: milestones.Reached | None
    streak: int
    meetings: int
    moods: list[tuple[date, int]]


async def streak(session: AsyncSession, person_id: int, today: date) -> int:
    """Consecutive days with a check-in, up to today (or yesterday: today isn't over yet)."""
    days = (
        await session.execute(
            select(col(Checkin.local_date))
            .where(col(Checkin.person_id) == person_id, col(Checkin.local_date) <= today)
            .order_by(col(Checkin.local_date).desc())
        )
    ).scalars().all()
    expected = today if days and days[0] == today else today - timedelta(days=1)
    count = 0
    for day in days:
        if day != expected:
            break
        count += 1
        expected -= timedelta(days=1)
    return count


async def meetings_in_window(session: AsyncSession, person_id: int, today: date) -> int:
    """Meetings in the last 90 days (the "90 in 90"): each "I went" on a meeting counts, and
    a check-in's "I went to a meeting today" counts for a day with no "I went" of its own,
    so telling the bot twice about the same meeting doesn't count it twice."""
    since = today - timedelta(days=MEETING_WINDOW_DAYS)
    went = (
        await session.execute(
            select(col(MeetingAttendance.attended_on)).where(
                col(MeetingAttendance.person_id) == person_id,
                col(MeetingAttendance.attended_on) > since,
                col(MeetingAttendance.attended_on) <= today,
            )
        )
    ).scalars().all()
    ticked = (
        await session.execute(
            select(col(Checkin.local_date)).where(
                col(Checkin.person_id) == person_id,
                col(Checkin.went_to_meeting).is_(True),
                col(Checkin.local_date) > since,
                col(Checkin.local_date) <= today,
            )
        )
    ).scalars().all()
    return len(went) + len(set(ticked) - set(went))


async def progress(session: AsyncSession, person: Person, today: date) -> Progress:
    assert person.id is not None
    moods = await session.execute(
        select(col(Checkin.local_date), col(Checkin.mood))
        .where(
            col(Checkin.person_id) == person.id,
            col(Checkin.mood).is_not(None),
            col(Checkin.local_date) > today - timedelta(days=MOOD_WINDOW_DAYS),
            col(Checkin.local_date) <= today,
        )
        .order_by(col(Checkin.local_date))
    )
    clean = person.clean_date if person.clean_date and person.clean_date <= today else None
    return Progress(
        clean=milestones.clean_time(clean, today) if clean else None,
        next_milestone=milestones.next_after(clean, today) if clean else None,
        streak=await streak(session, person.id, today),
        meetings=await meetings_in_window(session, person.id, today),
        moods=[(day, mood) for day, mood in moods.all() if mood is not None],
    )


# --- /mydata and /forget ------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export(session: AsyncSession, rt: Runtime, person: Person) -> dict[str, Any]:
    """Everything check-ins hold about the person, notes decrypted for them."""
    plan = (await session.execute(select(CheckinPlan).where(col(CheckinPlan.person_id) == person.id))).scalar_one_or_none()
    rows = (
        await session.execute(select(Checkin).where(col(Checkin.person_id) == person.id).order_by(col(Checkin.local_date)))
    ).scalars()
    reached = (
        await session.execute(select(Milestone).where(col(Milestone.person_id) == person.id).order_by(col(Milestone.reached_on)))
    ).scalars()
    requests = (
        await session.execute(select(CrisisRequest).where(col(CrisisRequest.person_id) == person.id).order_by(col(CrisisRequest.id)))
    ).scalars()
    return {
        "plan": None
        if plan is None
        else {
            "next_prompt_at": _iso(plan.next_prompt_at),
            "reminder_hours": plan.reminder_hours,
            "paused_until": _iso(plan.paused_until),
        },
        "days": [
            {
                "date": _iso(c.local_date),
                "mood": c.mood,
                "clean": c.clean,
                "private_note": read_note(rt.vault, c),
                "went_to_meeting": c.went_to_meeting,
                "slip_reset_clean_date": c.slip_reset_clean_date,
                "clean_date_before_slip": _iso(c.clean_date_before_slip),
                "slip_tell_supporters": c.slip_tell_supporters,
                "completed": c.completed_at is not None,
            }
            for c in rows
        ],
        "milestones_congratulated": [{"milestone": m.key, "reached_on": _iso(m.reached_on)} for m in reached],
        "support_requests": [{"at": _iso(r.created_at), "from": r.source} for r in requests],
    }


async def erase(session: AsyncSession, person: Person) -> None:
    """Delete every check-in row about the person (SQLite may not cascade)."""
    for table, column in (
        (Checkin, col(Checkin.person_id)),
        (CheckinPlan, col(CheckinPlan.person_id)),
        (Milestone, col(Milestone.person_id)),
        (CrisisRequest, col(CrisisRequest.person_id)),
    ):
        await session.execute(delete(table).where(column == person.id))
