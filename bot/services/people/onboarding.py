"""The order of set-up questions, which depends on what brings the person here."""

from __future__ import annotations

from datetime import datetime

from bot.models import Person

# Everyone chooses a name, a purpose and a time zone. People in recovery or leaving prison
# also choose a daily check-in time and (optionally) a clean date; companions a clean date.
_STEPS_BY_PURPOSE = {
    "recovery": ("timezone", "checkin_time", "clean_date"),
    "prison": ("timezone", "checkin_time", "clean_date"),
    "companion": ("timezone", "clean_date"),
    "support": ("timezone",),
    "meeting": ("timezone",),
}
ROLE_FOR_PURPOSE = {"meeting": "secretary", "companion": "companion"}


def steps_for(person: Person) -> tuple[str, ...]:
    return ("pseudonym", "purpose", *_STEPS_BY_PURPOSE.get(person.purpose or "", ()))


def next_step(person: Person, done: str) -> str | None:
    """The question after `done` during set-up; None when set-up is complete."""
    steps = steps_for(person)
    index = steps.index(done) if done in steps else -1
    return steps[index + 1] if index + 1 < len(steps) else None


def finish(person: Person, now: datetime) -> None:
    person.awaiting = None
    if person.onboarded_at is None:
        person.onboarded_at = now
