"""How long an alert waits for an answer before it moves on to the next person.

The windows come from Settings (`ALERT_ESCALATION_HOURS`, `SOS_ESCALATION_MINUTES`) through
whoever opens an incident: the caller passes `Windows.of(rt.settings)`. An incident keeps
the window it was opened with: each person asked after the first gets as long as the
first did (`alerts._pass_on` reads it back from the incident's own due time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.services.support.states import IncidentKind


class WindowSettings(Protocol):
    """The two Settings fields the windows come from."""

    alert_escalation_hours: float
    sos_escalation_minutes: float


@dataclass(frozen=True)
class Windows:
    """A lapse waits hours (`lapse`); an SOS, a shared slip or three very low days minutes
    (`immediate`): someone who asked for support now can't wait the hours a missed
    check-in may."""

    lapse: timedelta
    immediate: timedelta

    @classmethod
    def of(cls, settings: WindowSettings) -> Windows:
        return cls(timedelta(hours=settings.alert_escalation_hours), timedelta(minutes=settings.sos_escalation_minutes))

    def for_kind(self, kind: str) -> timedelta:
        return self.lapse if kind == IncidentKind.LAPSE else self.immediate
