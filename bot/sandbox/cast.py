"""Who is in the sandbox: the simulated people, and what survives a restart of it.

The bot's database persists between sandbox runs, but the Bot API stand-in lives in memory.
So the sandbox remembers its simulated people (stand-in user id, first name, what they are
for) and how far the clock was moved, in `state.json` beside the database. Without that a
restarted sandbox would hand the same ids to different people, and the clock would jump
back behind rows the bot already scheduled. These are invented test people: nothing here is
a real person's data, and the bot's own tables still hold only hashes and ciphertext.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path

log = logging.getLogger("fellowship.sandbox")

MAX_PEOPLE = 12
NAME_MAX = 32


@dataclass(frozen=True)
class Role:
    """A part someone plays in the sandbox, and a hint of what to try with it."""

    key: str
    label: str
    hint: str


ROLES: dict[str, Role] = {
    role.key: role
    for role in (
        Role("member", "Member", "In recovery: send /start and set up."),
        Role("sponsor", "Sponsor", "Supports someone: pick 'I support someone'."),
        Role("secretary", "Secretary", "Runs a meeting: pick 'I run a meeting'; a coordinator approves."),
        Role("companion", "Companion", "Meets people on release day: pick 'I volunteer as a companion'."),
        Role("coordinator", "Coordinator", "A coordinator from the start: approves requests, /coordinators."),
        Role("person", "Person", "Anyone else you want to try the bot as."),
    )
}
SEED: tuple[tuple[str, str], ...] = (
    ("Sam", "member"),
    ("Alex", "sponsor"),
    ("Priya", "secretary"),
    ("Jordan", "companion"),
    ("Morgan", "coordinator"),
)


@dataclass
class CastMember:
    user_id: int
    name: str
    role: str
    # Their Telegram app's language (`language_code`): "cy" starts them in Welsh.
    language: str = "en"

    def to_dict(self) -> dict[str, object]:
        role = ROLES.get(self.role, ROLES["person"])
        return {"id": self.user_id, "name": self.name, "role": role.key, "role_label": role.label, "hint": role.hint,
                "language": self.language}


@dataclass
class SandboxState:
    people: list[CastMember] = field(default_factory=list)
    clock_offset_seconds: float = 0.0  # how far ahead of the wall clock the bot's clock is

    @property
    def clock_offset(self) -> timedelta:
        return timedelta(seconds=self.clock_offset_seconds)

    @property
    def coordinator_ids(self) -> list[int]:
        return [p.user_id for p in self.people if p.role == "coordinator"]


def validate_name(raw: object) -> str:
    """A first name for a new simulated person; ValueError says what is wrong."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("Give the new person a name.")
    name = " ".join(raw.split())
    if len(name) > NAME_MAX:
        raise ValueError(f"Names can be at most {NAME_MAX} characters.")
    return name


def load_state(path: Path) -> SandboxState:
    """The saved state, or a fresh one (a damaged file is set aside, not fatal)."""
    if not path.exists():
        return SandboxState()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        people = [CastMember(int(p["user_id"]), str(p["name"]), str(p["role"]), str(p.get("language", "en")))
                  for p in raw.get("people", [])]
        return SandboxState(people, float(raw.get("clock_offset_seconds", 0.0)))
    except (ValueError, KeyError, TypeError, AttributeError):
        path.replace(path.with_suffix(".damaged.json"))
        log.warning("sandbox state file was unreadable; set aside as state.damaged.json")
        return SandboxState()


def save_state(path: Path, state: SandboxState) -> None:
    """Write atomically, so a Ctrl+C mid-write never leaves half a file."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(state), indent=2), encoding="utf-8")
    os.replace(temporary, path)
