"""The support feature's buttons: data already sent to people keeps working, and anything
malformed is refused by the parsers (the handlers then answer "that button no longer works")."""

from __future__ import annotations

from bot.services.support import buttons
from bot.services.support.buttons import RelayAction, SupportersAction


def test_alert_buttons_already_sent_to_people_keep_working() -> None:
    assert buttons.alert_data(12, True) == "v1:al:12:y"
    assert buttons.parse_alert("v1:al:12:y") == (12, True)
    assert buttons.parse_alert("v1:al:12:n") == (12, False)
    for forged in ("v1:al:12:x", "v1:al:x:y", "v1:al:12", "v1:al:12:y:1", "v1:rl:12:y", None, "v1:al:1234567890123:y"):
        assert buttons.parse_alert(forged) is None


def test_relay_buttons_already_sent_to_people_keep_working() -> None:
    assert buttons.message_to(7) == "v1:rl:new:7"
    assert buttons.parse_relay("v1:rl:new:7") == (RelayAction.NEW, 7)
    assert buttons.parse_relay("v1:rl:w:3") == (RelayAction.WRITE, 3)
    assert buttons.parse_relay("v1:rl:s:3") == (RelayAction.STOP, 3)
    assert buttons.parse_relay("v1:rl:c") == (RelayAction.CANCEL, None)
    for forged in ("v1:rl:c:1", "v1:rl:new", "v1:rl:new:x", "v1:rl:zap:1", "v1:rl:w:1:2", "v1:su:new:1"):
        assert buttons.parse_relay(forged) is None


def test_supporter_on_call_and_sos_buttons_already_sent_keep_working() -> None:
    assert buttons.parse_supporters("v1:su:endok:4") == (SupportersAction.END_CONFIRMED, ["4"])
    assert buttons.parse_supporters("v1:su:share:4:mood:1") == (SupportersAction.SHARE, ["4", "mood", "1"])
    assert buttons.parse_supporters("v1:su:nope") is None
    assert buttons.link_id(["4"]) == 4 and buttons.link_id(["x"]) is None and buttons.link_id([]) is None
    assert buttons.on_call_data(True) == "v1:oc:on" and buttons.parse_on_call("v1:oc:off") is False
    assert buttons.parse_on_call("v1:oc:maybe") is None
    assert buttons.parse_sos("v1:sos:prompt", ("prompt", "checkin"), "checkin") == "prompt"
    assert buttons.parse_sos("v1:sos:command", ("prompt", "checkin"), "checkin") == "checkin"  # never refused
