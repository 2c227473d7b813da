"""Release day from both sides, through the real application, outbox and ticks, with the
injected clock: a coordinator's request, offers, the first yes, reminders, a moved date, the
gate, "met", meetings that evening, check-ins twice a day that taper to once, escalation
when nobody says yes, alerts when it goes wrong, and erasure thirty days after it closes.

The clock starts on Tuesday 24 Nov 2026, 10:00 (London = UTC in winter).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, select

from bot import texts
from bot.models import (
    Invitation,
    ReleaseDuty,
    ReleaseEvent,
    ReleaseOffer,
    ReleaseRequest,
    ReleaseTally,
    SupportLink,
)
from schedules import JOB_KWARGS
from tests.harness import Harness
from tests.harness import Person as User
from tests.meeting_factory import add_meeting
from tests.release_steps import (
    companion,
    confirm,
    coordinator,
    open_card,
    request_for_someone,
    the_request,
    tick_at,
    utc,
)
from tests.test_onboarding import onboard

_CARD_DAY = re.compile(r"Check-in · (\w{3} \d+ \w{3})")


def prompts_by_day(user: User) -> Counter[str]:
    """How many check-in prompts (morning or evening) came for each day."""
    found: Counter[str] = Counter()
    for message in user.messages():
        if re.match(r"^(Good (morning|afternoon|evening)|Welcome back), ", message.text):
            day = _CARD_DAY.search(message.text)
            assert day is not None
            found[day.group(1)] += 1
    return found


async def connect_with_card(h: Harness, name: str, link: str, casey: User | None = None) -> User:
    """The person, out of prison, opens their card's link and sets up the bot (consent, a
    name); a coordinator confirms it's them (the first coordinator, "Casey", by default)."""
    person = await open_card(h, name, link)
    await confirm(h, casey or h.user("Casey"), name)
    return person


async def count(h: Harness, table: type) -> int:
    async with h.db.session() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def test_the_whole_release_day_from_request_to_check_ins_that_taper(h: Harness) -> None:
    await add_meeting(h.db, "Headingley Thursday", at=(53.8213, -1.5780), days="Thursday", time="19:30", fellowship="NA")
    await add_meeting(h.db, "Nearer but AA", at=(53.8201, -1.5709), days="Thursday", time="18:00", fellowship="AA")
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee", areas="LS6")
    kim = await companion(h, casey, "Kim", areas="Leeds", gender="Woman")

    # A coordinator asks on someone's behalf: a Friday release from HMP Leeds, home to LS6.
    link = await request_for_someone(h, casey, date="04/12/2026")
    assert "Friday often happen on the Thursday before" in casey.find("What time is release expected").text
    assert "Sent to 2 companions" in casey.find("The card for the person").text
    card, number = casey.last(), (await the_request(h)).id
    assert card.kind == "document" and card.raw.file.file_name == f"release-card-{number}.png"

    # Both companions are offered it, with no identity and no prison name.
    await h.deliver()
    for offered in (lee, kim):
        offer = offered.find("Can you meet someone on release day?")
        assert "Near Leeds (LS12), going home to LS6 (Leeds)" in offer.text
        assert "Fri 4 Dec, morning" in offer.text and "probation appointment" in offer.text
        assert "Leeds (HMP)" not in offer.text and "probation office" not in offer.text

    # Lee says yes first and sees the details; Kim's yes comes too late.
    await lee.press("✅ I can meet them")
    assert "It's yours" in lee.last().text
    assert "Leeds (HMP)" in lee.last().text and "2pm, Leeds probation office" in lee.last().text
    await kim.press("✅ I can meet them")
    assert kim.last_answer() == "Someone else has already said yes to this one. Thank you for offering. 💛"
    await h.deliver()
    assert "Lee</b> will meet them" in casey.find("will meet them").html
    assert not any("Leeds (HMP)" in text for text in kim.texts())

    # Out of prison? Not yet, but the person has the card and connects early.
    robin = await connect_with_card(h, "Robin", link)
    assert "You're connected, Robin" in robin.find("You're connected").text
    assert not any("Ask for a companion" in label for m in robin.messages() for label in m.buttons())
    assert "Companion: Lee" in robin.find("You're connected").text
    await h.deliver()
    assert "has connected to the bot" in lee.last().text

    # The release moves from Friday to Thursday: Lee and Robin hear at once.
    await casey.send("/releases")
    await casey.press(f"📄 #{number}")
    await casey.press("📅 Change the date")
    await casey.send("03/12/2026")
    assert "Saved: now Thu 3 Dec, morning" in casey.last().text
    await h.deliver()
    assert "now Thu 3 Dec, morning (time not known yet) (was Fri 4 Dec" in lee.last().text
    assert "now down as Thu 3 Dec" in robin.last().text

    # The day before, at 18:00: the companion gets the details, the person who will meet them.
    await tick_at(h, utc(2026, 12, 2, 17, 59))
    assert not any("Tomorrow" in text for text in lee.texts())
    await tick_at(h, utc(2026, 12, 2, 18, 0))
    assert "Tomorrow you're meeting someone on release" in lee.last().text and "Leeds (HMP)" in lee.last().text
    assert "Tomorrow Lee will meet you outside Leeds (HMP)" in robin.find("Tomorrow").text

    # The morning: two hours before the usual 08:00, with the status buttons.
    await tick_at(h, utc(2026, 12, 3, 6, 0))
    today = lee.find("Today's release")
    assert today.buttons()[:2] == ["🚶 On my way", "🚪 At the gate"]
    assert "Lee will be at the gate of Leeds (HMP)" in robin.find("Today's the day").text

    await lee.press("🚪 At the gate", message=today)
    assert "Saved: at the gate" in lee.last().text
    await h.deliver()
    assert "Lee says at the gate" in casey.last().text
    assert "Lee is at the gate now" in robin.last().text

    # Met: the request closes, Lee sees tonight's nearest meetings, and they go together.
    await lee.press("🤝 Met", message=lee.last())
    met = lee.last()
    assert "Wonderful" in met.text and "Meetings later today near LS6 (Leeds)" in met.text
    assert "Headingley Thursday" in met.text and "Nearer but AA" in met.text  # every fellowship (issue 13.9)
    await lee.press("🤝 We went to a meeting together")
    assert "you went to a meeting together" in lee.last().text
    assert (await the_request(h)).outcome == "met"

    # Robin is asked about check-ins, says yes, and Lee becomes a supporter for now.
    await h.deliver()
    await robin.press("🌱 Yes please", message=robin.find("Would you like daily check-ins?"))
    assert "check-ins at 09:00 and 19:00 for two weeks, then at 09:00" in robin.last().text
    await h.deliver()
    assert "Robin said yes to daily check-ins" in lee.last().text
    async with h.db.session() as session:
        supporters = (await session.execute(select(func.count()).select_from(SupportLink))).scalar_one()
    assert supporters == 1

    # Twice a day for the first fourteen days from release (3 to 16 Dec), then once.
    day = utc(2026, 12, 3)
    while day <= utc(2026, 12, 18):
        await tick_at(h, day.replace(hour=9))
        await tick_at(h, day.replace(hour=19))
        day += timedelta(days=1)
    by_day = prompts_by_day(robin)
    assert [by_day[texts.day_label(date(2026, 12, d))] for d in range(3, 19)] == [2] * 14 + [1, 1]

    # Lee hands over to Robin's sponsor; when the sponsor says yes, Lee steps back.
    await lee.press("🤝 Hand over to a sponsor", message=lee.find("Robin said yes to daily check-ins"))
    handover = lee.last().text
    assert "Send this link to Robin's sponsor" in handover
    sponsor = await onboard(h, "Sam", purpose="I support someone")
    await sponsor.send("/start " + handover.split("start=")[1])
    await sponsor.press("✅ Yes, I'll support Robin")
    await h.deliver()
    assert "Robin's sponsor has said yes, so you've stepped back" in lee.last().text
    async with h.db.session() as session:
        supporter_ids = (await session.execute(select(SupportLink.supporter_id))).scalars().all()
    assert len(supporter_ids) == 1 and "Sam said yes" in robin.find("Sam").text


async def test_a_request_nobody_accepts_goes_to_the_coordinators_72_hours_before(h: Harness) -> None:
    casey = await coordinator(h)
    dana = await coordinator(h, "Dana")
    lee = await companion(h, casey, "Lee")
    await request_for_someone(h, casey, date="04/12/2026")  # Friday, morning: 08:00 London
    await h.deliver()

    await tick_at(h, utc(2026, 12, 1, 7, 59))
    assert not any("No companion yet" in text for text in casey.texts() + dana.texts())
    await tick_at(h, utc(2026, 12, 1, 8, 0))
    alert, number = casey.find("No companion yet"), (await the_request(h)).id
    assert f"release #{number} (Fri 4 Dec, morning (time not known yet), Leeds (HMP)): it's 72 hours away" in alert.text
    assert "No companion yet" in dana.last().text
    await tick_at(h, utc(2026, 12, 1, 8, 30))
    assert sum("No companion yet" in text for text in casey.texts()) == 1  # once, not every tick

    # The coordinator assigns Lee directly; Lee hears with the details.
    await casey.press("👤 Assign a companion", message=alert)
    await casey.press("Lee")
    assert "Lee is now meeting the release" in casey.last().text
    await h.deliver()
    assert "A coordinator has asked you to meet a release" in lee.last().text and "Leeds (HMP)" in lee.last().text
    assert (await the_request(h)).companion_id is not None


async def test_not_released_and_could_not_find_them_alert_every_coordinator_at_once(h: Harness) -> None:
    casey = await coordinator(h)
    dana = await coordinator(h, "Dana")
    lee = await companion(h, casey, "Lee")
    link = await request_for_someone(h, casey, date="26/11/2026", time="10:30")
    await h.deliver()
    await lee.press("✅ I can meet them")
    robin = await connect_with_card(h, "Robin", link)

    # Before the day, the day's buttons don't work yet.
    await tick_at(h, utc(2026, 11, 25, 18, 0))
    number = (await the_request(h)).id
    await lee.press_data(f"v1:rs:{number}:n")
    assert lee.last_answer() == "These buttons are for the release day, Thu 26 Nov."

    await tick_at(h, utc(2026, 11, 26, 7, 0))
    await lee.press("⛔ Not released today", message=lee.find("Today's release"))
    assert "The coordinators have been told straight away" in lee.last().text
    await h.deliver()
    for told in (casey, dana):
        alert = told.last()
        assert alert.text.startswith(f"🚨 Release #{number}: not released today.")
        assert "Lee reported it just now" in alert.text and "Leeds (HMP)" in alert.text

    # Moved to the next day by the coordinator, then the companion can't find them.
    await casey.press("📄 Open the request", message=casey.last())
    await casey.press("📅 Change the date")
    await casey.send("27/11/2026")
    await h.deliver()
    await tick_at(h, utc(2026, 11, 27, 10, 0))
    await lee.press("❓ Couldn't find them", message=lee.find("Today's release"))
    await h.deliver()
    assert casey.last().text.startswith(f"🚨 Release #{number}: couldn't find them.")
    assert dana.last().text.startswith(f"🚨 Release #{number}: couldn't find them.")
    assert "Lee couldn't find you at the gate" in robin.last().text


async def test_details_are_erased_thirty_days_after_the_request_closes_leaving_a_count(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    await request_for_someone(h, casey, date="26/11/2026", notes="no phone yet")
    await h.deliver()
    await lee.press("✅ I can meet them")
    await tick_at(h, utc(2026, 11, 26, 7, 0))
    await lee.press("🤝 Met", message=lee.find("Today's release"))
    closed_at = (await the_request(h)).closed_at
    assert closed_at is not None

    await tick_at(h, closed_at + timedelta(days=30) - timedelta(minutes=1))
    assert await count(h, ReleaseRequest) == 1
    await tick_at(h, closed_at + timedelta(days=30))
    for table in (ReleaseRequest, ReleaseOffer, ReleaseEvent, ReleaseDuty):
        assert await count(h, table) == 0, table.__name__
    async with h.db.session() as session:
        tallies = (await session.execute(select(ReleaseTally.month, ReleaseTally.outcome, ReleaseTally.count))).all()
        cards = (await session.execute(select(func.count()).select_from(Invitation).where(Invitation.kind == "rc"))).scalar_one()
    assert tallies == [("2026-11", "met", 1)]
    assert cards == 0
    await casey.send("/releases")
    assert "Closed and erased since" in casey.last().text and "met at the gate 1" in casey.last().text


async def test_a_request_nobody_closes_is_closed_two_weeks_after_the_day_and_erased_later(h: Harness) -> None:
    casey = await coordinator(h)
    await request_for_someone(h, casey, date="26/11/2026")
    await tick_at(h, utc(2026, 12, 10, 12, 0))
    request = await the_request(h)
    assert (request.status, request.outcome) == ("closed", "not_recorded")
    await tick_at(h, utc(2027, 1, 9, 12, 0))
    assert await count(h, ReleaseRequest) == 0


async def test_someone_leaving_prison_can_ask_for_themselves_after_set_up(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    robin = await onboard(h, "Robin", purpose="I'm leaving prison soon")
    assert "A companion from the fellowships can meet you" in robin.last().text
    await robin.press("🚪 Ask for a companion on release day")
    await robin.send("HMP Leeds")
    await robin.send("30/11/2026")
    await robin.send("9.30am")
    await robin.send("Leeds")
    await robin.press("A man")
    await robin.press("Not sure")
    await robin.press("✅ Done")
    await robin.press("Skip")
    review = robin.last()
    assert "Check the request" in review.text and "Mon 30 Nov at 09:30" in review.text
    await robin.press("✅ Send")
    assert "I've asked 1 companion near you" in robin.last().text
    await h.deliver()
    assert f"New release request #{(await the_request(h)).id}" in casey.last().text
    await lee.press("✅ I can meet them")
    await h.deliver()
    assert "Lee</b> will meet you outside Leeds (HMP), Mon 30 Nov at 09:30" in robin.last().html

    # Robin moves the time themselves; Lee hears at once.
    await robin.send("/release")
    await robin.press("🕒 Change the time")
    await robin.send("11:00")
    await h.deliver()
    assert "now <b>Mon 30 Nov at 11:00</b>" in lee.last().html


async def test_a_delay_on_the_day_reaches_everyone_without_repeating_the_reminders(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    link = await request_for_someone(h, casey, date="26/11/2026", time="09:00")
    await h.deliver()
    await lee.press("✅ I can meet them")
    robin = await connect_with_card(h, "Robin", link)
    await tick_at(h, utc(2026, 11, 25, 18, 0))
    await tick_at(h, utc(2026, 11, 26, 7, 0))
    await lee.press("⏳ Delayed", message=lee.find("Today's release"))
    assert "What's the new expected time?" in lee.last().text
    await lee.send("half eleven")
    assert "couldn't read that time" in lee.last().text
    await lee.send("11:30")
    assert "Saved: now Thu 26 Nov at 11:30" in lee.last().text
    assert "🤝 Met" in lee.buttons()
    await h.deliver()
    assert "is now <b>Thu 26 Nov at 11:30</b> (was Thu 26 Nov at 09:00)" in casey.last().html
    assert "now down as Thu 26 Nov at 11:30" in robin.last().text
    await tick_at(h, utc(2026, 11, 26, 9, 0))
    assert sum("Tomorrow you're meeting" in t for t in lee.texts()) == 1
    assert sum("Today's release" in t for t in lee.texts()) == 1


async def test_the_release_tick_runs_on_the_job_queue_with_a_misfire_grace_time(h: Harness) -> None:
    casey = await coordinator(h)
    await request_for_someone(h, casey, date="26/11/2026")
    assert h.app is not None and h.app.job_queue is not None
    (job,) = h.app.job_queue.get_jobs_by_name("release_reminders")
    assert job.job.misfire_grace_time == JOB_KWARGS["misfire_grace_time"] > 1 and job.job.coalesce is True
    h.clock.set(utc(2026, 11, 25, 18, 0))
    await job.run(h.app)
    await h.deliver()
    assert "Release #" in casey.last().text and "is tomorrow" in casey.last().text  # nobody has it yet


async def test_an_aftercare_evening_prompt_missed_overnight_is_skipped_not_sent_the_next_day(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    link = await request_for_someone(h, casey, date="26/11/2026", time="09:00")
    await h.deliver()
    await lee.press("✅ I can meet them")
    robin = await connect_with_card(h, "Robin", link)
    await tick_at(h, utc(2026, 11, 26, 7, 0))
    await lee.press("🤝 Met", message=lee.find("Today's release"))
    await h.deliver()
    await robin.press("🌱 Yes please", message=robin.find("Would you like daily check-ins?"))
    await tick_at(h, utc(2026, 11, 26, 19, 0))
    await tick_at(h, utc(2026, 11, 27, 9, 0))
    # The bot is down from Friday morning until just after midnight: Friday's evening
    # check-in is skipped, not sent after midnight labelled for Saturday.
    await tick_at(h, utc(2026, 11, 28, 0, 30))
    await tick_at(h, utc(2026, 11, 28, 9, 0))
    await tick_at(h, utc(2026, 11, 28, 19, 0))
    by_day = prompts_by_day(robin)
    assert [by_day[texts.day_label(date(2026, 11, d))] for d in (26, 27, 28)] == [2, 1, 2]
    # Late the same evening, though, a missed evening prompt still comes (once).
    await tick_at(h, utc(2026, 11, 29, 9, 0))
    await tick_at(h, utc(2026, 11, 29, 22, 0))
    assert prompts_by_day(robin)[texts.day_label(date(2026, 11, 29))] == 2
