"""Finding meetings and keeping up with them: nearest-first search, online meetings soon,
Follow, Remind me, "I went" (which counts toward 90 meetings in 90 days).

Nearest-first search is a bounding box on the indexed (latitude, longitude) columns that
widens until it holds enough matches, then exact great-circle distances on those few
candidates. Anything outside the circle inscribed in the box is farther than everything in
it, so the k nearest inside the circle are the k nearest overall. The same plain B-tree
index works on SQLite and PostgreSQL, needs no extension, and reads a few hundred index
entries instead of every row (see bench/nearest.py for figures).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, delete, func, literal, update
from sqlalchemy import select as select_columns
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import i18n, texts
from bot.db import rows_changed
from bot.models import (
    Meeting,
    MeetingAttendance,
    MeetingCancellation,
    MeetingFollow,
    MeetingReminder,
    Person,
)
from bot.runtime import Runtime
from bot.services import outbox
from bot.services.meetings import times as meeting_times
from bot.services.meetings.states import Attendance, MeetingStatus, NoticeKind, Went
from bot.services.meetings.times import Occurrence
from bot.services.validation import is_digits

FELLOWSHIPS = ("AA", "NA", "CA", "CMA", "other")
PAGE_SIZE = 5
INITIAL_RADIUS_KM = 3.0
MAX_RADIUS_KM = 80.0
SOON = timedelta(hours=3)
# "What's next" orders by start time the nearest matches (up to this many) within a walk
# or a short bus ride, so today's 19:30 at 1.5 km comes before next Thursday's at 300 m;
# farther ones follow, nearest first, so a meeting in town isn't buried under one in the
# next town that happens to start sooner.
SOONEST_POOL = 20
SOONEST_RADIUS_KM = 5.0
OUT_OF_DATE = timedelta(days=90)
REMIND_BEFORE = timedelta(hours=1)
EARTH_RADIUS_KM = 6371.0088
# Announcements and change notices to followers leave at this pace at most, so urgent
# messages (check-in alerts) queued meanwhile are never stuck behind a long list.
FOLLOWER_NOTICES_PER_SECOND = 10


# --- geometry ------------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(latitude: float, longitude: float, radius_km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) enclosing a circle; longitude degrees shrink with latitude."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = max(math.cos(math.radians(latitude)), 0.01)
    dlon = min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat)))
    return latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon


# --- filters -------------------------------------------------------------------------------


class When(StrEnum):
    """A result list's time filter (besides a weekday, "0".."6", Sunday = 0)."""

    ANY = "a"
    SOON = "s"  # starting within SOON
    TODAY = "t"


class Order(StrEnum):
    """How a list near a place is ordered."""

    NEAREST = "n"
    SOONEST = "s"  # what's next: the nearest SOONEST_POOL by start time


@dataclass(frozen=True)
class Filters:
    """What the member narrowed the list to. Encoded into buttons, so it is validated."""

    when: str = When.ANY  # a `When`, or "0".."6" for that weekday
    online: bool = False
    fellowship: str = ""
    type_code: str = ""
    order: Order = Order.NEAREST

    def encode(self) -> str:
        parts = [self.when, "o" if self.online else "p", self.fellowship or "-", self.type_code or "-"]
        return ".".join([*parts, self.order] if self.order != Order.NEAREST else parts)

    @classmethod
    def decode(cls, text: str, known_types: set[str]) -> Filters | None:
        parts = text.split(".")
        if len(parts) == 4:
            parts.append(Order.NEAREST)  # buttons sent before "what's next" existed
        if len(parts) != 5:
            return None
        when, mode, fellowship, type_code, order = parts
        if when not in (*When, *"0123456") or order not in tuple(Order):
            return None
        if mode not in ("o", "p") or (fellowship != "-" and fellowship not in FELLOWSHIPS):
            return None
        if type_code != "-" and type_code not in known_types:
            return None
        fellowship, type_code = ("" if fellowship == "-" else fellowship), ("" if type_code == "-" else type_code)
        return cls(When(when) if when in tuple(When) else when, mode == "o", fellowship, type_code, Order(order))

    def with_(self, **changes: Any) -> Filters:
        return replace(self, **changes)

    @property
    def narrowed(self) -> bool:
        """Anything beyond the defaults (so "none found" can offer to clear them)."""
        return self.when != When.ANY or bool(self.fellowship) or bool(self.type_code)


def _sql_filters(filters: Filters, days_mask: int | None) -> list[ColumnElement[bool]]:
    # A listing with no day or time has no next occurrence to show (publishing and imports
    # require both, so this only guards against odd rows).
    conditions: list[ColumnElement[bool]] = [
        col(Meeting.status) == MeetingStatus.ACTIVE,
        col(Meeting.days) != 0,
        col(Meeting.start_time).is_not(None),
    ]
    if filters.fellowship:
        conditions.append(col(Meeting.fellowship) == filters.fellowship)
    if filters.type_code:
        padded = literal(",") + col(Meeting.types) + literal(",")
        conditions.append(padded.like(f"%,{filters.type_code},%"))
    if days_mask is not None:
        conditions.append(col(Meeting.days).op("&")(days_mask) != 0)
    return conditions


def _days_prefilter(filters: Filters, now: datetime, viewer_zone: str) -> int | None:
    """Weekdays a match must meet on, give or take a day for meetings in other zones."""
    if filters.when == When.ANY:
        return None
    if filters.when in (When.SOON, When.TODAY):
        today = meeting_times.spec_weekday(now.astimezone(meeting_times.zone(viewer_zone)).date())
    else:
        today = int(filters.when)
    return meeting_times.mask_of({(today - 1) % 7, today, (today + 1) % 7})


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    meeting: Meeting
    distance_km: float | None
    shown: Occurrence | None  # the occurrence that matched (the next one by default)
    following: Occurrence | None  # the next one that is on, when `shown` is cancelled
    out_of_date: bool


@dataclass(frozen=True)
class Page:
    results: list[Result]
    page: int
    has_more: bool
    radius_km: float | None = None


def out_of_date(meeting: Meeting, now: datetime) -> bool:
    """Unconfirmed for 90 days. A feed that dates nothing (BMLT) vouches for its meetings
    each time it is synced; one that gives `updated` dates is judged by them."""
    if meeting.confirmed_at is None:
        return meeting.source_id is None
    return now - meeting.confirmed_at > OUT_OF_DATE


async def cancelled_dates(session: AsyncSession, meeting_ids: list[int], since: date) -> dict[int, frozenset[date]]:
    """Cancelled local dates per meeting, from `since` on (one query for a page of results)."""
    if not meeting_ids:
        return {}
    rows = await session.execute(
        select(col(MeetingCancellation.meeting_id), col(MeetingCancellation.on_date)).where(
            col(MeetingCancellation.meeting_id).in_(meeting_ids),
            col(MeetingCancellation.on_date) >= since,
        )
    )
    found: dict[int, set[date]] = defaultdict(set)
    for meeting_id, on_date in rows.all():
        found[meeting_id].add(on_date)
    return {meeting_id: frozenset(dates) for meeting_id, dates in found.items()}


def _matching_occurrence(
    meeting: meeting_times.Scheduled, filters: Filters, cancelled: frozenset[date], now: datetime, viewer_zone: str
) -> tuple[Occurrence | None, Occurrence | None] | None:
    """(shown, following) if the meeting passes the time filter, else None."""
    if filters.when == When.ANY:
        first = meeting_times.next_occurrence(meeting, now, cancelled)
        if first is None:
            return None
        following = meeting_times.next_occurrence(meeting, now, cancelled, skip_cancelled=True) if first.cancelled else None
        return first, following
    tz = meeting_times.zone(viewer_zone)
    today = now.astimezone(tz).date()
    for occurrence in meeting_times.occurrences(meeting, now - meeting_times.LATE_ARRIVAL, now + timedelta(days=8), cancelled):
        if occurrence.cancelled:
            continue
        local = occurrence.start.astimezone(tz).date()
        if filters.when == When.SOON and occurrence.start <= now + SOON:
            return occurrence, None
        if filters.when == When.TODAY and local == today:
            return occurrence, None
        if is_digits(filters.when) and meeting_times.spec_weekday(local) == int(filters.when):
            return occurrence, None
        if occurrence.start > now + timedelta(days=7):
            break
    return None


@dataclass(frozen=True, slots=True)
class _Slot:
    """Just what places a meeting in space and time: candidates are read as these light
    tuples, and whole rows are loaded only for the page that is shown."""

    id: int
    latitude: float | None  # None for online meetings
    longitude: float | None
    days: int
    start_time: str | None
    timezone: str


_SlotRow = Row[int | None, float | None, float | None, int, str | None, str]


def _slot(row: _SlotRow) -> _Slot:
    meeting_id, latitude, longitude, days, start_time, zone = row
    assert meeting_id is not None  # read from the table: always set
    return _Slot(meeting_id, latitude, longitude, days, start_time, zone)


def _slots() -> Select[int | None, float | None, float | None, int, str | None, str]:
    """A query for candidates' `_Slot` columns, in `_Slot`'s order."""
    return select_columns(
        col(Meeting.id), col(Meeting.latitude), col(Meeting.longitude), col(Meeting.days), col(Meeting.start_time), col(Meeting.timezone)
    )


# Building a statement costs more than running it (a search runs in a few milliseconds), so
# each shape is built once, with the box and the page as bound values. Statements are
# immutable, so sharing them between searches is safe; the shapes are few (the filters a
# button can carry), and the cache bounds them anyway.
@functools.lru_cache(maxsize=256)
def _in_box(filters: Filters, days_mask: int | None) -> Select[int | None, float | None, float | None, int, str | None, str]:
    """Candidates in a box (bound as south, north, west, east) one can walk into."""
    return _slots().where(
        col(Meeting.latitude).between(bindparam("south"), bindparam("north")),
        col(Meeting.longitude).between(bindparam("west"), bindparam("east")),
        col(Meeting.attendance) != Attendance.ONLINE,
        *_sql_filters(filters, days_mask),
    )


@functools.lru_cache(maxsize=256)
def _online(filters: Filters, days_mask: int | None) -> Select[int | None, float | None, float | None, int, str | None, str]:
    return _slots().where(col(Meeting.attendance).in_((Attendance.ONLINE, Attendance.HYBRID)), *_sql_filters(filters, days_mask))


@functools.cache
def _page_rows() -> Select[Meeting, date | None]:
    """A page's rows and their cancellations since `since` (a row per cancelled date, or one
    with None): a page is read in one round trip."""
    return (
        select(Meeting, col(MeetingCancellation.on_date))
        .outerjoin(
            MeetingCancellation,
            and_(
                col(MeetingCancellation.meeting_id) == col(Meeting.id),
                col(MeetingCancellation.on_date) >= bindparam("since"),
            ),
        )
        .where(col(Meeting.id).in_(bindparam("ids", expanding=True)))
    )


@dataclass(frozen=True, slots=True)
class _Match:
    slot: _Slot
    distance_km: float | None
    shown: Occurrence | None = None
    following: Occurrence | None = None


async def search_near(
    session: AsyncSession,
    latitude: float,
    longitude: float,
    filters: Filters,
    *,
    now: datetime,
    viewer_zone: str,
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> Page:
    """Meetings you can walk into within MAX_RADIUS_KM: nearest first, or (`Order.SOONEST`)
    the nearest SOONEST_POOL by start time. The pool only grows when paging past it."""
    needed = (page + 1) * page_size + 1  # one more tells whether there is a next page
    if filters.order == Order.SOONEST:
        needed = max(needed, SOONEST_POOL)
    in_box = _in_box(filters, _days_prefilter(filters, now, viewer_zone))
    radius = INITIAL_RADIUS_KM
    # Plain columns, no entities: the Core connection skips the ORM's per-statement set-up,
    # which costs more than the query itself when a sparse area takes a few rounds.
    connection = await session.connection()
    while True:
        south, north, west, east = bounding_box(latitude, longitude, radius)
        rows = await connection.execute(in_box, {"south": south, "north": north, "west": west, "east": east})
        near: list[tuple[float | None, _Slot]] = []
        for row in rows.all():
            slot = _slot(row)
            if slot.latitude is None or slot.longitude is None:
                continue  # the box already excludes these; this tells the type checker
            distance = haversine_km(latitude, longitude, slot.latitude, slot.longitude)
            if distance <= radius:  # inside the circle: nothing outside the box is nearer
                near.append((distance, slot))
        matched = await _timed(session, near, filters, now, viewer_zone, defer=True)
        if len(matched) >= needed or radius >= MAX_RADIUS_KM:
            break
        # Grow by the density seen so far (at least double) so sparse areas take few rounds.
        growth = math.sqrt(needed / max(len(matched), 1))
        radius = min(MAX_RADIUS_KM, radius * max(2.0, growth * 1.2))
    matched.sort(key=lambda m: (m.distance_km or 0.0, m.slot.id))
    if filters.order == Order.SOONEST:
        matched = await _soonest_first(session, matched[:needed], filters, now, viewer_zone)
    start = page * page_size
    results = await _results(session, matched[start : start + page_size], now)
    return Page(results, page, len(matched) > start + page_size, radius)


async def _soonest_first(
    session: AsyncSession, pool: list[_Match], filters: Filters, now: datetime, viewer_zone: str
) -> list[_Match]:
    """Those within a bus ride by next start (the next one that is on; nearer first at the
    same time), then the rest as they came (nearest first)."""
    if filters.when == When.ANY:  # occurrences were deferred; the pool is small, so find them now
        pool = await _timed(session, [(m.distance_km, m.slot) for m in pool], filters, now, viewer_zone)
    near = [m for m in pool if (m.distance_km or 0.0) <= SOONEST_RADIUS_KM]
    farther = [m for m in pool if (m.distance_km or 0.0) > SOONEST_RADIUS_KM]
    return sorted(near, key=lambda m: (_on_next(m), m.distance_km or 0.0, m.slot.id)) + farther


async def _timed(
    session: AsyncSession,
    candidates: list[tuple[float | None, _Slot]],
    filters: Filters,
    now: datetime,
    viewer_zone: str,
    *,
    defer: bool = False,
) -> list[_Match]:
    """Candidates that pass the time filter, with the occurrence that matched. With no time
    filter every candidate passes, and (`defer`) occurrences can wait until the page is known."""
    if filters.when == When.ANY and defer:
        return [_Match(slot, distance) for distance, slot in candidates]
    cancelled = await cancelled_dates(session, [slot.id for _, slot in candidates], now.date() - timedelta(days=2))
    matched = []
    for distance, slot in candidates:
        found = _matching_occurrence(slot, filters, cancelled.get(slot.id, frozenset()), now, viewer_zone)
        if found is not None:
            matched.append(_Match(slot, distance, *found))
    return matched


async def _results(session: AsyncSession, matches: list[_Match], now: datetime) -> list[Result]:
    """Whole rows and next occurrences for one page of matches."""
    if not matches:
        return []
    ids = [m.slot.id for m in matches]
    rows = await session.execute(_page_rows(), {"ids": ids, "since": now.date() - timedelta(days=2)})
    loaded: dict[int | None, Meeting] = {}
    off_dates: dict[int, set[date]] = defaultdict(set)
    for found, on_date in rows.all():
        loaded[found.id] = found
        if on_date is not None and found.id is not None:
            off_dates[found.id].add(on_date)
    cancelled = {meeting_id: frozenset(dates) for meeting_id, dates in off_dates.items()}
    results = []
    for match in matches:
        meeting = loaded[match.slot.id]
        shown, following = match.shown, match.following
        if shown is None:
            off = cancelled.get(match.slot.id, frozenset())
            shown = meeting_times.next_occurrence(meeting, now, off)
            if shown is not None and shown.cancelled:
                following = meeting_times.next_occurrence(meeting, now, off, skip_cancelled=True)
        results.append(Result(meeting, match.distance_km, shown, following, out_of_date(meeting, now)))
    return results


async def search_online(
    session: AsyncSession, filters: Filters, *, now: datetime, viewer_zone: str, page: int = 0, page_size: int = PAGE_SIZE
) -> Page:
    """Online and hybrid meetings, soonest first, wherever they are."""
    rows = await session.execute(_online(filters, _days_prefilter(filters, now, viewer_zone)))
    candidates: list[tuple[float | None, _Slot]] = [(None, _slot(row)) for row in rows.all()]
    matched = await _timed(session, candidates, filters, now, viewer_zone)  # soonest first: every start is needed
    matched.sort(key=lambda m: (_on_next(m), m.slot.id))
    start = page * page_size
    return Page(await _results(session, matched[start : start + page_size], now), page, len(matched) > start + page_size)


def _on_next(match: _Match) -> datetime:
    occurrence = match.following or match.shown
    assert occurrence is not None
    return occurrence.start


# --- one meeting ---------------------------------------------------------------------------


async def visible(session: AsyncSession, meeting_id: int) -> Meeting | None:
    """A meeting people may see and act on (not a draft, paused or deleted)."""
    meeting = await session.get(Meeting, meeting_id)
    return meeting if meeting is not None and meeting.status == MeetingStatus.ACTIVE else None


async def for_member(session: AsyncSession, meeting_id: int, *, turning_off: bool) -> Meeting | None:
    """The meeting a member's button names: stopping reminders or following works even for
    a paused listing; anything else needs a listing people can see. Never a draft."""
    meeting = await session.get(Meeting, meeting_id) if turning_off else await visible(session, meeting_id)
    return None if meeting is None or meeting.status == MeetingStatus.DRAFT else meeting


async def upcoming(session: AsyncSession, meeting: Meeting, now: datetime) -> tuple[Occurrence | None, Occurrence | None]:
    """(next occurrence, next one that is on when that one is cancelled)."""
    assert meeting.id is not None
    cancelled = (await cancelled_dates(session, [meeting.id], now.date() - timedelta(days=2))).get(meeting.id, frozenset())
    first = meeting_times.next_occurrence(meeting, now, cancelled)
    following = meeting_times.next_occurrence(meeting, now, cancelled, skip_cancelled=True) if first and first.cancelled else None
    return first, following


@dataclass(frozen=True)
class Ties:
    following: bool
    reminder: bool


async def ties(session: AsyncSession, person_id: int, meeting_id: int) -> Ties:
    follow = await session.execute(
        select(MeetingFollow.id).where(col(MeetingFollow.person_id) == person_id, col(MeetingFollow.meeting_id) == meeting_id)
    )
    remind = await session.execute(
        select(MeetingReminder.id).where(col(MeetingReminder.person_id) == person_id, col(MeetingReminder.meeting_id) == meeting_id)
    )
    return Ties(follow.first() is not None, remind.first() is not None)


async def set_follow(session: AsyncSession, person_id: int, meeting: Meeting, on: bool, now: datetime) -> None:
    """Follow or stop following. Idempotent: a double tap or a stale button changes nothing."""
    assert meeting.id is not None
    await session.execute(
        delete(MeetingFollow).where(col(MeetingFollow.person_id) == person_id, col(MeetingFollow.meeting_id) == meeting.id)
    )
    if on:
        session.add(MeetingFollow(meeting_id=meeting.id, person_id=person_id, created_at=now))
        await session.flush()


def first_reminder_due(meeting: Meeting, now: datetime, cancelled: frozenset[date] = frozenset()) -> datetime | None:
    """An hour before the first occurrence still far enough ahead to be reminded of."""
    for occurrence in meeting_times.occurrences(meeting, now, now + timedelta(days=40), cancelled):
        if occurrence.start - REMIND_BEFORE >= now:
            return occurrence.start - REMIND_BEFORE
    return None


async def set_reminder(session: AsyncSession, person_id: int, meeting: Meeting, on: bool, now: datetime) -> datetime | None:
    """Remind an hour before every occurrence, or stop. Idempotent like `set_follow`.
    Returns when the first reminder will come (None when turned off)."""
    assert meeting.id is not None
    await session.execute(
        delete(MeetingReminder).where(col(MeetingReminder.person_id) == person_id, col(MeetingReminder.meeting_id) == meeting.id)
    )
    due = first_reminder_due(meeting, now) if on else None
    if due is not None:
        session.add(MeetingReminder(meeting_id=meeting.id, person_id=person_id, due_at=due, created_at=now))
        await session.flush()
    return due


async def reschedule_reminders(session: AsyncSession, meeting: Meeting, now: datetime) -> None:
    """After a change of day or time, every reminder follows the new schedule."""
    due = first_reminder_due(meeting, now)
    if due is not None:
        await session.execute(update(MeetingReminder).where(col(MeetingReminder.meeting_id) == meeting.id).values(due_at=due))


@dataclass(frozen=True)
class Attended:
    outcome: Went
    occurrence: Occurrence | None
    total_90_days: int


async def record_attendance(session: AsyncSession, person_id: int, meeting: Meeting, now: datetime) -> Attended:
    """"I went" to the latest occurrence that has begun (up to `times.WENT_WINDOW` back)."""
    assert meeting.id is not None
    occurrence = meeting_times.latest_started(meeting, now)
    since = now - timedelta(days=90)
    if occurrence is None:
        return Attended(Went.NOT_YET, None, await meetings_attended_since(session, person_id, since))
    cancelled = (await cancelled_dates(session, [meeting.id], occurrence.local_date)).get(meeting.id, frozenset())
    if occurrence.local_date in cancelled:
        return Attended(Went.CANCELLED, occurrence, await meetings_attended_since(session, person_id, since))
    outcome = Went.COUNTED
    try:
        async with session.begin_nested():
            session.add(
                MeetingAttendance(
                    person_id=person_id,
                    meeting_id=meeting.id,
                    attended_on=occurrence.local_date,
                    attended_at=occurrence.start,
                    created_at=now,
                )
            )
    except IntegrityError:
        outcome = Went.ALREADY
    return Attended(outcome, occurrence, await meetings_attended_since(session, person_id, since))


async def meetings_attended_since(session: AsyncSession, person_id: int, since: datetime) -> int:
    """How many meetings the person said "I went" to since `since` (for /progress and 90-in-90)."""
    result = await session.execute(
        select(func.count())
        .select_from(MeetingAttendance)
        .where(col(MeetingAttendance.person_id) == person_id, col(MeetingAttendance.attended_at) >= since)
    )
    return int(result.scalar_one())


# --- telling followers ---------------------------------------------------------------------


async def follower_ids(session: AsyncSession, meeting_id: int) -> list[int]:
    rows = await session.execute(
        select(MeetingFollow.person_id).where(col(MeetingFollow.meeting_id) == meeting_id).order_by(col(MeetingFollow.id))
    )
    return list(rows.scalars())


async def tell_followers(
    session: AsyncSession, meeting_id: int, kind: NoticeKind, render: Callable[[], str], *, now: datetime,
    exclude: int | None = None, author_id: int | None = None,
) -> int:
    """Queue a message to every follower, in this transaction, paced (see the constant).
    `render` writes it, once per language, in each follower's language."""
    count = 0
    followers = [pid for pid in await follower_ids(session, meeting_id) if pid != exclude]
    languages = await outbox.languages_of(session, followers)
    written: dict[str, str] = {}
    for person_id in followers:
        language = languages.get(person_id, i18n.SOURCE)
        if language not in written:
            with i18n.speaking(language):
                written[language] = render()
        row = outbox.enqueue(session, person_id, kind, written[language], now=now, author_id=author_id)
        row.next_attempt_at = now + timedelta(seconds=count / FOLLOWER_NOTICES_PER_SECOND)
        count += 1
    return count


async def retire(session: AsyncSession, meeting_ids: list[int], *, now: datetime) -> int:
    """Remove listings for good (deleted by their secretary, or gone from their feed).
    Followers are told first; "I went" rows keep counting, without the meeting."""
    told = 0
    for start in range(0, len(meeting_ids), 500):
        chunk = meeting_ids[start : start + 500]
        follows = await session.execute(
            select(MeetingFollow.person_id, Meeting.name)
            .join(Meeting, col(Meeting.id) == col(MeetingFollow.meeting_id))
            .where(col(MeetingFollow.meeting_id).in_(chunk))
            .order_by(col(MeetingFollow.id))
        )
        found = follows.all()
        languages = await outbox.languages_of(session, (person_id for person_id, _ in found))
        for person_id, name in found:
            with i18n.speaking(languages.get(person_id)):
                text = texts.MEETING_NEWS_GONE.format(name=texts.clip(name, texts.NAME_MAX))
            row = outbox.enqueue(session, person_id, NoticeKind.NEWS, text, now=now)
            row.next_attempt_at = now + timedelta(seconds=told / FOLLOWER_NOTICES_PER_SECOND)
            told += 1
        await session.execute(delete(MeetingFollow).where(col(MeetingFollow.meeting_id).in_(chunk)))
        await session.execute(delete(MeetingReminder).where(col(MeetingReminder.meeting_id).in_(chunk)))
        await session.execute(delete(MeetingCancellation).where(col(MeetingCancellation.meeting_id).in_(chunk)))
        await session.execute(
            update(MeetingAttendance).where(col(MeetingAttendance.meeting_id).in_(chunk)).values(meeting_id=None)
        )
        await session.execute(delete(Meeting).where(col(Meeting.id).in_(chunk)))
    return told


# --- reminders due -------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReminder:
    reminder_id: int
    person_id: int
    meeting: Meeting
    occurrence: Occurrence


async def claim_due_reminders(session: AsyncSession, now: datetime, *, limit: int = 200) -> list[DueReminder]:
    """Claim reminders that are due (compare-and-set on `due_at`) and return those to send.

    Each row moves on to an hour before the meeting's following occurrence. After downtime
    a reminder whose meeting already started is not sent late: it just moves on. A paused
    listing's reminders move on silently; a cancelled date is still announced (as cancelled).
    """
    rows = (
        await session.execute(
            select(MeetingReminder, Meeting)
            .join(Meeting, col(Meeting.id) == col(MeetingReminder.meeting_id))
            .where(col(MeetingReminder.due_at) <= now)
            .order_by(col(MeetingReminder.due_at), col(MeetingReminder.id))
            .limit(limit)
        )
    ).all()
    ids = [meeting.id for _, meeting in rows if meeting.id is not None]
    cancelled = await cancelled_dates(session, ids, now.date() - timedelta(days=2))
    due: list[DueReminder] = []
    for reminder, meeting in rows:
        off = cancelled.get(meeting.id or 0, frozenset())
        target = next(meeting_times.occurrences(meeting, now, now + timedelta(days=40), off), None)
        send = target is not None and meeting.status == MeetingStatus.ACTIVE and target.start - now <= REMIND_BEFORE + timedelta(minutes=5)
        after = (target.start + timedelta(minutes=1)) if (send and target) else now
        next_due = first_reminder_due(meeting, after) or (now + timedelta(days=7))
        claimed = await session.execute(
            update(MeetingReminder)
            .where(col(MeetingReminder.id) == reminder.id, col(MeetingReminder.due_at) == reminder.due_at)
            .values(due_at=next_due)
        )
        if rows_changed(claimed) == 1 and send and target is not None:
            assert reminder.id is not None
            due.append(DueReminder(reminder.id, reminder.person_id, meeting, target))
    return due


# --- privacy -------------------------------------------------------------------------------


async def _export(session: AsyncSession, rt: Runtime, person: Person) -> dict[str, Any]:
    assert person.id is not None
    pid = person.id
    follows = await session.execute(
        select(Meeting.name, MeetingFollow.created_at)
        .join(Meeting, col(Meeting.id) == col(MeetingFollow.meeting_id))
        .where(col(MeetingFollow.person_id) == pid)
    )
    reminders = await session.execute(
        select(Meeting.name, MeetingReminder.due_at)
        .join(Meeting, col(Meeting.id) == col(MeetingReminder.meeting_id))
        .where(col(MeetingReminder.person_id) == pid)
    )
    went = await session.execute(
        select(col(MeetingAttendance.attended_on), col(Meeting.name))
        .outerjoin(Meeting, col(Meeting.id) == col(MeetingAttendance.meeting_id))
        .where(col(MeetingAttendance.person_id) == pid)
        .order_by(col(MeetingAttendance.attended_at))
    )
    listed = await session.execute(select(Meeting.name, Meeting.status, Meeting.slug).where(col(Meeting.secretary_id) == pid))
    return {
        "following": [{"meeting": name, "since": since.isoformat()} for name, since in follows.all()],
        "reminders": [{"meeting": name, "next_reminder_at": due.isoformat()} for name, due in reminders.all()],
        "meetings_you_went_to": [{"date": day.isoformat(), "meeting": name or "(no longer listed)"} for day, name in went.all()],
        "meetings_you_list_as_secretary": [{"meeting": n, "status": s, "slug": slug} for n, s, slug in listed.all()],
    }


async def _erase(session: AsyncSession, person: Person) -> None:
    """Follows, reminders and attendance go; listings stay for everyone else, without an
    owner; unpublished drafts are the person's own notes and go too."""
    pid = person.id
    await session.execute(delete(MeetingFollow).where(col(MeetingFollow.person_id) == pid))
    await session.execute(delete(MeetingReminder).where(col(MeetingReminder.person_id) == pid))
    await session.execute(delete(MeetingAttendance).where(col(MeetingAttendance.person_id) == pid))
    await session.execute(delete(Meeting).where(col(Meeting.secretary_id) == pid, col(Meeting.status) == MeetingStatus.DRAFT))
    await session.execute(
        update(Meeting).where(col(Meeting.secretary_id) == pid).values(secretary_id=None, confirm_due_at=None)
    )
    await session.execute(
        update(MeetingCancellation).where(col(MeetingCancellation.created_by_id) == pid).values(created_by_id=None)
    )
