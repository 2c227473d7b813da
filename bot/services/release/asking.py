"""Which typed answer a person owes the release feature (`Person.awaiting`).

Typed answers are routed by this one field (see `handlers.answers`), and it is stored, so a
restart or a second process continues where the conversation stopped.
"""

from __future__ import annotations

from bot.models import Person
from bot.services.people.people import expect as expect  # the one way to set `Person.awaiting`


def asked(person: Person, route: str) -> list[str] | None:
    """The parts after `<route>:` when that question is the one asked, else None."""
    parts = (person.awaiting or "").split(":")
    return parts[1:] if parts[0] == route else None
