"""How a meeting reads in a chat: one result in a list, or the full card.

Everything a feed or a secretary wrote is escaped and clipped here (`texts.clip`), so a
card or a page of results stays within Telegram's 4,096 characters whatever a feed holds;
the wording itself lives in `bot.texts`. Times are shown in the reader's own zone.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from functools import lru_cache

from bot import texts
from bot.models import Meeting
from bot.services import meeting_times
from bot.services.meeting_times import Occurrence
from bot.services.places import DATA

MAX_TYPES_IN_LIST = 4
TYPES_MAX = 300  # the full list of types on a card
LIST_NOTES_MAX = 80  # a link's or dial-in's notes in a list of results
PHONE_MAX = 64


@lru_cache(maxsize=1)
def type_names() -> dict[str, str]:
    """Meeting Guide type codes and their English names (bot/data/meeting_types.json)."""
    with open(DATA / "meeting_types.json", encoding="utf-8") as handle:
        names: dict[str, str] = json.load(handle)
    return names


def type_label(code: str) -> str:
    return texts.KEY_TYPES.get(code) or type_names().get(code, code)


def type_codes(meeting: Meeting) -> list[str]:
    return [code for code in meeting.types.split(",") if code]


def types_line(meeting: Meeting, *, limit: int | None = None) -> str:
    """Key types first (open/closed, newcomers, women, …), then the rest."""
    codes = type_codes(meeting)
    key = [c for c in texts.KEY_TYPES if c in codes]
    rest = sorted((c for c in codes if c not in texts.KEY_TYPES), key=type_label)
    labels = [type_label(c) for c in key + rest]
    if limit is not None and len(labels) > limit:
        labels = [*labels[:limit], "…"]
    return " · ".join(labels)


def address_line(meeting: Meeting) -> str:
    parts = [meeting.location, meeting.address]
    town = " ".join(p for p in (meeting.city, meeting.postal_code) if p)
    if town and not any(town.lower() in (p or "").lower() for p in parts):
        parts.append(town)
    return ", ".join(p for p in parts if p)


def schedule(meeting: Meeting) -> str:
    """"Tuesdays 19:30–20:30"."""
    time = meeting.start_time or ""
    if meeting.end_time:
        time += f"–{meeting.end_time}"
    return f"{meeting_times.describe_days(meeting.days)} {time}".strip()


def distance_label(km: float | None) -> str:
    if km is None:
        return ""
    return f" — {km * 1000:.0f} m" if km < 1 else f" — {km:.1f} km"


def safe_url(url: str | None) -> str | None:
    """Only web links become links; anything else (javascript:, tg:) is dropped."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None


def result_block(
    number: int,
    meeting: Meeting,
    distance_km: float | None,
    shown: Occurrence | None,
    following: Occurrence | None,
    stale: bool,
    *,
    viewer_zone: str,
    now: datetime,
) -> str:
    """A few lines per meeting: name and distance, when, how, key types, where."""
    fellowship = texts.FELLOWSHIP_NAMES.get(meeting.fellowship, meeting.fellowship)
    attendance = texts.ATTENDANCE_LABELS.get(meeting.attendance, "")
    lines = [texts.MEETING_LINE_TITLE.format(n=number, name=texts.clip(meeting.name, texts.NAME_MAX), distance=distance_label(distance_km))]
    if shown is None:
        lines.append(f"{fellowship} · {attendance}")
    elif shown.cancelled:
        when = meeting_times.when_label(shown.start, viewer_zone, now)
        if following is not None:
            nxt = meeting_times.when_label(following.start, viewer_zone, now)
            lines.append(texts.MEETING_LINE_CANCELLED.format(fellowship=fellowship, when=when, next=nxt, attendance=attendance))
        else:
            lines.append(texts.MEETING_LINE_CANCELLED_NO_NEXT.format(fellowship=fellowship, when=when, attendance=attendance))
    else:
        when = meeting_times.when_label(shown.start, viewer_zone, now)
        lines.append(texts.MEETING_LINE_WHEN.format(fellowship=fellowship, when=when, attendance=attendance))
    kinds = types_line(meeting, limit=MAX_TYPES_IN_LIST)
    if kinds:
        lines.append(texts.clip(kinds, TYPES_MAX))
    if distance_km is None:  # the online list: how to join, right there
        lines.extend(_joining(meeting, LIST_NOTES_MAX))
    else:
        where = address_line(meeting)
        if where:
            lines.append(texts.MEETING_CARD_WHERE.format(address=texts.clip(where, texts.LIST_PLACE_MAX)))
    if stale:
        lines.append(texts.MEETING_OUT_OF_DATE)
    return "\n".join(lines)


def _joining(meeting: Meeting, notes_max: int) -> list[str]:
    """The link and the dial-in number of an online or hybrid meeting, with their notes
    (clipped to `notes_max` characters each)."""
    lines = []
    url = safe_url(meeting.conference_url)
    if url and meeting.attendance != "in_person":
        link = f'<a href="{html.escape(url, quote=True)}">{texts.MEETING_JOIN_LINK}</a>'
        notes = f" ({texts.clip(meeting.conference_url_notes, notes_max)})" if meeting.conference_url_notes else ""
        lines.append(texts.MEETING_CARD_ONLINE.format(link=link) + notes)
    if meeting.conference_phone and meeting.attendance != "in_person":
        notes = f" ({texts.clip(meeting.conference_phone_notes, notes_max)})" if meeting.conference_phone_notes else ""
        lines.append(texts.MEETING_CARD_PHONE.format(phone=texts.clip(meeting.conference_phone, PHONE_MAX)) + notes)
    return lines


def card(
    meeting: Meeting,
    *,
    now: datetime,
    viewer_zone: str,
    upcoming: tuple[Occurrence | None, Occurrence | None] | None = None,
    stale: bool = False,
) -> str:
    """Everything about one meeting, for its details, the secretary's preview and the check."""
    fellowship = texts.FELLOWSHIP_NAMES.get(meeting.fellowship, meeting.fellowship)
    lines = [f"<b>{texts.clip(meeting.name or texts.LISTING_UNNAMED, texts.NAME_MAX)}</b>"]
    when = schedule(meeting)
    if when and meeting.timezone != viewer_zone:
        when += texts.MEETING_CARD_ZONE.format(zone=meeting.timezone)
    lines.append(texts.MEETING_CARD_SCHEDULE.format(fellowship=fellowship, schedule=texts.h(when)))
    if upcoming is not None:
        first, following = upcoming
        if first is None:
            lines.append(texts.MEETING_CARD_NO_NEXT)
        elif first.cancelled and following is not None:
            lines.append(
                texts.MEETING_CARD_NEXT_CANCELLED.format(
                    when=meeting_times.when_label(first.start, viewer_zone, now),
                    next=meeting_times.when_label(following.start, viewer_zone, now),
                )
            )
        else:
            lines.append(texts.MEETING_CARD_NEXT.format(when=meeting_times.when_label(first.start, viewer_zone, now)))
    lines.append(texts.ATTENDANCE_LABELS.get(meeting.attendance, ""))
    where = address_line(meeting)
    if where and meeting.attendance != "online":
        approximate = texts.MEETING_CARD_APPROXIMATE if meeting.approximate else ""
        lines.append(texts.MEETING_CARD_WHERE.format(address=texts.clip(where, texts.PLACE_MAX)) + approximate)
    if meeting.location_notes:
        lines.append(texts.clip(meeting.location_notes, texts.SHORT_NOTES_MAX))
    lines.extend(_joining(meeting, texts.SHORT_NOTES_MAX))
    kinds = types_line(meeting)
    if kinds:
        lines.append(texts.MEETING_CARD_TYPES.format(types=texts.clip(kinds, TYPES_MAX)))
    if meeting.group_name and meeting.group_name != meeting.name:
        lines.append(texts.MEETING_CARD_GROUP.format(group=texts.clip(meeting.group_name, texts.NAME_MAX)))
    if meeting.notes:
        lines.append(texts.MEETING_CARD_NOTES.format(notes=texts.clip(meeting.notes, texts.NOTES_MAX)))
    if stale:
        confirmed = texts.long_date(meeting.confirmed_at) if meeting.confirmed_at else "never"
        lines.append(texts.MEETING_CARD_STALE.format(date=confirmed))
    return "\n".join(line for line in lines if line)
