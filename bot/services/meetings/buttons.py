"""The meetings feature's two button families, each defined once:

- `FIND` (`v1:mt:`): finding meetings and one meeting's buttons (Map, Remind me, Follow, I went).
- `LISTING` (`v1:sc:`): a secretary's /addmeeting and /mymeetings buttons.

Action values are the short codes already sent to people, so old buttons keep working.
Parsing never trusts the data: it only splits it into a typed press, or None for anything
malformed; the handler still looks everything up and checks the presser may act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from bot.buttons import Family
from bot.services.validation import is_digits

FIND = Family("mt")
LISTING = Family("sc")
E = TypeVar("E", bound=StrEnum)
_DAY_FORMAT = "%Y%m%d"


class FindAction(StrEnum):
    """What a `v1:mt:` button does."""

    PAGE = "r"  # a page of results: <anchor>:<filters>:<page>
    PICKER = "k"  # a filter's sub-menu: <anchor>:<filters>:<picker>
    PLACE = "pl"  # one of the places offered for a typed name: <place key>
    OPEN = "m"  # a meeting's details: <meeting id>
    MAP = "v"  # a map pin: <meeting id>
    REMIND = "n"  # reminders on/off: <meeting id>:<1|0>
    FOLLOW = "f"  # follow on/off: <meeting id>:<1|0>
    WENT = "w"  # "I went": <meeting id>
    STOP_REMINDERS = "x"  # from a reminder message: <meeting id>


class Picker(StrEnum):
    """The filter sub-menus of a result list."""

    DAY = "day"
    FELLOWSHIP = "fel"
    TYPE = "type"


MEETING_ACTIONS = frozenset(
    {FindAction.OPEN, FindAction.MAP, FindAction.REMIND, FindAction.FOLLOW, FindAction.WENT, FindAction.STOP_REMINDERS}
)


class ListingAction(StrEnum):
    """What a `v1:sc:` button does; all but NEW and LIST name a meeting next."""

    NEW = "new"
    LIST = "ls"
    CONTINUE = "go"
    FELLOWSHIP = "fel"
    ATTENDANCE = "att"
    DAY = "day"
    DAYS_DONE = "dd"
    TYPE = "ty"
    TYPES_DONE = "td"
    SKIP = "skip"
    PUBLISH = "pub"
    CHANGE = "ch"
    EDIT_FIELD = "ed"
    BACK = "bk"
    DISCARD = "del"
    MANAGE = "mg"
    PAUSE = "pa"
    CANCEL_DATES = "cx"
    CANCEL_DATE = "cd"
    ANNOUNCE = "an"
    DELETE = "rm"
    CONFIRM = "ok"


# --- packing ---------------------------------------------------------------------------------


def page(anchor: str, filters: str, number: int) -> str:
    return FIND.data(FindAction.PAGE, anchor, filters, number)


def picker(anchor: str, filters: str, which: Picker) -> str:
    return FIND.data(FindAction.PICKER, anchor, filters, which)


def place(key: str) -> str:
    return FIND.data(FindAction.PLACE, key)


def meeting(action: FindAction, meeting_id: int | None, on: bool | None = None) -> str:
    """A button about one meeting; `on` for the Remind me / Follow switches."""
    if on is None:
        return FIND.data(action, meeting_id)
    return FIND.data(action, meeting_id, int(on))


def listing(action: ListingAction, meeting_id: int | None = None, *args: object) -> str:
    """A secretary's button: the action, then (mostly) the meeting, then its argument."""
    if meeting_id is None:
        return LISTING.data(action)
    return LISTING.data(action, meeting_id, *args)


def day(value: date) -> str:
    """A date inside a button (the cancel-a-date buttons)."""
    return value.strftime(_DAY_FORMAT)


# --- parsing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindPress:
    action: FindAction
    args: list[str]


@dataclass(frozen=True)
class ListingPress:
    action: ListingAction
    meeting_id: int | None  # None when the button names no meeting (or a malformed one)
    args: list[str]  # what follows the meeting id
    names_meeting: bool  # a meeting id was given, even if malformed


def parse_find(data: object) -> FindPress | None:
    """A `v1:mt:` press, or None if it isn't one we know."""
    parts = FIND.parts(data)
    action = _member(FindAction, parts[0]) if parts else None
    return FindPress(action, parts[1:]) if parts and action is not None else None


def parse_listing(data: object) -> ListingPress | None:
    """A `v1:sc:` press, or None if it isn't one we know."""
    parts = LISTING.parts(data)
    action = _member(ListingAction, parts[0]) if parts else None
    if not parts or action is None:
        return None
    rest = parts[1:]
    return ListingPress(action, number(rest[0]) if rest else None, rest[1:], bool(rest))


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL: a larger one would fail the query


def number(text: str) -> int | None:
    """A plain ASCII id or page from a button, or None ("²" passes `isdigit` but is no
    number, and one past `MAX_ID` is no row of ours)."""
    if not (is_digits(text) and len(text) <= 10):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def parse_day(text: str) -> date | None:
    try:
        return datetime.strptime(text, _DAY_FORMAT).date()
    except ValueError:
        return None


def _member(kind: type[E], value: str) -> E | None:
    try:
        return kind(value)
    except ValueError:
        return None
