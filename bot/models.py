"""Tables. Every Telegram id is BigInteger, every datetime aware UTC (`UTCDateTime`).

No table holds a Telegram user id, username, real name or phone number: a person is found
by `telegram_hash` (HMAC of the id) and written to through `chat_id_enc` (AES-GCM).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db import UTCDateTime


def _utc(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _person_fk(*, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True) -> Any:
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("person.id", ondelete=ondelete), nullable=nullable, index=index),
    )


class Person(SQLModel, table=True):
    """Someone who agreed to use the bot. Created only when they press Agree."""

    __table_args__ = (Index("ix_person_created_at", "created_at"),)  # the report's "joined in the period"
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
    # A deep link opened before set-up finished, followed once set-up is done. An opaque
    # reference to the invitation, never its token: the database holds no live credential.
    pending_invitation_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("invitation.id", ondelete="SET NULL", use_alter=True), nullable=True),
    )
    onboarded_at: datetime | None = _utc()
    consented_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    unreachable_at: datetime | None = _utc()
    # The newest /checkin card's message id, so the next /checkin can retire it (one live card).
    checkin_card_message_id: int | None = None
    # The language messages to this person are written in ("cy", "en"; bot.i18n.LANGUAGES):
    # from Telegram's language_code at Agree, changed in /settings. NULL reads as English.
    language: str | None = Field(default=None, sa_type=String(8))


class RoleGrant(SQLModel, table=True):
    """A role someone holds beyond member/supporter, which anyone may be."""

    __table_args__ = (UniqueConstraint("person_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk()
    role: str = Field(sa_type=String(20))
    granted_at: datetime = Field(sa_type=UTCDateTime)
    granted_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)
    # "settings": from COORDINATOR_TELEGRAM_IDS, so removed at the next start once the id is
    # no longer there; "granted": approved or invited in the bot, removed in the bot.
    source: str = Field(default="granted", sa_type=String(12), sa_column_kwargs={"server_default": "granted"})


class RoleChange(SQLModel, table=True):
    """Who gained or lost a role, when, by whose hand and why (a reason code, never free
    text about a person). Erased with the person it is about."""

    __table_args__ = (Index("ix_rolechange_person_at", "person_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=False)
    role: str = Field(sa_type=String(20))
    change: str = Field(sa_type=String(12))  # granted / removed / stepped_down
    reason: str | None = Field(default=None, sa_type=String(20))  # bot.services.people.roles.REMOVAL_REASONS
    actor_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)
    at: datetime = Field(sa_type=UTCDateTime)


class RoleRequest(SQLModel, table=True):
    """A request to be a secretary or companion, decided by a coordinator."""

    __table_args__ = (Index("ix_rolerequest_status_role", "status", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk()
    role: str = Field(sa_type=String(20))
    status: str = Field(default="pending", sa_type=String(12))  # pending/approved/declined
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = _utc()
    decided_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)
    # What the applicant said (a secretary: which group or meeting), shown to coordinators.
    answer: str | None = Field(default=None, sa_type=String(200))


class Invitation(SQLModel, table=True):
    """A single-use deep link (`/start <payload>`). Only a hash of the token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(20))
    token_hash: str = Field(sa_type=String(64), unique=True, index=True)
    created_by_id: int | None = _person_fk(nullable=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = _utc()
    used_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)


class Outbox(SQLModel, table=True):
    """A message that must reach a person: written with the change that causes it.

    The sender tick claims due rows (compare-and-set on `claimed_until`), calls the Bot API
    and marks the row sent only after Telegram answers ok. The payload is cleared once sent.
    """

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk()
    # Whose words the message carries (a relay message, an announcement), so /forget takes
    # what they wrote that is still waiting and /mydata shows it. None: the bot's own words.
    author_id: int | None = _person_fk(nullable=True)
    kind: str = Field(sa_type=String(32))  # what it is about, for re-routing and counts
    method: str = Field(sa_type=String(32))
    payload: str = Field(sa_type=Text)  # JSON params without chat_id; "{}" once final (sent, failed, undeliverable)
    status: str = Field(default="pending", sa_type=String(16))  # pending/sent/undeliverable/failed
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    claimed_until: datetime | None = _utc()
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = _utc()
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
    person_id: int = _person_fk(index=False)
    next_prompt_at: datetime | None = _utc()
    # The last local day whose prompt was dealt with (sent, or not needed because the member
    # had already checked in): never a second prompt for that day.
    last_prompt_date: date | None = None
    remind_at: datetime | None = _utc()
    reminder_hours: int | None = 3  # None: no reminders
    paused_until: date | None = None  # the local day prompts start again
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Checkin(SQLModel, table=True):
    """One member's answers for one local day; each step is saved as it is answered."""

    __table_args__ = (
        UniqueConstraint("person_id", "local_date"),
        # The report reads a range of days from this index alone (covering), not everyone's rows.
        Index("ix_checkin_day_person", "local_date", "person_id", "clean", "went_to_meeting"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=False)
    local_date: date
    mood: int | None = None  # 1 (very low) to 5 (great)
    clean: str | None = Field(default=None, sa_type=String(8))  # yes / slip / private
    note_enc: str | None = Field(default=None, sa_type=Text)  # AES-GCM, bound to checkin.note_enc#id (bot.crypto.CHECKIN_NOTE)
    went_to_meeting: bool = False
    # A slip's two choices, recorded now for the supporters feature to act on.
    slip_reset_clean_date: bool | None = None
    clean_date_before_slip: date | None = None
    slip_tell_supporters: bool | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    completed_at: datetime | None = _utc()


class Milestone(SQLModel, table=True):
    """A clean-time milestone already congratulated, so it is never sent twice."""

    __table_args__ = (UniqueConstraint("person_id", "clean_date", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=False)
    clean_date: date
    key: str = Field(sa_type=String(8))  # "1d", "7d", "30d", "6m", "1y", "18m", "2y", ...
    reached_on: date
    congratulated_at: datetime = Field(sa_type=UTCDateTime)


class CrisisRequest(SQLModel, table=True):
    """Someone asked for help now (/sos or the button). Kept so supporters can be alerted."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk()
    source: str = Field(sa_type=String(12))  # "command", "prompt", "checkin", ...
    created_at: datetime = Field(sa_type=UTCDateTime)
    alerted_at: datetime | None = _utc()


# --- Meetings (issue 7) -----------------------------------------------------------------
# A meeting is a Meeting Guide listing (code4recovery spec: slug, name, day, time, end_time,
# timezone, types, address fields, latitude/longitude + approximate, conference_url/phone,
# notes, group) plus our own fields: fellowship, owning secretary, status, source feed and
# when the listing was last confirmed. `days` is a bitmask (bit 0 = Sunday … bit 6 =
# Saturday) so "meets on a Tuesday" is one integer test on SQLite and PostgreSQL alike.


def _meeting_fk(*, nullable: bool = False, ondelete: str = "CASCADE", index: bool = True) -> Any:
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
    last_synced_at: datetime | None = _utc()
    last_error: str | None = Field(default=None, sa_type=String(300))
    next_sync_at: datetime | None = _utc(index=True)
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
    state: str | None = Field(default=None, sa_type=String(64))  # state or province, as the feed gave it
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
    secretary_id: int | None = _person_fk(nullable=True, ondelete="SET NULL")
    source_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("meetingsource.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    source_key: str | None = Field(default=None, sa_type=String(64))  # the feed's own slug or id
    content_hash: str | None = Field(default=None, sa_type=String(64))  # imported fields, to skip unchanged
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    confirmed_at: datetime | None = _utc()
    # When the secretary is next asked "Is this listing still right?" (claimed by compare-and-set).
    confirm_due_at: datetime | None = _utc(index=True)


class MeetingFollow(SQLModel, table=True):
    """Someone who hears of a meeting's changes, cancellations and announcements."""

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = _meeting_fk()
    person_id: int = _person_fk()
    created_at: datetime = Field(sa_type=UTCDateTime)


class MeetingReminder(SQLModel, table=True):
    """A message an hour before each occurrence; `due_at` is claimed by compare-and-set."""

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = _meeting_fk()
    person_id: int = _person_fk()
    due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class MeetingAttendance(SQLModel, table=True):
    """One "I went": counts toward 90 meetings in 90 days, even after the listing is gone."""

    __table_args__ = (
        UniqueConstraint("person_id", "meeting_id", "attended_on"),
        Index("ix_meetingattendance_person_when", "person_id", "attended_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=False)
    meeting_id: int | None = _meeting_fk(nullable=True, ondelete="SET NULL")
    attended_on: date  # the meeting's local date
    attended_at: datetime = Field(sa_type=UTCDateTime)  # when that occurrence started
    created_at: datetime = Field(sa_type=UTCDateTime)


class MeetingCancellation(SQLModel, table=True):
    """One date off ("no meeting on 25 Dec"), shown as cancelled in search."""

    __table_args__ = (UniqueConstraint("meeting_id", "on_date"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = _meeting_fk(index=False)
    on_date: date  # the meeting's local date
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)


# --- Release day (issue 8): companions, release requests, offers, status, retention --------
# A companion applies (areas, fellowship, gender, clean time) and a coordinator approves
# through the role request, recording the date vetting was done (no documents are kept).
# A release request is drafted step by step (status "draft"), then offered to companions
# who cover the prison's or the destination's area; the first to accept is assigned.
# Timed duties (reminders, the 72-hour escalation, aftercare evening check-ins, closing and
# erasing) are rows with an indexed UTC `due_at`, claimed by compare-and-set. Thirty days
# after a request closes its details are erased and only an anonymous count remains.


def _release_fk(*, index: bool = True) -> Any:
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("releaserequest.id", ondelete="CASCADE"), nullable=False, index=index),
    )


class CompanionProfile(SQLModel, table=True):
    """A companion's application and, once approved, their vetting record and availability."""

    __table_args__ = (UniqueConstraint("person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=False)
    fellowship: str | None = Field(default=None, sa_type=String(8))
    gender: str | None = Field(default=None, sa_type=String(12))  # woman / man / nonbinary
    clean_time: str | None = Field(default=None, sa_type=String(8))  # "lt1", "1to2", "2to5", "5plus"
    submitted_at: datetime | None = _utc()
    vetted_on: date | None = None  # the day a coordinator says vetting was completed
    vetted_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)
    paused: bool = False  # not taking new requests for now
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class CompanionArea(SQLModel, table=True):
    """A postcode district or town a companion can get to, by its centre point."""

    __table_args__ = (
        UniqueConstraint("companion_id", "place_key"),
        Index("ix_companionarea_position", "latitude", "longitude"),
    )

    id: int | None = Field(default=None, primary_key=True)
    companion_id: int = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("companionprofile.id", ondelete="CASCADE"), nullable=False, index=True),
    )
    place_key: str = Field(sa_type=String(16))  # bot.services.places key: "oLS6", "t1234"
    label: str = Field(sa_type=String(100))
    latitude: float
    longitude: float


class ReleaseRequest(SQLModel, table=True):
    """Someone leaving prison who would like a companion at the gate.

    Prison, date, destination, needs and notes are seen only by the assigned companion and
    coordinators (and the person themselves); probation details and notes are encrypted.
    """

    __table_args__ = (
        Index("ix_releaserequest_status_date", "status", "release_date"),
        Index("ix_releaserequest_release_date", "release_date"),  # the report's releases in a period
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = _person_fk(nullable=True, ondelete="SET NULL")
    created_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL")
    companion_id: int | None = _person_fk(nullable=True, ondelete="SET NULL")
    on_behalf: bool = False  # made by a coordinator; the person connects later with a card
    status: str = Field(default="draft", sa_type=String(10))  # draft / open / assigned / closed
    outcome: str | None = Field(default=None, sa_type=String(16))  # why it closed
    day_status: str | None = Field(default=None, sa_type=String(16))  # the companion's latest report
    prison_code: str | None = Field(default=None, sa_type=String(8))
    release_date: date | None = None
    release_time: str | None = Field(default=None, sa_type=String(5))  # "HH:MM"; None = morning, not known yet
    destination_key: str | None = Field(default=None, sa_type=String(16))
    destination_label: str | None = Field(default=None, sa_type=String(100))
    destination_latitude: float | None = None
    destination_longitude: float | None = None
    gender_preference: str | None = Field(default=None, sa_type=String(8))  # any / woman / man
    fellowship: str | None = Field(default=None, sa_type=String(8))
    needs: str | None = Field(default=None, sa_type=String(64))  # comma-separated codes; "" = none
    probation_enc: str | None = Field(default=None, sa_type=Text)  # AES-GCM, bound to table.column#id (bot.crypto)
    notes_enc: str | None = Field(default=None, sa_type=Text)  # AES-GCM, bound to table.column#id (bot.crypto)
    invitation_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("invitation.id", ondelete="SET NULL"), nullable=True),
    )
    aftercare: str | None = Field(default=None, sa_type=String(8))  # asked / yes / no
    person_note_enc: str | None = Field(default=None, sa_type=Text)  # AES-GCM, bound to its row: shown to the person
    card_code_hash: str | None = Field(default=None, sa_type=String(64), index=True)  # keyed hash of the card's typed code
    claimed_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)
    claimed_at: datetime | None = _utc()  # opened the card; a coordinator confirms
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    submitted_at: datetime | None = _utc()
    assigned_at: datetime | None = _utc()
    closed_at: datetime | None = _utc()


class CardCodeTry(SQLModel, table=True):
    """Wrong release-card codes a person typed on one (London) day: after a few, no more
    tries that day, so the short code can't be guessed."""

    __table_args__ = (UniqueConstraint("person_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=False)
    day: date
    wrong: int = 0


class ReleaseOffer(SQLModel, table=True):
    """A request offered to one companion; it shows area, date, time and needs, no identity."""

    __table_args__ = (UniqueConstraint("request_id", "companion_id"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = _release_fk(index=False)
    companion_id: int = _person_fk()
    status: str = Field(default="offered", sa_type=String(10))  # offered / accepted / declined / taken / withdrawn
    created_at: datetime = Field(sa_type=UTCDateTime)
    answered_at: datetime | None = _utc()


class ReleaseEvent(SQLModel, table=True):
    """The request's history: submitted, accepted, date moved, at the gate, met, ..."""

    __table_args__ = (Index("ix_releaseevent_request_at", "request_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = _release_fk(index=False)
    kind: str = Field(sa_type=String(20))
    detail: str | None = Field(default=None, sa_type=String(32))  # e.g. the new date and time
    actor_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)
    at: datetime = Field(sa_type=UTCDateTime)


class ReleaseDuty(SQLModel, table=True):
    """Something to do for a request at a time: remind, escalate, prompt, close, erase.

    The tick claims a due row with `UPDATE ... SET due_at=<next or NULL> WHERE id=:id AND
    due_at=:seen`, so two processes never both act on it; a change of date re-arms it.
    """

    __table_args__ = (UniqueConstraint("request_id", "kind"), Index("ix_releaseduty_due", "due_at", "id"))

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = _release_fk(index=False)
    kind: str = Field(sa_type=String(12))  # day_before / morning / escalate / evening / close / erase
    due_at: datetime | None = _utc()
    done_at: datetime | None = _utc()


class ReleaseTally(SQLModel, table=True):
    """What is left of erased requests: how many closed each month, by outcome. Nothing else."""

    __table_args__ = (UniqueConstraint("month", "outcome"),)

    id: int | None = Field(default=None, primary_key=True)
    month: str = Field(sa_type=String(7))  # "2026-12", the month the request closed
    outcome: str = Field(sa_type=String(16))
    count: int = 0


# --- Supporters and alerts (issue 6) -----------------------------------------------------
# A member links up to five supporters, in the order they should be asked (sponsor first),
# and chooses for each what they see beyond "checking in or not". When the member goes quiet
# (a prompt missed and no check-in for their threshold), asks for help, shares a slip or has
# three very low days, an incident opens and alerts one person at a time: supporters in
# order, then the coordinators on call. Each schedulable row carries an indexed UTC due time
# claimed by compare-and-set; `Incident.step` versions an incident so a tick, a button press
# and a re-route after a blocked bot never both move it on. Relay messages are never stored
# here: they live only in the outbox, which clears them once delivered.


class SupportLink(SQLModel, table=True):
    """One supporter of one member: their place in the order and what the member shares."""

    __table_args__ = (
        UniqueConstraint("member_id", "supporter_id"),
        Index("ix_supportlink_member_position", "member_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = _person_fk(index=False)
    supporter_id: int = _person_fk()
    position: int  # 1 is asked first
    share_mood: bool = False
    share_slips: bool = False
    created_at: datetime = Field(sa_type=UTCDateTime)


class AlertPlan(SQLModel, table=True):
    """A member's lapse threshold, and when their silence is next worth a look.

    `lapse_day` is the local day whose prompt is watched and `lapse_due_at` that prompt plus
    the threshold. The lapse tick reads only due rows (index on time, id) and claims each by
    compare-and-set on `lapse_due_at`. None: nothing to watch (no supporters yet, or an alert
    is already out until the member checks in again).
    """

    __table_args__ = (UniqueConstraint("person_id"), Index("ix_alertplan_due", "lapse_due_at", "id"))

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=False)
    threshold_hours: int = 24
    lapse_day: date | None = None
    lapse_due_at: datetime | None = _utc()
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Incident(SQLModel, table=True):
    """Someone may need help: a lapse, an SOS, a slip they shared, or three very low days."""

    __table_args__ = (
        Index("ix_incident_escalation", "next_escalation_at", "id"),
        Index("ix_incident_member_status", "member_id", "status"),
        Index("ix_incident_opened_at", "opened_at"),  # the report's alerts in a period
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = _person_fk(index=False)
    kind: str = Field(sa_type=String(10))  # lapse / sos / slip / low_mood
    status: str = Field(default="open", sa_type=String(12))  # open / acknowledged / unanswered / resolved
    step: int = 0  # bumped each time the alert moves on: the compare-and-set version
    opened_at: datetime = Field(sa_type=UTCDateTime)
    next_escalation_at: datetime | None = _utc()
    acknowledged_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)
    acknowledged_at: datetime | None = _utc()
    closed_at: datetime | None = _utc()


class AlertRecipient(SQLModel, table=True):
    """One person alerted about an incident (the chain, in order of `step`) and their answer."""

    __table_args__ = (UniqueConstraint("incident_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("incident.id", ondelete="CASCADE"), nullable=False),
    )
    person_id: int = _person_fk()
    role: str = Field(sa_type=String(12))  # supporter / coordinator
    step: int  # the incident's step when this person was alerted
    alerted_at: datetime = Field(sa_type=UTCDateTime)
    response: str | None = Field(default=None, sa_type=String(12))  # reaching_out / cant / no_answer / unreachable
    responded_at: datetime | None = _utc()


class CoordinatorDuty(SQLModel, table=True):
    """Whether a coordinator takes alerts every supporter has passed on. No row: on call."""

    __table_args__ = (UniqueConstraint("person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=False)
    on_call: bool = True
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # The rota: the London weekdays they are on call, one bit each (Monday = 1, Sunday = 64).
    # 127 (every day) until they choose; see `bot.services.support.escalation`.
    days: int = Field(default=127, sa_column_kwargs={"server_default": "127"})


class RelaySession(SQLModel, table=True):
    """Who may pass messages to whom through the bot (a member and a supporter or coordinator).
    Neither sees the other's Telegram account; the messages are not kept here."""

    __table_args__ = (UniqueConstraint("member_id", "helper_id"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = _person_fk(index=False)
    helper_id: int = _person_fk()
    status: str = Field(default="open", sa_type=String(8))  # open / stopped
    stopped_by_id: int | None = _person_fk(nullable=True, ondelete="SET NULL", index=False)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # When a message last went through: for a day after it, plain text from either side goes
    # to the other without tapping Reply (an open conversation). Never the words themselves.
    last_message_at: datetime | None = _utc()


class AuditEntry(SQLModel, table=True):
    """Accountability: a coordinator or companion viewed or changed a release request or an
    alert escalated to coordinators (who, as a pseudonymous person id; what; which record;
    when). Erased with its record and after AUDIT_RETENTION_DAYS; when the actor erases
    themselves the row stays, without them (`actor_id` NULL): it is about the record's person.
    """

    __table_args__ = (
        Index("ix_auditentry_subject", "subject", "subject_id", "at"),
        Index("ix_auditentry_at", "at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = _person_fk(nullable=True, ondelete="SET NULL")
    actor_role: str = Field(sa_type=String(12))  # coordinator / companion
    action: str = Field(sa_type=String(20))  # viewed / moved / assigned / closed / acknowledged ...
    subject: str = Field(sa_type=String(8))  # release / alert
    subject_id: int  # the request's or incident's id (no foreign key: erased with it, explicitly)
    at: datetime = Field(sa_type=UTCDateTime)
# --- Telegram's send budget (issue 15): one shared by every process ----------------------


class SendBudget(SQLModel, table=True):
    """One limit of Telegram's, shared by every process that sends (bot/services/send_budget.py).

    `key` is "all" (the bot's overall rate), "c:<slot>" (a private chat, 1 message/s) or
    "g:<slot>" (a group, 20/min); a slot is a keyed hash of the chat id cut to 14 bits, so
    a row never names anyone. Times are Unix seconds: `tat` is when the limit is next free
    (the "theoretical arrival time" of a virtual-scheduling rate limiter); on "all",
    `bulk_tat` is the same for bulk sends alone (OUTBOX_RATE_PER_SECOND) and `paused_until`
    holds bulk sends back after Telegram answered 429. `taker` marks who won the last grant.
    """

    key: str = Field(sa_type=String(16), primary_key=True)
    tat: float = 0.0
    bulk_tat: float = 0.0
    paused_until: float = 0.0
    taker: str = Field(default="", sa_type=String(16))
# --- Webhook workers (issue 15): updates received, durably, before Telegram is answered ---


class Inbox(SQLModel, table=True):
    """One update Telegram posted to a webhook worker, stored before the worker answers 200.

    Keyed by Telegram's `update_id`, so a second delivery of the same update is ignored. Any
    worker claims a pending row with a lease (`leased_until`, `lease_token`); a chat's rows are
    claimed one at a time in `update_id` order. The payload (the update, with what the person
    wrote) is encrypted and cleared, with `chat_key`, once handled; the bare row stays a day so
    late duplicates are still recognised. See bot/inbox.py.
    """

    __table_args__ = (
        Index("ix_inbox_pending", "status", "chat_key", "update_id"),
        Index("ix_inbox_handled", "handled_at"),
    )

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_key: str = Field(sa_type=String(64))  # keyed hash of the chat (as Person.telegram_hash); "" once handled
    kind: str = Field(sa_type=String(32))  # message, callback_query...: for counts, never content
    payload: str = Field(sa_type=Text)  # the update's JSON, encrypted (bot.crypto.INBOX_PAYLOAD); "" once handled
    status: str = Field(default="pending", sa_type=String(16))  # pending/done
    received_at: datetime = Field(sa_type=UTCDateTime)
    leased_until: datetime | None = _utc()
    lease_token: str | None = Field(default=None, sa_type=String(32))
    attempts: int = 0
    handled_at: datetime | None = _utc()
# --- Monthly wellbeing check (issue 16) ---------------------------------------------------


class WellbeingCheck(SQLModel, table=True):
    """One member's monthly wellbeing check (BARC-10): offered once a month, optional.

    `answers` holds the answers given so far, one digit 1-6 per statement in order, so a
    check can be left and finished later the same month; `total` (10-60) is set once all
    ten are answered. Skipped or stopped checks keep no answers. Erased with the person.
    """

    __table_args__ = (UniqueConstraint("person_id", "month"), Index("ix_wellbeingcheck_month", "month"))

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=False)
    month: str = Field(sa_type=String(7))  # "2026-12", the member's local month
    status: str = Field(default="offered", sa_type=String(10))  # offered / started / done / skipped / stopped
    answers: str = Field(default="", sa_type=String(10))
    total: int | None = None
    offered_at: datetime = Field(sa_type=UTCDateTime)
    completed_at: datetime | None = _utc()
