"""Secretaries keep listings right: /addmeeting step by step with validation and a preview,
/mymeetings to edit, pause, delete, cancel a date and announce; followers hear of it; only
the owner may act; every 30 days the listing is checked."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from bot.models import Meeting, MeetingAttendance, MeetingCancellation, MeetingReminder, Outbox, Person
from bot.services.people import people
from schedules import listing_checks
from tests.harness import Harness
from tests.meeting_factory import LS6, add_meeting, open_result
from tests.test_onboarding import onboard


async def secretary(h: Harness, name: str):  # type: ignore[no-untyped-def]
    """Someone who runs a meeting and holds the secretary role."""
    user = await onboard(h, name, purpose="I support someone")
    async with h.db.session() as session:
        person = (await session.execute(select(Person).where(Person.pseudonym == name))).scalar_one()
        await people.ensure_role(session, person, "secretary", now=h.clock.now())
    return user


async def the_meeting(h: Harness, name: str) -> Meeting:
    async with h.db.session() as session:
        return (await session.execute(select(Meeting).where(Meeting.name == name))).scalar_one()


async def add_tuesday_group(pat) -> None:  # type: ignore[no-untyped-def]
    """The happy path of /addmeeting, up to the preview."""
    await pat.send("/addmeeting")
    await pat.send("Tuesday Night Group")
    await pat.press("AA")
    await pat.send("tuesdays")
    await pat.send("7.30pm")
    await pat.send("20:30")
    await pat.press("🏠 In person")
    await pat.send("St Mark's Church Hall, 12 Woodhouse Lane")
    await pat.send("LS6 2AB")
    await pat.press("Open")
    await pat.press("Newcomers")
    await pat.press("✅ Done")
    await pat.send("Side door, up the stairs.")


async def test_a_secretary_adds_a_meeting_step_by_step_and_it_can_be_found(h: Harness) -> None:
    pat = await secretary(h, "Pat")
    await add_tuesday_group(pat)
    preview = pat.last()
    assert "Check your listing" in preview.text
    assert "AA · Tuesdays 19:30–20:30" in preview.text
    assert "St Mark's Church Hall, 12 Woodhouse Lane, Leeds LS6 2AB (approximate location)" in preview.text
    assert "Open: anyone is welcome" in preview.text and "Newcomers: especially" in preview.text and "Side door" in preview.text
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    assert "Tuesday Night Group" not in sam.last().text  # a draft is nobody else's business
    await pat.press("✅ Publish")
    assert "is published" in pat.last().text
    await sam.send("/meetings LS6")
    assert "1. Tuesday Night Group" in sam.last().text and "today 19:30" in sam.last().text
    meeting = await the_meeting(h, "Tuesday Night Group")
    assert (meeting.status, meeting.slug, meeting.postal_code) == ("active", f"tuesday-night-group-{meeting.id}", "LS6 2AB")
    assert meeting.confirm_due_at == h.clock.now() + timedelta(days=30)


async def test_bad_answers_in_addmeeting_are_explained_and_the_question_stays_open(h: Harness) -> None:
    pat = await secretary(h, "Pat")
    await pat.send("/addmeeting")
    await pat.send("AA")
    assert "at least 3 characters" in pat.last().text
    await pat.send("Tuesday Night Group")
    await pat.send("AA")  # typed instead of tapped
    assert "tap one of the buttons" in pat.last().text
    await pat.press("AA")
    await pat.send("someday")
    assert "couldn't read those days" in pat.last().text
    await pat.send("mon, wed & fri")
    await pat.send("25:00")
    assert "doesn't exist" in pat.last().text
    await pat.send("nonsense")
    assert "couldn't read that time" in pat.last().text
    await pat.send("19:00")
    await pat.send("18:00")
    assert "can't end before it starts (it starts at 19:00)" in pat.last().text
    await pat.press("Skip")
    await pat.press("🔀 In person & online")
    await pat.send("Quaker Meeting House")
    await pat.send("ZZ99 9ZZ")
    assert "don't know the postcode" in pat.last().text
    await pat.share_location(53.8008, -1.5491)
    await pat.send("zoom dot us slash 123")
    assert "doesn't look like a web link" in pat.last().text
    await pat.send("https://zoom.us/j/123456789")
    await pat.send("call me maybe")
    assert "doesn't look like a phone number" in pat.last().text
    await pat.send("+44 20 7946 0000")
    await pat.press("✅ Done")
    await pat.send("x" * 1200)
    assert "1,000 characters or fewer" in pat.last().text
    await pat.press("Skip")
    preview = pat.last().text
    assert "Mon, Wed, Fri 19:00" in preview and "🔀 In person & online" in preview
    assert "☎️ +442079460000" in preview and "join link" in preview
    meeting = await the_meeting(h, "Tuesday Night Group")
    assert (meeting.status, meeting.approximate, meeting.end_time) == ("draft", False, None)
    assert (meeting.latitude, meeting.longitude) == (53.8008, -1.5491)


async def test_addmeeting_resumes_after_a_restart_and_can_start_again(h: Harness) -> None:
    pat = await secretary(h, "Pat")
    await pat.send("/addmeeting")
    await pat.send("Friday Big Book")
    await h.restart()
    await pat.press("NA")
    await pat.send("friday")
    assert "What time does it start?" in pat.last().text
    await pat.send("/addmeeting")
    assert "unfinished meeting, Friday Big Book" in pat.last().text
    await pat.press("Carry on")
    assert "What time does it start?" in pat.last().text
    await pat.send("/help")  # wander off ...
    await pat.send("/addmeeting")  # ... and come back to the same question
    await pat.press("Carry on")
    assert "What time does it start?" in pat.last().text
    await pat.send("6pm")
    assert "When does it end?" in pat.last().text
    await pat.send("/addmeeting")
    await pat.press("Start again")
    assert "What is the meeting called?" in pat.last().text
    async with h.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Meeting))).scalar_one() == 1


async def test_only_secretaries_may_add_and_only_the_owner_may_change_a_listing(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/addmeeting")
    assert "Only group secretaries" in sam.last().text
    pat = await secretary(h, "Pat")
    await add_tuesday_group(pat)
    await pat.press("✅ Publish")
    meeting = await the_meeting(h, "Tuesday Night Group")
    lee = await secretary(h, "Lee")
    for forged in (f"v1:sc:rm:{meeting.id}:y", f"v1:sc:pa:{meeting.id}:1", f"v1:sc:ed:{meeting.id}:name", f"v1:sc:an:{meeting.id}"):
        await lee.press_data(forged)
        assert lee.last_answer() == "Sorry, that button isn't for you."
    await sam.press_data(f"v1:sc:rm:{meeting.id}:y")
    assert "Only group secretaries" in (sam.last_answer() or "")
    await pat.press_data("v1:sc:rm:notanumber")
    await pat.press_data(f"v1:sc:cd:{meeting.id}:2026-13-45")
    assert pat.last_answer() == "That button is from an earlier message and no longer works."
    assert (await the_meeting(h, "Tuesday Night Group")).status == "active"


async def test_changing_the_time_tells_followers_and_moves_their_reminders(h: Harness) -> None:
    pat = await secretary(h, "Pat")
    await add_tuesday_group(pat)
    await pat.press("✅ Publish")
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    await open_result(sam, 1)
    await sam.press("⭐ Follow")
    await sam.press("⏰ Remind me")
    await pat.send("/mymeetings")
    await pat.press("Tuesday Night Group")
    assert "⭐ 1 follower" in pat.last().text
    await pat.press("✏️ Edit")
    await pat.press("Starts")
    await pat.send("8pm")
    assert "Saved. Told: 1 follower." in pat.last(1).text
    assert "Tuesdays 20:00–20:30" in pat.last().text
    await h.deliver()
    news = sam.last()
    assert "Tuesday Night Group has changed" in news.text and "Starts: 20:00" in news.text
    async with h.db.session() as session:
        reminder = (await session.execute(select(MeetingReminder))).scalar_one()
    assert reminder.due_at == datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
    # Days are toggled, and followers hear once, when the secretary taps Done.
    await pat.press("✏️ Edit")
    await pat.press("Days")
    await pat.press("Mon")
    await pat.press("✓ Tue")
    await pat.press("Thu")
    await h.deliver()
    assert "has changed" in sam.last().text and "Days" not in sam.last().text
    await pat.press("✅ Done")
    await h.deliver()
    assert "Days: Mon, Thu" in sam.last().text
    async with h.db.session() as session:
        reminder = (await session.execute(select(MeetingReminder))).scalar_one()
    assert reminder.due_at == datetime(2026, 11, 26, 19, 0, tzinfo=UTC)  # Thursday now


async def test_cancelling_one_date_tells_followers_and_shows_in_search(h: Harness) -> None:
    pat = await secretary(h, "Pat")
    await add_tuesday_group(pat)
    await pat.press("✅ Publish")
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    await open_result(sam, 1)
    await sam.press("⭐ Follow")
    await pat.send("/mymeetings")
    await pat.press("Tuesday Night Group")
    await pat.press("❌ Cancel a date")
    assert pat.buttons()[:3] == ["Tue 24 Nov", "Tue 1 Dec", "Tue 8 Dec"]
    await pat.send("25/11/2026")
    assert "doesn't meet on Wed 25 Nov. It meets Tuesdays" in pat.last().text
    await pat.send("01/01/2020")
    assert "has passed" in pat.last().text
    await pat.press("Tue 24 Nov")
    assert "Tue 24 Nov is cancelled" in pat.last(1).text and "Told: 1 follower" in pat.last(1).text
    await h.deliver()
    assert "Tuesday Night Group is cancelled on Tue 24 Nov. The next one is Tue 1 Dec." in sam.last().text
    await sam.send("/meetings LS6")
    assert "❌ today 19:30 cancelled · next Tue 1 Dec 19:30" in sam.last().text
    await sam.press("📅 Today")
    assert "Tuesday Night Group" not in sam.last().text
    await pat.press("❌ Cancel a date")
    await pat.press("❌ Tue 24 Nov")
    assert "Tue 24 Nov is on again" in pat.last(1).text
    await h.deliver()
    assert "is on again on Tue 24 Nov" in sam.last().text
    async with h.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(MeetingCancellation))).scalar_one() == 0


async def test_an_announcement_reaches_every_follower_paced_through_the_outbox(h: Harness) -> None:
    pat = await secretary(h, "Pat")
    await add_tuesday_group(pat)
    await pat.press("✅ Publish")
    await pat.send("/mymeetings")
    await pat.press("Tuesday Night Group")
    await pat.press("📣 Announce")
    assert "Nobody follows" in pat.last().text
    followers = []
    for name in ("Ann", "Ben", "Cat"):
        member = await onboard(h, name)
        await member.send("/meetings LS6")
        await open_result(member, 1)
        await member.press("⭐ Follow")
        followers.append(member)
    await pat.press("📣 Announce", message=pat.find("⭐ 0 followers"))
    assert "goes to its 3 followers" in pat.last().text
    await pat.send("Bring a friend: <b>cake</b> after the meeting!")
    assert "Sent to 3 followers" in pat.last().text
    async with h.db.session() as session:
        times = (await session.execute(select(Outbox.next_attempt_at).where(Outbox.kind == "meeting_announcement"))).scalars().all()
    assert sorted(times) == [h.clock.now(), h.clock.now() + timedelta(seconds=0.1), h.clock.now() + timedelta(seconds=0.2)]
    h.clock.advance(timedelta(seconds=1))
    await h.deliver()
    for member in followers:
        assert member.last().html == "📣 <b>Tuesday Night Group</b>\nBring a friend: &lt;b&gt;cake&lt;/b&gt; after the meeting!"


async def test_pausing_hides_a_listing_and_deleting_it_keeps_i_went_counts(h: Harness) -> None:
    pat = await secretary(h, "Pat")
    await add_tuesday_group(pat)
    await pat.press("✅ Publish")
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    await open_result(sam, 1)
    await sam.press("⭐ Follow")
    h.clock.set(datetime(2026, 11, 24, 20, 0, tzinfo=UTC))
    await sam.press("✅ I went")
    await pat.send("/mymeetings")
    await pat.press("Tuesday Night Group")
    await pat.press("⏸ Pause")
    assert "Paused" in (pat.last_answer() or "")
    await h.deliver()
    assert "is paused for now" in sam.last().text
    await sam.send("/meetings LS6")
    assert "Tuesday Night Group" not in sam.last().text
    await pat.press("▶️ Resume")
    await pat.press("🗑 Delete")
    assert "Its 1 follower will be told" in pat.last().text
    await pat.press("Yes, delete it")
    assert "Deleted. Told: 1 follower." in pat.last().text
    await h.deliver()
    assert "is no longer listed" in sam.last().text
    async with h.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Meeting))).scalar_one() == 0
        went = (await session.execute(select(MeetingAttendance))).scalar_one()
    assert (went.meeting_id, went.attended_on) == (None, date(2026, 11, 24))


async def test_every_thirty_days_the_secretary_is_asked_if_the_listing_is_still_right(h: Harness) -> None:
    pat = await secretary(h, "Pat")
    await add_tuesday_group(pat)
    await pat.press("✅ Publish")
    h.clock.advance(timedelta(days=29))
    assert await listing_checks.run(h.runtime) == 0
    h.clock.advance(timedelta(days=1))
    assert await listing_checks.run(h.runtime) == 1
    assert await listing_checks.run(h.runtime) == 0  # claimed: never asked twice
    await h.deliver()
    assert "Is this listing still right?" in pat.last().text
    await pat.press("✅ Yes, still right")
    assert "Marked as checked today" in pat.last().text
    meeting = await the_meeting(h, "Tuesday Night Group")
    assert meeting.confirmed_at == h.clock.now()


async def test_a_listing_unconfirmed_for_ninety_days_is_marked_may_be_out_of_date(h: Harness) -> None:
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    await add_meeting(h.db, "Fresh", at=LS6, confirmed_at=now - timedelta(days=10))
    await add_meeting(h.db, "Stale", at=(LS6[0] + 0.01, LS6[1]), confirmed_at=now - timedelta(days=91))
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    fresh, stale = sam.last().text.split("\n\n")[1:3]
    assert "Fresh" in fresh and "may be out of date" not in fresh
    assert "Stale" in stale and "may be out of date" in stale
    await open_result(sam, 2)
    assert "may be out of date (last confirmed 25 Aug 2026)" in sam.last().text
