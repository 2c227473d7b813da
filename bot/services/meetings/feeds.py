"""Meeting feeds in and out: the Meeting Guide JSON format (code4recovery spec, used by the
12 Step Meeting List plugin and the Meeting Guide app) and BMLT's GetSearchResults JSON.

Import is tolerant of real feeds (12-hour times, day lists, missing coordinates, unknown type
codes, HTML error pages) and strict about what it keeps. It is idempotent: meetings are
matched by the feed's own slug or id, unchanged ones are skipped by a fingerprint, changed
ones updated (followers told what changed), new ones added, and ones gone from the feed
removed. Only that source's meetings are ever touched. One import is one transaction: a
feed that can't be read changes nothing and says why.

Fetching uses httpx with timeouts, an overall deadline, a size cap, retries with backoff for
network errors and 5xx/429, and ETag / If-Modified-Since so an unchanged feed costs one
request. Export writes the same format back, so other meeting apps can list our meetings.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.db import Database, rows_changed
from bot.geo import timezone_at, valid_coordinates
from bot.models import Meeting, MeetingFollow, MeetingReminder, MeetingSource
from bot.services import places
from bot.services.meetings import addresses
from bot.services.meetings import search as meetings
from bot.services.meetings import text as meeting_text
from bot.services.meetings import times as meeting_times
from bot.services.meetings.listings import changes_text, snapshot
from bot.services.meetings.states import Attendance, FeedKind, MeetingStatus, NoticeKind
from bot.services.validation import InvalidInput, parse_time_of_day

log = logging.getLogger("fellowship.feeds")

MAX_FEED_BYTES = 25 * 1024 * 1024
TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=10.0, pool=10.0)
DEADLINE_SECONDS = 120.0
RETRIES = 3
BACKOFF_SECONDS = 1.0
USER_AGENT = "fellowship-bot/0.1 (meeting feed import)"
CHUNK = 500
NOTES_KEPT = 5000  # notes are stored whole up to this; cards show less (texts.NOTES_MAX)
SHORT_FIELD = 100  # a day list or a time longer than this is not one (and is not parsed)

# Progress: (stage, done, total or None). Stages: "download", "import".
Progress = Callable[[str, int, int | None], None]


class FeedError(Exception):
    """A feed could not be used; the message says why, for a person to read."""


# --- fetching ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    body: bytes | None  # None: not modified since last time
    etag: str | None = None
    last_modified: str | None = None


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def normalise_source(source: str) -> str:
    """URLs as given; files by absolute path, so one file is one source wherever it's run from."""
    return source if is_url(source) else str(Path(source).resolve())


def describe_source(source: str) -> str:
    """A source for messages and logs: the host of a URL (never its query), or a file name."""
    if is_url(source):
        return urlsplit(source).netloc or "the feed"
    return Path(source).name


def read_file(path: str, *, max_bytes: int = MAX_FEED_BYTES) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise FeedError(f"There is no file {path}.")
    if file.stat().st_size > max_bytes:
        raise FeedError(f"{file.name} is larger than {_size(max_bytes)}, too big for a meeting feed. Nothing was changed.")
    return file.read_bytes()


async def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    http_timeout: httpx.Timeout = TIMEOUT,
    deadline: float = DEADLINE_SECONDS,
    max_bytes: int = MAX_FEED_BYTES,
    retries: int = RETRIES,
    backoff: float = BACKOFF_SECONDS,
    progress: Progress | None = None,
) -> Fetched:
    """GET a feed politely. Network errors, 5xx and 429 are retried with exponential backoff;
    anything else that is wrong is a `FeedError` with a plain explanation."""
    host = describe_source(url)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(deadline), httpx.AsyncClient(timeout=http_timeout, follow_redirects=True) as client:
            for attempt in range(retries + 1):
                try:
                    return await _get(client, url, headers, max_bytes, progress)
                except _Retryable as exc:
                    if attempt == retries:
                        raise FeedError(f"{host} {exc} after {retries + 1} tries. Nothing was changed.") from None
                    wait = exc.retry_after if exc.retry_after is not None else backoff * 2**attempt
                    log.warning("feed %s: %s; retrying in %.1f s", host, exc, wait)
                    await asyncio.sleep(wait)
    except TimeoutError:
        raise FeedError(f"{host} took longer than {deadline:g} seconds to send the feed. Nothing was changed.") from None
    raise AssertionError("unreachable")


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


async def _get(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], max_bytes: int, progress: Progress | None
) -> Fetched:
    host = describe_source(url)
    try:
        async with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return Fetched(None, response.headers.get("etag"), response.headers.get("last-modified"))
            if response.status_code == 429 or response.status_code >= 500:
                raise _Retryable(f"answered {response.status_code}", _retry_after(response))
            if response.status_code >= 400:
                raise FeedError(f"{host} answered {response.status_code} ({response.reason_phrase}): check the address. Nothing was changed.")
            declared = int(response.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise FeedError(_too_big(host, max_bytes))
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise FeedError(_too_big(host, max_bytes))
                if progress is not None:
                    progress("download", len(body), declared or None)
            content_type = response.headers.get("content-type", "")
            if "html" in content_type.lower():
                raise FeedError(_html(host))
            return Fetched(bytes(body), response.headers.get("etag"), response.headers.get("last-modified"))
    except httpx.TimeoutException:
        raise _Retryable("did not answer in time") from None
    except httpx.TransportError as exc:
        raise _Retryable(f"could not be reached ({type(exc).__name__})") from None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return min(float(value), 30.0)
    except ValueError:
        try:
            return min(max((parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds(), 0.0), 30.0)
        except (TypeError, ValueError):
            return None


def _size(limit: int) -> str:
    return f"{limit // 1_048_576} MB" if limit >= 1_048_576 else f"{limit // 1024} KB"


def _too_big(host: str, max_bytes: int) -> str:
    return f"The feed from {host} is larger than {_size(max_bytes)}, too big to be a meeting list. Nothing was changed."


def _html(source: str) -> str:
    return (
        f"What came from {source} is a web page (HTML), not a meeting feed. Check the address: a Meeting Guide "
        "feed is JSON (for the 12 Step Meeting List plugin it ends in /wp-admin/admin-ajax.php?action=meetings). "
        "Nothing was changed."
    )


# --- parsing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedMeeting:
    """One meeting as it will be stored: `fields` are Meeting columns."""

    key: str
    fields: dict[str, Any]
    fingerprint: str


@dataclass
class ParsedFeed:
    kind: FeedKind
    meetings: list[FeedMeeting]
    skipped: Counter[str] = field(default_factory=Counter)
    unknown_types: Counter[str] = field(default_factory=Counter)


_SKIP_REASONS = {
    "not_object": "not a meeting object",
    "no_name": "no name",
    "no_key": "no slug or id",
    "no_day": "no weekly day (by appointment)",
    "no_time": "no start time we could read",
    "inactive": "marked inactive or unpublished",
    "duplicate": "a slug used twice",
}


def describe_skipped(skipped: Counter[str]) -> str:
    return ", ".join(f"{count} {_SKIP_REASONS.get(reason, reason)}" for reason, count in skipped.most_common())


def parse(body: bytes, *, fellowship: str | None, default_zone: str, source: str = "the feed") -> ParsedFeed:
    """Read a feed's bytes. Raises `FeedError` for anything that isn't a usable feed."""
    text = body.decode("utf-8-sig", errors="replace").strip()
    if not text:
        raise FeedError(f"{source} is empty. Nothing was changed.")
    if text.startswith("<"):
        raise FeedError(_html(source))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). Nothing was changed.") from None
    except RecursionError:
        raise FeedError(f"{source} is nested too deeply to be a meeting feed. Nothing was changed.") from None
    except ValueError:  # e.g. a number with thousands of digits
        raise FeedError(f"{source} holds a value that can't be read (a number far too long?). Nothing was changed.") from None
    try:
        return _read(data, fellowship=fellowship, default_zone=default_zone, source=source)
    except FeedError:
        raise
    except (RecursionError, ValueError, TypeError, AttributeError, OverflowError, UnicodeError) as exc:
        # Whatever else a malformed feed trips on is that feed's problem, never the run's.
        raise FeedError(f"{source} could not be read ({type(exc).__name__}). Nothing was changed.") from None


def _read(data: Any, *, fellowship: str | None, default_zone: str, source: str) -> ParsedFeed:
    """The meetings in a feed's decoded JSON (see `parse`)."""
    items, formats, kind = _shape(data, source)
    if not items:
        raise FeedError(f"{source} lists no meetings. Nothing was changed (an empty feed would remove every meeting it gave us).")
    parsed = ParsedFeed(kind, [])
    reader = _read_bmlt if kind == FeedKind.BMLT else _read_meeting_guide
    format_codes = _bmlt_format_map(formats)
    default_fellowship = fellowship or ("NA" if kind == FeedKind.BMLT else "AA")
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            parsed.skipped["not_object"] += 1
            continue
        outcome = reader(item, format_codes, parsed.unknown_types)
        if isinstance(outcome, str):
            parsed.skipped[outcome] += 1
            continue
        key, fields = outcome
        if key in seen:
            parsed.skipped["duplicate"] += 1
            continue
        seen.add(key)
        _complete(fields, default_fellowship, default_zone)
        parsed.meetings.append(FeedMeeting(key, fields, _fingerprint(fields)))
    if not parsed.meetings:
        raise FeedError(f"None of the {len(items)} meetings in {source} could be read ({describe_skipped(parsed.skipped)}). Nothing was changed.")
    return parsed


def _shape(data: Any, source: str) -> tuple[list[Any], list[Any], FeedKind]:
    """(meeting items, BMLT formats, kind) from the JSON's top level."""
    if isinstance(data, dict) and isinstance(data.get("meetings"), list):
        items = data["meetings"]
        formats = data["formats"] if isinstance(data.get("formats"), list) else []
    elif isinstance(data, list):
        items, formats = data, []
    else:
        raise FeedError(f"{source} is JSON but not a meeting feed: expected a list of meetings. Nothing was changed.")
    first = next((i for i in items if isinstance(i, dict)), {})
    kind = FeedKind.BMLT if ("id_bigint" in first or "meeting_name" in first) else FeedKind.MEETING_GUIDE
    return items, formats, kind


def _clean(value: str) -> str:
    """Without control characters (NUL is refused by PostgreSQL) or lone surrogates
    (unencodable), keeping line breaks and tabs."""
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))


def _text(value: Any, limit: int) -> str | None:
    """One line of text clipped to its column's size (PostgreSQL refuses longer)."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    raw = str(value)[: limit * 4 + 100]  # enough to fill the column after tidying; no more work
    text = " ".join(_clean(raw).split()) if limit <= 500 else _clean(raw).strip()
    return text[:limit].strip() or None


def _notes(value: Any) -> str | None:
    """Notes keep their line breaks (tidied)."""
    if not isinstance(value, str):
        return None
    lines = [" ".join(line.split()) for line in _clean(value[: NOTES_KEPT * 4]).replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)[:NOTES_KEPT].strip() or None


def _feed_time(value: Any) -> str | None:
    """"19:00", "7:30 PM", "19:00:00", "noon" -> "HH:MM"; None when unreadable."""
    if not isinstance(value, str) or not value.strip() or len(value) > SHORT_FIELD:
        return None
    cleaned = re.sub(r"^(\d{1,2}:\d{2}):\d{2}\b", r"\1", value.strip())
    try:
        return meeting_times.hhmm(parse_time_of_day(cleaned))
    except InvalidInput:
        return None


def _days(value: Any) -> int | None:
    values = value if isinstance(value, list) else [value]
    mask = 0
    for item in values:
        if isinstance(item, bool) or (isinstance(item, str) and len(item) > SHORT_FIELD):
            continue
        if isinstance(item, int) or (isinstance(item, str) and re.fullmatch(r"\d{1,2}", item.strip())):
            number = int(item)
            if 0 <= number <= 6:
                mask |= 1 << number
        elif isinstance(item, str) and item.strip():
            try:
                mask |= meeting_times.parse_days(item)
            except InvalidInput:
                continue
    return mask or None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None  # not NaN or infinity


def _coordinates(fields: dict[str, Any], latitude: Any, longitude: Any) -> None:
    lat, lon = _number(latitude), _number(longitude)
    if lat is not None and lon is not None and valid_coordinates(lat, lon) and (lat, lon) != (0.0, 0.0):
        fields["latitude"], fields["longitude"] = round(lat, 7), round(lon, 7)


_UK_POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b")


def _geocode_postcode(fields: dict[str, Any]) -> None:
    """No coordinates but a UK postcode: the district's centre, marked approximate."""
    for text in (fields.get("postal_code"), fields.get("address")):
        match = _UK_POSTCODE_IN_TEXT.search((text or "").upper())
        if match is None:
            continue
        place = places.postcode_place(match.group(0))
        if place is not None:
            fields["latitude"], fields["longitude"], fields["approximate"] = place.latitude, place.longitude, True
            return


def _types(codes: list[str], unknown: Counter[str]) -> tuple[list[str], bool]:
    """Known Meeting Guide codes in order, and whether an online marker (ONL) was there."""
    known = meeting_text.type_names()
    kept: list[str] = []
    online = False
    for code in codes:
        code = code.strip()
        if code in ("ONL", "VM"):
            online = True
        elif code in known:
            if code not in kept:
                kept.append(code)
        elif code:
            unknown[code[:20]] += 1
    return kept, online


def _phone(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > SHORT_FIELD:
        return None
    phone = re.sub(r"[\s().-]", "", value)
    # One separator per repeat: `(?:[,*#]+\d*)*` backtracks exponentially on "123####…x".
    return phone[:64] if re.fullmatch(r"\+?\d{3,15}(?:[,*#]\d*)*", phone) else None


def _key(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    key = _clean(str(value)).strip()
    if not key:
        return None
    return key if len(key) <= 64 else key[:48] + "-" + hashlib.sha256(key.encode()).hexdigest()[:15]


def _updated(value: Any) -> datetime | None:
    """The spec's "YYYY-MM-DD HH:MM:SS" (UTC), or the US style some feeds use."""
    if not isinstance(value, str) or len(value) > SHORT_FIELD:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip().removesuffix("Z"), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _read_meeting_guide(item: dict[str, Any], _formats: dict[str, str], unknown: Counter[str]) -> tuple[str, dict[str, Any]] | str:
    name = _text(item.get("name"), 255)
    if not name:
        return "no_name"
    key = _key(item.get("slug")) or _key(item.get("id"))
    if key is None:
        return "no_key"
    if str(item.get("attendance_option", "")).lower() == "inactive":
        return "inactive"
    days = _days(item.get("day"))
    if days is None:
        return "no_day"
    start = _feed_time(item.get("time"))
    if start is None:
        return "no_time"
    raw_types = item.get("types")
    codes = raw_types if isinstance(raw_types, list) else str(raw_types or "").split(",")
    types, online_marker = _types([str(c) for c in codes], unknown)
    place = addresses.fields(
        _text(item.get("address"), 255) or _text(item.get("formatted_address"), 255),
        location=_text(item.get("location"), 255), city=_text(item.get("city"), 100), state=_text(item.get("state"), 64),
        postal_code=_text(item.get("postal_code"), 16), country=_text(item.get("country"), 64),
    )
    fields: dict[str, Any] = {
        "name": name,
        "days": days,
        "start_time": start,
        "end_time": _feed_time(item.get("end_time")),
        "timezone": _zone(item.get("timezone")),
        "types": types,
        "location": _text(place["location"], 255),
        "address": _text(place["address"], 255),
        "city": _text(place["city"], 100),
        "state": _text(place["state"], 64),
        "region": _text(item.get("region"), 100) or _last(item.get("regions")),
        "postal_code": _text(place["postal_code"], 16),
        "country": _text(place["country"], 64),
        "approximate": str(item.get("approximate", "")).lower() in ("yes", "true", "1"),
        "location_notes": _notes(item.get("location_notes")),
        "conference_url": meeting_text.safe_url(_text(item.get("conference_url"), 500)),
        "conference_url_notes": _notes(item.get("conference_url_notes")),
        "conference_phone": _phone(item.get("conference_phone")),
        "conference_phone_notes": _notes(item.get("conference_phone_notes")),
        "notes": _notes(item.get("notes")),
        "group_name": _text(item.get("group"), 255),
        "url": meeting_text.safe_url(_text(item.get("url"), 500)),
        "fellowship": item.get("fellowship") if isinstance(item.get("fellowship"), str) and item["fellowship"] in meetings.FELLOWSHIPS else None,
        "confirmed_at": _updated(item.get("updated")),
    }
    _coordinates(fields, item.get("latitude"), item.get("longitude"))
    fields["attendance"] = _attendance(fields, item.get("attendance_option"), online_marker)
    return key, fields


def _last(value: Any) -> str | None:
    return _text(value[-1], 100) if isinstance(value, list) and value else None


def _attendance(fields: dict[str, Any], declared: Any, online_marker: bool) -> Attendance:
    """The spec has no "online" type: it follows from the conference fields (and TSML's
    attendance_option). A temporarily closed venue (TC) with a link is online-only."""
    if declared in tuple(Attendance):
        return Attendance(declared)
    has_online = bool(fields.get("conference_url") or fields.get("conference_phone"))
    has_place = bool(fields.get("address") or fields.get("latitude") is not None) and "TC" not in fields["types"]
    if has_online and has_place:
        return Attendance.HYBRID
    if has_online or (online_marker and not has_place):
        return Attendance.ONLINE
    return Attendance.IN_PERSON


# BMLT's shared "world" format ids -> Meeting Guide codes (NA-specific formats have none).
_BMLT_WORLD = {
    "OPEN": "O", "CLOSED": "C", "BEG": "BE", "DISC": "D", "SPK": "SP", "STEP": "ST", "TRAD": "TR",
    "LIT": "LIT", "WCHR": "X", "W": "W", "M": "M", "GL": "LGBTQ", "Y": "Y", "MED": "MED", "CAN": "CAN",
    "CW": "CF", "SMOK": "SM", "TC": "TC", "VM": "ONL", "HYBR": "HYBR", "ASL": "ASL",
}  # fmt: skip


def _bmlt_format_map(formats: list[Any]) -> dict[str, str]:
    mapping = {"VM": "ONL", "HY": "HYBR", "TC": "TC"}
    for entry in formats:
        if isinstance(entry, dict) and isinstance(entry.get("key_string"), str):
            code = _BMLT_WORLD.get(str(entry.get("world_id") or "").upper())
            if code:
                mapping[entry["key_string"]] = code
    return mapping


def _read_bmlt(item: dict[str, Any], formats: dict[str, str], unknown: Counter[str]) -> tuple[str, dict[str, Any]] | str:
    name = _text(item.get("meeting_name"), 255)
    if not name:
        return "no_name"
    key = _key(item.get("id_bigint"))
    if key is None:
        return "no_key"
    if str(item.get("published", "1")) == "0":
        return "inactive"
    weekday = _number(item.get("weekday_tinyint"))
    if weekday is None or not 1 <= weekday <= 7:
        return "no_day"
    start = _feed_time(item.get("start_time"))
    if start is None:
        return "no_time"
    codes = [formats.get(c.strip(), "") or f"BMLT:{c.strip()}" for c in str(item.get("formats") or "").split(",") if c.strip()]
    hybrid = "HYBR" in codes
    types, online_marker = _types([c for c in codes if c != "HYBR" and not c.startswith("BMLT:")], unknown)
    unknown.update(c.removeprefix("BMLT:") for c in codes if c.startswith("BMLT:"))
    zone = item.get("time_zone")
    fields: dict[str, Any] = {
        "name": name,
        "days": 1 << (int(weekday) - 1),  # BMLT counts Sunday as 1
        "start_time": start,
        "end_time": _bmlt_end(start, item.get("duration_time")),
        "timezone": _zone(zone),
        "types": types,
        "location": _text(item.get("location_text"), 255),
        "address": _text(item.get("location_street"), 255),
        "city": _text(item.get("location_municipality"), 100),
        "region": _text(item.get("location_neighborhood"), 100)
        or _text(item.get("location_sub_province"), 100)
        or _text(item.get("location_province"), 100),
        "state": _text(item.get("location_province"), 64),
        "postal_code": _text(item.get("location_postal_code_1"), 16),
        "country": _text(item.get("location_nation"), 64),
        "approximate": False,
        "location_notes": _notes(item.get("location_info")),
        "conference_url": meeting_text.safe_url(_text(item.get("virtual_meeting_link"), 500)),
        "conference_url_notes": _notes(item.get("virtual_meeting_additional_info")),
        "conference_phone": _phone(item.get("phone_meeting_number")),
        "conference_phone_notes": None,
        "notes": _notes(item.get("comments")),
        "group_name": None,
        "url": None,
        "fellowship": None,
        "confirmed_at": None,
    }
    _coordinates(fields, item.get("latitude"), item.get("longitude"))
    venue = {"1": Attendance.IN_PERSON, "2": Attendance.ONLINE, "3": Attendance.HYBRID}.get(str(item.get("venue_type", "")))
    fields["attendance"] = venue or (Attendance.HYBRID if hybrid else None) or _attendance(fields, None, online_marker)
    return key, fields


def _bmlt_end(start: str, duration: Any) -> str | None:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", str(duration or ""))
    if match is None:
        return None
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if not 0 < minutes < 24 * 60:
        return None
    hours, mins = (int(p) for p in start.split(":"))
    total = (hours * 60 + mins + minutes) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def _complete(fields: dict[str, Any], fellowship: str, default_zone: str) -> None:
    """Fill what the feed left to us: fellowship, coordinates from a UK postcode, zone."""
    fields["fellowship"] = fields["fellowship"] or fellowship
    if fields.get("latitude") is None:
        fields["latitude"] = fields["longitude"] = None
        _geocode_postcode(fields)
    if fields["timezone"] is None and fields.get("latitude") is not None:
        fields["timezone"] = timezone_at(fields["latitude"], fields["longitude"])
    fields["timezone"] = fields["timezone"] or default_zone
    fields["types"] = _codes(fields["types"], 255)


def _zone(value: Any) -> str | None:
    """A feed's IANA time zone, if it is one (and fits its column)."""
    return value if isinstance(value, str) and len(value) <= 64 and meeting_times.valid_zone(value) else None


def _codes(codes: list[str], limit: int) -> str:
    """Type codes joined with commas, as many whole codes as fit in `limit` characters."""
    joined = ""
    for code in codes:
        longer = f"{joined},{code}" if joined else code
        if len(longer) > limit:
            break
        joined = longer
    return joined


def _fingerprint(fields: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


# --- importing -----------------------------------------------------------------------------


@dataclass
class ImportResult:
    source: str
    kind: FeedKind | None = None  # None when the feed was unchanged (not read)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    told: int = 0
    not_modified: bool = False
    skipped: Counter[str] = field(default_factory=Counter)
    unknown_types: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        if self.not_modified:
            return f"{self.source}: unchanged since the last import."
        lines = [
            f"{self.source} ({'BMLT' if self.kind == FeedKind.BMLT else 'Meeting Guide'} feed): "
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, {self.removed} removed."
        ]
        if self.skipped:
            lines.append(f"Skipped: {describe_skipped(self.skipped)}.")
        if self.unknown_types:
            codes = ", ".join(code for code, _ in self.unknown_types.most_common(12))
            lines.append(f"Type codes not in the Meeting Guide spec were left out: {codes}.")
        if self.told:
            lines.append(f"Followers told of changes: {self.told}.")
        return "\n".join(lines)


async def source_row(session: AsyncSession, source: str, *, now: datetime) -> MeetingSource:
    row = (await session.execute(select(MeetingSource).where(col(MeetingSource.url) == source))).scalar_one_or_none()
    if row is None:
        row = MeetingSource(url=source, created_at=now)
        session.add(row)
        await session.flush()
    return row


async def import_parsed(
    session: AsyncSession,
    source: MeetingSource,
    parsed: ParsedFeed,
    *,
    now: datetime,
    progress: Progress | None = None,
) -> ImportResult:
    """Apply a parsed feed to one source's meetings, in the caller's transaction."""
    assert source.id is not None
    result = ImportResult(describe_source(source.url), parsed.kind, skipped=parsed.skipped, unknown_types=parsed.unknown_types)
    existing = {
        key: (meeting_id, fingerprint)
        for meeting_id, key, fingerprint in (
            await session.execute(
                select(Meeting.id, Meeting.source_key, Meeting.content_hash).where(col(Meeting.source_id) == source.id)
            )
        ).all()
    }
    new = [m for m in parsed.meetings if m.key not in existing]
    changed = [m for m in parsed.meetings if m.key in existing and existing[m.key][1] != m.fingerprint]
    result.unchanged = len(parsed.meetings) - len(new) - len(changed)
    total = len(new) + len(changed)
    done = 0

    slugs = await _free_slugs(session, [m.key for m in new], source.id)
    for start in range(0, len(new), CHUNK):
        chunk = new[start : start + CHUNK]
        await session.execute(insert(Meeting), [_row(m, source.id, slugs[m.key], now) for m in chunk])
        done += len(chunk)
        _report(progress, done, total)
    result.added = len(new)

    if changed:
        before = await _followed_snapshots(session, [existing[m.key][0] for m in changed])
        for start in range(0, len(changed), CHUNK):
            chunk = changed[start : start + CHUNK]
            await session.execute(
                update(Meeting), [{"id": existing[m.key][0], **_columns(m, now)} for m in chunk]
            )
            done += len(chunk)
            _report(progress, done, total)
        result.updated = len(changed)
        result.told += await _tell_changes(session, before, now)
        await _reschedule(session, [existing[m.key][0] for m in changed], now)

    listed = {m.key for m in parsed.meetings}
    gone = [meeting_id for key, (meeting_id, _) in existing.items() if key not in listed]
    result.told += await meetings.retire(session, gone, now=now)
    result.removed = len(gone)
    source.kind, source.meeting_count = parsed.kind, len(parsed.meetings)
    source.last_synced_at, source.last_error = now, None
    return result


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress("import", done, total)


def _columns(m: FeedMeeting, now: datetime) -> dict[str, Any]:
    return {**m.fields, "content_hash": m.fingerprint, "status": MeetingStatus.ACTIVE, "updated_at": now}


def _row(m: FeedMeeting, source_id: int, slug: str, now: datetime) -> dict[str, Any]:
    return {
        **_columns(m, now),
        "slug": slug,
        "source_id": source_id,
        "source_key": m.key,
        "secretary_id": None,
        "confirm_due_at": None,
        "created_at": now,
    }


async def _free_slugs(session: AsyncSession, keys: list[str], source_id: int) -> dict[str, str]:
    """Our slug is the feed's own when nobody has it yet, else made unique with the source id."""
    taken: set[str] = set()
    candidates = keys + [_suffixed(k, source_id) for k in keys]
    for start in range(0, len(candidates), CHUNK):
        rows = await session.execute(select(Meeting.slug).where(col(Meeting.slug).in_(candidates[start : start + CHUNK])))
        taken.update(rows.scalars())
    slugs: dict[str, str] = {}
    for key in keys:
        slug = key if key not in taken else _suffixed(key, source_id)
        counter = 2
        while slug in taken:
            slug = _suffixed(key, source_id, counter)
            counter += 1
        taken.add(slug)
        slugs[key] = slug
    return slugs


def _suffixed(key: str, source_id: int, counter: int = 0) -> str:
    suffix = f"-s{source_id}" + (f"-{counter}" if counter else "")
    return key[: 64 - len(suffix)] + suffix


async def _followed_snapshots(session: AsyncSession, ids: list[int]) -> dict[int, dict[str, str]]:
    """Before an update: what followed meetings looked like, to tell followers what changed."""
    snapshots: dict[int, dict[str, str]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        followed = select(MeetingFollow.meeting_id).where(col(MeetingFollow.meeting_id).in_(chunk))
        rows = await session.execute(select(Meeting).where(col(Meeting.id).in_(followed)))
        for meeting in rows.scalars():
            assert meeting.id is not None
            snapshots[meeting.id] = snapshot(meeting)
    return snapshots


async def _tell_changes(session: AsyncSession, before: dict[int, dict[str, str]], now: datetime) -> int:
    told = 0
    for meeting_id, old in before.items():
        meeting = await session.get(Meeting, meeting_id)
        if meeting is None:
            continue
        await session.refresh(meeting)
        new = snapshot(meeting)
        changed = [f for f in new if new[f] != old[f]]
        if changed:
            text = functools.partial(changes_text, meeting.name, new, changed)
            told += await meetings.tell_followers(session, meeting_id, NoticeKind.NEWS, text, now=now)
    return told


async def _reschedule(session: AsyncSession, ids: list[int], now: datetime) -> None:
    for start in range(0, len(ids), CHUNK):
        reminded = await session.execute(
            select(MeetingReminder.meeting_id).where(col(MeetingReminder.meeting_id).in_(ids[start : start + CHUNK])).distinct()
        )
        for meeting_id in reminded.scalars():
            meeting = await session.get(Meeting, meeting_id)
            if meeting is not None:
                await meetings.reschedule_reminders(session, meeting, now)


# --- the whole sync ------------------------------------------------------------------------


async def sync(
    db: Database,
    source: str,
    *,
    now: datetime,
    default_zone: str,
    fellowship: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    **fetch_options: Any,
) -> ImportResult:
    """Fetch (or read), parse and import one feed. Any failure leaves the database as it was
    (except for noting the error on the source) and raises `FeedError`."""
    source = normalise_source(source)
    name = describe_source(source)
    async with db.session() as session:
        known = (await session.execute(select(MeetingSource).where(col(MeetingSource.url) == source))).scalar_one_or_none()
        validators = (known.etag, known.last_modified, known.body_sha256) if known and not force else (None, None, None)
        fellowship = fellowship or (known.fellowship if known else None)
    try:
        if is_url(source):
            fetched = await fetch(source, etag=validators[0], last_modified=validators[1], progress=progress, **fetch_options)
        else:
            limit = fetch_options.get("max_bytes", MAX_FEED_BYTES)
            fetched = Fetched(await asyncio.to_thread(read_file, source, max_bytes=limit))
        if fetched.body is None or hashlib.sha256(fetched.body).hexdigest() == validators[2]:
            async with db.session() as session:
                row = await source_row(session, source, now=now)
                row.last_synced_at, row.last_error = now, None
            return ImportResult(name, not_modified=True)
        body = fetched.body
        parsed = await asyncio.to_thread(parse, body, fellowship=fellowship, default_zone=default_zone, source=name)
        async with db.session() as session:
            row = await source_row(session, source, now=now)
            result = await import_parsed(session, row, parsed, now=now, progress=progress)
            row.etag, row.last_modified = fetched.etag, fetched.last_modified
            row.body_sha256 = hashlib.sha256(body).hexdigest()
            row.fellowship = fellowship or ("NA" if parsed.kind == FeedKind.BMLT else "AA")
        return result
    except FeedError as exc:
        await note_error(db, source, str(exc), now)
        raise


async def note_error(db: Database, source: str, error: str, now: datetime) -> None:
    """Keep why a feed was not imported on its source row (for `fellowship meetings`)."""
    source = normalise_source(source)
    async with db.session() as session:
        row = await source_row(session, source, now=now)
        row.last_error = error[:300]


# --- the regular re-import (schedules/feed_sync.py) -------------------------------------------


async def claim_due(db: Database, specs: list[tuple[str | None, str]], *, now: datetime, every: timedelta) -> list[tuple[str | None, str]]:
    """The configured feeds whose turn it is, each claimed for this process by a
    compare-and-set on `next_sync_at`, so two processes never import the same feed at once."""
    for _, location in specs:
        await _ensure_source(db, normalise_source(location), now=now)
    due = []
    async with db.session() as session:
        for fellowship, location in specs:
            source = await source_row(session, normalise_source(location), now=now)
            seen = source.next_sync_at
            if seen is not None and seen > now:
                continue
            same = col(MeetingSource.next_sync_at).is_(None) if seen is None else col(MeetingSource.next_sync_at) == seen
            claimed = await session.execute(
                update(MeetingSource).where(col(MeetingSource.id) == source.id, same).values(next_sync_at=now + every)
            )
            if rows_changed(claimed) == 1:
                due.append((fellowship, location))
    return due


async def _ensure_source(db: Database, source: str, *, now: datetime) -> None:
    """Create a feed's source row on first sight, in its own transaction: workers that start
    together all try, one wins, the others' insert is refused by the unique URL and ignored."""
    try:
        async with db.session() as session:
            await source_row(session, source, now=now)
    except IntegrityError:
        pass


async def sync_due(
    db: Database, specs: list[tuple[str | None, str]], *, now: datetime, every: timedelta, default_zone: str
) -> list[ImportResult]:
    """Re-import every configured feed that is due. A broken feed changes nothing; the reason
    is logged (host only) and kept on its source row, and the other feeds are still imported."""
    results = []
    for fellowship, location in await claim_due(db, specs, now=now, every=every):
        name = describe_source(location)
        try:
            result = await sync(db, location, now=now, default_zone=default_zone, fellowship=fellowship)
        except FeedError as exc:
            log.warning("feed %s not imported: %s", name, exc)
            continue
        except Exception as exc:  # one bad feed must not stop the others
            # Only the kind of failure is logged: its text may quote the feed.
            log.warning("feed %s not imported: %s", name, type(exc).__name__)
            await note_error(db, location, f"{name} could not be imported ({type(exc).__name__}). Nothing was changed.", now)
            continue
        log.info(
            "feed %s: %s", name, "unchanged" if result.not_modified else
            f"{result.added} added, {result.updated} updated, {result.removed} removed, {sum(result.skipped.values())} skipped",
        )
        results.append(result)
    return results


# --- exporting -----------------------------------------------------------------------------


def to_feed(meeting: Meeting) -> dict[str, Any]:
    """One meeting in the Meeting Guide format (plus `fellowship` and TSML's
    `attendance_option`, which readers that don't know them ignore)."""
    days = meeting_times.days_of(meeting.days)
    place = addresses.fields(
        meeting.address, location=meeting.location, city=meeting.city, state=meeting.state,
        postal_code=meeting.postal_code, country=meeting.country,
    )
    entry: dict[str, Any] = {
        "name": meeting.name,
        "slug": meeting.slug,
        "day": days[0] if len(days) == 1 else days,
        "time": meeting.start_time,
        "end_time": meeting.end_time,
        "timezone": meeting.timezone,
        "types": meeting_text.type_codes(meeting),
        **place,
        "region": meeting.region,
        "latitude": meeting.latitude,
        "longitude": meeting.longitude,
        "approximate": "yes" if meeting.approximate else "no",
        "location_notes": meeting.location_notes,
        "conference_url": meeting.conference_url,
        "conference_url_notes": meeting.conference_url_notes,
        "conference_phone": addresses.normalise_phone(meeting.conference_phone),
        "conference_phone_notes": meeting.conference_phone_notes,
        "notes": meeting.notes,
        "group": meeting.group_name,
        "url": meeting.url,
        "updated": (meeting.confirmed_at or meeting.updated_at).strftime("%Y-%m-%d %H:%M:%S"),
        "attendance_option": meeting.attendance,
        "fellowship": meeting.fellowship,
    }
    return {key: value for key, value in entry.items() if value is not None and value != ""}


async def export(session: AsyncSession) -> list[dict[str, Any]]:
    """Every published, active meeting, in slug order (stable output for caches)."""
    rows = await session.execute(select(Meeting).where(col(Meeting.status) == MeetingStatus.ACTIVE).order_by(col(Meeting.slug)))
    return [to_feed(m) for m in rows.scalars()]


def feed_bytes(entries: list[dict[str, Any]]) -> bytes:
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode()


def next_sync(now: datetime, hours: float) -> datetime:
    return now + timedelta(hours=hours)
