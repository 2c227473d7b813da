"""The check-in button families, defined once: `v1:ci:` (the check-in card) and `v1:cp:`
(pause, resume and reminders). Everything that builds or reads their data uses these helpers.

The action values are the short codes already on buttons in people's chats, so those keep
working. Data is never trusted: a parse returns None for anything malformed, forged or
unknown, and the handler answers that as a stale button; what is left is still checked
against the presser's own data (their local day, their plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot import texts
from bot.buttons import Button, Family, inline
from bot.services.checkins.states import Clean

CARD = Family("ci")  # v1:ci:<action>:<yyyymmdd>[:<value>]
PLAN = Family("cp")  # v1:cp:<action>[:<value>]

# Hours after an unanswered prompt that a reminder may come (the member picks one or none).
REMINDER_CHOICES = (2, 3, 4, 6)


# --- the check-in card: v1:ci:<action>:<yyyymmdd>[:<value>] ----------------------------------


class CardAction(StrEnum):
    """One press on the card."""

    MOOD = "m"  # value: 1-5
    CLEAN = "c"  # value: a `CLEAN_CODES` key
    RESET = "r"  # after a slip, restart the clean date? value: y / n
    TELL = "t"  # after a slip, tell supporters? value: y / n
    MEETING = "g"  # went to a meeting
    NOTE = "n"  # add a note (then typed)
    SKIP_NOTE = "k"
    DONE = "d"


YES, NO = "y", "n"
CLEAN_CODES: dict[str, Clean] = {"y": Clean.YES, "s": Clean.SLIP, "p": Clean.PRIVATE}
# The values each action accepts, or None for an action without a value.
_CARD_VALUES: dict[CardAction, tuple[str, ...] | None] = {
    CardAction.MOOD: tuple(str(mood) for mood in texts.MOOD_FACES),
    CardAction.CLEAN: tuple(CLEAN_CODES),
    CardAction.RESET: (YES, NO),
    CardAction.TELL: (YES, NO),
    CardAction.MEETING: None,
    CardAction.NOTE: None,
    CardAction.SKIP_NOTE: None,
    CardAction.DONE: None,
}


@dataclass(frozen=True)
class CardPress:
    """A well-formed press on a card for `day`; `value` as listed in `_CARD_VALUES`."""

    action: CardAction
    day: date
    value: str | None = None

    @property
    def yes(self) -> bool:
        return self.value == YES


def day_code(day: date) -> str:
    return f"{day:%Y%m%d}"


def parse_day(code: str) -> date | None:
    """A `day_code`, or None for anything else."""
    try:
        return datetime.strptime(code, "%Y%m%d").date() if len(code) == 8 else None
    except ValueError:
        return None


def card_button(label: str, action: CardAction, day: date, value: str | None = None) -> Button:
    data = CARD.data(action, day_code(day)) if value is None else CARD.data(action, day_code(day), value)
    return label, data


def parse_card(data: object) -> CardPress | None:
    """The press behind `v1:ci:...` data, or None for anything malformed or forged."""
    parts = CARD.parts(data)
    if parts is None or len(parts) not in (2, 3) or parts[0] not in _CARD_VALUES:
        return None
    action, day, value = CardAction(parts[0]), parse_day(parts[1]), parts[2] if len(parts) == 3 else None
    allowed = _CARD_VALUES[action]
    if day is None or (value is None) != (allowed is None) or (allowed is not None and value not in allowed):
        return None
    return CardPress(action, day, value)


# --- pause, resume, reminders: v1:cp:<action>[:<value>] --------------------------------------


class PlanAction(StrEnum):
    PAUSE = "p"  # value: days, or "date" to type one
    RESUME = "resume"
    CHANGE_DATE = "change"  # already paused: pick again
    REMINDER = "rem"  # value: hours, "off", or "stop" (pressed on a reminder itself)


_PLAN_ACTIONS = {action.value for action in PlanAction}
_PICK_DATE, _OFF, _STOP = "date", "off", "stop"


@dataclass(frozen=True)
class PlanPress:
    """A well-formed plan press. For PAUSE, `days` None means "let me type a date"; for
    REMINDER, `hours` None means off, and `stop` that it was pressed on a reminder."""

    action: PlanAction
    days: int | None = None
    hours: int | None = None
    stop: bool = False


def _pause_days() -> dict[str, int]:
    return {str(days): days for days, _ in texts.PAUSE_CHOICES}


def parse_plan(data: object) -> PlanPress | None:
    """The press behind `v1:cp:...` data, or None for anything malformed, forged or unknown."""
    parts = PLAN.parts(data)
    if parts is None or len(parts) > 2 or parts[0] not in _PLAN_ACTIONS:
        return None
    action, value = PlanAction(parts[0]), parts[1] if len(parts) == 2 else ""
    if action in (PlanAction.RESUME, PlanAction.CHANGE_DATE):
        return PlanPress(action) if not value else None
    if action is PlanAction.PAUSE:
        if value == _PICK_DATE:
            return PlanPress(action)
        return PlanPress(action, days=_pause_days()[value]) if value in _pause_days() else None
    if value in (_OFF, _STOP):
        return PlanPress(action, stop=value == _STOP)
    hours = {str(h): h for h in REMINDER_CHOICES}.get(value)
    return PlanPress(action, hours=hours) if hours is not None else None


def pause_choices() -> dict[str, object]:
    """For N days (each of `texts.PAUSE_CHOICES`), or until a typed date."""
    choices = [(label, PLAN.data(PlanAction.PAUSE, days)) for days, label in texts.PAUSE_CHOICES]
    return inline([choices[:2], choices[2:], [(texts.PAUSE_PICK_DATE, PLAN.data(PlanAction.PAUSE, _PICK_DATE))]])


def resume_button() -> Button:
    return texts.RESUME_BUTTON, PLAN.data(PlanAction.RESUME)


def change_date_button() -> Button:
    return texts.CHANGE_DATE_BUTTON, PLAN.data(PlanAction.CHANGE_DATE)


def resume_markup(*more: Button) -> dict[str, object]:
    return inline([[resume_button(), *more]])


def reminder_choices() -> dict[str, object]:
    """Every N hours of `REMINDER_CHOICES`, or off."""
    choices = [(texts.REMINDER_CHOICE.format(hours=h), PLAN.data(PlanAction.REMINDER, h)) for h in REMINDER_CHOICES]
    return inline([choices[:2], choices[2:], [(texts.REMINDER_OFF_BUTTON, PLAN.data(PlanAction.REMINDER, _OFF))]])


def stop_reminders_button() -> Button:
    """On a reminder: turn reminders off, keeping the reminder's own check-in buttons."""
    return texts.REMINDER_STOP_BUTTON, PLAN.data(PlanAction.REMINDER, _STOP)
