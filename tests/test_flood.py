"""Flood limits per person: more than 20 updates in 10 seconds from one chat get one kind
"slow down" and the excess does nothing; a real person is never throttled, and an SOS, an
answer to an alert or crisis words always get through."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.config import Settings, SettingsError, load_settings
from bot.flood import FloodGate, Verdict
from bot.models import Checkin
from bot.services.support.distress import is_distress
from tests.harness import Harness
from tests.harness import Person as User
from tests.supporters_helpers import add_supporter, supporter
from tests.test_onboarding import onboard

SLOW = "Slow down a moment"
CARD = "How are you feeling today?"
CHAT = "thanks, that was good"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shipped defaults (conftest raises the limit for every other test)."""
    defaults = {name: Settings.model_fields[name].default for name in ("flood_max_updates", "flood_window_seconds")}
    assert defaults == {"flood_max_updates": 20, "flood_window_seconds": 10.0}
    return settings.model_copy(update=defaults)


async def ready(h: Harness, name: str) -> User:
    """A set-up member, with the updates of their set-up a window behind them."""
    person = await onboard(h, name)
    h.clock.advance(timedelta(seconds=10))
    return person


def sent_to(h: Harness, person: User, fragment: str) -> int:
    """How many messages the bot sent this person containing `fragment` (deleted ones too)."""
    return sum(
        1
        for call in h.standin.calls_to("sendMessage")
        if call.ok and int(call.params["chat_id"]) == person.id and fragment in str(call.params.get("text", ""))
    )


async def checkins_stored(h: Harness) -> int:
    async with h.db.session() as session:
        return int((await session.execute(select(func.count()).select_from(Checkin))).scalar_one())


async def test_25_quick_messages_get_20_answers_one_slow_down_and_the_5_extra_do_nothing(h: Harness) -> None:
    sam = await ready(h, "Sam")
    for _ in range(25):
        await sam.send("/checkin")
    assert sent_to(h, sam, CARD) == 20
    assert sent_to(h, sam, SLOW) == 1
    slow = sam.find(SLOW)
    assert slow.text.startswith("🐢 Slow down a moment — I'll read your next message in a few seconds.")
    assert "116 123" in slow.text  # crisis help stays close


async def test_a_button_pressed_over_the_limit_writes_nothing_and_its_toast_says_slow_down(h: Harness) -> None:
    sam = await ready(h, "Sam")
    await sam.send("/checkin")
    card = sam.last()
    for _ in range(19):
        await sam.send("/help")
    await sam.press("😟 low", message=card)  # the 21st update
    assert await checkins_stored(h) == 0
    assert sam.last_answer() == "🐢 Slow down a moment — I'll read your next message in a few seconds."
    assert SLOW in sam.last().text
    calls = len(h.standin.calls)
    await sam.press("😟 low", message=card)
    await sam.send("/checkin")
    assert len(h.standin.calls) == calls, "later dropped updates get nothing more"
    assert await checkins_stored(h) == 0


async def test_after_the_window_passes_the_person_is_served_again(h: Harness) -> None:
    sam = await ready(h, "Sam")
    for _ in range(22):
        await sam.send("/checkin")
    assert sent_to(h, sam, CARD) == 20
    h.clock.advance(timedelta(seconds=10))
    await sam.send("/checkin")
    await sam.press("😟 low")
    assert sent_to(h, sam, CARD) == 21 and await checkins_stored(h) == 1
    assert sent_to(h, sam, SLOW) == 1


async def test_sos_the_support_button_and_crisis_words_get_through_a_flood(h: Harness) -> None:
    sam = await ready(h, "Sam")
    for _ in range(21):
        await sam.send("/progress")
    assert sent_to(h, sam, SLOW) == 1
    await sam.send("I want to use tonight")
    assert "116 123" in sam.last().text and SLOW not in sam.last().text
    await sam.press("🆘 I need support now")
    assert "You're not alone" in sam.last().text and "No one has been alerted" in sam.last().text
    before = len(sam.messages())
    await sam.send("/sos")
    assert len(sam.messages()) == before + 1 and "You're not alone" in sam.last().text
    await sam.send("/progress")  # still over the limit: dropped, and no second "slow down"
    assert sent_to(h, sam, SLOW) == 1


async def test_a_supporter_in_a_flood_can_still_answer_an_alert(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    alex = await supporter(h, "Alex")
    await add_supporter(h, sam, alex)
    await sam.send("/sos")
    await h.deliver()
    alert = alex.find("Sam asked for support just now.")
    h.clock.advance(timedelta(seconds=10))
    for _ in range(21):
        await alex.send("/help")
    assert sent_to(h, alex, SLOW) == 1
    await alex.press("🤝 I'll reach out", message=alert)
    await h.deliver()
    assert "Alex is going to reach out to you" in sam.last().text


async def test_ten_messages_in_ten_seconds_and_a_double_tap_are_never_throttled(h: Harness) -> None:
    sam = await ready(h, "Sam")
    await sam.send("/checkin")
    card = sam.last()
    await sam.press("😟 low", message=card)
    await sam.press("😟 low", message=card)  # the double tap
    assert not is_distress(CHAT)
    for _ in range(10):
        await sam.send(CHAT)
        h.clock.advance(timedelta(seconds=1))
    for _ in range(10):  # and the next ten seconds the same again
        await sam.send(CHAT)
        h.clock.advance(timedelta(seconds=1))
    assert sent_to(h, sam, "I'm not sure what you mean") == 20
    assert sent_to(h, sam, SLOW) == 0
    assert await checkins_stored(h) == 1


async def test_a_second_person_is_unaffected_by_the_first_persons_flood(h: Harness) -> None:
    sam = await ready(h, "Sam")
    alex = await onboard(h, "Alex")
    for _ in range(30):
        await sam.send("/checkin")
    await alex.send("/checkin")
    await alex.press("😟 low")
    assert sent_to(h, alex, CARD) == 1 and sent_to(h, alex, SLOW) == 0
    assert await checkins_stored(h) == 1


def test_the_counter_forgets_chats_that_have_gone_quiet() -> None:
    now = [0.0]
    gate = FloodGate(5, 10, clock=lambda: now[0])
    for key in range(1000):
        assert gate.check(key) is Verdict.RUN
    assert gate.tracked() == 1000
    now[0] = 10.0
    assert gate.check(-1) is Verdict.RUN
    assert gate.tracked() == 1


def test_over_the_limit_the_first_is_warned_the_rest_dropped_and_urgent_ones_run() -> None:
    now = [0.0]
    gate = FloodGate(5, 10, clock=lambda: now[0])
    assert [gate.check(1) for _ in range(5)] == [Verdict.RUN] * 5
    assert gate.check(1) is Verdict.WARN
    assert gate.check(1, urgent=lambda: True) is Verdict.RUN
    assert gate.check(1) is Verdict.DROP  # the SOS between does not earn a second warning
    now[0] = 9.9
    assert gate.check(1) is Verdict.DROP  # a sliding window: the first five are not 10 s old yet
    now[0] = 10.0
    assert gate.check(1) is Verdict.RUN


@pytest.mark.parametrize(("name", "value"), [("flood_max_updates", 4), ("flood_window_seconds", 0.5)])
def test_flood_settings_below_a_sensible_floor_are_refused(name: str, value: float) -> None:
    with pytest.raises(SettingsError, match=name.upper()):
        load_settings(_env_file=None, **{name: value})
