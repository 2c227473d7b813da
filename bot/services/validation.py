"""Parsing what people type: pseudonyms, times and dates. Errors carry a kind explanation."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

from bot import texts


def is_digits(text: str) -> bool:
    """Only the ASCII digits 0-9: `str.isdigit` also says yes to "²" and "①", which `int`
    then refuses (a forged button's "v1:rs:²" once raised instead of being answered)."""
    return text.isascii() and text.isdigit()

MAX_TEXT = 4096
PSEUDONYM_MAX = 32


class InvalidInput(ValueError):
    """What someone typed can't be used; `str(exc)` is a reply for them."""


def parse_pseudonym(text: str) -> str:
    """A first name or nickname: 1–32 visible characters, no links, mentions or commands."""
    name = " ".join(unicodedata.normalize("NFC", text).split())
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    if not name:
        raise InvalidInput(texts.PSEUDONYM_EMPTY)
    if len(name) > PSEUDONYM_MAX:
        raise InvalidInput(texts.PSEUDONYM_TOO_LONG.format(max=PSEUDONYM_MAX))
    if name.startswith("/") or "@" in name or re.search(r"https?://|www\.|t\.me/", name, re.I):
        raise InvalidInput(texts.PSEUDONYM_NOT_A_NAME)
    if not any(ch.isalpha() for ch in name):
        raise InvalidInput(texts.PSEUDONYM_NO_LETTER)
    return name


_TIME_RE = re.compile(r"^(\d{1,2})(?:[:.h ]?(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")


def parse_time_of_day(text: str) -> time:
    """Accept `9`, `9am`, `9.30pm`, `21:30`, `0930`; refuse `25:00` and nonsense."""
    cleaned = text.strip().lower().replace(" ", "")
    cleaned = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}.get(cleaned, cleaned)
    match = _TIME_RE.match(cleaned)
    if not match:
        raise InvalidInput(texts.TIME_UNREADABLE)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            raise InvalidInput(texts.TIME_AM_PM)
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InvalidInput(texts.TIME_IMPOSSIBLE)
    return time(hour, minute)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y", "%B %d %Y")


def parse_date(text: str) -> date:
    """Read a date the way people in the UK write it (day first) or ISO."""
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text.strip(), flags=re.I).replace(",", "")
    cleaned = " ".join(cleaned.split())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise InvalidInput(texts.DATE_UNREADABLE)


def parse_clean_date(text: str, *, today: date) -> date:
    """A clean date: not in the future, not before 1935 (when AA began)."""
    value = parse_date(text)
    if value > today:
        raise InvalidInput(texts.CLEAN_DATE_FUTURE)
    if value.year < 1935:
        raise InvalidInput(texts.CLEAN_DATE_TOO_OLD)
    return value


def too_long(text: str) -> bool:
    return len(text) > MAX_TEXT
