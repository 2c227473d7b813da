"""The meetings feature's buttons are defined once (`bot.services.meetings.buttons`): buttons
already sitting in people's chats keep working, and anything malformed is just "stale"."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.buttons import MAX_CALLBACK_BYTES
from bot.models import MeetingFollow, MeetingReminder
from bot.services.meetings import buttons as mb
from bot.services.meetings.buttons import FindAction, ListingAction, Picker
from tests.harness import Harness
from tests.meeting_factory import LS6, add_meeting
from tests.test_meetings_secretary import add_tuesday_group, secretary, the_meeting
from tests.test_onboarding import onboard

STALE = "That button is from an earlier message and no longer works."


async def test_meeting_buttons_sent_before_the_redesign_still_open_follow_and_remind(h: Harness) -> None:
    meeting = await add_meeting(h.db, "Headingley Tuesday", at=LS6, days="Tuesday", time="19:30")
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    await sam.press_data(f"v1:mt:m:{meeting.id}")  # as a results list sent last week has it
    assert "Headingley Tuesday" in sam.last().text
    assert sam.buttons()[:4] == ["🗺 Map", "⏰ Remind me", "⭐ Follow", "✅ I went"]
    await sam.press_data(f"v1:mt:f:{meeting.id}:1")
    await sam.press_data(f"v1:mt:n:{meeting.id}:1")
    async with h.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(MeetingFollow))).scalar_one() == 1
        assert (await session.execute(select(func.count()).select_from(MeetingReminder))).scalar_one() == 1
    await sam.press_data(f"v1:mt:x:{meeting.id}")  # "Stop reminders" under an old reminder
    assert sam.last().text == "🔕 Reminders for Headingley Tuesday stopped."
    async with h.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(MeetingReminder))).scalar_one() == 0


async def test_an_old_filter_button_without_the_order_part_still_shows_the_list(h: Harness) -> None:
    await add_meeting(h.db, "Headingley Tuesday", at=LS6, days="Tuesday", time="19:30")
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    page = next(d for d in sam.last().buttons_data() if d.startswith("v1:mt:r:"))
    anchor = page.split(":")[3]
    await sam.press_data(f"v1:mt:r:{anchor}:t.p.-.-:0")  # "today", from before "what's next"
    assert "Headingley Tuesday" in sam.last().text and "Showing: today" in sam.last().text


async def test_a_meeting_id_that_only_looks_like_a_number_or_is_too_big_is_answered_as_stale(h: Harness) -> None:
    await add_meeting(h.db, "Headingley Tuesday", at=LS6, days="Tuesday", time="19:30")
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    anchor = next(d for d in sam.last().buttons_data() if d.startswith("v1:mt:r:")).split(":")[3]
    for forged in ("v1:mt:m:²", "v1:mt:f:١:1", f"v1:mt:m:{mb.MAX_ID + 1}", f"v1:mt:r:{anchor}:a.p.-.-:²", "v1:mt:k:-:a.p.-.-:month", "v1:mt:zz:1"):
        await sam.press_data(forged)
        assert sam.last_answer() == STALE, forged


async def test_a_secretary_button_with_a_superscript_id_is_stale_and_changes_nothing(h: Harness) -> None:
    pat = await secretary(h, "Pat")
    await add_tuesday_group(pat)
    await pat.press("✅ Publish")
    for forged in ("v1:sc:rm:²:y", "v1:sc:zz", "v1:sc:", f"v1:sc:mg:{10**30}"):
        await pat.press_data(forged)
        assert pat.last_answer() == STALE, forged
    assert (await the_meeting(h, "Tuesday Night Group")).status == "active"


async def test_the_monthly_question_and_the_manage_buttons_use_the_listing_family(h: Harness) -> None:
    pat = await secretary(h, "Pat")
    await add_tuesday_group(pat)
    await pat.press("✅ Publish")
    await pat.send("/mymeetings")
    await pat.press("Tuesday Night Group")
    meeting = await the_meeting(h, "Tuesday Night Group")
    pressed = [mb.parse_listing(data) for data in pat.last().buttons_data()]
    assert all(p is not None and p.meeting_id in (meeting.id, None) for p in pressed)
    assert {p.action for p in pressed if p is not None} >= {ListingAction.CHANGE, ListingAction.PAUSE, ListingAction.DELETE}


@pytest.mark.parametrize("action", list(FindAction))
def test_every_find_button_reads_back_as_what_it_was(action: FindAction) -> None:
    data = {
        FindAction.PAGE: mb.page("g53.8213,-1.5780", "3.o.CMA.LGBTQ.s", 200),
        FindAction.PICKER: mb.picker("g-53.8213,-179.5780", "a.p.-.-", Picker.FELLOWSHIP),
        FindAction.PLACE: mb.place("oLS6"),
    }.get(action) or mb.meeting(action, mb.MAX_ID, True if action in (FindAction.REMIND, FindAction.FOLLOW) else None)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    press = mb.parse_find(data)
    assert press is not None and press.action is action


@pytest.mark.parametrize("action", list(ListingAction))
def test_every_listing_button_reads_back_with_its_meeting(action: ListingAction) -> None:
    press = mb.parse_listing(mb.listing(action, mb.MAX_ID, "20261224"))
    assert press is not None and (press.action, press.meeting_id, press.args) == (action, mb.MAX_ID, ["20261224"])
    assert mb.parse_listing(mb.FIND.data(action, 1)) is None  # another family's data is not ours
