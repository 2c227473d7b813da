"""What meetings keep about a person: shown in /mydata, erased by /forget. A secretary's
published listings stay for everyone else, without an owner; their drafts go."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.models import Meeting, MeetingAttendance, MeetingFollow, MeetingReminder
from tests.harness import Harness
from tests.meeting_factory import LS6, add_meeting, open_result
from tests.test_meetings_secretary import add_tuesday_group, secretary
from tests.test_onboarding import onboard


async def rows(h: Harness, table: type) -> int:
    async with h.db.session() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def test_mydata_lists_follows_reminders_meetings_attended_and_listings(h: Harness) -> None:
    await add_meeting(h.db, "Headingley Tuesday", at=LS6)
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    await open_result(sam, 1)
    await sam.press("⭐ Follow")
    await sam.press("⏰ Remind me")
    h.clock.set(datetime(2026, 11, 24, 20, 0, tzinfo=UTC))
    await sam.press("✅ I went")
    await sam.send("/mydata")
    data = json.loads(sam.last().raw.file.data)["meetings"]
    assert data["following"][0]["meeting"] == "Headingley Tuesday"
    assert data["reminders"] == [{"meeting": "Headingley Tuesday", "next_reminder_at": "2026-11-24T18:30:00+00:00"}]
    assert data["meetings_you_went_to"] == [{"date": "2026-11-24", "meeting": "Headingley Tuesday"}]
    assert data["meetings_you_list_as_secretary"] == []


async def test_forget_erases_a_members_meeting_rows_and_leaves_listings_for_others(h: Harness) -> None:
    pat = await secretary(h, "Pat")
    await add_tuesday_group(pat)
    await pat.press("✅ Publish")
    await pat.send("/addmeeting")
    await pat.send("Half-written draft")
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    await open_result(sam, 1)
    await sam.press("⭐ Follow")
    await sam.press("⏰ Remind me")
    h.clock.set(datetime(2026, 11, 24, 20, 0, tzinfo=UTC))
    await sam.press("✅ I went")
    await pat.send("/mymeetings")
    await pat.press("Tuesday Night Group")
    await pat.press("❌ Cancel a date")
    await pat.press("Tue 1 Dec")

    await sam.send("/forget")
    await sam.press("Yes, erase everything")
    for table in (MeetingFollow, MeetingReminder, MeetingAttendance):
        assert await rows(h, table) == 0, table.__name__

    await pat.send("/forget")
    await pat.press("Yes, erase everything")
    async with h.db.session() as session:
        listings = (await session.execute(select(Meeting.name, Meeting.secretary_id, Meeting.status))).all()
    assert listings == [("Tuesday Night Group", None, "active")]  # the draft went with Pat
    newcomer = await onboard(h, "Newcomer")
    await newcomer.send("/meetings LS6")
    assert "Tuesday Night Group" in newcomer.last().text
