"""The fixed words of check-ins, each defined once: answers, card steps, what a member is
asked to type, and the outbox kinds of what the tick sends. Stored values are these strings
(a `StrEnum` is a `str`), so rows written before these enums existed still read the same.
"""

from __future__ import annotations

from enum import StrEnum


class Clean(StrEnum):
    """The answer to "Did you stay clean and sober today?" (`Checkin.clean`)."""

    YES = "yes"
    SLIP = "slip"
    PRIVATE = "private"  # rather not say


class Step(StrEnum):
    """What the check-in card shows and asks next (`card.render`)."""

    MOOD = "mood"
    CLEAN = "clean"
    RESET = "reset"  # after a slip: restart the clean date?
    TELL = "tell"  # after a slip: tell supporters?
    EXTRAS = "extras"  # a meeting, a private note, done
    NOTE = "note"  # waiting for the typed note
    DONE = "done"


class Awaiting(StrEnum):
    """What the member was asked to type (`Person.awaiting`, before any `:<detail>`)."""

    NOTE = "checkin_note"  # stored as "checkin_note:<yyyymmdd>", the card's day
    PAUSE_DATE = "pause_until"


class SentKind(StrEnum):
    """Outbox kinds written by the check-in tick and extra prompts."""

    PROMPT = "checkin_prompt"
    REMINDER = "checkin_reminder"
    MILESTONE = "milestone"  # a congratulation alone, on a day already checked in

