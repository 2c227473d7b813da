"""Alerts end to end with the injected clock: a missed day alerts the first supporter, no
answer passes it on to the next and then to the coordinators on call; "I'll reach out"
stops it and everyone alerted is told; a check-in closes it; an SOS, a shared slip and
three very low days alert at once; no false alarms while paused, before the first prompt
or after someone left; two processes never send the same alert twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.db import Database
from bot.models import AlertRecipient, Incident, Outbox
from bot.runtime import Runtime
from schedules import lapse_alerts
from tests.harness import Harness
from tests.supporters_helpers import (
    add_supporter,
    alerts_about,
    coordinator,
    incidents,
    supporter,
    tick,
    tick_at,
)
from tests.test_onboarding import onboard

# The fixture clock starts Tue 24 Nov 2026 10:00 UTC (London = UTC in winter); everyone
# set up by `onboard` checks in at 09:00, so the first prompt is Wed 25 Nov 09:00.
WED_PROMPT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
THU_PROMPT = WED_PROMPT + timedelta(days=1)  # Wednesday's prompt missed for 24 hours
WINDOW = timedelta(hours=4)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def member_with_supporters(h: Harness, *names: str):  # type: ignore[no-untyped-def]
    sam = await onboard(h, "Sam")
    helpers = [await supporter(h, name) for name in names]
    for each in helpers:
        await add_supporter(h, sam, each)
    return sam, helpers


async def test_a_missed_day_alerts_the_first_supporter_then_the_next_then_the_coordinators(h: Harness) -> None:
    cee = await coordinator(h, "Cee")
    sam, (alex, jo) = await member_with_supporters(h, "Alex", "Jo")
    await tick_at(h, WED_PROMPT)
    assert sam.last().text.startswith("Good morning, Sam")
    await tick_at(h, THU_PROMPT - timedelta(minutes=1))
    assert alerts_about(alex, "Sam") == []  # not yet: 24 hours after the missed prompt
    await tick_at(h, THU_PROMPT)
    (alert,) = alerts_about(alex, "Sam")
    assert "Sam has gone quiet." in alert and "No check-in yet." in alert
    assert alex.last().buttons() == ["🤝 I'll reach out", "I can't right now", "💬 Message Sam"]
    assert alerts_about(jo, "Sam") == [] and alerts_about(cee, "Sam") == []
    # Nobody answers within the window: it passes to Jo, then to the coordinator on call.
    await tick_at(h, THU_PROMPT + WINDOW - timedelta(minutes=1))
    assert alerts_about(jo, "Sam") == []
    await tick_at(h, THU_PROMPT + WINDOW)
    assert len(alerts_about(jo, "Sam")) == 1
    await tick_at(h, THU_PROMPT + 2 * WINDOW)
    (to_coordinator,) = alerts_about(cee, "Sam")
    assert "Sam's supporters couldn't respond, so this comes to you as a coordinator" in to_coordinator
    await tick_at(h, THU_PROMPT + 3 * WINDOW)
    (incident,) = await incidents(h)
    assert (incident.kind, incident.status, incident.next_escalation_at) == ("lapse", "unanswered", None)
    # Each person got the alert exactly once.
    assert [len(alerts_about(u, "Sam")) for u in (alex, jo, cee)] == [1, 1, 1]


async def test_reaching_out_stops_the_escalation_and_everyone_alerted_is_told_who(h: Harness) -> None:
    cee = await coordinator(h, "Cee")
    sam, (alex, jo) = await member_with_supporters(h, "Alex", "Jo")
    await tick_at(h, WED_PROMPT)
    await tick_at(h, THU_PROMPT)
    await tick_at(h, THU_PROMPT + WINDOW)  # Alex didn't answer; Jo has it now
    await jo.press("🤝 I'll reach out")
    assert "Thank you for reaching out to Sam" in jo.last().text
    assert jo.last().buttons() == ["💬 Message Sam"]
    await h.deliver()
    assert "Jo is reaching out to Sam. Thank you." in alex.last().text
    assert "Jo is going to reach out to you" in sam.last().text
    for hours in (4, 8, 12, 24):
        await tick_at(h, THU_PROMPT + WINDOW + timedelta(hours=hours))
    assert alerts_about(cee, "Sam") == []
    (incident,) = await incidents(h)
    assert incident.status == "acknowledged"
    # Late presses change nothing and say what happened.
    await alex.press("🤝 I'll reach out", message=alex.find("Sam has gone quiet"))
    assert alex.last_answer() == "Jo is already reaching out to Sam. Thank you."
    await alex.press("I can't right now", message=alex.find("Sam has gone quiet"))
    assert alex.last_answer() == "Jo is already reaching out to Sam. Thank you."


async def test_i_cant_right_now_passes_it_on_at_once(h: Harness) -> None:
    _, (alex, jo) = await member_with_supporters(h, "Alex", "Jo")
    await tick_at(h, WED_PROMPT)
    await tick_at(h, THU_PROMPT)
    reach_out = alex.last().buttons_data()[0]
    await alex.press("I can't right now")
    assert "I've asked Jo instead" in alex.last().text
    await h.deliver()
    assert len(alerts_about(jo, "Sam")) == 1
    # A late "I'll reach out" from Alex (a second device still shows the alert) is welcome:
    # someone acting is what matters.
    await alex.press_data(reach_out)
    await h.deliver()
    assert "Alex is reaching out to Sam" in jo.last().text
    (incident,) = await incidents(h)
    assert incident.status == "acknowledged"


async def test_a_check_in_closes_the_alert_and_everyone_alerted_hears_sam_has_checked_in(h: Harness) -> None:
    cee = await coordinator(h, "Cee")
    sam, (alex, jo) = await member_with_supporters(h, "Alex", "Jo")
    await tick_at(h, WED_PROMPT)
    await tick_at(h, THU_PROMPT)
    await tick_at(h, THU_PROMPT + WINDOW)
    await sam.press("🙂 good", message=sam.find("Check-in · Thu 26 Nov"))
    await h.deliver()
    assert alex.last().text == "✅ Sam has checked in. Thank you for being there."
    assert jo.last().text == "✅ Sam has checked in. Thank you for being there."
    await tick_at(h, THU_PROMPT + 3 * WINDOW)
    assert alerts_about(cee, "Sam") == []
    (incident,) = await incidents(h)
    assert incident.status == "resolved"
    await jo.press("🤝 I'll reach out", message=jo.find("Sam has gone quiet"))
    assert jo.last_answer() == "Sam has checked in since, so this alert is closed."
    # Checking in again the same day tells nobody anything more.
    sent = len(alex.messages())
    await sam.press("✅ Yes")
    await h.deliver()
    assert len(alex.messages()) == sent


async def test_a_member_who_checks_in_every_day_never_causes_an_alert(h: Harness) -> None:
    sam, (alex,) = await member_with_supporters(h, "Alex")
    for day in range(5):
        await tick_at(h, WED_PROMPT + timedelta(days=day))
        await sam.press("😊 great", message=sam.last())
        await tick_at(h, WED_PROMPT + timedelta(days=day, hours=12))
    await tick_at(h, WED_PROMPT + timedelta(days=5, hours=23))
    assert alerts_about(alex, "Sam") == [] and await incidents(h) == []


async def test_checking_in_late_but_before_the_threshold_raises_nothing(h: Harness) -> None:
    sam, _ = await member_with_supporters(h, "Alex")
    await tick_at(h, WED_PROMPT)
    await tick_at(h, THU_PROMPT - timedelta(minutes=30))
    await sam.send("/checkin")
    await sam.press("😐 okay")  # for Wednesday, late in the evening
    await tick_at(h, THU_PROMPT + timedelta(hours=1))
    assert await incidents(h) == []


async def test_the_member_s_own_threshold_is_used(h: Harness) -> None:
    sam, (alex,) = await member_with_supporters(h, "Alex")
    await sam.send("/supporters")
    await sam.press("⏰ Alert after 24 hours")
    await sam.press("12 hours")
    await tick(h)
    await tick_at(h, WED_PROMPT)
    await tick_at(h, WED_PROMPT + timedelta(hours=11, minutes=59))
    assert alerts_about(alex, "Sam") == []
    await tick_at(h, WED_PROMPT + timedelta(hours=12))
    assert len(alerts_about(alex, "Sam")) == 1


async def test_no_alerts_while_paused_before_the_first_prompt_or_after_leaving(h: Harness) -> None:
    sam, (alex,) = await member_with_supporters(h, "Alex")
    # Before the first prompt: nothing, however long the clock runs.
    await tick_at(h, WED_PROMPT - timedelta(minutes=1))
    # Paused for a week from Wednesday morning: no prompts, no alerts.
    await sam.send("/pause")
    await sam.press("1 week")
    for day in range(7):  # Wednesday to Tuesday
        await tick_at(h, WED_PROMPT + timedelta(days=day, hours=1))
    assert alerts_about(alex, "Sam") == [] and await incidents(h) == []
    # Back on Wednesday 2 Dec: that prompt, missed for a day, alerts as usual.
    await tick_at(h, utc(2026, 12, 2, 9, 0))
    assert "Welcome back, Sam" in sam.last().text
    await tick_at(h, utc(2026, 12, 3, 8, 59))
    assert alerts_about(alex, "Sam") == []
    await tick_at(h, utc(2026, 12, 3, 9, 0))
    assert len(alerts_about(alex, "Sam")) == 1


async def test_no_alert_for_a_member_who_left(h: Harness) -> None:
    kim = await onboard(h, "Kim")
    alex = await supporter(h, "Alex")
    await add_supporter(h, kim, alex)
    await tick_at(h, WED_PROMPT)
    await kim.send("/forget")
    await kim.press("Yes, erase everything")
    await h.deliver()
    assert "Kim is no longer linked with you" in alex.last().text
    await tick_at(h, THU_PROMPT + timedelta(hours=1))
    assert alerts_about(alex, "Kim") == [] and await incidents(h) == []


async def test_sos_alerts_the_first_supporter_at_once(h: Harness) -> None:
    sam, (alex, jo) = await member_with_supporters(h, "Alex", "Jo")
    await sam.send("/sos")
    assert "You're not alone" in sam.last().text
    await h.deliver()
    (alert,) = alerts_about(alex, "Sam")
    assert "Sam asked for support just now." in alert and "call 999" in alert
    assert alerts_about(jo, "Sam") == []
    await sam.send("/sos")  # moments later: the same request, no second alert
    await h.deliver()
    assert len(alerts_about(alex, "Sam")) == 1
    await alex.press("🤝 I'll reach out")
    await h.deliver()
    assert "Alex is going to reach out to you" in sam.last().text


async def test_a_member_without_supporters_gets_help_numbers_and_nobody_is_alerted(h: Harness) -> None:
    cee = await coordinator(h, "Cee")
    kim = await onboard(h, "Kim")
    await kim.send("/sos")
    await h.deliver()
    assert "999" in kim.last().text
    assert alerts_about(cee, "Kim") == [] and await incidents(h) == []


async def test_a_shared_slip_alerts_supporters_and_a_private_one_does_not(h: Harness) -> None:
    sam, (alex,) = await member_with_supporters(h, "Alex")
    await sam.send("/checkin")
    await sam.press("😟 low")
    await sam.press("Had a slip")
    await sam.press("No, keep it")
    await sam.press("No, just me")
    await h.deliver()
    assert alerts_about(alex, "Sam") == []
    h.clock.advance(timedelta(days=1))
    await sam.send("/checkin")
    await sam.press("😟 low")
    await sam.press("Had a slip")
    await sam.press("No, keep it")
    await sam.press("Yes, tell them")
    await h.deliver()
    (alert,) = alerts_about(alex, "Sam")
    assert "Sam had a slip and wanted you to know" in alert
    assert "relapse" not in alert.lower() and "fail" not in alert.lower()


async def test_three_very_low_days_alert_only_supporters_who_see_mood(h: Harness) -> None:
    sam, (alex, jo) = await member_with_supporters(h, "Alex", "Jo")
    await sam.send("/supporters")
    await sam.press("2. Jo")
    await sam.press("👁 Share my mood")
    for day in range(3):
        await sam.send("/checkin")
        await sam.press("😢 very low")
        await h.deliver()
        if day < 2:
            assert await incidents(h) == []
        h.clock.advance(timedelta(days=1))
    (alert,) = alerts_about(jo, "Sam")
    assert "Sam has felt very low three days in a row" in alert
    assert alerts_about(alex, "Sam") == []  # Alex doesn't see Sam's mood
    await sam.send("/checkin")
    await sam.press("😢 very low")  # a fourth day: not another alert so soon
    await h.deliver()
    assert len(alerts_about(jo, "Sam")) == 1


async def test_coordinators_see_no_slip_or_mood_the_member_did_not_share_with_them(h: Harness) -> None:
    cee = await coordinator(h, "Cee")
    sam, (alex,) = await member_with_supporters(h, "Alex")
    await sam.send("/checkin")
    await sam.press("😟 low")
    await sam.press("Had a slip")
    await sam.press("No, keep it")
    await sam.press("Yes, tell them")
    await h.deliver()
    await alex.press("I can't right now")
    await h.deliver()
    (alert,) = alerts_about(cee, "Sam")
    assert "Sam may need support" in alert and "slip" not in alert


async def test_coordinators_can_go_off_call_and_alerts_go_to_those_on_call(h: Harness) -> None:
    cee, dee = await coordinator(h, "Cee"), await coordinator(h, "Dee")
    sam, (alex,) = await member_with_supporters(h, "Alex")
    await dee.send("/coordinators")
    await dee.press("🔔 On call · tap to go off call")
    assert "You're off call" in dee.last().text
    await sam.send("/sos")
    await h.deliver()
    await alex.press("I can't right now")
    await h.deliver()
    assert len(alerts_about(cee, "Sam")) == 1 and alerts_about(dee, "Sam") == []
    await dee.send("/coordinators")
    assert "🔕 Off call · tap to go on call" in dee.buttons()
    # Someone who isn't a coordinator can't switch anyone's duty.
    await sam.press_data("v1:oc:on")
    assert sam.last_answer() == "Sorry, that button isn't for you."


async def test_when_no_coordinator_is_on_call_every_coordinator_is_alerted(h: Harness) -> None:
    cee = await coordinator(h, "Cee")
    sam, (alex,) = await member_with_supporters(h, "Alex")
    await cee.send("/coordinators")
    await cee.press("🔔 On call · tap to go off call")
    await sam.send("/sos")
    await h.deliver()
    await alex.press("I can't right now")
    await h.deliver()
    assert len(alerts_about(cee, "Sam")) == 1


async def test_forged_or_someone_elses_alert_buttons_are_refused(h: Harness) -> None:
    sam, (alex, jo) = await member_with_supporters(h, "Alex", "Jo")
    kim = await onboard(h, "Kim")
    await sam.send("/sos")
    await h.deliver()
    alert = alex.find("asked for support")
    reach_out, cant = alert.buttons_data()[:2]
    for presser in (jo, kim, sam):  # not theirs: another supporter, a stranger, the member
        await presser.press_data(reach_out)
        assert presser.last_answer() == "Sorry, that button isn't for you."
        await presser.press_data(cant)
    for forged in ("v1:al:999999:y", "v1:al:1:x", "v1:al:abc:y", "v1:al:1", "v1:al:1:y:extra"):
        await jo.press_data(forged)
        assert jo.last_answer() in ("Sorry, that button isn't for you.", "That button is from an earlier message and no longer works.")
    (incident,) = await incidents(h)
    assert (incident.status, incident.step) == ("open", 0)
    assert alerts_about(jo, "Sam") == []


async def test_an_alert_to_a_supporter_who_blocked_the_bot_goes_to_the_next_and_the_member_is_told(h: Harness) -> None:
    sam, (alex, jo) = await member_with_supporters(h, "Alex", "Jo")
    h.standin.block(alex.id)
    await sam.send("/sos")
    await h.deliver()
    assert alerts_about(alex, "Sam") == []
    assert len(alerts_about(jo, "Sam")) == 1
    assert "I couldn't get a message to Alex" in sam.find("couldn't get a message").text
    async with h.db.session() as session:
        answers = (await session.execute(select(AlertRecipient.response).order_by(AlertRecipient.id))).scalars().all()
    assert answers == ["unreachable", None]
    # The next alert skips Alex at once, without trying.
    await jo.press("🤝 I'll reach out")
    tried_alex = len([c for c in h.standin.calls if c.method == "sendMessage" and c.params.get("chat_id") == alex.id])
    h.clock.advance(timedelta(hours=1))
    await sam.send("/sos")
    await h.deliver()
    assert len(alerts_about(jo, "Sam")) == 1  # the new one (the first now says Jo is reaching out)
    assert len([c for c in h.standin.calls if c.method == "sendMessage" and c.params.get("chat_id") == alex.id]) == tried_alex
    assert len(await incidents(h)) == 2


async def test_when_nobody_can_be_reached_the_member_is_told_where_to_find_help(h: Harness) -> None:
    sam, (alex,) = await member_with_supporters(h, "Alex")
    h.standin.block(alex.id)
    await sam.send("/sos")
    await h.deliver()
    assert "Please don't wait: call Samaritans on 116 123" in sam.last().text
    (incident,) = await incidents(h)
    assert incident.status == "unanswered"


async def test_a_supporter_who_ends_the_link_while_an_alert_waits_on_them_passes_it_on(h: Harness) -> None:
    sam, (alex, jo) = await member_with_supporters(h, "Alex", "Jo")
    await sam.send("/sos")
    await h.deliver()
    await alex.send("/supporting")
    await alex.press("✖ Stop supporting Sam")
    await alex.press("Yes, end it")
    await h.deliver()
    assert len(alerts_about(jo, "Sam")) == 1


async def test_two_processes_racing_never_open_or_pass_on_the_same_alert_twice(h: Harness, database_url: str) -> None:
    members = [await onboard(h, f"M{n}") for n in range(12)]
    helpers = [await supporter(h, f"S{n}") for n in range(2)]
    for member in members:
        for each in helpers:
            await add_supporter(h, member, each)
    await tick_at(h, WED_PROMPT)
    h.clock.set(THU_PROMPT + timedelta(minutes=1))

    async def process(clock: ManualClock) -> tuple[int, int]:
        db = Database(database_url)
        try:
            rt = Runtime.build(h.settings, clock=clock, db=db)
            results = await asyncio.gather(*(lapse_alerts.run_once(rt) for _ in range(3)))
            return sum(r[0] for r in results), sum(r[1] for r in results)
        finally:
            await db.dispose()

    clock = ManualClock(h.clock.now())
    first, second = await asyncio.gather(process(clock), process(clock))
    assert first[0] + second[0] == 12  # each lapse opened once, whoever won
    clock.advance(WINDOW)
    first, second = await asyncio.gather(process(clock), process(clock))
    assert first[1] + second[1] == 12  # each passed on once
    async with h.db.session() as session:
        per_person = (
            await session.execute(
                select(Outbox.person_id, func.count()).where(Outbox.kind == "alert").group_by(Outbox.person_id)
            )
        ).all()
        assert sorted(count for _, count in per_person) == [12, 12]
        assert (await session.execute(select(func.count()).select_from(Incident))).scalar_one() == 12


async def test_the_escalation_window_follows_the_setting(settings, db: Database, clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    from bot.standin import BotApiStandin
    from tests.harness import TOKEN

    h = Harness(settings.model_copy(update={"alert_escalation_hours": 1.0}), db, clock, BotApiStandin(token=TOKEN))
    await h.start()
    try:
        _sam, (alex, jo) = await member_with_supporters(h, "Alex", "Jo")
        await tick_at(h, WED_PROMPT)
        await tick_at(h, THU_PROMPT)
        assert len(alerts_about(alex, "Sam")) == 1
        await tick_at(h, THU_PROMPT + timedelta(minutes=59))
        assert alerts_about(jo, "Sam") == []
        await tick_at(h, THU_PROMPT + timedelta(hours=1))
        assert len(alerts_about(jo, "Sam")) == 1
    finally:
        await h.stop()
    assert h.standin.violations == []


# --- the truth about who was alerted, and SOS timing (issue 13, items 2 and 3) -------------


async def test_a_supporter_who_cant_respond_when_nobody_else_is_left_is_told_the_truth_and_the_member_hears_it_too(
    h: Harness,
) -> None:
    sam, (alex,) = await member_with_supporters(h, "Alex")
    await sam.send("/sos")
    await h.deliver()
    cant = alex.find("asked for support").buttons_data()[1]
    await alex.press("I can't right now")
    said = alex.last().text
    assert "asked someone else" not in said
    assert "There's nobody else I can ask" in said and "I've told Sam" in said and "116 123" in said
    await h.deliver()
    told = sam.last().text
    assert "Alex can't respond right now." in told
    assert "I couldn't reach anyone else just now. Please don't wait: call Samaritans on 116 123" in told
    (incident,) = await incidents(h)
    assert incident.status == "unanswered"
    # A later press says what is true now, not "gone to someone else".
    await alex.press_data(cant)
    assert alex.last_answer() == "Thanks. Nobody could answer this alert in time, so Sam was given the helplines."


async def test_a_supporter_who_cant_respond_is_told_who_was_asked_next_and_so_is_the_member(h: Harness) -> None:
    await coordinator(h, "Cee")
    sam, (alex, jo) = await member_with_supporters(h, "Alex", "Jo")
    await sam.send("/sos")
    await h.deliver()
    await alex.press("I can't right now")
    assert alex.last().text == "Thanks for letting me know. I've asked Jo instead. 💛"
    await h.deliver()
    assert sam.last().text == "About your call for support:\nAlex can't respond right now. I've asked Jo now."
    await jo.press("I can't right now")
    assert jo.last().text == "Thanks for letting me know. I've asked the coordinators on call (Cee) instead. 💛"
    await h.deliver()
    assert "Jo can't respond right now. I've asked the coordinators on call (Cee) now." in sam.last().text


async def test_the_only_person_who_reaches_out_is_not_told_that_everyone_else_was_told(h: Harness) -> None:
    sam, (alex, _jo) = await member_with_supporters(h, "Alex", "Jo")
    await sam.send("/sos")
    await h.deliver()
    await alex.press("🤝 I'll reach out")
    assert "Everyone else alerted has been told" not in alex.last().text
    assert alex.last().text.startswith("🤝 Thank you for reaching out to Sam.")


async def test_an_unanswered_sos_reaches_the_on_call_coordinator_after_15_minutes_saying_how_long_ago_they_asked(
    h: Harness,
) -> None:
    cee = await coordinator(h, "Cee")
    sam, (alex,) = await member_with_supporters(h, "Alex")
    asked = h.clock.now()
    await sam.send("/sos")
    await h.deliver()
    assert "Sam asked for support just now." in alerts_about(alex, "Sam")[0]
    await tick_at(h, asked + timedelta(minutes=14, seconds=59))
    assert alerts_about(cee, "Sam") == []
    await tick_at(h, asked + timedelta(minutes=15))
    (alert,) = alerts_about(cee, "Sam")
    assert "Sam asked for support 15 minutes ago." in alert
    assert "just now" not in alert
    assert "Nobody has answered yet. I've asked the coordinators on call (Cee) now." in sam.last().text


async def test_the_sos_reply_says_who_was_told_and_a_second_tap_says_they_already_know(h: Harness) -> None:
    sam, (alex,) = await member_with_supporters(h, "Alex")
    await tick_at(h, WED_PROMPT)
    await sam.send("/sos")
    assert "Alex has been told you asked for support." in sam.last().text
    assert "already know" not in sam.last().text
    shown = len(sam.messages())
    await sam.press("🆘 I need support now", message=sam.find("Good morning"))
    assert sam.last_answer() == "💛 Your supporters already know: Alex has been told you asked for support."
    assert len(sam.messages()) == shown  # the numbers are just above: a pop-up, not silence
    h.clock.advance(timedelta(minutes=1))
    await sam.press("🆘 I need support now", message=sam.find("Good morning"))
    assert "Your supporters already know: Alex has been told" in sam.last().text
    await h.deliver()
    await alex.press("🤝 I'll reach out")
    await sam.send("/sos")
    assert "Alex is going to reach out to you." in sam.last().text
    assert len(await incidents(h)) == 1


async def test_the_sos_reply_says_plainly_when_nobody_could_be_alerted(h: Harness) -> None:
    kim = await onboard(h, "Kim")
    await kim.send("/sos")
    assert "No one has been alerted: you haven't added any supporters yet" in kim.last().text
    sam, (alex,) = await member_with_supporters(h, "Alex")
    h.standin.block(alex.id)
    await sam.send("/sos")
    await h.deliver()
    h.clock.advance(timedelta(minutes=3))
    await sam.send("/sos")
    assert "I couldn't reach any of your supporters just now, so please call one of the numbers above." in sam.last().text


async def test_the_sos_window_follows_its_own_setting(settings, db: Database, clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    from bot.standin import BotApiStandin
    from tests.harness import TOKEN

    h = Harness(settings.model_copy(update={"sos_escalation_minutes": 5.0}), db, clock, BotApiStandin(token=TOKEN))
    await h.start()
    try:
        sam, (_alex, jo) = await member_with_supporters(h, "Alex", "Jo")
        await sam.send("/sos")
        await tick_at(h, clock.now() + timedelta(minutes=4))
        assert alerts_about(jo, "Sam") == []
        await tick_at(h, clock.now() + timedelta(minutes=1))
        assert "Sam asked for support 5 minutes ago." in alerts_about(jo, "Sam")[0]
    finally:
        await h.stop()
    assert h.standin.violations == []


async def test_after_i_cant_right_now_the_next_supporter_gets_the_same_configured_sos_window(  # type: ignore[no-untyped-def]
    settings, db: Database, clock: ManualClock
) -> None:
    from bot.standin import BotApiStandin
    from tests.harness import TOKEN

    h = Harness(settings.model_copy(update={"sos_escalation_minutes": 5.0}), db, clock, BotApiStandin(token=TOKEN))
    await h.start()
    try:
        sam, (alex, jo, kim) = await member_with_supporters(h, "Alex", "Jo", "Kim")
        await sam.send("/sos")
        await h.deliver()
        clock.advance(timedelta(minutes=1))
        await alex.press("I can't right now")
        await h.deliver()
        assert len(alerts_about(jo, "Sam")) == 1
        await tick_at(h, clock.now() + timedelta(minutes=4, seconds=59))
        assert alerts_about(kim, "Sam") == []  # Jo has the 5 minutes the setting gives, not 15
        await tick_at(h, clock.now() + timedelta(seconds=1))
        assert "Sam asked for support 6 minutes ago." in alerts_about(kim, "Sam")[0]
    finally:
        await h.stop()
    assert h.standin.violations == []
