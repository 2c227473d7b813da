"""Reply markup as plain Bot API dicts, so services and outbox rows can carry buttons
without importing `telegram`. Callback data is versioned (`v1:`) and never trusted."""

from __future__ import annotations

from collections.abc import Sequence

CALLBACK_VERSION = "v1"
Button = tuple[str, str]  # (label, callback data)


def callback(*parts: object) -> str:
    data = ":".join([CALLBACK_VERSION, *(str(p) for p in parts)])
    assert len(data.encode()) <= 64, data
    return data


def inline(rows: Sequence[Sequence[Button]]) -> dict[str, object]:
    return {"inline_keyboard": [[{"text": label, "callback_data": data} for label, data in row] for row in rows]}


def url_button(label: str, url: str) -> dict[str, str]:
    return {"text": label, "url": url}


def reply_keyboard(rows: Sequence[Sequence[str | dict[str, object]]], *, one_time: bool = True) -> dict[str, object]:
    keyboard = [[{"text": b} if isinstance(b, str) else b for b in row] for row in rows]
    return {"keyboard": keyboard, "resize_keyboard": True, "one_time_keyboard": one_time}


REMOVE_KEYBOARD: dict[str, object] = {"remove_keyboard": True}
