"""The report's and the wellbeing check's buttons, defined once.

`v1:rp:<months>`: a coordinator's choice of period for /report (one of `period.CHOICES`).
`v1:wb:<action>:<yyyymm>:<statement>:<answer>`: the monthly wellbeing check. Nothing in
either is trusted: the presser is looked up and checked (a coordinator; their own check of
their own current month, at the statement it is waiting for).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.buttons import Family
from bot.services.reports.period import CHOICES
from bot.services.validation import is_digits

REPORT = Family("rp")
WELLBEING = Family("wb")


def report_period(months: int) -> str:
    return REPORT.data(months)


def parse_report_period(data: object) -> int | None:
    """The number of months pressed, or None for anything that isn't one of the choices."""
    parts = REPORT.parts(data)
    if parts is None or len(parts) != 1 or not is_digits(parts[0]) or int(parts[0]) not in CHOICES:
        return None
    return int(parts[0])


class WellbeingAction(StrEnum):
    START = "s"
    NOT_NOW = "n"
    STOP = "x"
    ANSWER = "a"


@dataclass(frozen=True)
class WellbeingPress:
    action: WellbeingAction
    month: str  # "2026-12"
    statement: int = 0
    answer: int = 0


def wellbeing(action: WellbeingAction, month: str, statement: int = 0, answer: int = 0) -> str:
    return WELLBEING.data(action.value, month.replace("-", ""), statement, answer)


def parse_wellbeing(data: object) -> WellbeingPress | None:
    """A well-formed press (it may still be stale: the service checks it against the row)."""
    parts = WELLBEING.parts(data)
    if parts is None or len(parts) != 4 or not all(is_digits(p) for p in parts[1:]):
        return None
    try:
        action = WellbeingAction(parts[0])
    except ValueError:
        return None
    month, statement, answer = parts[1], int(parts[2]), int(parts[3])
    if len(month) != 6 or not 1 <= int(month[4:]) <= 12 or not 0 <= statement < 10 or not 0 <= answer <= 6:
        return None
    return WellbeingPress(action, f"{month[:4]}-{month[4:]}", statement, answer)
