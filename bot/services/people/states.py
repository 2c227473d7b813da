"""The people package's statuses and kinds, defined once. Stored values are these strings
(a `StrEnum` is a `str`), so rows written before keep their meaning and no migration is needed."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    SUPPORTER = "supporter"
    SECRETARY = "secretary"
    COMPANION = "companion"
    COORDINATOR = "coordinator"


class Purpose(StrEnum):
    """What brings someone here (asked during set-up)."""

    RECOVERY = "recovery"
    PRISON = "prison"
    SUPPORT = "support"
    MEETING = "meeting"
    COMPANION = "companion"


class Step(StrEnum):
    """A set-up question (stored in `Person.awaiting` while it is asked)."""

    PSEUDONYM = "pseudonym"
    PURPOSE = "purpose"
    TIMEZONE = "timezone"
    CHECKIN_TIME = "checkin_time"
    CLEAN_DATE = "clean_date"


class RequestStatus(StrEnum):
    """`RoleRequest.status`."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class GrantSource(StrEnum):
    """`RoleGrant.source`: from COORDINATOR_TELEGRAM_IDS, or granted in the bot."""

    SETTINGS = "settings"
    GRANTED = "granted"


class RoleChangeKind(StrEnum):
    """`RoleChange.change`."""

    GRANTED = "granted"
    REMOVED = "removed"
    STEPPED_DOWN = "stepped_down"


class InvitationProblem(StrEnum):
    """Why an invitation can't be used."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


class News(StrEnum):
    """Outbox kinds the people package writes."""

    ROLE_REQUEST = "role_request"
    ROLE_OUTCOME = "role_outcome"
    COORDINATOR_ADDED = "coordinator_added"
