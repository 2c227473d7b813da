"""Secretaries' listings: the /addmeeting draft, publishing, edits, pause, delete, cancelling
one date, announcements to followers, and the monthly "Is this listing still right?".

A draft is an ordinary `Meeting` row with status "draft": each answer is written to it as
it is given, so a restart or a second process loses nothing, and a draft is never shown to
anyone else. Only the owning secretary, while they still hold the role, may change a listing.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import texts
from bot.db import rows_changed
from bot.geo import timezone_at, valid_coordinates
from bot.models import Meeting, MeetingCancellation, MeetingFollow, Outbox, Person
from bot.services import places
from bot.services.caps import Caps, next_allowed, refusal
from bot.services.meetings import search as meetings
from bot.services.meetings import text as meeting_text
from bot.services.meetings import times as meeting_times
from bot.services.meetings.states import Attendance, MeetingStatus, NoticeKind
from bot.services.people import people
from bot.services.validation import InvalidInput, is_digits, parse_time_of_day

CONFIRM_EVERY = timedelta(days=30)
NAME_MIN, NAME_MAX = 3, 100
NOTES_MAX = ANNOUNCEMENT_MAX = 1000
ADDRESS_MAX = 200

# The questions of /addmeeting, in order; `steps_for` skips those that don't apply.
STEPS = ("name", "fellowship", "days", "time", "end", "attendance", "address", "place", "link", "phone", "types", "notes")
_IN_PERSON_ONLY = {"address", "place"}
_ONLINE_ONLY = {"link", "phone"}


def steps_for(meeting: Meeting) -> tuple[str, ...]:
    skip = _ONLINE_ONLY if meeting.attendance == Attendance.IN_PERSON else set()
    if meeting.attendance == Attendance.ONLINE:
        skip = _IN_PERSON_ONLY
    return tuple(step for step in STEPS if step not in skip)


def next_step(meeting: Meeting, done: str) -> str | None:
    steps = steps_for(meeting)
    index = steps.index(done) if done in steps else -1
    return steps[index + 1] if index + 1 < len(steps) else None


def first_gap(meeting: Meeting) -> str | None:
    """The first question still unanswered (to continue a draft where it stands)."""
    gaps = missing(meeting)
    return next((step for step in steps_for(meeting) if step in gaps), None)


def gap_after(meeting: Meeting, step: str) -> str | None:
    """A change of how people attend may need an address or a link it didn't before."""
    if step != "attendance":
        return None
    return next((g for g in missing(meeting) if g in ("address", "place", "link")), None)


def missing(meeting: Meeting) -> list[str]:
    """Fields a listing can't be published without (as field names for `texts`)."""
    gaps = [f for f, ok in (("name", meeting.name), ("days", meeting.days), ("time", meeting.start_time)) if not ok]
    if meeting.attendance != Attendance.ONLINE:
        if not meeting.address:
            gaps.append("address")
        if meeting.latitude is None:
            gaps.append("place")
    if meeting.attendance != Attendance.IN_PERSON and not (meeting.conference_url or meeting.conference_phone):
        gaps.append("link")
    return gaps


# --- who may act ---------------------------------------------------------------------------


async def is_secretary(session: AsyncSession, person: Person) -> bool:
    assert person.id is not None
    return "secretary" in await people.roles_of(session, person.id)


async def editable(session: AsyncSession, person: Person, meeting_id: int) -> Meeting | None:
    """The meeting, if this person owns it and is still a secretary; else None."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None or meeting.secretary_id != person.id or not await is_secretary(session, person):
        return None
    return meeting


async def draft_of(session: AsyncSession, person_id: int) -> Meeting | None:
    result = await session.execute(
        select(Meeting)
        .where(col(Meeting.secretary_id) == person_id, col(Meeting.status) == MeetingStatus.DRAFT)
        .order_by(col(Meeting.id).desc())
    )
    return result.scalars().first()


async def owned_by(session: AsyncSession, person_id: int) -> list[Meeting]:
    result = await session.execute(
        select(Meeting)
        .where(col(Meeting.secretary_id) == person_id, col(Meeting.status) != MeetingStatus.DRAFT)
        .order_by(col(Meeting.name), col(Meeting.id))
    )
    return list(result.scalars())


async def follower_count(session: AsyncSession, meeting_id: int) -> int:
    result = await session.execute(select(func.count()).select_from(MeetingFollow).where(col(MeetingFollow.meeting_id) == meeting_id))
    return int(result.scalar_one())


async def discard_draft(session: AsyncSession, meeting: Meeting) -> None:
    """An unpublished draft is its secretary's own notes: discarding it removes it."""
    await session.delete(meeting)


async def start_draft(session: AsyncSession, secretary: Person, *, now: datetime, default_zone: str) -> Meeting:
    """A fresh draft (any earlier unfinished one is discarded)."""
    assert secretary.id is not None
    old = await draft_of(session, secretary.id)
    if old is not None:
        await session.delete(old)
    draft = Meeting(
        slug=f"draft-{secrets.token_hex(8)}",
        status=MeetingStatus.DRAFT,
        secretary_id=secretary.id,
        timezone=secretary.timezone or default_zone,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    await session.flush()
    return draft


# --- answers, validated ---------------------------------------------------------------------


def clean_text(text: str, *, keep_newlines: bool = False) -> str:
    """NFC, no control characters, tidy spaces (newlines kept for notes)."""
    text = unicodedata.normalize("NFC", text)
    allowed = {"\n"} if keep_newlines else set()
    text = "".join(ch for ch in text if ch in allowed or unicodedata.category(ch)[0] != "C")
    if keep_newlines:
        return "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()
    return " ".join(text.split())


def set_name(meeting: Meeting, text: str) -> None:
    name = clean_text(text)
    if name.startswith("/"):
        raise InvalidInput(texts.LISTING_NAME_COMMAND)
    if len(name) < NAME_MIN:
        raise InvalidInput(texts.LISTING_NAME_SHORT)
    if len(name) > NAME_MAX:
        raise InvalidInput(texts.LISTING_NAME_LONG)
    meeting.name = name


def set_fellowship(meeting: Meeting, code: str) -> None:
    if code not in meetings.FELLOWSHIPS:
        raise InvalidInput(texts.STALE_BUTTON)
    meeting.fellowship = code


def set_days(meeting: Meeting, text: str) -> None:
    meeting.days = meeting_times.parse_days(text)


def toggle_day(meeting: Meeting, day: int) -> None:
    if not 0 <= day <= 6:
        raise InvalidInput(texts.STALE_BUTTON)
    meeting.days ^= 1 << day


def days_ticked(meeting: Meeting, ticked: str) -> int:
    """The days ticked so far on the days question (kept in the open question until Done)."""
    return int(ticked) if is_digits(ticked) else meeting.days


def set_day_mask(meeting: Meeting, days: int) -> None:
    """Save the days ticked on the buttons (bit 0 = Sunday, as the spec numbers them)."""
    meeting.days = days & meeting_times.ALL_DAYS


def set_start(meeting: Meeting, text: str) -> None:
    start = parse_time_of_day(text)
    meeting.start_time = meeting_times.hhmm(start)
    end = meeting_times.parse_hhmm(meeting.end_time)
    if end is not None and not meeting_times.duration_ok(start, end):
        meeting.end_time = None  # the old end no longer fits; it is asked again if wanted


def set_end(meeting: Meeting, text: str | None) -> None:
    if text is None:
        meeting.end_time = None
        return
    end = parse_time_of_day(text)
    start = meeting_times.parse_hhmm(meeting.start_time)
    if start is not None and not meeting_times.duration_ok(start, end):
        example = meeting_times.hhmm((datetime.combine(date.today(), start) + timedelta(hours=1)).time())
        raise InvalidInput(texts.LISTING_END_BEFORE_START.format(start=meeting.start_time, example=example))
    meeting.end_time = meeting_times.hhmm(end)


def set_attendance(meeting: Meeting, value: str) -> None:
    if value not in texts.ATTENDANCE_LABELS:
        raise InvalidInput(texts.STALE_BUTTON)
    meeting.attendance = value


def set_address(meeting: Meeting, text: str) -> None:
    address = clean_text(text)
    if len(address) < 3:
        raise InvalidInput(texts.LISTING_TEXT_EMPTY)
    meeting.address = address[:ADDRESS_MAX]


def set_postcode(meeting: Meeting, text: str) -> None:
    """A postcode gives the district's centre, marked approximate; a shared spot is exact."""
    place = places.postcode_place(text)
    if place is None:
        raise InvalidInput(texts.LISTING_POSTCODE_UNKNOWN.format(text=texts.clip(text.strip(), 20)))
    code = places.normalise_postcode(text)
    meeting.postal_code = f"{code[:-3]} {code[-3:]}" if len(code) > 4 and code[-3].isdigit() else code
    meeting.latitude, meeting.longitude, meeting.approximate = place.latitude, place.longitude, True
    meeting.city = meeting.city or place.district or None
    meeting.country = meeting.country or "UK"
    meeting.timezone = timezone_at(place.latitude, place.longitude) or meeting.timezone


def set_location(meeting: Meeting, latitude: float, longitude: float) -> None:
    if not valid_coordinates(latitude, longitude):
        raise InvalidInput(texts.MEETINGS_BAD_LOCATION)
    meeting.latitude, meeting.longitude, meeting.approximate = round(latitude, 6), round(longitude, 6), False
    meeting.timezone = timezone_at(latitude, longitude) or meeting.timezone


def parse_link(text: str) -> str:
    link = text.strip()
    parts = urlsplit(link)
    if (
        parts.scheme.lower() not in ("https", "http")
        or "." not in parts.netloc
        or any(ch.isspace() for ch in link)
        or len(link) > 500
    ):
        raise InvalidInput(texts.LISTING_LINK_BAD)
    return link


def set_link(meeting: Meeting, text: str | None) -> None:
    meeting.conference_url = parse_link(text) if text is not None else None


def parse_phone(text: str) -> str:
    """Digits with an optional leading +, as the spec's conference_phone wants."""
    phone = re.sub(r"[\s().-]", "", text)
    if not re.fullmatch(r"\+?\d{7,15}", phone):
        raise InvalidInput(texts.LISTING_PHONE_BAD)
    return phone


def set_phone(meeting: Meeting, text: str | None) -> None:
    meeting.conference_phone = parse_phone(text) if text is not None else None


def toggle_type(meeting: Meeting, code: str) -> None:
    if code not in meeting_text.type_names():
        raise InvalidInput(texts.STALE_BUTTON)
    codes = meeting_text.type_codes(meeting)
    codes = [c for c in codes if c != code] if code in codes else [*codes, code]
    # Open and Closed exclude each other.
    if code in ("O", "C") and code in codes:
        codes = [c for c in codes if c != ("C" if code == "O" else "O")]
    meeting.types = ",".join(codes)


def set_notes(meeting: Meeting, text: str | None) -> None:
    if text is None:
        meeting.notes = None
        return
    notes = clean_text(text, keep_newlines=True)
    if not notes:
        raise InvalidInput(texts.LISTING_TEXT_EMPTY)
    if len(notes) > NOTES_MAX:
        raise InvalidInput(texts.LISTING_NOTES_LONG)
    meeting.notes = notes


# Questions answered by typing, each with the rule that checks and saves the answer.
TYPED_ANSWERS: dict[str, Callable[[Meeting, str], None]] = {
    "name": set_name,
    "days": set_days,
    "time": set_start,
    "end": set_end,
    "address": set_address,
    "place": set_postcode,
    "link": set_link,
    "phone": set_phone,
    "notes": set_notes,
}
# Questions with a Skip button, each with the rule that clears the answer.
SKIPPABLE: dict[str, Callable[[Meeting, None], None]] = {
    "end": set_end,
    "link": set_link,
    "phone": set_phone,
    "notes": set_notes,
}


def set_typed(meeting: Meeting, step: str, text: str) -> None:
    """Check and save a typed answer (InvalidInput says kindly what is wrong)."""
    TYPED_ANSWERS[step](meeting, text)


def skip(meeting: Meeting, step: str) -> None:
    SKIPPABLE[step](meeting, None)


def touch(meeting: Meeting, now: datetime) -> None:
    """An answer was saved: the listing changed now."""
    meeting.updated_at = now


# --- publishing and changing ----------------------------------------------------------------


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:48] or "meeting"


async def publish(session: AsyncSession, meeting: Meeting, *, now: datetime) -> list[str]:
    """Make a complete draft visible; returns what is still missing (nothing published then)."""
    gaps = missing(meeting)
    if gaps:
        return gaps
    meeting.slug = f"{slugify(meeting.name)}-{meeting.id}"
    meeting.status = MeetingStatus.ACTIVE
    meeting.updated_at = meeting.confirmed_at = now
    meeting.confirm_due_at = now + CONFIRM_EVERY
    return []


def snapshot(meeting: Meeting) -> dict[str, str]:
    """What followers would notice, per field, to tell them what changed."""
    return {
        "name": meeting.name,
        "days": meeting_times.describe_days(meeting.days),
        "time": meeting.start_time or "",
        "end": meeting.end_time or "",
        "attendance": texts.ATTENDANCE_LABELS.get(meeting.attendance, ""),
        "address": meeting_text.address_line(meeting),
        "link": meeting.conference_url or "",
        "phone": meeting.conference_phone or "",
    }


async def after_edit(session: AsyncSession, meeting: Meeting, before: dict[str, str], *, now: datetime) -> int:
    """Once a published listing changed: followers hear what changed, reminders follow the
    new time, and the edit counts as a confirmation. Returns how many were told."""
    meeting.updated_at = meeting.confirmed_at = now
    meeting.confirm_due_at = now + CONFIRM_EVERY
    if meeting.status == MeetingStatus.DRAFT:
        return 0
    after = snapshot(meeting)
    if (before["days"], before["time"]) != (after["days"], after["time"]):
        await meetings.reschedule_reminders(session, meeting, now)
    changed = [field for field in after if after[field] != before[field]]
    if not changed or meeting.status != MeetingStatus.ACTIVE:
        return 0
    assert meeting.id is not None
    return await meetings.tell_followers(session, meeting.id, NoticeKind.NEWS, lambda: changes_text(meeting.name, after, changed), now=now)


def changes_text(name: str, after: dict[str, str], changed: list[str]) -> str:
    """"✏️ <name> has changed:" and a line per changed field, in the current language."""
    lines = [
        texts.MEETING_CHANGE_LINE.format(field=texts.MEETING_FIELD_NAMES[field], value=texts.clip(after[field] or "—", texts.PLACE_MAX))
        for field in changed
    ]
    return texts.MEETING_NEWS_CHANGED.format(name=texts.clip(name, texts.NAME_MAX), changes="\n".join(lines))


async def set_paused(session: AsyncSession, meeting: Meeting, paused: bool, *, now: datetime) -> int:
    assert meeting.id is not None
    if (meeting.status == MeetingStatus.PAUSED) == paused:
        return 0
    meeting.status = MeetingStatus.PAUSED if paused else MeetingStatus.ACTIVE
    meeting.updated_at = now
    if not paused:
        meeting.confirmed_at, meeting.confirm_due_at = now, now + CONFIRM_EVERY
        await meetings.reschedule_reminders(session, meeting, now)

    def text() -> str:
        if paused:
            return texts.MEETING_NEWS_PAUSED.format(name=texts.clip(meeting.name, texts.NAME_MAX))
        return texts.MEETING_NEWS_RESUMED.format(name=texts.clip(meeting.name, texts.NAME_MAX), schedule=texts.h(meeting_text.schedule(meeting)))

    return await meetings.tell_followers(session, meeting.id, NoticeKind.NEWS, text, now=now)


async def delete_listing(session: AsyncSession, meeting: Meeting, *, now: datetime) -> int:
    assert meeting.id is not None
    return await meetings.retire(session, [meeting.id], now=now)


async def confirm(session: AsyncSession, meeting: Meeting, *, now: datetime) -> None:
    meeting.confirmed_at, meeting.confirm_due_at = now, now + CONFIRM_EVERY


# --- one date off ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DateChoice:
    local_date: date
    cancelled: bool


async def coming_dates(session: AsyncSession, meeting: Meeting, *, now: datetime, count: int = 6) -> list[DateChoice]:
    assert meeting.id is not None
    cancelled = (await meetings.cancelled_dates(session, [meeting.id], now.date() - timedelta(days=1))).get(meeting.id, frozenset())
    found = meeting_times.occurrences(meeting, now, now + timedelta(days=120), cancelled)
    return [DateChoice(o.local_date, o.cancelled) for _, o in zip(range(count), found, strict=False)]


def check_cancellable(meeting: Meeting, on_date: date, *, now: datetime) -> None:
    today = now.astimezone(meeting_times.zone(meeting.timezone)).date()
    if on_date < today:
        raise InvalidInput(texts.CANCEL_PAST)
    if on_date > today + timedelta(days=366):
        raise InvalidInput(texts.CANCEL_TOO_FAR)
    if not meeting.days & (1 << meeting_times.spec_weekday(on_date)):
        raise InvalidInput(
            texts.CANCEL_NOT_A_MEETING_DAY.format(
                name=texts.clip(meeting.name, texts.NAME_MAX), date=texts.day_label(on_date), days=meeting_times.describe_days(meeting.days)
            )
        )


async def set_cancelled(
    session: AsyncSession, meeting: Meeting, on_date: date, cancelled: bool, *, by: Person, now: datetime
) -> int:
    """Cancel one date (or put it back on) and tell followers. Returns how many were told;
    doing what is already done tells nobody again."""
    check_cancellable(meeting, on_date, now=now)
    assert meeting.id is not None
    existing = (
        await session.execute(
            select(MeetingCancellation).where(
                col(MeetingCancellation.meeting_id) == meeting.id, col(MeetingCancellation.on_date) == on_date
            )
        )
    ).scalar_one_or_none()
    if (existing is not None) == cancelled:
        return 0
    if cancelled:
        session.add(MeetingCancellation(meeting_id=meeting.id, on_date=on_date, created_at=now, created_by_id=by.id))
        await session.flush()
        upcoming = meeting_times.next_occurrence(
            meeting, meetings_start_after(meeting, on_date), await _cancelled(session, meeting, now), skip_cancelled=True
        )

        def text() -> str:
            following = texts.MEETING_NEXT_ONE.format(when=texts.day_label(upcoming.local_date)) if upcoming else ""
            return texts.MEETING_NEWS_CANCELLED.format(name=texts.clip(meeting.name, texts.NAME_MAX), date=texts.day_label(on_date), next=following)
    else:
        assert existing is not None
        await session.delete(existing)

        def text() -> str:
            return texts.MEETING_NEWS_RESTORED.format(name=texts.clip(meeting.name, texts.NAME_MAX), date=texts.day_label(on_date))
    return await meetings.tell_followers(session, meeting.id, NoticeKind.NEWS, text, now=now)


async def is_cancelled(session: AsyncSession, meeting: Meeting, on_date: date) -> bool:
    assert meeting.id is not None
    return on_date in (await meetings.cancelled_dates(session, [meeting.id], on_date)).get(meeting.id, frozenset())


def meetings_start_after(meeting: Meeting, on_date: date) -> datetime:
    """A moment just after the meeting on `on_date` starts (to find the one after it)."""
    return meeting_times.start_on(meeting, on_date) + meeting_times.LATE_ARRIVAL + timedelta(minutes=1)


async def _cancelled(session: AsyncSession, meeting: Meeting, now: datetime) -> frozenset[date]:
    assert meeting.id is not None
    return (await meetings.cancelled_dates(session, [meeting.id], now.date() - timedelta(days=1))).get(meeting.id, frozenset())


async def announcement_cap_problem(session: AsyncSession, secretary: Person, caps: Caps, now: datetime) -> str | None:
    """Why `secretary` can't send another announcement now (the daily cap, across all their
    meetings), or None. One announcement is many outbox rows written at the same moment,
    one per follower, so each moment counts once."""
    where = [col(Outbox.author_id) == secretary.id, col(Outbox.kind) == NoticeKind.ANNOUNCEMENT]
    when = await next_allowed(session, col(Outbox.created_at), where, caps.announcements, now, each_moment_once=True)
    if when is None:
        return None
    return refusal(texts.CAP_ANNOUNCEMENTS, caps.announcements, when, now, secretary.timezone, caps.default_zone)


async def announce(session: AsyncSession, meeting: Meeting, text: str, *, now: datetime, author: Person, caps: Caps) -> int:
    """Send the secretary's words to every follower; InvalidInput (nothing sent) when the
    words can't go as they are or the secretary has sent their day's share."""
    body = clean_text(text, keep_newlines=True)
    if not body:
        raise InvalidInput(texts.LISTING_TEXT_EMPTY)
    if len(body) > ANNOUNCEMENT_MAX:
        raise InvalidInput(texts.ANNOUNCE_LONG)
    capped = await announcement_cap_problem(session, author, caps, now)
    if capped is not None:
        raise InvalidInput(capped)
    assert meeting.id is not None
    message = texts.MEETING_NEWS_ANNOUNCEMENT.format(name=texts.clip(meeting.name, texts.NAME_MAX), text=texts.h(body))
    return await meetings.tell_followers(session, meeting.id, NoticeKind.ANNOUNCEMENT, lambda: message, now=now, author_id=author.id)


# --- the monthly check ----------------------------------------------------------------------


async def claim_due_checks(session: AsyncSession, now: datetime, *, limit: int = 100) -> list[Meeting]:
    """Listings whose secretary should be asked "Is this listing still right?" now. Claimed
    by moving `confirm_due_at` on with a compare-and-set, so nobody is asked twice."""
    rows = (
        await session.execute(
            select(Meeting)
            .where(
                col(Meeting.confirm_due_at) <= now,
                col(Meeting.secretary_id).is_not(None),
                col(Meeting.status) == MeetingStatus.ACTIVE,
            )
            .order_by(col(Meeting.confirm_due_at), col(Meeting.id))
            .limit(limit)
        )
    ).scalars().all()
    claimed = []
    for meeting in rows:
        result = await session.execute(
            update(Meeting)
            .where(col(Meeting.id) == meeting.id, col(Meeting.confirm_due_at) == meeting.confirm_due_at)
            .values(confirm_due_at=now + CONFIRM_EVERY)
        )
        if rows_changed(result) == 1:
            claimed.append(meeting)
    return claimed
