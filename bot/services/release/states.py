"""Every status and kind the release feature stores or sends, defined once.

The stored values are the same short strings as always (a `StrEnum` member is a `str`), so
rows written before these existed read back unchanged and no migration is needed.
"""

from __future__ import annotations

from enum import StrEnum


class RequestStatus(StrEnum):
    """`ReleaseRequest.status`: drafted step by step, then open to offers, then taken, then closed."""

    DRAFT = "draft"
    OPEN = "open"
    ASSIGNED = "assigned"
    CLOSED = "closed"


LIVE = (RequestStatus.OPEN, RequestStatus.ASSIGNED)  # sent and not closed yet


class Outcome(StrEnum):
    """`ReleaseRequest.outcome`, and what the anonymous counts are kept by."""

    MET = "met"
    NOT_RELEASED = "not_released"
    NOT_FOUND = "not_found"
    CANCELLED = "cancelled"
    WITHDRAWN = "withdrawn"  # the person was erased (/forget) before it closed
    NOT_RECORDED = "not_recorded"  # closed by the tick, nobody said how it went


class DayStatus(StrEnum):
    """`ReleaseRequest.day_status`: what the companion reported on the day."""

    ON_WAY = "on_way"
    AT_GATE = "at_gate"
    MET = "met"
    DELAYED = "delayed"
    NOT_RELEASED = "not_released"
    NOT_FOUND = "not_found"


ALERTS = (DayStatus.NOT_RELEASED, DayStatus.NOT_FOUND)  # reach coordinators at once, as alerts


class OfferStatus(StrEnum):
    """`ReleaseOffer.status`: one companion's offer."""

    OFFERED = "offered"
    DECLINED = "declined"
    ACCEPTED = "accepted"
    TAKEN = "taken"  # another companion said yes first
    WITHDRAWN = "withdrawn"  # the request closed, or the companion left


STILL_ANSWERABLE = (OfferStatus.OFFERED, OfferStatus.DECLINED)  # a "no" may become a "yes" while it is open


class Aftercare(StrEnum):
    """`ReleaseRequest.aftercare`: the check-ins question after meeting, and the hand-over."""

    ASKED = "asked"
    YES = "yes"
    NO = "no"
    HANDOVER = "handover"  # the companion asked a sponsor to take over
    DONE = "done"  # the sponsor took over; the companion stepped back


class Duty(StrEnum):
    """`ReleaseDuty.kind`: the timed jobs of one request."""

    DAY_BEFORE = "day_before"
    MORNING = "morning"
    ESCALATE = "escalate"
    CLOSE = "close"
    ERASE = "erase"
    EVENING = "evening"


REMINDERS = (Duty.DAY_BEFORE, Duty.MORNING)
BEFORE_CLOSING = (Duty.DAY_BEFORE, Duty.MORNING, Duty.ESCALATE, Duty.CLOSE)  # switched off when it closes


class Notice(StrEnum):
    """Outbox kinds: who a message is for, so an undeliverable one can be re-routed."""

    PERSON = "release_person"
    COMPANION = "release_companion"
    OFFER = "release_offer"
    COORDINATOR = "release_coordinator"
    ALERT = "release_alert"


class Event(StrEnum):
    """`ReleaseEvent.kind`: a request's history (the day statuses are recorded as themselves)."""

    SUBMITTED = "submitted"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    MOVED = "moved"
    ESCALATED = "escalated"
    CARD_OPENED = "card_opened"
    CARD_REJECTED = "card_rejected"
    NEW_CARD = "new_card"
    CONNECTED = "connected"
    CLOSED = "closed"
    WENT_TO_A_MEETING = "meeting"
    AFTERCARE = "aftercare"
    AFTERCARE_DECLINED = "aftercare_declined"
    HANDOVER = "handover"
    HANDED_OVER = "handed_over"


class ClaimProblem(StrEnum):
    """Why opening a release card didn't claim it."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REPLACED = "replaced"  # a newer card was made for the request
    WAITING = "waiting"  # they opened it already; a coordinator hasn't confirmed yet
    CONNECTED = "connected"  # it is theirs already
    LOCKED = "locked"  # too many wrong codes today


COMPANION_ROLE = "companion"  # the role (`RoleGrant.role`, `RoleRequest.role`) a companion holds
# The roles feature's (bot.services.people) status of a request still waiting for a
# decision; named here until that package defines its own enum for it.
ROLE_REQUEST_PENDING = "pending"
