"""The support feature's buttons, each family defined once with typed pack/parse helpers.

Action values are the short codes already sent to people, so old messages keep working.
Parsers return None for anything malformed (forged, old, another family): the handler
answers it as a stale button. Parsing only reads the data; handlers and services still
look everything up server-side and check the presser may act.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.buttons import Family
from bot.services.validation import is_digits

SUPPORTERS = Family("su")  # /supporters, /supporting and the invitation's Yes / No
ALERTS = Family("al")  # "I'll reach out" / "I can't right now" on an alert
ON_CALL = Family("oc")  # a coordinator's own on-call switch and rota days
RELAY = Family("rl")  # messages through the bot
SOS = Family("sos")  # "I need support now", wherever it is shown

_MAX_ID_DIGITS = 12  # ids are database integers; longer digit strings are forged


def _id(value: str) -> int | None:
    return int(value) if is_digits(value) and len(value) <= _MAX_ID_DIGITS else None


# --- su: supporters ---------------------------------------------------------------------------


class SupportersAction(StrEnum):
    ADD = "add"
    LIST = "list"
    CARD = "card"
    SHARE = "share"
    MOVE_UP = "up"
    END = "end"
    END_CONFIRMED = "endok"
    THRESHOLD = "thr"
    ACCEPT = "yes"
    DECLINE = "no"


# Actions about one link, `su:<action>:<link id>[:...]`: the link is looked up and checked.
LINK_ACTIONS = frozenset(
    {SupportersAction.CARD, SupportersAction.SHARE, SupportersAction.MOVE_UP, SupportersAction.END, SupportersAction.END_CONFIRMED}
)


def supporters_data(action: SupportersAction, *args: object) -> str:
    return SUPPORTERS.data(action.value, *args)


def parse_supporters(data: object) -> tuple[SupportersAction, list[str]] | None:
    """(action, the parts after it), or None for an unknown action."""
    parts = SUPPORTERS.parts(data)
    if not parts or parts[0] not in SupportersAction._value2member_map_:
        return None
    return SupportersAction(parts[0]), parts[1:]


def link_id(args: list[str]) -> int | None:
    """The link id that starts a link action's parts."""
    return _id(args[0]) if args else None


# --- al: alert answers ------------------------------------------------------------------------

_REACH_OUT, _CANT = "y", "n"


def alert_data(recipient_id: int, reaching_out: bool) -> str:
    """`al:<alert recipient id>:y|n`: the alert as sent to one person, and their answer."""
    return ALERTS.data(recipient_id, _REACH_OUT if reaching_out else _CANT)


def parse_alert(data: object) -> tuple[int, bool] | None:
    """(alert recipient id, reaching out?), or None."""
    parts = ALERTS.parts(data)
    if parts is None or len(parts) != 2 or parts[1] not in (_REACH_OUT, _CANT):
        return None
    recipient_id = _id(parts[0])
    return None if recipient_id is None else (recipient_id, parts[1] == _REACH_OUT)


# --- oc: on call ------------------------------------------------------------------------------


def on_call_data(on_call: bool) -> str:
    return ON_CALL.data("on" if on_call else "off")


def parse_on_call(data: object) -> bool | None:
    """True (go on call), False (go off call), or None."""
    parts = ON_CALL.parts(data)
    if parts is None or len(parts) != 1 or parts[0] not in ("on", "off"):
        return None
    return parts[0] == "on"


_ROTA, _DAY = "days", "day"


def rota_data() -> str:
    """`oc:days`: show my on-call days (the rota)."""
    return ON_CALL.data(_ROTA)


def rota_day_data(weekday: int) -> str:
    """`oc:day:<0-6>`: add or remove that weekday (Monday 0) from my rota."""
    return ON_CALL.data(_DAY, weekday)


@dataclass(frozen=True)
class DutyPress:
    """An `oc` press: the switch (`on_call`), the rota screen, or one weekday toggled."""

    on_call: bool | None = None
    rota: bool = False
    weekday: int | None = None


def parse_duty(data: object) -> DutyPress | None:
    """Any `oc` button, or None for anything malformed."""
    switch = parse_on_call(data)
    if switch is not None:
        return DutyPress(on_call=switch)
    parts = ON_CALL.parts(data)
    if parts == [_ROTA]:
        return DutyPress(rota=True)
    if parts is not None and len(parts) == 2 and parts[0] == _DAY and parts[1] in tuple("0123456"):
        return DutyPress(weekday=int(parts[1]))
    return None


# --- rl: the relay ----------------------------------------------------------------------------


class RelayAction(StrEnum):
    NEW = "new"  # with a person id: write to them
    WRITE = "w"  # with a relay id: reply on it
    STOP = "s"  # with a relay id
    CANCEL = "c"  # stop waiting for the typed message


def relay_data(action: RelayAction, target: int | None = None) -> str:
    return RELAY.data(action.value) if target is None else RELAY.data(action.value, target)


def message_to(person_id: int | None) -> str:
    """"💬 Message <name>": write to that person (checked when pressed)."""
    return relay_data(RelayAction.NEW, person_id or 0)


def parse_relay(data: object) -> tuple[RelayAction, int | None] | None:
    """(action, person or relay id; None for cancel), or None."""
    parts = RELAY.parts(data)
    if parts is None or parts[0] not in RelayAction._value2member_map_:
        return None
    action = RelayAction(parts[0])
    if action is RelayAction.CANCEL:
        return (action, None) if len(parts) == 1 else None
    target = _id(parts[1]) if len(parts) == 2 else None
    return None if target is None else (action, target)


# --- sos: support now -------------------------------------------------------------------------


def sos_data(source: str) -> str:
    """The "I need support now" button, carrying where it was shown."""
    return SOS.data(source)


def parse_sos(data: object, sources: tuple[str, ...], fallback: str) -> str:
    """Where the button was; never refused: anything odd counts as `fallback`."""
    parts = SOS.parts(data)
    return parts[0] if parts and parts[0] in sources else fallback
