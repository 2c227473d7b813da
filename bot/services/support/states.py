"""The support feature's statuses and kinds, defined once. Stored values are these
strings (a StrEnum is a str), so rows already written keep their meaning."""

from __future__ import annotations

from enum import StrEnum


class IncidentKind(StrEnum):
    LAPSE = "lapse"  # no check-in for the member's threshold after a prompt
    SOS = "sos"  # /sos or "I need support now"
    SLIP = "slip"  # a slip the member chose to tell their supporters about
    LOW_MOOD = "low_mood"  # three very low days in a row


class IncidentStatus(StrEnum):
    OPEN = "open"  # waiting for someone to answer
    ACKNOWLEDGED = "acknowledged"  # someone is reaching out
    UNANSWERED = "unanswered"  # nobody left to ask
    RESOLVED = "resolved"  # the member checked in (a lapse)


class AlertRole(StrEnum):
    SUPPORTER = "supporter"
    COORDINATOR = "coordinator"


class AlertResponse(StrEnum):
    REACHING_OUT = "reaching_out"
    CANT = "cant"
    NO_ANSWER = "no_answer"  # the window passed
    UNREACHABLE = "unreachable"  # the alert could not be delivered
    LEFT = "left"  # the link or role ended, or the person left


class RelayStatus(StrEnum):
    OPEN = "open"
    STOPPED = "stopped"


class CrisisSource(StrEnum):
    """Where someone asked for support now."""

    COMMAND = "command"
    PROMPT = "prompt"
    CHECKIN = "checkin"
    REMINDER = "reminder"
    TYPED = "typed"


class OutboxKind(StrEnum):
    """The support feature's outbox rows."""

    ALERT = "alert"  # an alert with buttons; re-routed when it can't be delivered
    ALERT_NEWS = "alert_news"  # who is reaching out, "has checked in", "couldn't reach"
    LINK_NEWS = "support_link"  # a link accepted, declined or ended
    RELAY_MESSAGE = "relay"  # a passed-on message; re-routed when undeliverable
    RELAY_NEWS = "relay_news"
