"""Set-up: the order of questions (which depends on what brings the person here) and
saving each answer as it is given (also used by /settings to change one)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot import i18n, texts
from bot.models import Invitation, Person
from bot.services.checkins import plans as checkin_plans
from bot.services.people import people
from bot.services.people.buttons import CleanDateChoice
from bot.services.people.states import Purpose, Role, Step
from bot.services.validation import parse_clean_date, parse_pseudonym, parse_time_of_day

# Everyone chooses a name, a purpose and a time zone. People in recovery or leaving prison
# also choose a daily check-in time and (optionally) a clean date; companions a clean date.
_STEPS_BY_PURPOSE: dict[str, tuple[Step, ...]] = {
    Purpose.RECOVERY: (Step.TIMEZONE, Step.CHECKIN_TIME, Step.CLEAN_DATE),
    Purpose.PRISON: (Step.TIMEZONE, Step.CHECKIN_TIME, Step.CLEAN_DATE),
    Purpose.COMPANION: (Step.TIMEZONE, Step.CLEAN_DATE),
    Purpose.SUPPORT: (Step.TIMEZONE,),
    Purpose.MEETING: (Step.TIMEZONE,),
}
# The role a purpose asks for once set-up is done.
ROLE_FOR_PURPOSE: dict[str, Role] = {Purpose.MEETING: Role.SECRETARY, Purpose.COMPANION: Role.COMPANION}
# The check-in times offered as buttons (any other can be typed).
CHECKIN_TIMES = ("07:00", "08:00", "09:00", "12:00", "18:00", "20:00", "21:00")


def steps_for(person: Person) -> tuple[Step, ...]:
    return (Step.PSEUDONYM, Step.PURPOSE, *_STEPS_BY_PURPOSE.get(person.purpose or "", ()))


def next_step(person: Person, done: str) -> Step | None:
    """The question after `done` during set-up; None when set-up is complete."""
    steps = steps_for(person)
    index = steps.index(Step(done)) if done in steps else -1
    return steps[index + 1] if index + 1 < len(steps) else None


def finish(person: Person, now: datetime) -> None:
    people.expect(person, None)
    if person.onboarded_at is None:
        person.onboarded_at = now


def hold_invitation(person: Person, invitation_id: int | None) -> None:
    """A link opened before set-up is done is followed once set-up ends (kept by id only)."""
    if invitation_id is not None and person.onboarded_at is None:
        person.pending_invitation_id = invitation_id


async def take_held_invitation(session: AsyncSession, person: Person) -> Invitation | None:
    """The link held through set-up, now to be followed (at most once)."""
    invitation_id, person.pending_invitation_id = person.pending_invitation_id, None
    return await session.get(Invitation, invitation_id) if invitation_id is not None else None


def set_pseudonym(person: Person, text: str) -> None:
    """Raises `InvalidInput` (with a kind message) when the name can't be used."""
    person.pseudonym = parse_pseudonym(text)


def set_purpose(person: Person, purpose: str) -> bool:
    """False for anything that isn't one of the purposes offered."""
    if purpose not in people.PURPOSES:
        return False
    person.purpose = Purpose(purpose).value
    return True


def _zone_choice(code: str, label: str) -> str | None:
    """The zone behind a keyboard label in language `code`: a keyboard sent before the
    person switched language still works."""
    with i18n.speaking(code):
        return texts.TIMEZONE_CHOICES.get(label)


def zone_named(text: str) -> str | None:
    """A time zone from a keyboard choice ("London") or an IANA name ("Europe/London")."""
    name = text.strip()
    choice = next((c for code in i18n.LANGUAGES if (c := _zone_choice(code, name))), None)
    if choice is not None:
        return choice
    if "/" not in name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


async def set_timezone(session: AsyncSession, person: Person, zone: str, *, now: datetime, default_zone: str) -> None:
    """Save the zone and re-plan the daily check-in prompt in it."""
    person.timezone = zone
    await checkin_plans.schedule(session, person, now=now, default_zone=default_zone)


def offered_time(code: str) -> time | None:
    """The time a check-in time button stands for ("0900"), if it is one we offer."""
    offered = {t.replace(":", ""): t for t in CHECKIN_TIMES}
    return parse_time_of_day(offered[code]) if code in offered else None


async def set_checkin_time(session: AsyncSession, person: Person, value: time, *, now: datetime, default_zone: str) -> str:
    """Save the daily check-in time and re-plan the prompt; returns it as shown ("09:00")."""
    person.checkin_time = people.format_time(value)
    await checkin_plans.schedule(session, person, now=now, default_zone=default_zone)
    return person.checkin_time


def today_for(person: Person, now: datetime, default_zone: str) -> date:
    return people.local_today(person, now, default_zone)


def set_clean_date_typed(person: Person, text: str, *, now: datetime, default_zone: str) -> None:
    """Raises `InvalidInput` (with a kind message) for a date that can't be a clean date."""
    person.clean_date = parse_clean_date(text, today=today_for(person, now, default_zone))


def choose_clean_date(person: Person, choice: str, *, now: datetime, default_zone: str) -> bool:
    """A clean-date button: "today" (in their zone), "clear" (remove it) or "skip" (leave it);
    False for anything else."""
    if choice not in tuple(CleanDateChoice):
        return False
    if choice == CleanDateChoice.TODAY:
        person.clean_date = today_for(person, now, default_zone)
    elif choice == CleanDateChoice.CLEAR:
        person.clean_date = None
    return True
