"""The people package's buttons, each family defined once with typed pack/parse helpers.

Action values are the short codes already in buttons people hold, so old buttons keep
working. Parsing never trusts the data: anything unknown parses to None (a stale button),
and ids are only looked up server-side, where the presser's right to act is checked.

- `v1:ob:` set-up (consent, purpose, check-in time, clean date) — `handlers.people.onboarding`
- `v1:set:` /settings (change an answer, ask for a role, step down) — `handlers.people.settings`
- `v1:fg:` /forget's confirmation — `handlers.people.privacy`
- `v1:co:` coordinators (invite, requests, people with roles, remove) — `handlers.people.coordinators`
- `v1:rr:<request id>:a|d` a coordinator's decision on a role request — `handlers.people.coordinators`
- `v1:ap:skip:<role>` sending a role application without an answer — `handlers.people.role_applications`
- `v1:cd:` the coordinator's view (a section's page, back to the counts, a record's audit
  trail) — `handlers.people.coordinators`
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from bot.buttons import Family
from bot.services.validation import is_digits

ONBOARDING = Family("ob")
SETTINGS = Family("set")
FORGET = Family("fg")
COORDINATORS = Family("co")
ROLE_DECISION = Family("rr")
APPLICATION = Family("ap")
DESK = Family("cd")


class OnboardingAction(StrEnum):
    AGREE = "agree"  # [:<invitation kind>:<id>:<seal>] when a link rides on consent
    NOT_NOW = "no"
    PURPOSE = "purpose"  # :<purpose>
    CHECKIN_TIME = "time"  # :HHMM
    CLEAN_DATE = "clean"  # :today|skip|clear


class CleanDateChoice(StrEnum):
    TODAY = "today"
    SKIP = "skip"
    CLEAR = "clear"


class SettingsAction(StrEnum):
    NAME = "name"
    PURPOSE = "purpose"
    TIMEZONE = "tz"
    CHECKIN_TIME = "time"
    CLEAN_DATE = "clean"
    ASK_FOR_ROLE = "role"  # :<role>
    MY_ROLES = "roles"
    STEP_DOWN = "down"  # :<role> (asks first)
    STEP_DOWN_CONFIRMED = "downok"  # :<role>
    LANGUAGE = "lang"  # :<language code> (also offered during set-up)


class ForgetAction(StrEnum):
    ERASE = "yes"
    KEEP = "no"


class CoordinatorAction(StrEnum):
    INVITE = "invite"
    REQUESTS = "requests"
    PEOPLE_WITH_ROLES = "roles"
    ROLE_CARD = "who"  # :<person id>
    REMOVE = "rm"  # :<grant id> (asks for a reason)
    REMOVE_FOR = "rmr"  # :<grant id>:<reason code>
    ACCEPT_INVITATION = "accept"  # :<invitation id>:<seal>
    DECLINE_INVITATION = "decline"  # :<invitation id>:<seal>


class Decision(StrEnum):
    APPROVE = "a"
    DECLINE = "d"


class ApplicationAction(StrEnum):
    SKIP = "skip"  # :<role>


A = TypeVar("A", bound=StrEnum)


@dataclass(frozen=True)
class Pressed(Generic[A]):
    """A parsed button: its action and the parts after it (still untrusted)."""

    action: A
    args: list[str]

    def number(self, index: int = 0) -> int | None:
        """The id at `args[index]`, or None when missing or not a plain number."""
        if len(self.args) <= index or not is_digits(self.args[index]) or len(self.args[index]) > 12:
            return None
        return int(self.args[index])


def _parse(family: Family, actions: type[A], data: object) -> Pressed[A] | None:
    parts = family.parts(data)
    if not parts:
        return None
    try:
        action = actions(parts[0])
    except ValueError:
        return None
    return Pressed(action, parts[1:])


def onboarding(action: OnboardingAction, *args: object) -> str:
    return ONBOARDING.data(action, *args)


def parse_onboarding(data: object) -> Pressed[OnboardingAction] | None:
    return _parse(ONBOARDING, OnboardingAction, data)


def settings(action: SettingsAction, *args: object) -> str:
    return SETTINGS.data(action, *args)


def parse_settings(data: object) -> Pressed[SettingsAction] | None:
    return _parse(SETTINGS, SettingsAction, data)


def forget(action: ForgetAction) -> str:
    return FORGET.data(action)


def parse_forget(data: object) -> Pressed[ForgetAction] | None:
    return _parse(FORGET, ForgetAction, data)


def coordinators(action: CoordinatorAction, *args: object) -> str:
    return COORDINATORS.data(action, *args)


def parse_coordinators(data: object) -> Pressed[CoordinatorAction] | None:
    return _parse(COORDINATORS, CoordinatorAction, data)


def decision(request_id: int | None, choice: Decision) -> str:
    """`v1:rr:<request id>:a|d` (also built by roles with their own view, e.g. companions)."""
    return ROLE_DECISION.data(request_id, choice)


def parse_decision(data: object) -> tuple[int, Decision] | None:
    """(request id, decision), or None for anything forged or stale."""
    parts = ROLE_DECISION.parts(data)
    if parts is None or len(parts) != 2 or not is_digits(parts[0]) or len(parts[0]) > 12:
        return None
    try:
        return int(parts[0]), Decision(parts[1])
    except ValueError:
        return None


def application(action: ApplicationAction, role: str) -> str:
    return APPLICATION.data(action, role)


def parse_application(data: object) -> Pressed[ApplicationAction] | None:
    return _parse(APPLICATION, ApplicationAction, data)


# --- cd: the coordinator's view ----------------------------------------------------------------


class DeskAction(StrEnum):
    HOME = "home"  # the counts and the week's rota
    SECTION = "s"  # :<section>:<page>
    TRAIL = "t"  # :<subject r|a>:<record id>


class Section(StrEnum):
    ALERTS = "al"
    RELEASES = "rq"
    APPLICATIONS = "ap"
    UNREACHABLE = "un"


class TrailOf(StrEnum):
    RELEASE = "r"
    ALERT = "a"


_MAX_PAGE_DIGITS = 4


@dataclass(frozen=True)
class DeskPress:
    action: DeskAction
    section: Section | None = None
    page: int = 0
    trail_of: TrailOf | None = None
    record_id: int = 0


def desk_home() -> str:
    return DESK.data(DeskAction.HOME)


def desk_section(section: Section, page: int = 0) -> str:
    return DESK.data(DeskAction.SECTION, section, page)


def desk_trail(of: TrailOf, record_id: int | None) -> str:
    return DESK.data(DeskAction.TRAIL, of, record_id)


def parse_desk(data: object) -> DeskPress | None:
    """A coordinator's-view press, or None for anything malformed (never trusted beyond shape)."""
    pressed = _parse(DESK, DeskAction, data)
    if pressed is None:
        return None
    args = pressed.args
    if pressed.action == DeskAction.HOME:
        return DeskPress(DeskAction.HOME) if not args else None
    if len(args) != 2 or not is_digits(args[1]) or len(args[1]) > (_MAX_PAGE_DIGITS if pressed.action == DeskAction.SECTION else 12):
        return None
    if pressed.action == DeskAction.SECTION and args[0] in Section._value2member_map_:
        return DeskPress(DeskAction.SECTION, section=Section(args[0]), page=int(args[1]))
    if pressed.action == DeskAction.TRAIL and args[0] in TrailOf._value2member_map_:
        return DeskPress(DeskAction.TRAIL, trail_of=TrailOf(args[0]), record_id=int(args[1]))
    return None
