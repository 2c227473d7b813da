"""The daily check-in as a member lives it: faces, clean today, a slip met kindly, a private
note, a meeting, /progress with a chart, pausing, and every odd thing people tap or type."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import func, select, update

from bot.models import Checkin, CheckinPlan, Person
from tests.conftest import SHARED_TABLES
from tests.harness import Harness
from tests.test_checkin_schedule import prompts, tick_at
from tests.test_onboarding import onboard
from tests.test_privacy import raw_database_dump

MOOD_FACES = ["😢 very low", "😟 low", "😐 okay", "🙂 good", "😊 great"]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def stored_checkins(h: Harness) -> list[Checkin]:
    async with h.db.session() as session:
        return list((await session.execute(select(Checkin).order_by(Checkin.local_date))).scalars())


async def stored_person(h: Harness) -> Person:
    async with h.db.session() as session:
        return (await session.execute(select(Person))).scalar_one()


async def test_the_prompt_asks_for_a_mood_with_faces_and_offers_support_now(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await tick_at(h, utc(2026, 11, 25, 9, 0))
    prompt = sam.last()
    assert prompt.text.startswith("Good morning, Sam 🌱")
    assert "Check-in · Wed 25 Nov" in prompt.text and "How are you feeling today?" in prompt.text
    assert prompt.buttons() == [*MOOD_FACES, "🆘 I need support now"]


async def test_each_step_is_saved_as_it_is_answered_so_an_abandoned_check_in_still_counts(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await tick_at(h, utc(2026, 11, 25, 9, 0))
    await sam.press("😟 low")
    (checkin,) = await stored_checkins(h)
    assert (checkin.local_date, checkin.mood, checkin.clean, checkin.completed_at) == (date(2026, 11, 25), 2, None, None)
    assert "Mood: 😟 low" in sam.last().text and "Did you stay clean and sober today?" in sam.last().text
    assert sam.buttons() == ["✅ Yes", "Had a slip", "Rather not say", "🆘 I need support now"]
    await sam.press("✅ Yes")
    assert (await stored_checkins(h))[0].clean == "yes"
    assert sam.buttons() == ["🤝 I went to a meeting today", "✍️ Add a private note", "✅ Done", "🆘 I need support now"]
    await sam.press("🤝 I went to a meeting today")
    assert "Meeting: 🤝 went today" in sam.last().text
    assert "🤝 I went to a meeting today" not in sam.buttons()
    await sam.press("✅ Done")
    done = sam.last()
    assert done.text.startswith("✅ Checked in for Wed 25 Nov. Thank you, Sam.")
    assert "Check-in streak: 1 day" in done.text
    (checkin,) = await stored_checkins(h)
    assert checkin.went_to_meeting and checkin.completed_at is not None
    assert len(sam.messages()) == len(set(m.message_id for m in sam.messages()))  # one card, edited in place


async def test_a_later_check_in_the_same_day_updates_the_same_record(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/checkin")
    await sam.press("😢 very low")
    await sam.press("Rather not say")
    await sam.send("/checkin")
    assert "You've already checked in today. Tap to update it." in sam.last().text
    assert "Mood: 😢 very low" in sam.last().text
    await sam.press("🙂 good")
    await sam.press("✅ Yes")
    (checkin,) = await stored_checkins(h)
    assert (checkin.mood, checkin.clean) == (4, "yes")


async def test_a_slip_gets_a_warm_reply_and_both_choices_are_recorded(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    async with h.db.session() as session:
        await session.execute(update(Person).values(clean_date=date(2026, 1, 5)))
    await sam.send("/checkin")
    await sam.press("😟 low")
    await sam.press("Had a slip")
    card = sam.last().text
    assert "Thank you for telling me, Sam. A slip doesn't wipe out what you've done" in card
    assert "restart your clean date from today? (It's 5 Jan 2026 now.)" in card
    assert not any(word in card.lower() for word in ("fail", "relapse", "disappoint", "shame"))
    await sam.press("Yes, from today")
    assert "Your clean date is now today." in sam.last().text
    assert "supporters to know" in sam.last().text
    await sam.press("Yes, tell them")
    assert "Anything else for today?" in sam.last().text
    (checkin,) = await stored_checkins(h)
    assert (checkin.clean, checkin.slip_reset_clean_date, checkin.slip_tell_supporters) == ("slip", True, True)
    assert checkin.clean_date_before_slip == date(2026, 1, 5)
    assert (await stored_person(h)).clean_date == date(2026, 11, 24)


async def test_a_member_may_keep_their_clean_date_and_their_slip_to_themselves(h: Harness) -> None:
    sam = await onboard(h, "Sam")  # no clean date yet
    await sam.send("/checkin")
    await sam.press("😐 okay")
    await sam.press("Had a slip")
    assert "start counting clean time from today?" in sam.last().text
    await sam.press("No, keep it")
    await sam.press("No, just me")
    (checkin,) = await stored_checkins(h)
    assert (checkin.slip_reset_clean_date, checkin.slip_tell_supporters) == (False, False)
    assert (await stored_person(h)).clean_date is None


async def test_a_private_note_is_encrypted_and_shown_only_to_the_member(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/checkin")
    await sam.press("🙂 good")
    await sam.press("✅ Yes")
    await sam.press("✍️ Add a private note")
    assert "Only you can see it" in sam.last().text
    await sam.send("Rang my sponsor about the wedding")
    assert sam.last().text.startswith("🔒 Note saved.")
    assert "Private note: 🔒 saved" in sam.last().text and "✍️ Change my note" in sam.buttons()
    (checkin,) = await stored_checkins(h)
    assert checkin.note_enc and "sponsor" not in checkin.note_enc
    assert "sponsor about the wedding" not in await raw_database_dump(h.db)
    await sam.send("/mydata")
    data = json.loads(sam.last().raw.file.data)
    assert data["checkins"]["days"][0]["private_note"] == "Rang my sponsor about the wedding"
    await sam.send("hello")  # the note question is closed: free text is not saved as a note
    assert "Send /help" in sam.last().text


async def test_the_note_can_be_skipped_and_an_empty_note_is_refused(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/checkin")
    await sam.press("🙂 good")
    await sam.press("✅ Yes")
    await sam.press("✍️ Add a private note")
    await sam.send("   ")
    assert "That note is empty" in sam.last().text
    await sam.press("Skip the note")  # on the card above
    assert "Anything else for today?" in sam.find("Check-in · Tue 24 Nov").text
    assert (await stored_person(h)).awaiting is None
    assert (await stored_checkins(h))[0].note_enc is None


async def test_double_taps_save_once_and_send_nothing_twice(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    async with h.db.session() as session:
        await session.execute(update(Person).values(clean_date=date(2026, 1, 5)))
    await sam.send("/checkin")
    card = sam.last()
    await sam.press("🙂 good", message=card)
    await sam.press_data(card.buttons_data()[3], message=card)  # the same face again, before the edit showed
    messages = len(sam.messages())
    await sam.press("Had a slip")
    slip_card = sam.last()
    await sam.press("Yes, from today", message=slip_card)
    await sam.press_data(slip_card.buttons_data()[0], message=slip_card)
    assert sam.last_answer() == "Already saved ✓"
    assert len(sam.messages()) == messages
    (checkin,) = await stored_checkins(h)
    assert checkin.clean_date_before_slip == date(2026, 1, 5)  # not overwritten by the second tap
    await sam.press("No, just me")
    await sam.press("✍️ Add a private note")
    note_card = sam.last()
    await sam.press_data(note_card.buttons_data()[0], message=note_card)
    await sam.press_data(note_card.buttons_data()[0], message=note_card)
    assert len(sam.messages()) == messages
    async with h.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Checkin))).scalar_one() == 1


async def test_yesterdays_buttons_close_that_check_in_and_offer_todays(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await tick_at(h, utc(2026, 11, 25, 9, 0))
    old = prompts(sam)[-1]
    h.clock.set(utc(2026, 11, 26, 8, 0))
    await sam.press("😊 great", message=old)
    assert sam.last_answer() == "That check-in was for Wed 25 Nov. Here's today's."
    closed = next(m for m in sam.messages() if m.message_id == old.message_id)
    assert closed.text == "This check-in was for Wed 25 Nov and has closed." and closed.buttons() == []
    assert "Check-in · Thu 26 Nov" in sam.last().text and "😊 great" in sam.buttons()
    assert await stored_checkins(h) == []  # yesterday's tap recorded nothing for either day
    await sam.press("😊 great")
    assert [(c.local_date, c.mood) for c in await stored_checkins(h)] == [(date(2026, 11, 26), 5)]


async def test_forged_or_malformed_check_in_buttons_change_nothing(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/checkin")
    for forged in (
        "v1:ci:m:20261124:9",  # no such mood
        "v1:ci:m:20261124",  # no mood at all
        "v1:ci:m:20261399:3",  # no such date
        "v1:ci:m:20261125:3",  # tomorrow
        "v1:ci:zz:20261124",  # no such step
        "v1:ci:g:20261124:extra",
        "v1:ci:c:20261124:y:more",
        "v1:cp:p:9999",
        "v1:cp:rem:1",
        "v1:cp:rem",
        "v1:cp:p",
        "v1:cp:resume:now",
        "v1:cp:change:7",
        "v1:cp:zz",
        "v1:sos",
    ):
        await sam.press_data(forged)
        if forged != "v1:sos":
            assert sam.last_answer() == "That button is from an earlier message and no longer works.", forged
    assert await stored_checkins(h) == []
    async with h.db.session() as session:
        plan = (await session.execute(select(CheckinPlan))).scalar_one()
    assert (plan.paused_until, plan.reminder_hours) == (None, 3)


async def test_buttons_already_in_peoples_chats_keep_working(h: Harness) -> None:
    """Cards and pause/reminder choices sent before a release must still work after it:
    the data on them is pinned here, byte for byte."""
    sam = await onboard(h, "Sam")
    await sam.send("/checkin")
    assert sam.last().buttons_data() == [*(f"v1:ci:m:20261124:{mood}" for mood in range(1, 6)), "v1:sos:checkin"]
    for data in ("v1:ci:m:20261124:2", "v1:ci:c:20261124:s", "v1:ci:r:20261124:n", "v1:ci:t:20261124:n"):
        await sam.press_data(data)
    (checkin,) = await stored_checkins(h)
    assert (checkin.mood, checkin.clean, checkin.slip_reset_clean_date, checkin.slip_tell_supporters) == (2, "slip", False, False)
    assert sam.last().buttons_data()[:3] == ["v1:ci:g:20261124", "v1:ci:n:20261124", "v1:ci:d:20261124"]
    await sam.send("/pause")
    assert sam.last().buttons_data() == ["v1:cp:p:3", "v1:cp:p:7", "v1:cp:p:14", "v1:cp:p:30", "v1:cp:p:date"]
    await sam.press_data("v1:cp:p:7")
    assert sam.last().buttons_data() == ["v1:cp:resume"]
    async with h.db.session() as session:
        assert (await session.execute(select(CheckinPlan.paused_until))).scalar_one() == date(2026, 12, 1)
    await sam.press_data("v1:cp:resume")
    await sam.send("/reminder")
    assert sam.last().buttons_data() == ["v1:cp:rem:2", "v1:cp:rem:3", "v1:cp:rem:4", "v1:cp:rem:6", "v1:cp:rem:off"]
    await sam.press_data("v1:cp:rem:off")
    async with h.db.session() as session:
        plan = (await session.execute(select(CheckinPlan))).scalar_one()
    assert (plan.paused_until, plan.reminder_hours) == (None, None)


async def test_strangers_and_people_mid_set_up_are_asked_to_finish_first(h: Harness) -> None:
    stranger = h.user("Stranger")
    for command in ("/checkin", "/progress", "/pause", "/resume", "/reminder"):
        await stranger.send(command)
        assert stranger.last().text == "Please send /start first so I can set you up."
    await stranger.press_data("v1:ci:m:20261124:3", message=stranger.last())
    assert stranger.last_answer() == "Please send /start first so I can set you up."


async def test_checking_in_while_paused_works_and_says_so(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/pause")
    await sam.press("1 week")
    await sam.send("/checkin")
    assert "paused until 1 Dec 2026, but you can still check in today" in sam.last().text
    assert "▶️ Resume now" in sam.buttons()
    await sam.press("😐 okay")
    assert (await stored_checkins(h))[0].mood == 3
    async with h.db.session() as session:
        assert (await session.execute(select(CheckinPlan.paused_until))).scalar_one() == date(2026, 12, 1)


# --- /progress ----------------------------------------------------------------------------------


async def test_progress_shows_clean_time_streak_90_in_90_and_a_mood_chart(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    async with h.db.session() as session:
        await session.execute(update(Person).values(clean_date=date(2025, 8, 31)))
    person_id = (await stored_person(h)).id
    async with h.db.session() as session:
        for day, mood, meeting in ((22, 2, True), (23, 3, False), (24, 4, True)):
            session.add(Checkin(person_id=person_id, local_date=date(2026, 11, day), mood=mood,
                                went_to_meeting=meeting, created_at=h.clock.now(), updated_at=h.clock.now()))
    await sam.send("/progress")
    shown = sam.last()
    assert shown.kind == "photo"
    assert shown.raw.file.data.startswith(b"\x89PNG")
    assert "Clean time: 450 days since 31 Aug 2025" in shown.text
    assert "that's 1 year, 2 months, 24 days" in shown.text
    assert "Next milestone: 18 months on 28 Feb 2027" in shown.text
    assert "Check-in streak: 3 days" in shown.text
    assert "Meetings in the last 90 days: 2 (90 in 90)" in shown.text


async def test_progress_before_any_check_in_or_clean_date_says_what_to_do(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/progress")
    shown = sam.last()
    assert shown.kind == "text"
    assert "No clean date set" in shown.text and "/settings" in shown.text
    assert "Check-in streak: 0 days" in shown.text
    assert "mood chart will appear here" in shown.text


async def test_the_streak_survives_until_today_is_over_and_breaks_after_a_missed_day(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    person_id = (await stored_person(h)).id
    async with h.db.session() as session:
        for day in (20, 21, 23):
            session.add(Checkin(person_id=person_id, local_date=date(2026, 11, day), mood=3, created_at=h.clock.now(), updated_at=h.clock.now()))
    await sam.send("/progress")
    assert "Check-in streak: 1 day" in sam.last().text  # 23rd counts; today (24th) isn't over yet
    await sam.send("/checkin")
    await sam.press("😊 great")
    await sam.send("/progress")
    assert "Check-in streak: 2 days" in sam.last().text


# --- pause and typed dates -----------------------------------------------------------------------


async def test_pause_until_a_typed_date_explains_every_bad_answer(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/pause")
    await sam.press("📅 Type a date")
    assert "Type a date like 01/12/2026" in sam.last().text
    await sam.send("next tuesday")
    assert "couldn't read that date" in sam.last().text
    await sam.send("24/11/2026")
    assert "choose a day after today" in sam.last().text
    await sam.send("01/01/2028")
    assert "within a year" in sam.last().text
    await sam.send("14/12/2026")
    assert "They'll start again on 14 Dec 2026" in sam.last().text
    await sam.send("/pause")
    assert "paused until 14 Dec 2026" in sam.last().text
    assert sam.buttons() == ["▶️ Resume now", "Change the date"]
    await sam.press("Change the date")
    await sam.press("3 days")
    assert "start again on 27 Nov 2026" in sam.last().text


async def test_resume_when_not_paused_just_says_when_the_next_check_in_comes(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/resume")
    assert sam.last().text == "Your check-ins aren't paused. Your next one comes tomorrow at 09:00."


async def test_pause_without_a_check_in_time_says_how_to_choose_one(h: Harness) -> None:
    pat = await onboard(h, "Pat", purpose="I support someone")
    await pat.send("/pause")
    assert "don't have a daily check-in time yet" in pat.last().text
    await pat.send("/checkin")  # anyone can still check in
    assert "How are you feeling today?" in pat.last().text


async def test_typed_check_in_times_from_settings_move_the_next_prompt(h: Harness) -> None:
    sam = await onboard(h, "Sam")

    async def next_prompt() -> datetime | None:
        async with h.db.session() as session:
            return (await session.execute(select(CheckinPlan.next_prompt_at))).scalar_one()

    cases = [("9", utc(2026, 11, 25, 9, 0)), ("9am", utc(2026, 11, 25, 9, 0)), ("21:30", utc(2026, 11, 24, 21, 30))]
    for typed, expected in cases:
        await sam.send("/settings")
        await sam.press("Check-in time")
        await sam.send(typed)
        assert await next_prompt() == expected, typed
    await sam.send("/settings")
    await sam.press("Check-in time")
    for typed, complaint in (("25:00", "doesn't exist"), ("whenever", "couldn't read that time")):
        await sam.send(typed)  # the question stays open after each bad answer
        assert complaint in sam.last().text
        assert await next_prompt() == utc(2026, 11, 24, 21, 30)


async def test_forget_erases_check_ins_plans_milestones_and_support_requests(h: Harness) -> None:
    from sqlmodel import SQLModel

    sam = await onboard(h, "Sam")
    async with h.db.session() as session:
        await session.execute(update(Person).values(clean_date=date(2025, 11, 25)))
    await tick_at(h, utc(2026, 11, 25, 9, 0))  # a prompt with a 1-year milestone
    await sam.press("😊 great")
    await sam.press("Had a slip")
    await sam.press("No, keep it")
    await sam.press("🆘 I need support now")
    await sam.send("/forget")
    await sam.press("Yes, erase everything")
    async with h.db.session() as session:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in SHARED_TABLES:
                continue
            assert (await session.execute(select(func.count()).select_from(table))).scalar_one() == 0, table.name


async def test_meetings_tapped_i_went_and_ticked_in_a_check_in_add_up_without_counting_a_day_twice(h: Harness) -> None:
    from bot.models import MeetingAttendance

    sam = await onboard(h, "Sam")
    person_id = (await stored_person(h)).id
    async with h.db.session() as session:
        for day, meeting in ((20, True), (21, True), (22, False)):
            session.add(Checkin(person_id=person_id, local_date=date(2026, 11, day), went_to_meeting=meeting,
                                created_at=h.clock.now(), updated_at=h.clock.now()))
        # "I went" twice on the 21st (two meetings that day) and once on the 22nd; one long ago.
        for day in (21, 21, 22):
            session.add(MeetingAttendance(person_id=person_id, attended_on=date(2026, 11, day),
                                          attended_at=utc(2026, 11, day, 19), created_at=h.clock.now()))
        session.add(MeetingAttendance(person_id=person_id, attended_on=date(2026, 7, 1),
                                      attended_at=utc(2026, 7, 1, 19), created_at=h.clock.now()))
    await sam.send("/progress")
    # the 20th (ticked), two on the 21st (tapped; the tick is the same day), the 22nd (tapped)
    assert "Meetings in the last 90 days: 4 (90 in 90)" in sam.last().text


async def test_progress_still_shows_the_figures_if_the_chart_cannot_be_drawn(h: Harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot import mood_chart

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ImportError("no matplotlib")

    sam = await onboard(h, "Sam")
    person_id = (await stored_person(h)).id
    async with h.db.session() as session:
        session.add(Checkin(person_id=person_id, local_date=date(2026, 11, 24), mood=4,
                            created_at=h.clock.now(), updated_at=h.clock.now()))
    monkeypatch.setattr(mood_chart, "render_png", broken)
    await sam.send("/progress")
    assert sam.last().kind == "text"
    assert "Check-in streak: 1 day" in sam.last().text


async def test_mood_buttons_carry_a_word(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/checkin")
    card = sam.last()
    assert card.buttons()[:5] == ["😢 very low", "😟 low", "😐 okay", "🙂 good", "😊 great"]
    rows = card.reply_markup["inline_keyboard"]  # type: ignore[index]
    assert [len(row) for row in rows[:2]] == [3, 2]  # the words fit a narrow phone
    await sam.press("😟 low")
    assert (await stored_checkins(h))[0].mood == 2


async def test_checkin_twice_leaves_one_live_card(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    for _ in range(3):
        await sam.send("/checkin")
    cards = [m for m in sam.messages() if "😟 low" in m.buttons()]
    assert len(cards) == 1 and cards[0].message_id == sam.last().message_id
    retired = [m for m in sam.messages() if "replaced by a newer one below" in m.text]
    assert len(retired) == 2 and all(not m.buttons() for m in retired)
    await h.restart()  # the newest card is remembered across a restart
    await sam.send("/checkin")
    assert len([m for m in sam.messages() if "😟 low" in m.buttons()]) == 1
    await sam.press("🙂 good")
    assert (await stored_checkins(h))[0].mood == 4


async def test_a_press_answered_too_late_for_its_spinner_still_counts_and_nobody_is_told_something_went_wrong(
    h: Harness,
) -> None:
    """A press that waited out a worker's restart can no longer be answered ("query is too
    old"); the check-in is still saved and the message still moves on."""
    sam = await onboard(h, "Sam")
    await tick_at(h, utc(2026, 11, 25, 9, 0))
    h.standin.fail_next(
        "answerCallbackQuery", status=400,
        description="Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    await sam.press("😟 low")
    (checkin,) = await stored_checkins(h)
    assert checkin.mood == 2
    assert "Did you stay clean and sober today?" in sam.last().text
    assert not any("went wrong" in m.text.lower() for m in sam.messages())
