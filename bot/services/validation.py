"""Parsing what people type: pseudonyms, times and dates. Errors carry a kind explanation."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

MAX_TEXT = 4096
PSEUDONYM_MAX = 32


class InvalidInput(ValueError):
    """What someone typed can't be used; `str(exc)` is a reply for them."""


def parse_pseudonym(text: str) -> str:
    """A first name or nickname: 1–32 visible characters, no links, mentions or commands."""
    name = " ".join(unicodedata.normalize("NFC", text).split())
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    if not name:
        raise InvalidInput("Please send a first name or nickname.")
    if len(name) > PSEUDONYM_MAX:
        raise InvalidInput(f"That's a bit long. Please use {PSEUDONYM_MAX} characters or fewer.")
    if name.startswith("/") or "@" in name or re.search(r"https?://|www\.|t\.me/", name, re.I):
        raise InvalidInput("Please use just a name, without links, @ or /.")
    if not any(ch.isalpha() for ch in name):
        raise InvalidInput("Please use a name with at least one letter.")
    return name


_TIME_RE = re.compile(r"^(\d{1,2})(?:[:.h ]?(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")


def parse_time_of_day(text: str) -> time:
    """Accept `9`, `9am`, `9.30pm`, `21:30`, `0930`; refuse `25:00` and nonsense."""
    cleaned = text.strip().lower().replace(" ", "")
    cleaned = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}.get(cleaned, cleaned)
    match = _TIME_RE.match(cleaned)
    if not match:
        raise InvalidInput("I couldn't read that time. Try something like 9:00, 9am or 21:30.")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            raise InvalidInput("With am or pm, the hour should be 1 to 12. Try 9am or 21:30.")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InvalidInput("That time doesn't exist. Hours go 0–23 and minutes 0–59, like 21:30.")
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
    raise InvalidInput("I couldn't read that date. Please write it like 14/02/2024.")


def parse_clean_date(text: str, *, today: date) -> date:
    """A clean date: not in the future, not before 1935 (when AA began)."""
    value = parse_date(text)
    if value > today:
        raise InvalidInput("That date is in the future. Please send the day your clean time started.")
    if value.year < 1935:
        raise InvalidInput("That date looks too long ago. Please check the year.")
    return value


def too_long(text: str) -> bool:
    return len(text) > MAX_TEXT
