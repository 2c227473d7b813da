"""Reply markup as plain Bot API dicts, so services and outbox rows can carry buttons
without importing `telegram`. Callback data is versioned (`v1:`) and never trusted.

Each feature defines its buttons once, as a `Family` (its two- or three-letter code) and
typed helpers that pack and parse its data; handlers, services and schedules all use those,
and `handlers/__init__.py` takes each handler's pattern from the family.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

CALLBACK_VERSION = "v1"
MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback_data
Button = tuple[str, str]  # (label, callback data)


def callback(*parts: object) -> str:
    data = ":".join([CALLBACK_VERSION, *(str(p) for p in parts)])
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


@dataclass(frozen=True)
class Family:
    """One feature's buttons: `v1:<code>:<part>:<part>...`."""

    code: str

    @property
    def prefix(self) -> str:
        """What every button of this family starts with: `v1:<code>:`."""
        return f"{CALLBACK_VERSION}:{self.code}:"

    @property
    def pattern(self) -> str:
        """What a CallbackQueryHandler matches for this family."""
        return f"^{self.prefix}"

    def data(self, *parts: object) -> str:
        return callback(self.code, *parts)

    def parts(self, data: object) -> list[str] | None:
        """The parts after `v1:<code>:`, or None for anything else (forged, old, another family)."""
        if not isinstance(data, str) or not data.startswith(self.prefix):
            return None
        return data[len(self.prefix):].split(":")


def inline(rows: Sequence[Sequence[Button]]) -> dict[str, object]:
    return {"inline_keyboard": [[{"text": label, "callback_data": data} for label, data in row] for row in rows]}


def url_button(label: str, url: str) -> dict[str, str]:
    return {"text": label, "url": url}


def reply_keyboard(rows: Sequence[Sequence[str | dict[str, object]]], *, one_time: bool = True) -> dict[str, object]:
    keyboard = [[{"text": b} if isinstance(b, str) else b for b in row] for row in rows]
    return {"keyboard": keyboard, "resize_keyboard": True, "one_time_keyboard": one_time}


REMOVE_KEYBOARD: dict[str, object] = {"remove_keyboard": True}
