"""What the bot waits for a person to type or share next, for the meetings feature.

It is stored on the person (`Person.awaiting`), so a restart continues the same flow:
`PLACE` after /meetings asked where; `mtg:<step>:<meeting id>:<mode>[:<extra>]` while a
secretary answers one question about a listing (`extra` holds days ticked so far).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Person
from bot.services.meetings.states import Mode
from bot.services.people.people import expect as expect  # the one way to set `Person.awaiting`
from bot.services.validation import is_digits

PLACE = "meetings_place"
LISTING = "mtg"


def expects(person: Person, step: str) -> bool:
    return person.awaiting == step


@dataclass(frozen=True)
class Question:
    """The listing question a secretary is answering."""

    step: str
    meeting_id: int
    mode: Mode
    extra: str = ""


def ask_listing(person: Person, step: str, meeting_id: int, mode: Mode, extra: str = "") -> None:
    """Remember that `step` about this listing is being asked."""
    expect(person, ":".join(p for p in (LISTING, step, str(meeting_id), mode, extra) if p))


def listing_question(person: Person) -> Question | None:
    """The open listing question, or None (nothing asked, or an unreadable old value)."""
    parts = (person.awaiting or "").split(":")
    if len(parts) < 4 or parts[0] != LISTING or not is_digits(parts[2]):
        return None
    if parts[3] not in Mode.__members__.values():
        return None
    return Question(parts[1], int(parts[2]), Mode(parts[3]), parts[4] if len(parts) > 4 else "")
