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
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from bot.buttons import Family

ONBOARDING = Family("ob")
SETTINGS = Family("set")
FORGET = Family("fg")
COORDINATORS = Family("co")
ROLE_DECISION = Family("rr")
APPLICATION = Family("ap")


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
        if len(self.args) <= index or not self.args[index].isdigit() or len(self.args[index]) > 12:
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
    if parts is None or len(parts) != 2 or not parts[0].isdigit() or len(parts[0]) > 12:
        return None
    try:
        return int(parts[0]), Decision(parts[1])
    except ValueError:
        return None


def application(action: ApplicationAction, role: str) -> str:
    return APPLICATION.data(action, role)


def parse_application(data: object) -> Pressed[ApplicationAction] | None:
    return _parse(APPLICATION, ApplicationAction, data)
