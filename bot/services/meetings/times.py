"""When meetings happen: day sets, the next occurrence in the meeting's own time zone, and
how to say it in the member's zone ("today 19:30", "Tue 12:00").

Days follow the Meeting Guide spec (0 = Sunday … 6 = Saturday) and are stored as a bitmask.
Occurrences are computed in the meeting's IANA zone and converted to UTC with the same
rules as daily check-ins (`bot.services.schedule_times.occurrence`): a 19:30 London meeting is
18:30 UTC in summer and 19:30 UTC in winter, and a start time skipped on a spring-forward night
moves to the first minute after the gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import texts
from bot.services import schedule_times
from bot.services.validation import InvalidInput

DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
ALL_DAYS = 0b1111111
DAY_ORDER = (1, 2, 3, 4, 5, 6, 0)  # how day buttons are laid out: Monday first, as UK calendars are
# A meeting that started a few minutes ago is still worth walking into.
LATE_ARRIVAL = timedelta(minutes=10)


class Scheduled(Protocol):
    """What a listing must have to be placed in time (a `Meeting` row, or a lighter tuple)."""

    @property
    def days(self) -> int: ...
    @property
    def start_time(self) -> str | None: ...
    @property
    def timezone(self) -> str: ...


@dataclass(frozen=True)
class Occurrence:
    start: datetime  # aware UTC
    local_date: date  # the date in the meeting's own zone (cancellations are by this date)
    cancelled: bool = False


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """A zone by IANA name; an unknown name falls back to UTC rather than failing a search."""
    return schedule_times.zone_named(name, "UTC")


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        return False
    return True


# --- day sets ------------------------------------------------------------------------------


def mask_of(days: Iterable[int]) -> int:
    mask = 0
    for day in days:
        if not 0 <= day <= 6:
            raise ValueError(f"day {day} is not 0 (Sunday) to 6 (Saturday)")
        mask |= 1 << day
    return mask


def days_of(mask: int) -> list[int]:
    return [day for day in range(7) if mask & (1 << day)]


def spec_weekday(value: date) -> int:
    """Python counts Monday as 0; the spec counts Sunday as 0."""
    return (value.weekday() + 1) % 7


def day_name(day: int, *, short: bool = False) -> str:
    """A spec day (Sunday = 0) by name in the current language: "Tuesday", or "Tue"."""
    return texts.weekday_name((day - 1) % 7, "abbreviated" if short else "wide")


def describe_days(mask: int) -> str:
    """"Tuesdays", "Mon, Wed, Fri", "every day", "weekdays"."""
    if mask == ALL_DAYS:
        return texts.DAYS_EVERY_DAY
    if mask == mask_of(range(1, 6)):
        return texts.DAYS_WEEKDAYS
    if mask == mask_of((0, 6)):
        return texts.DAYS_WEEKENDS
    days = days_of(mask)
    if len(days) == 1:
        return texts.DAYS_ONE.format(day=day_name(days[0]))
    return ", ".join(day_name(d, short=True) for d in days)


_DAY_WORDS = {name[:2].lower(): index for index, name in enumerate(DAY_NAMES)}
_GROUPS = {
    "weekdays": mask_of(range(1, 6)),
    "weekday": mask_of(range(1, 6)),
    "weekends": mask_of((0, 6)),
    "weekend": mask_of((0, 6)),
    "daily": ALL_DAYS,
    "everyday": ALL_DAYS,
}
_DAY_TOKEN = re.compile(r"^(su|mo|tu|we|th|fr|sa)[a-z]*$")


# Welsh day names as typed (with the soft mutations after "nos": Fawrth, Wener, Sadwrn...).
_WELSH_DAYS = {
    "sul": 0, "llun": 1, "mawrth": 2, "fawrth": 2, "maw": 2, "mercher": 3, "fercher": 3, "mer": 3, "iau": 4,
    "gwener": 5, "wener": 5, "gwen": 5, "sadwrn": 6, "sad": 6,
}


def _day(token: str) -> int | None:
    if token in _WELSH_DAYS:
        return _WELSH_DAYS[token]
    match = _DAY_TOKEN.match(token)
    if match is None or not _is_day_word(token):
        return None
    return _DAY_WORDS[match.group(1)]


def _is_day_word(token: str) -> bool:
    """`tu`, `tue`, `tues`, `tuesday`, `tuesdays` are days; `tuba` is not."""
    full = DAY_NAMES[_DAY_WORDS[token[:2]]].lower()
    return (full + "s").startswith(token) or token in ("tues", "thur", "thurs", "weds")


def parse_days(text: str) -> int:
    """Read days as people write them: "Tuesday", "Mon, Wed & Fri", "mon-fri", "weekdays",
    "every day". Returns a bitmask; refuses anything it can't read completely."""
    cleaned = text.strip().lower().replace("every day", "everyday").replace("bob dydd", "everyday")
    cleaned = re.sub(r"\b(dydd|nos|bob)\b", " ", cleaned)  # Welsh: "dydd Llun", "nos Fawrth", "bob Sul"
    cleaned = re.sub(r"\b(to|till|until|through|thru|i|tan)\b", "-", cleaned)
    cleaned = re.sub(r"\s*-\s*", "-", cleaned)
    tokens = [t for t in re.split(r"[\s,;/&+]+|\band\b|\bac?\b|\bevery\b|\bon\b", cleaned) if t]
    mask = 0
    for token in tokens:
        if token in _GROUPS:
            mask |= _GROUPS[token]
            continue
        if "-" in token:
            first, _, last = token.partition("-")
            start, end = _day(first), _day(last)
            if start is None or end is None:
                raise InvalidInput(texts.LISTING_DAYS_HELP)
            day = start
            while True:
                mask |= 1 << day
                if day == end:
                    break
                day = (day + 1) % 7
            continue
        single = _day(token)
        if single is None:
            raise InvalidInput(texts.LISTING_DAYS_HELP)
        mask |= 1 << single
    if not mask:
        raise InvalidInput(texts.LISTING_DAYS_HELP)
    return mask



# --- clock times ---------------------------------------------------------------------------


def parse_hhmm(value: str | None) -> time | None:
    """A stored "HH:MM" (always written by us or validated on import)."""
    if not value:
        return None
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def duration_ok(start: time, end: time) -> bool:
    """An end time must come after the start. One before it is read as past midnight, but
    only for a short meeting (23:00-00:30): 19:00-18:00 is a typo, not a 23-hour meeting."""
    if end > start:
        return True
    minutes = (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % (24 * 60)
    return 0 < minutes <= 6 * 60


# --- occurrences ---------------------------------------------------------------------------


def start_on(meeting: Scheduled, local_date: date) -> datetime:
    """The UTC start of the meeting on one of its local dates (DST-correct)."""
    return schedule_times.occurrence(local_date, parse_hhmm(meeting.start_time) or time(0, 0), zone(meeting.timezone))


def occurrences(
    meeting: Scheduled, after: datetime, until: datetime, cancelled: frozenset[date] = frozenset()
) -> Iterator[Occurrence]:
    """Every start in [after, until), oldest first, cancelled ones flagged."""
    if not meeting.days or not meeting.start_time:
        return
    tz = zone(meeting.timezone)
    day = after.astimezone(tz).date() - timedelta(days=1)
    last = until.astimezone(tz).date() + timedelta(days=1)
    while day <= last:
        if meeting.days & (1 << spec_weekday(day)):
            start = start_on(meeting, day)
            if after <= start < until:
                yield Occurrence(start, day, day in cancelled)
        day += timedelta(days=1)


def next_occurrence(
    meeting: Scheduled,
    now: datetime,
    cancelled: frozenset[date] = frozenset(),
    *,
    skip_cancelled: bool = False,
    grace: timedelta = LATE_ARRIVAL,
) -> Occurrence | None:
    """The next start (one that began under `grace` ago still counts), within five weeks
    so a run of cancelled dates is stepped over."""
    for occurrence in occurrences(meeting, now - grace, now + timedelta(days=35), cancelled):
        if occurrence.cancelled and skip_cancelled:
            continue
        return occurrence
    return None


WENT_WINDOW = timedelta(days=2)


def latest_started(
    meeting: Scheduled, now: datetime, *, within: timedelta = WENT_WINDOW, early: timedelta = timedelta(minutes=15)
) -> Occurrence | None:
    """The most recent occurrence that has begun (or begins within `early`) in the last
    `within`, for "I went": honest counting for 90 in 90, but fine to tap the next morning."""
    found = None
    for occurrence in occurrences(meeting, now - within, now + early):
        found = occurrence
    return found


# --- saying it -----------------------------------------------------------------------------


def when_label(start: datetime, viewer_zone: str, now: datetime) -> str:
    """"today 19:30", "tomorrow 07:00", "Tue 12:00", "Tue 2 Dec 12:00" in the viewer's zone."""
    tz = zone(viewer_zone)
    local, today = start.astimezone(tz), now.astimezone(tz).date()
    clock = local.strftime("%H:%M")
    days_away = (local.date() - today).days
    if days_away == 0:
        return texts.WHEN_TODAY_CLOCK.format(clock=clock)
    if days_away == 1:
        return texts.WHEN_TOMORROW_CLOCK.format(clock=clock)
    if 1 < days_away < 7:
        return texts.WHEN_DAY_CLOCK.format(day=texts.format_date(local, "EEE"), clock=clock)
    return texts.WHEN_DAY_CLOCK.format(day=texts.format_date(local, "EEE d MMM"), clock=clock)


def date_label(value: date) -> str:
    """"Thu 25 Dec"."""
    return texts.day_label(value)
