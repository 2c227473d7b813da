"""Finding a meeting in the chat: from a shared location, a postcode or a town; filters,
pages, details, map pin, Remind me, Follow and I went. Bad places get kind suggestions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.models import MeetingAttendance, MeetingFollow, MeetingReminder
from bot.services.meetings import search as meetings
from schedules import meeting_reminders
from tests.harness import Harness
from tests.meeting_factory import LS6, add_meeting, open_result
from tests.test_onboarding import onboard

# The clock starts on Tuesday 24 Nov 2026, 10:00 (London = UTC in winter).


async def leeds(h: Harness) -> None:
    await add_meeting(h.db, "Headingley Tuesday", at=(53.8213, -1.5780), days="Tuesday", time="19:30", types="O,BE")
    await add_meeting(h.db, "City Centre Lunchtime", at=(53.7960, -1.5476), days="every day", time="12:30", types="C")
    await add_meeting(h.db, "Women's Step Study", at=(53.8050, -1.5600), days="Thursday", time="18:00", types="W,ST,C")
    await add_meeting(h.db, "Harrogate Friday", at=(53.9921, -1.5418), days="Friday", time="20:00", fellowship="NA")
    await add_meeting(
        h.db, "Sunrise Online", days="every day", time="11:00", attendance="online", link="https://zoom.example/j/1"
    )


def in_order(text: str, *names: str) -> bool:
    return all(name in text for name in names) and [text.index(n) for n in names] == sorted(text.index(n) for n in names)


async def test_tonights_meeting_is_three_taps_from_a_shared_location(h: Harness) -> None:
    await leeds(h)
    sam = await onboard(h, "Sam")
    await sam.send("/meetings")  # tap 1
    assert sam.keyboard()[0] == "📍 Share my location"
    await sam.share_location(*LS6)  # tap 2
    results = sam.last()
    assert results.text.startswith("Meetings near you\n🕒 What's next first")
    # What's next within a bus ride, soonest first; Harrogate (19 km) after them.
    assert in_order(results.text, "City Centre Lunchtime", "Headingley Tuesday", "Women's Step Study", "Harrogate Friday")
    assert "Sunrise Online" not in results.text
    await sam.press("📅 Today")  # tap 3
    today = sam.last()
    assert "Headingley Tuesday" in today.text and "today 19:30" in today.text
    assert "City Centre Lunchtime" in today.text and "today 12:30" in today.text
    assert "Women's Step Study" not in today.text and "Harrogate" not in today.text
    assert "Showing: today" in today.text


async def test_a_typed_postcode_or_town_finds_meetings_and_shows_the_place(h: Harness) -> None:
    await leeds(h)
    sam = await onboard(h, "Sam")
    await sam.send("/meetings")
    await sam.send("ls6 2ab")
    assert "LS6 2AB (Leeds)" in sam.last(1).text
    assert "Meetings near LS6 2AB (Leeds)" in sam.last().text
    await sam.send("/meetings Harrogate")
    assert "Meetings near Harrogate" in sam.last().text
    first = sam.last().text.split("\n\n")[1]
    assert "Harrogate Friday" in first and "NA" in first and "Fri 20:00" in first  # the Leeds ones are farther


async def test_tonights_meeting_further_away_comes_before_next_weeks_nearby(h: Harness) -> None:
    await add_meeting(h.db, "Round the Corner Thursday", at=(LS6[0] + 0.0027, LS6[1]), days="Thursday", time="19:30")
    await add_meeting(h.db, "Across Town Tonight", at=(LS6[0] + 0.0135, LS6[1]), days="Tuesday", time="19:30")
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    text = sam.last().text
    assert "1. Across Town Tonight — 1.5 km" in text and "2. Round the Corner Thursday — 300 m" in text
    assert sam.buttons()[:2] == ["1. Across Town Tonight · today 19:30", "2. Round the Corner Thursday · Thu 19:30"]


async def test_a_person_can_switch_to_nearest_first(h: Harness) -> None:
    await leeds(h)
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    await sam.press("📍 Nearest first")
    nearest = sam.last()
    assert "📍 Nearest first" in nearest.text
    assert in_order(nearest.text, "Headingley Tuesday", "Women's Step Study", "City Centre Lunchtime", "Harrogate Friday")
    assert "1. Headingley Tuesday — 487 m" in nearest.text  # from LS6's centre
    await sam.press("📅 Today")  # filters keep the order
    assert in_order(sam.last().text, "Headingley Tuesday", "City Centre Lunchtime")
    await sam.press("🕒 What's next")
    assert in_order(sam.last().text, "City Centre Lunchtime", "Headingley Tuesday")


async def test_each_meeting_has_its_buttons_next_to_it(h: Harness) -> None:
    await leeds(h)
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    results = sam.last()
    rows = results.reply_markup["inline_keyboard"]  # type: ignore[index]
    listed = [row for row in rows if len(row) == 1 and row[0]["text"][0].isdigit()]
    # One row per meeting, in the list's order, each naming its meeting and when it's on.
    assert [row[0]["text"] for row in listed] == [
        "1. City Centre Lunchtime · today 12:30", "2. Headingley Tuesday · today 19:30",
        "3. Women's Step Study · Thu 18:00", "4. Harrogate Friday · Fri 20:00",
    ]  # fmt: skip
    for number, row in enumerate(listed, start=1):
        name = row[0]["text"].split(". ", 1)[1].split(" · ")[0]
        assert f"{number}. {name}" in results.text
    await sam.press("3. Women's Step Study · Thu 18:00")
    assert sam.last().text.startswith("Women's Step Study")


async def test_type_codes_are_explained_in_words(h: Harness) -> None:
    await leeds(h)
    await add_meeting(h.db, "Clean Time NA", at=(LS6[0] + 0.001, LS6[1]), days="Wednesday", fellowship="NA", types="C,SP")
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    text = sam.last().text
    assert "Closed: for people who want to stop drinking" in text  # City Centre Lunchtime, AA
    assert "Closed: for people who want to stop using drugs" in text  # NA's closed meetings
    assert "Open: anyone is welcome, including family, friends and the curious" in text
    await open_result(sam, "Women's Step Study")
    card = sam.last().text
    assert "• Women: for women only" in card and "• Step study: works through the Twelve Steps" in card
    assert "• Closed: for people who want to stop drinking" in card


async def test_a_meeting_in_another_time_zone_names_its_zone(h: Harness) -> None:
    await add_meeting(
        h.db, "Manhattan Online", days="Tuesday", time="14:00", attendance="online", link="https://zoom.example/j/2",
        zone="America/New_York",
    )  # fmt: skip
    await add_meeting(h.db, "Sunrise Online", days="every day", time="11:00", attendance="online", link="https://zoom.example/j/1")
    sam = await onboard(h, "Sam")  # in London
    await sam.send("/meetings")
    await sam.send("💻 Online meetings soon")
    await sam.press("✓ ⏱ Next 3 hours")
    text = sam.last().text
    assert "today 14:00 New York time (19:00 your time)" in text
    assert "today 11:00 ·" in text and "London time" not in text  # the person's own zone isn't named
    await open_result(sam, "Manhattan Online")
    assert "Next: today 14:00 New York time (19:00 your time)" in sam.last().text


async def test_no_meetings_in_the_next_three_hours_says_so_and_offers_later_today(h: Harness) -> None:
    await leeds(h)
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    await sam.press("⏱ Next 3 hours")  # 10:00: City Centre's 12:30 is the only one
    assert "City Centre Lunchtime" in sam.last().text
    h.clock.set(datetime(2026, 11, 24, 13, 0, tzinfo=UTC))
    await sam.press("✓ ⏱ Next 3 hours")
    await sam.press("⏱ Next 3 hours")
    empty = sam.last()
    assert "Nothing starts in the next 3 hours near LS6 (Leeds). Later today might suit:" in empty.text
    assert empty.buttons()[0] == "📅 Later today"
    await sam.press("📅 Later today")
    later = sam.last()
    assert "Headingley Tuesday" in later.text and "today 19:30" in later.text and "Showing: today" in later.text


async def test_unknown_places_get_close_matches_as_buttons(h: Harness) -> None:
    await leeds(h)
    sam = await onboard(h, "Sam")
    await sam.send("/meetings")
    await sam.send("Lebds")
    assert "I don't know “Lebds”" in sam.last().text
    assert sam.buttons() == ["Leeds"]
    await sam.press("Leeds")
    assert "Meetings near Leeds" in sam.last().text
    await sam.send("/meetings")
    await sam.send("LS66")
    assert "postcode “LS66”" in sam.last().text
    assert "LS6 (Leeds)" in sam.buttons()
    await sam.send("Narnia")
    assert "couldn't find “Narnia”" in sam.last().text
    await sam.send("Newport")
    assert "more than one “Newport”" in sam.last().text
    assert "Newport (Wales)" in sam.buttons() and "Newport (Isle of Wight)" in sam.buttons()


async def test_out_of_range_coordinates_are_refused_kindly(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/meetings")
    update = h.standin.send_location(sam.id, 10.0, 20.0)
    update["message"]["location"] = {"latitude": 95.0, "longitude": 200.0}
    await h.feed(update)
    assert "can't be right" in sam.last().text


async def test_far_from_any_meeting_says_so_and_offers_online_meetings(h: Harness) -> None:
    await leeds(h)
    sam = await onboard(h, "Sam")
    await sam.send("/meetings")
    await sam.send("Inverness")
    text = sam.last().text
    assert "couldn't find an in-person meeting within 80 km of Inverness" in text
    assert "Sunrise Online" in text and "today 11:00" in text
    assert "🏠 In person" in sam.buttons()


async def test_online_meetings_starting_soon_show_wherever_you_are(h: Harness) -> None:
    await leeds(h)
    await add_meeting(h.db, "Evening Online", days="Tuesday", time="21:00", attendance="online", link="https://meet.example/x")
    sam = await onboard(h, "Sam")
    await sam.send("/meetings")
    await sam.send("💻 Online meetings soon")
    text = sam.last().text
    assert "Online meetings" in text and "Sunrise Online" in text and "Evening Online" not in text
    await sam.press("✓ ⏱ Next 3 hours")
    assert "Evening Online" in sam.last().text
    await open_result(sam, 1)
    card = sam.last()
    assert "join link" in card.text
    assert "💻 Join online" in card.buttons()


async def test_results_come_five_a_page(h: Harness) -> None:
    for n in range(12):
        await add_meeting(h.db, f"Meeting {n:02d}", at=(LS6[0] + 0.002 * n, LS6[1]), days="Monday")
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    page1 = sam.last()
    assert "Meeting 00" in page1.text and "Meeting 04" in page1.text and "Meeting 05" not in page1.text
    assert page1.buttons()[:5] == [f"{n + 1}. Meeting {n:02d} · Mon 19:30" for n in range(5)]
    await sam.press("More ▶")
    assert "6. Meeting 05" in sam.last().text and "Meeting 10" not in sam.last().text
    await sam.press("More ▶")
    assert "11. Meeting 10" in sam.last().text and "12. Meeting 11" in sam.last().text
    assert "More ▶" not in sam.buttons()
    await sam.press("◀ Back")
    assert "6. Meeting 05" in sam.last().text


async def test_filters_narrow_by_day_fellowship_and_type(h: Harness) -> None:
    await leeds(h)
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    await sam.press("🏷 Type")
    assert sam.last().text == "What kind of meeting?"
    await sam.press("Women")
    assert "Women's Step Study" in sam.last().text and "Headingley" not in sam.last().text
    await sam.press("✖ Clear filters")
    await sam.press("🤝 Fellowship")
    await sam.press("NA")
    assert "Harrogate Friday" in sam.last().text and "Headingley" not in sam.last().text
    await sam.press("✖ Clear filters")
    await sam.press("🗓 Pick a day")
    await sam.press("Thu")
    text = sam.last().text
    assert "Women's Step Study" in text and "Thu 18:00" in text and "City Centre Lunchtime" in text
    assert "Headingley" not in text


async def test_a_meeting_card_offers_a_map_pin_a_reminder_follow_and_i_went(h: Harness) -> None:
    await leeds(h)
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    await open_result(sam, "Headingley Tuesday")
    card = sam.last()
    assert "Headingley Tuesday" in card.text and "Next: today 19:30" in card.text
    assert "Open: anyone is welcome" in card.text and "Newcomers: especially for people new to recovery" in card.text
    assert card.buttons() == ["🗺 Map", "⏰ Remind me", "⭐ Follow", "✅ I went"]
    await sam.press("🗺 Map")
    venue = sam.last()
    assert venue.kind == "venue"
    assert venue.raw.media["venue"]["title"] == "Headingley Tuesday"
    assert abs(venue.raw.media["venue"]["location"]["latitude"] - 53.8213) < 1e-6
    await sam.press("⭐ Follow", message=card)
    assert "Following" in (sam.last_answer() or "")
    await sam.press("⏰ Remind me", message=card)
    assert "starting today 19:30" in (sam.last_answer() or "")
    assert sam.find("Headingley Tuesday").buttons()[1:3] == ["🔕 Stop reminders", "✖ Unfollow"]
    async with h.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(MeetingFollow))).scalar_one() == 1
        reminder = (await session.execute(select(MeetingReminder))).scalar_one()
    assert reminder.due_at == datetime(2026, 11, 24, 18, 30, tzinfo=UTC)


async def test_the_reminder_comes_an_hour_before_through_the_outbox(h: Harness) -> None:
    await leeds(h)
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    await open_result(sam, "Headingley Tuesday")
    await sam.press("⏰ Remind me")
    h.clock.set(datetime(2026, 11, 24, 18, 29, tzinfo=UTC))
    await meeting_reminders.run(h.runtime)
    await h.deliver()
    assert "Headingley Tuesday" in sam.last().text  # still the card: nothing early
    assert "starts" not in sam.last().text
    h.clock.set(datetime(2026, 11, 24, 18, 30, tzinfo=UTC))
    await meeting_reminders.run(h.runtime)
    await h.deliver()
    assert "Headingley Tuesday</b> starts today 19:30" in sam.last().html
    assert sam.buttons() == ["🗺 Map", "✅ I went", "🔕 Stop reminders"]
    await meeting_reminders.run(h.runtime)  # a second tick sends nothing more
    assert await h.deliver() == 0
    async with h.db.session() as session:
        reminder = (await session.execute(select(MeetingReminder))).scalar_one()
    assert reminder.due_at == datetime(2026, 12, 1, 18, 30, tzinfo=UTC)  # next Tuesday


async def test_i_went_counts_once_per_meeting_toward_ninety_in_ninety(h: Harness) -> None:
    await leeds(h)
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    await open_result(sam, "Headingley Tuesday")
    await sam.press("✅ I went")
    # It is Tuesday 10:00: last Tuesday's is too long ago, tonight's hasn't begun.
    assert "until two days after. The next one is today 19:30" in (sam.last_answer() or "")
    h.clock.set(datetime(2026, 11, 24, 21, 0, tzinfo=UTC))
    await sam.press("✅ I went")
    assert "Counted: Headingley Tuesday, today 19:30. That's 1 in the last 90 days" in sam.last().text
    await sam.press("✅ I went", message=sam.find("Next:"))
    assert "Already counted" in (sam.last_answer() or "")
    async with h.db.session() as session:
        person_id = (await session.execute(select(MeetingAttendance.person_id))).scalar_one()
        since = h.clock.now() - timedelta(days=90)
        assert await meetings.meetings_attended_since(session, person_id, since) == 1
