"""Tables. Every Telegram id is BigInteger, every datetime aware UTC (`UTCDateTime`).

No table holds a Telegram user id, username, real name or phone number: a person is found
by `telegram_hash` (HMAC of the id) and written to through `chat_id_enc` (AES-GCM).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db import UTCDateTime


def _utc(*, nullable: bool = True, index: bool = False) -> object:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _person_fk(*, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True) -> object:
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", ondelete=ondelete), nullable=nullable, index=index),
    )


class Person(SQLModel, table=True):
    """Someone who agreed to use the bot. Created only when they press Agree."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_hash: str = Field(sa_type=String(64), unique=True, index=True)
    chat_id_enc: str = Field(sa_type=Text)
    pseudonym: str | None = Field(default=None, sa_type=String(32))
    purpose: str | None = Field(default=None, sa_type=String(20))
    timezone: str | None = Field(default=None, sa_type=String(64))
    checkin_time: str | None = Field(default=None, sa_type=String(5))  # "HH:MM" local
    clean_date: date | None = None
    # Which typed answer we wait for ("pseudonym", "checkin_time", ...); lives here, not in
    # memory, so a restart or a second process continues the same conversation.
    awaiting: str | None = Field(default=None, sa_type=String(32))
    # A deep link opened before onboarding finished, followed once set-up is done.
    pending_link: str | None = Field(default=None, sa_type=String(64))
    onboarded_at: datetime | None = _utc()  # type: ignore[assignment]
    consented_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    unreachable_at: datetime | None = _utc()  # type: ignore[assignment]


class RoleGrant(SQLModel, table=True):
    """A role someone holds beyond member/supporter, which anyone may be."""

    __table_args__ = (UniqueConstraint("person_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk()  # type: ignore[assignment]
    role: str = Field(sa_type=String(20))
    granted_at: datetime = Field(sa_type=UTCDateTime)
    granted_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)  # type: ignore[assignment]


class RoleRequest(SQLModel, table=True):
    """A request to be a secretary or companion, decided by a coordinator."""

    __table_args__ = (Index("ix_rolerequest_status_role", "status", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk()  # type: ignore[assignment]
    role: str = Field(sa_type=String(20))
    status: str = Field(default="pending", sa_type=String(12))  # pending/approved/declined
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = _utc()  # type: ignore[assignment]
    decided_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)  # type: ignore[assignment]


class Invitation(SQLModel, table=True):
    """A single-use deep link (`/start <payload>`). Only a hash of the token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(20))
    token_hash: str = Field(sa_type=String(64), unique=True, index=True)
    created_by_id: int | None = _person_fk(nullable=True)  # type: ignore[assignment]
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = _utc()  # type: ignore[assignment]
    used_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)  # type: ignore[assignment]


class Outbox(SQLModel, table=True):
    """A message that must reach a person: written with the change that causes it.

    The sender tick claims due rows (compare-and-set on `claimed_until`), calls the Bot API
    and marks the row sent only after Telegram answers ok. The payload is cleared once sent.
    """

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk()  # type: ignore[assignment]
    kind: str = Field(sa_type=String(32))  # what it is about, for re-routing and counts
    method: str = Field(sa_type=String(32))
    payload: str = Field(sa_type=Text)  # JSON params without chat_id
    status: str = Field(default="pending", sa_type=String(12))  # pending/sent/undeliverable
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    claimed_until: datetime | None = _utc()  # type: ignore[assignment]
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = _utc()  # type: ignore[assignment]
    last_error: str | None = Field(default=None, sa_type=String(200))


# --- Check-ins (issue 5): daily prompts, answers, milestones, crisis requests -------------


class CheckinPlan(SQLModel, table=True):
    """When a member's next daily prompt is due, and their reminder and pause choices.

    One row per person with a check-in time. `next_prompt_at` is UTC and indexed so the
    prompt tick finds due rows without scanning everyone; the tick claims a row by moving
    `next_prompt_at` forward with a compare-and-set, so two processes never both send it.
    """

    __table_args__ = (
        UniqueConstraint("person_id"),
        # (time, id) so "oldest due first, LIMIT n" reads n index entries even when
        # thousands of members share one prompt time.
        Index("ix_checkinplan_due", "next_prompt_at", "id"),
        Index("ix_checkinplan_reminder", "remind_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=False)  # type: ignore[assignment]
    next_prompt_at: datetime | None = _utc()  # type: ignore[assignment]
    # The last local day whose prompt was dealt with (sent, or not needed because the member
    # had already checked in): never a second prompt for that day.
    last_prompt_date: date | None = None
    remind_at: datetime | None = _utc()  # type: ignore[assignment]
    reminder_hours: int | None = 3  # None: no reminders
    paused_until: date | None = None  # the local day prompts start again
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Checkin(SQLModel, table=True):
    """One member's answers for one local day; each step is saved as it is answered."""

    __table_args__ = (UniqueConstraint("person_id", "local_date"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=False)  # type: ignore[assignment]
    local_date: date
    mood: int | None = None  # 1 (very low) to 5 (great)
    clean: str | None = Field(default=None, sa_type=String(8))  # yes / slip / private
    note_enc: str | None = Field(default=None, sa_type=Text)  # AES-GCM, context "checkin_note"
    went_to_meeting: bool = False
    # A slip's two choices, recorded now for the supporters feature to act on.
    slip_reset_clean_date: bool | None = None
    clean_date_before_slip: date | None = None
    slip_tell_supporters: bool | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    completed_at: datetime | None = _utc()  # type: ignore[assignment]


class Milestone(SQLModel, table=True):
    """A clean-time milestone already congratulated, so it is never sent twice."""

    __table_args__ = (UniqueConstraint("person_id", "clean_date", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=False)  # type: ignore[assignment]
    clean_date: date
    key: str = Field(sa_type=String(8))  # "1d", "7d", "30d", "6m", "1y", "18m", "2y", ...
    reached_on: date
    congratulated_at: datetime = Field(sa_type=UTCDateTime)


class CrisisRequest(SQLModel, table=True):
    """Someone asked for help now (/sos or the button). Kept so supporters can be alerted."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk()  # type: ignore[assignment]
    source: str = Field(sa_type=String(12))  # "command", "prompt", "checkin", ...
    created_at: datetime = Field(sa_type=UTCDateTime)
    alerted_at: datetime | None = _utc()  # type: ignore[assignment]


# --- Meetings (issue 7) -----------------------------------------------------------------
# A meeting is a Meeting Guide listing (code4recovery spec: slug, name, day, time, end_time,
# timezone, types, address fields, latitude/longitude + approximate, conference_url/phone,
# notes, group) plus our own fields: fellowship, owning secretary, status, source feed and
# when the listing was last confirmed. `days` is a bitmask (bit 0 = Sunday … bit 6 =
# Saturday) so "meets on a Tuesday" is one integer test on SQLite and PostgreSQL alike.


def _meeting_fk(*, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True) -> object:
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("meeting.id", ondelete=ondelete), nullable=nullable, index=index),
    )


class MeetingSource(SQLModel, table=True):
    """A feed meetings are imported from, with the HTTP validators that make re-syncs cheap."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_type=String(500), unique=True, index=True)  # a URL, or a file's absolute path
    kind: str = Field(default="meeting_guide", sa_type=String(20))  # meeting_guide / bmlt
    fellowship: str = Field(default="AA", sa_type=String(8))
    etag: str | None = Field(default=None, sa_type=String(200))
    last_modified: str | None = Field(default=None, sa_type=String(64))
    body_sha256: str | None = Field(default=None, sa_type=String(64))  # skip unchanged bodies
    meeting_count: int = 0
    last_synced_at: datetime | None = _utc()  # type: ignore[assignment]
    last_error: str | None = Field(default=None, sa_type=String(300))
    next_sync_at: datetime | None = _utc(index=True)  # type: ignore[assignment]
    created_at: datetime = Field(sa_type=UTCDateTime)


class Meeting(SQLModel, table=True):
    """One listing. Drafts (being written in /addmeeting) and paused ones are never shown."""

    __table_args__ = (
        # Nearest-first search narrows to a bounding box on these two columns first.
        Index("ix_meeting_position", "latitude", "longitude"),
        UniqueConstraint("source_id", "source_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=String(64), unique=True, index=True)
    name: str = Field(default="", sa_type=String(255))
    fellowship: str = Field(default="AA", sa_type=String(8))  # AA, NA, CA, CMA, other
    days: int = 0  # bitmask, bit 0 = Sunday
    start_time: str | None = Field(default=None, sa_type=String(5))  # "HH:MM" in `timezone`
    end_time: str | None = Field(default=None, sa_type=String(5))
    timezone: str = Field(default="Europe/London", sa_type=String(64))
    types: str = Field(default="", sa_type=String(255))  # Meeting Guide codes, comma-separated
    attendance: str = Field(default="in_person", sa_type=String(10))  # in_person / online / hybrid
    location: str | None = Field(default=None, sa_type=String(255))  # building or landmark
    address: str | None = Field(default=None, sa_type=String(255))
    city: str | None = Field(default=None, sa_type=String(100))
    region: str | None = Field(default=None, sa_type=String(100))
    postal_code: str | None = Field(default=None, sa_type=String(16))
    country: str | None = Field(default=None, sa_type=String(64))
    latitude: float | None = None
    longitude: float | None = None
    approximate: bool = False
    location_notes: str | None = Field(default=None, sa_type=Text)
    conference_url: str | None = Field(default=None, sa_type=String(500))
    conference_url_notes: str | None = Field(default=None, sa_type=Text)
    conference_phone: str | None = Field(default=None, sa_type=String(64))
    conference_phone_notes: str | None = Field(default=None, sa_type=Text)
    notes: str | None = Field(default=None, sa_type=Text)
    group_name: str | None = Field(default=None, sa_type=String(255))
    url: str | None = Field(default=None, sa_type=String(500))
    status: str = Field(default="active", sa_type=String(10))  # draft / active / paused
    secretary_id: int | None = _person_fk(nullable=True, ondelete="SET NULL")  # type: ignore[assignment]
    source_id: int | None = Field(  # type: ignore[assignment]
        default=None,
        sa_column=Column(Integer, ForeignKey("meetingsource.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    source_key: str | None = Field(default=None, sa_type=String(64))  # the feed's own slug or id
    content_hash: str | None = Field(default=None, sa_type=String(64))  # imported fields, to skip unchanged
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    confirmed_at: datetime | None = _utc()  # type: ignore[assignment]
    # When the secretary is next asked "Is this listing still right?" (claimed by compare-and-set).
    confirm_due_at: datetime | None = _utc(index=True)  # type: ignore[assignment]


class MeetingFollow(SQLModel, table=True):
    """Someone who hears of a meeting's changes, cancellations and announcements."""

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = _meeting_fk()  # type: ignore[assignment]
    person_id: int = _person_fk()  # type: ignore[assignment]
    created_at: datetime = Field(sa_type=UTCDateTime)


class MeetingReminder(SQLModel, table=True):
    """A message an hour before each occurrence; `due_at` is claimed by compare-and-set."""

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = _meeting_fk()  # type: ignore[assignment]
    person_id: int = _person_fk()  # type: ignore[assignment]
    due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class MeetingAttendance(SQLModel, table=True):
    """One "I went": counts toward 90 meetings in 90 days, even after the listing is gone."""

    __table_args__ = (
        UniqueConstraint("person_id", "meeting_id", "attended_on"),
        Index("ix_meetingattendance_person_when", "person_id", "attended_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=False)  # type: ignore[assignment]
    meeting_id: int | None = _meeting_fk(nullable=True, ondelete="SET NULL")  # type: ignore[assignment]
    attended_on: date  # the meeting's local date
    attended_at: datetime = Field(sa_type=UTCDateTime)  # when that occurrence started
    created_at: datetime = Field(sa_type=UTCDateTime)


class MeetingCancellation(SQLModel, table=True):
    """One date off ("no meeting on 25 Dec"), shown as cancelled in search."""

    __table_args__ = (UniqueConstraint("meeting_id", "on_date"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = _meeting_fk(index=False)  # type: ignore[assignment]
    on_date: date  # the meeting's local date
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)  # type: ignore[assignment]
