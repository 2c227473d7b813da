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
from bot.services.meetings import times as meeting_times
from bot.services.meetings.states import Attendance
from bot.services.meetings.times import Occurrence
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


def type_explained(code: str, fellowship: str) -> str:
    """A type code in words: "Closed: for people who want to stop drinking" (closed to
    whom depends on the fellowship), "Open: anyone is welcome, …", else its name."""
    if code == "C":
        return texts.CLOSED_FOR.get(fellowship, texts.CLOSED_FOR["other"])
    return texts.TYPE_EXPLANATIONS.get(code) or type_label(code)


def _ordered_codes(meeting: Meeting) -> list[str]:
    codes = type_codes(meeting)
    key = [c for c in texts.KEY_TYPES if c in codes]
    return key + sorted((c for c in codes if c not in texts.KEY_TYPES), key=type_label)


def types_explained(meeting: Meeting) -> list[str]:
    """Every type of a meeting, explained where we have words for it (for its card)."""
    return [type_explained(code, meeting.fellowship) for code in _ordered_codes(meeting)]


def types_line(meeting: Meeting, *, limit: int | None = None, explain_access: bool = False) -> str:
    """Key types first (open/closed, newcomers, women, …), then the rest. With
    `explain_access`, open or closed is said in words: it decides who may walk in."""
    labels = [
        type_explained(c, meeting.fellowship) if explain_access and c in ("O", "C") else type_label(c)
        for c in _ordered_codes(meeting)
    ]
    if limit is not None and len(labels) > limit:
        labels = [*labels[:limit], "…"]
    return " · ".join(labels)


def zone_name(name: str) -> str:
    """"America/New_York" -> "New York"."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def when_for(start: datetime, meeting: Meeting, viewer_zone: str, now: datetime) -> str:
    """When a meeting starts, in its own zone with the zone named when the reader's clock
    says otherwise ("today 14:00 New York time (19:00 your time)"); else as the reader says it."""
    yours = meeting_times.when_label(start, viewer_zone, now)
    theirs_zone = meeting_times.zone(meeting.timezone)
    if start.astimezone(theirs_zone).utcoffset() == start.astimezone(meeting_times.zone(viewer_zone)).utcoffset():
        return yours
    theirs_local, yours_local = start.astimezone(theirs_zone), start.astimezone(meeting_times.zone(viewer_zone))
    if theirs_local.date() == yours_local.date():
        yours = yours_local.strftime("%H:%M")  # the same day: the clock is enough
    theirs = meeting_times.when_label(start, meeting.timezone, now)
    return texts.MEETING_OTHER_ZONE.format(when=theirs, zone=zone_name(meeting.timezone), yours=yours)


def address_line(meeting: Meeting) -> str:
    parts = [meeting.location, meeting.address]
    town = " ".join(p for p in (meeting.city, meeting.state, meeting.postal_code) if p)
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
    return texts.DISTANCE_M.format(m=texts.decimal(km * 1000, "0")) if km < 1 else texts.DISTANCE_KM.format(km=texts.decimal(km))


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
        when = when_for(shown.start, meeting, viewer_zone, now)
        if following is not None:
            nxt = when_for(following.start, meeting, viewer_zone, now)
            lines.append(texts.MEETING_LINE_CANCELLED.format(fellowship=fellowship, when=when, next=nxt, attendance=attendance))
        else:
            lines.append(texts.MEETING_LINE_CANCELLED_NO_NEXT.format(fellowship=fellowship, when=when, attendance=attendance))
    else:
        when = when_for(shown.start, meeting, viewer_zone, now)
        lines.append(texts.MEETING_LINE_WHEN.format(fellowship=fellowship, when=when, attendance=attendance))
    kinds = types_line(meeting, limit=MAX_TYPES_IN_LIST, explain_access=True)
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
    if url and meeting.attendance != Attendance.IN_PERSON:
        link = f'<a href="{html.escape(url, quote=True)}">{texts.MEETING_JOIN_LINK}</a>'
        notes = f" ({texts.clip(meeting.conference_url_notes, notes_max)})" if meeting.conference_url_notes else ""
        lines.append(texts.MEETING_CARD_ONLINE.format(link=link) + notes)
    if meeting.conference_phone and meeting.attendance != Attendance.IN_PERSON:
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
                    when=when_for(first.start, meeting, viewer_zone, now),
                    next=when_for(following.start, meeting, viewer_zone, now),
                )
            )
        else:
            lines.append(texts.MEETING_CARD_NEXT.format(when=when_for(first.start, meeting, viewer_zone, now)))
    lines.append(texts.ATTENDANCE_LABELS.get(meeting.attendance, ""))
    where = address_line(meeting)
    if where and meeting.attendance != Attendance.ONLINE:
        approximate = texts.MEETING_CARD_APPROXIMATE if meeting.approximate else ""
        lines.append(texts.MEETING_CARD_WHERE.format(address=texts.clip(where, texts.PLACE_MAX)) + approximate)
    if meeting.location_notes:
        lines.append(texts.clip(meeting.location_notes, texts.SHORT_NOTES_MAX))
    lines.extend(_joining(meeting, texts.SHORT_NOTES_MAX))
    lines.extend(f"• {texts.clip(line, TYPES_MAX)}" for line in types_explained(meeting))
    if meeting.group_name and meeting.group_name != meeting.name:
        lines.append(texts.MEETING_CARD_GROUP.format(group=texts.clip(meeting.group_name, texts.NAME_MAX)))
    if meeting.notes:
        lines.append(texts.MEETING_CARD_NOTES.format(notes=texts.clip(meeting.notes, texts.NOTES_MAX)))
    if stale:
        confirmed = texts.long_date(meeting.confirmed_at) if meeting.confirmed_at else texts.NEVER
        lines.append(texts.MEETING_CARD_STALE.format(date=confirmed))
    return "\n".join(line for line in lines if line)
