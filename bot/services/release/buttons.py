"""The release feature's buttons, each family defined once with typed pack/parse helpers.

Data already sent to people keeps working: every action's VALUE is the short code the
button always carried. Parsing never trusts the data: a parse gives None for anything
malformed, forged or from another family, and the handler answers it as a stale button;
the ids inside are looked up and checked against the presser by the services.

- `cm` the person's own companion application and profile: `v1:cm:<action>[:<value>]`
- `cv` a coordinator approving a companion after vetting: `v1:cv:<role request id>[:today]`
- `rq` a draft request: `v1:rq:new:<me|other>`, `v1:rq:<request id>:<action>[:<value>]`
- `rx` a sent request: `v1:rx:<request id>:<action>[:<value>]`
- `ro` an offer to a companion: `v1:ro:<offer id>:<a|d>`
- `rs` the day itself: `v1:rs:<request id>:<status or action>`
- `ra` check-ins after release, and the hand-over: `v1:ra:<request id>:<y|n|h>`
- `rk` a coordinator confirming who opened a card: `v1:rk:<request id>:<claimant id>:<y|n>`
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from bot.buttons import Family
from bot.services.validation import is_digits

CM = Family("cm")
CV = Family("cv")
RQ = Family("rq")
RX = Family("rx")
RO = Family("ro")
RS = Family("rs")
RA = Family("ra")
RK = Family("rk")

_E = TypeVar("_E", bound=StrEnum)


def _member(kind: type[_E], code: str) -> _E | None:
    """The action a code stands for, or None for one nobody ever sent."""
    try:
        return kind(code)
    except ValueError:
        return None


def _number(part: str) -> int | None:
    return int(part) if is_digits(part) else None


# --- cm: the application and profile -----------------------------------------------------------


class ApplicationAction(StrEnum):
    APPLY = "apply"
    FELLOWSHIP = "f"
    GENDER = "g"
    CLEAN_TIME = "c"
    ADD_AREA = "a"  # value: a place key
    AREAS_DONE = "done"
    CLEAR_AREAS = "clear"
    CHANGE_AREAS = "areas"
    SEND = "send"
    PAUSE = "pause"
    RESUME = "resume"


@dataclass(frozen=True)
class ApplicationPress:
    action: ApplicationAction
    value: str = ""


def application(action: ApplicationAction, value: str = "") -> str:
    return CM.data(action, value) if value else CM.data(action)


def parse_application(data: object) -> ApplicationPress | None:
    parts = CM.parts(data)
    if not parts or len(parts) > 2 or (action := _member(ApplicationAction, parts[0])) is None:
        return None
    return ApplicationPress(action, parts[1] if len(parts) > 1 else "")


# --- cv: approving a companion --------------------------------------------------------------------


@dataclass(frozen=True)
class VettingPress:
    role_request_id: int
    today: bool  # "vetting was done today", instead of typing the date


def vetting(role_request_id: int | None, *, today: bool = False) -> str:
    return CV.data(role_request_id, "today") if today else CV.data(role_request_id)


def parse_vetting(data: object) -> VettingPress | None:
    parts = CV.parts(data)
    if not parts or len(parts) > 2 or (request_id := _number(parts[0])) is None or parts[1:] not in ([], ["today"]):
        return None
    return VettingPress(request_id, parts[1:] == ["today"])


# --- rq: a draft --------------------------------------------------------------------------------


class NewFor(StrEnum):
    ME = "me"
    SOMEONE_ELSE = "other"


class DraftAction(StrEnum):
    PRISON = "p"  # value: a prison code
    MORNING = "t"  # value: "m" (time not known: morning)
    DESTINATION = "d"  # value: a place key
    GENDER = "g"
    FELLOWSHIP = "f"
    NEED = "n"  # value: a need code, or "done"
    SKIP = "s"
    SEND = "send"
    CHANGE = "edit"
    EDIT_STEP = "e"  # value: the step to change
    DISCARD = "x"


NEEDS_DONE = "done"
MORNING_VALUE = "m"


@dataclass(frozen=True)
class NewRequest:
    who: NewFor


@dataclass(frozen=True)
class DraftPress:
    request_id: int
    action: DraftAction
    value: str = ""


def new_request(who: NewFor) -> str:
    return RQ.data("new", who)


def draft(request_id: int | None, action: DraftAction, value: str = "") -> str:
    return RQ.data(request_id, action, value) if value else RQ.data(request_id, action)


def parse_draft(data: object) -> NewRequest | DraftPress | None:
    parts = RQ.parts(data)
    if parts is None or len(parts) not in (2, 3):
        return None
    if parts[0] == "new":
        who = _member(NewFor, parts[1])
        return NewRequest(who) if who is not None and len(parts) == 2 else None
    request_id, action = _number(parts[0]), _member(DraftAction, parts[1])
    if request_id is None or action is None:
        return None
    return DraftPress(request_id, action, parts[2] if len(parts) > 2 else "")


# --- rx: a sent request -----------------------------------------------------------------------------


class ManageAction(StrEnum):
    OPEN = "v"
    DATE = "date"
    TIME = "time"
    MORNING = "tm"
    PICK_COMPANION = "as"
    ASSIGN_TO = "to"  # value: the companion's person id
    NEW_CARD = "card"
    CLOSE = "close"
    OUTCOME = "out"  # value: the outcome


@dataclass(frozen=True)
class ManagePress:
    request_id: int
    action: ManageAction
    value: str = ""


def manage(request_id: int | None, action: ManageAction, value: object = "") -> str:
    return RX.data(request_id, action, value) if value != "" else RX.data(request_id, action)


def parse_manage(data: object) -> ManagePress | None:
    parts = RX.parts(data)
    if parts is None or len(parts) not in (2, 3):
        return None
    request_id, action = _number(parts[0]), _member(ManageAction, parts[1])
    if request_id is None or action is None:
        return None
    return ManagePress(request_id, action, parts[2] if len(parts) > 2 else "")


# --- ro, rs, ra: an id and one action ---------------------------------------------------------------


class OfferAnswer(StrEnum):
    ACCEPT = "a"
    DECLINE = "d"


class DayAction(StrEnum):
    ON_WAY = "w"
    AT_GATE = "g"
    MET = "m"
    DELAYED = "d"
    NOT_RELEASED = "n"
    NOT_FOUND = "f"
    WENT_TOGETHER = "t"  # after "met": went to a meeting together
    VIEW = "v"  # the companion opens the request from their profile


class AftercareAnswer(StrEnum):
    YES = "y"
    NO = "n"
    HAND_OVER = "h"  # the companion, handing over to a sponsor


@dataclass(frozen=True)
class Press(Generic[_E]):
    """An id (offer or request) and what was pressed for it."""

    id: int
    action: _E


def _parse_pair(family: Family, kind: type[_E], data: object) -> Press[_E] | None:
    parts = family.parts(data)
    if parts is None or len(parts) != 2 or (number := _number(parts[0])) is None:
        return None
    action = _member(kind, parts[1])
    return Press(number, action) if action is not None else None


def offer(offer_id: int | None, answer: OfferAnswer) -> str:
    return RO.data(offer_id, answer)


def parse_offer(data: object) -> Press[OfferAnswer] | None:
    return _parse_pair(RO, OfferAnswer, data)


def day(request_id: int | None, action: DayAction) -> str:
    return RS.data(request_id, action)


def parse_day(data: object) -> Press[DayAction] | None:
    return _parse_pair(RS, DayAction, data)


def aftercare(request_id: int | None, answer: AftercareAnswer) -> str:
    return RA.data(request_id, answer)


def parse_aftercare(data: object) -> Press[AftercareAnswer] | None:
    return _parse_pair(RA, AftercareAnswer, data)


# --- rk: is this them? --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfirmPress:
    request_id: int
    claimant_id: int
    yes: bool


def confirm(request_id: int | None, claimant_id: int | None, yes: bool) -> str:
    return RK.data(request_id, claimant_id, "y" if yes else "n")


def parse_confirm(data: object) -> ConfirmPress | None:
    parts = RK.parts(data)
    if parts is None or len(parts) != 3 or parts[2] not in ("y", "n"):
        return None
    request_id, claimant_id = _number(parts[0]), _number(parts[1])
    if request_id is None or claimant_id is None:
        return None
    return ConfirmPress(request_id, claimant_id, parts[2] == "y")
