"""A newcomer's first minutes: welcome, consent, name, purpose, time zone, check-in time,
clean date. Nothing is stored before consent; every answer is validated kindly."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bot.models import Person, RoleGrant, RoleRequest
from tests.harness import Harness


async def people_count(h: Harness) -> int:
    async with h.db.session() as session:
        return (await session.execute(select(func.count()).select_from(Person))).scalar_one()


async def onboard(h: Harness, first_name: str, *, purpose: str = "I'm in recovery", pseudonym: str | None = None):
    user = h.user(first_name)
    await user.send("/start")
    await user.press("✅ I agree")
    await user.send(pseudonym or first_name)
    await user.press(purpose)
    await user.send("UK & Ireland")
    if purpose in ("I'm in recovery", "I'm leaving prison soon"):
        await user.press("09:00")
    if purpose in ("I'm in recovery", "I'm leaving prison soon", "I volunteer as a companion"):
        await user.press("No date / skip")
    return user


async def test_start_explains_what_is_stored_and_stores_nothing_before_agree(h: Harness) -> None:
    sam = h.user("Sam")
    await sam.send("/start")
    welcome = sam.last()
    assert "never keep your phone number" in welcome.text
    assert sam.buttons() == ["✅ I agree", "Not now"]
    assert await people_count(h) == 0
    await sam.press("Not now")
    assert "Nothing has been saved" in sam.last().text
    assert await people_count(h) == 0


async def test_a_member_is_set_up_step_by_step_and_each_answer_is_saved(h: Harness) -> None:
    sam = h.user("Sam")
    await sam.send("/start")
    await sam.press("✅ I agree")
    assert "What should we call you?" in sam.last().text
    await sam.send("Sammy")
    assert "What brings you here?" in sam.last().text
    assert "I'm leaving prison soon" in sam.buttons()
    await sam.press("I'm in recovery")
    assert "Which time zone" in sam.last().text
    assert sam.keyboard()[0] == "📍 Share my location"
    await sam.share_location(53.8008, -1.5491)  # Leeds
    assert any("Europe/London" in t for t in sam.texts()[-3:])
    await sam.press("21:00")
    await sam.send("14/02/2024")
    assert "You're all set, Sammy" in sam.last().text
    async with h.db.session() as session:
        person = (await session.execute(select(Person))).scalar_one()
    assert (person.pseudonym, person.purpose, person.timezone, person.checkin_time, person.clean_date) == (
        "Sammy", "recovery", "Europe/London", "21:00", date(2024, 2, 14)
    )
    assert person.onboarded_at is not None and person.awaiting is None


async def test_bad_answers_get_a_kind_explanation_and_the_question_stays_open(h: Harness) -> None:
    jo = h.user("Jo")
    await jo.send("/start")
    await jo.press("✅ I agree")
    await jo.send("x" * 40)
    assert "32 characters or fewer" in jo.last().text
    await jo.send("Jo")
    await jo.press("I'm in recovery")
    await jo.send("Narnia")
    assert "don't know that time zone" in jo.last().text
    await jo.share_location(0.0, -30.0)  # the middle of the Atlantic
    assert "couldn't tell the time zone" in jo.last().text
    await jo.send("Europe/Madrid")
    await jo.send("25:00")
    assert "doesn't exist" in jo.last().text
    await jo.send("9pm")
    assert "21:00" in jo.last().text and "clean or sober date" in jo.last().text
    await jo.send("31/12/2099")
    assert "in the future" in jo.last().text
    await jo.send("31/02/2020")
    assert "couldn't read that date" in jo.last().text
    await jo.press("Today")
    assert "You're all set, Jo" in jo.last().text
    async with h.db.session() as session:
        person = (await session.execute(select(Person))).scalar_one()
    assert (person.timezone, person.checkin_time, person.clean_date) == ("Europe/Madrid", "21:00", date(2026, 11, 24))


async def test_set_up_resumes_where_it_stopped_after_a_restart(h: Harness) -> None:
    ali = h.user("Ali")
    await ali.send("/start")
    await ali.press("✅ I agree")
    await ali.send("Ali")
    await h.restart()
    await ali.send("/start")
    assert "finish setting you up" in ali.last(1).text
    assert "What brings you here?" in ali.last().text
    await ali.press("I support someone")
    await ali.send("UK & Ireland")
    assert "You're all set, Ali" in ali.last().text


async def test_buttons_from_an_earlier_step_or_forged_data_change_nothing(h: Harness) -> None:
    kim = await onboard(h, "Kim")
    await kim.press_data("v1:ob:purpose:recovery", message=kim.find("What brings you here?"))
    assert kim.last_answer() == "That button is from an earlier message and no longer works."
    await kim.press_data("v1:ob:time:2500")
    await kim.press_data("v1:ob:clean:yesterday")
    await kim.press_data("totally-forged")
    await kim.press_data("v1:zz:1")
    assert kim.last_answer() == "That button is from an earlier message and no longer works."
    async with h.db.session() as session:
        person = (await session.execute(select(Person))).scalar_one()
    assert (person.purpose, person.checkin_time) == ("recovery", "09:00")


async def test_running_a_meeting_asks_a_coordinator_who_can_approve(h: Harness) -> None:
    coordinator = h.user("Coordinator", coordinator=True)
    await onboard(h, "Coordinator", purpose="I support someone")
    secretary = await onboard(h, "Pat", purpose="I run a meeting")
    assert "Which group or meeting" in secretary.last().text  # the coordinator will see the answer
    await secretary.send("Tuesday Night Group")
    assert "asked a coordinator" in secretary.last().text
    await h.deliver()
    request = coordinator.find("asks to be a")
    assert "Pat" in request.text and "group secretary" in request.text
    # Someone who is not a coordinator forges the approve button: refused, nothing granted.
    await secretary.press_data(request.buttons_data()[0])
    assert secretary.last_answer() == "Sorry, that button isn't for you."
    await coordinator.press("✅ Approve", message=request)
    assert "You approved" in coordinator.find("You approved").text
    await coordinator.press_data(request.buttons_data()[0], message=request)
    await h.deliver()
    assert "you're now a group secretary" in secretary.last().text
    async with h.db.session() as session:
        grants = (await session.execute(select(RoleGrant.role))).scalars().all()
        statuses = (await session.execute(select(RoleRequest.status))).scalars().all()
    assert sorted(grants) == ["coordinator", "secretary"]
    assert statuses == ["approved"]


async def test_a_declined_companion_is_told_kindly(h: Harness) -> None:
    coordinator = h.user("Coordinator", coordinator=True)
    await onboard(h, "Coordinator", purpose="I support someone")
    lee = await onboard(h, "Lee", purpose="I volunteer as a companion")
    assert "Which areas can you get to" in lee.last().text  # a companion applies first (tests/test_release_companions.py)
    await lee.send("LS6")
    await lee.press("✅ Done")
    await lee.press("NA")
    await lee.press("Man")
    await lee.press("2–5 years")
    await lee.press("✅ Send to a coordinator")
    await h.deliver()
    await coordinator.press("❌ Decline", message=coordinator.find("asks to be a"))
    await h.deliver()
    assert "wasn't approved this time" in lee.last().text


async def test_a_coordinator_can_invite_another_coordinator_by_a_single_use_link(h: Harness) -> None:
    first = h.user("First", coordinator=True)
    await onboard(h, "First", purpose="I support someone")
    await first.send("/coordinators")
    await first.press("➕ Add a coordinator")
    link = first.last().text.split()[-1]
    assert link.startswith("https://t.me/fellowship_sandbox_bot?start=co_")
    payload = link.split("start=")[1]
    assert len(payload) <= 64
    newbie = h.user("Newbie")
    await newbie.send(f"/start {payload}")
    await newbie.press("✅ I agree")  # the link survives onboarding
    await newbie.send("Newbie")
    await newbie.press("I support someone")
    await newbie.send("UK & Ireland")
    assert "invited to be a <b>coordinator</b> by First" in newbie.last().html
    await newbie.press("✅ Accept")
    assert "You're now a coordinator" in newbie.last().text
    await h.deliver()
    assert "Newbie" in first.last().text and "accepted your invitation" in first.last().text
    # Used once: a second person can't use it, and nor can a forged or expired one.
    other = await onboard(h, "Other", purpose="I support someone")
    await other.send(f"/start {payload}")
    assert "already been used" in other.last().text
    await other.send("/start co_" + "A" * 32)
    assert "don't recognise this link" in other.last().text
    await first.press("➕ Add a coordinator", message=first.find("Coordinators"))
    late = first.last().text.split("start=")[1]
    h.clock.advance(__import__("datetime").timedelta(hours=73))
    await other.send(f"/start {late}")
    assert "expired" in other.last().text


async def test_settings_change_one_answer_at_a_time(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/settings")
    assert "Daily check-in: <b>09:00</b>" in sam.last().html
    await sam.press("Check-in time")
    await sam.send("7.30pm")
    assert "Daily check-in: <b>19:30</b>" in sam.last().html
    await sam.press("Name")
    await sam.send("Samuel")
    assert "Name: <b>Samuel</b>" in sam.last().html
    await sam.press("Clean date")
    await sam.send("01/01/2025")
    assert "Clean date: <b>01 Jan 2025</b>" in sam.last().html
    await sam.press("What brings you here")
    await sam.press("I'm leaving prison soon")
    assert "Saved." in sam.last().text and "Here because: I'm leaving prison soon" in sam.last().text
    await sam.press("Ask to be a release-day companion")
    assert "Which areas can you get to" in sam.last().text  # the companion application starts
    async with h.db.session() as session:
        assert (await session.execute(select(Person.purpose))).scalar_one() == "prison"


async def test_help_lists_what_the_person_can_do_for_their_roles(h: Harness) -> None:
    h.user("Coordinator", coordinator=True)
    coordinator = await onboard(h, "Coordinator", purpose="I support someone")
    member = await onboard(h, "Member")
    await member.send("/help")
    assert "/settings" in member.last().text and "/coordinators" not in member.last().text
    assert "116 123" in member.last().text
    await coordinator.send("/help")
    assert "/coordinators" in coordinator.last().text


async def test_help_lists_a_command_shared_by_two_roles_once(h: Harness) -> None:
    h.user("Coordinator", coordinator=True)
    coordinator = await onboard(h, "Coordinator", purpose="I support someone")
    async with h.db.session() as session:
        person = (await session.execute(select(Person))).scalar_one()
        session.add(RoleGrant(person_id=person.id, role="companion", granted_at=h.clock.now()))
    await coordinator.send("/help")
    assert coordinator.last().text.count("/releases") == 1
