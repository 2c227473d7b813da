"""The meetings feature's statuses and kinds, defined once. Values are the strings already
stored in the database and outbox, so no migration is needed (a StrEnum is a str)."""

from __future__ import annotations

from enum import StrEnum


class MeetingStatus(StrEnum):
    """`Meeting.status`: a draft is only its secretary's; only active listings are shown."""

    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"


class Attendance(StrEnum):
    """`Meeting.attendance`: how people take part."""

    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class NoticeKind(StrEnum):
    """Outbox kinds the meetings feature queues."""

    REMINDER = "meeting_reminder"
    NEWS = "meeting_news"
    ANNOUNCEMENT = "meeting_announcement"
    LISTING_CHECK = "listing_check"


class Went(StrEnum):
    """What became of an "I went"."""

    COUNTED = "counted"
    ALREADY = "already"
    NOT_YET = "not_yet"
    CANCELLED = "cancelled"


class Mode(StrEnum):
    """Whether a secretary's question is part of adding a listing or changing one field."""

    ADDING = "a"
    EDITING = "e"


class FeedKind(StrEnum):
    """`MeetingSource.kind`: which shape of feed a source publishes."""

    MEETING_GUIDE = "meeting_guide"
    BMLT = "bmlt"
