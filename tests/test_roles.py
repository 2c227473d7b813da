"""Asking for a role, as the applicant and the coordinator live it: the applicant is told the
truth about who will see the request, the coordinator sees what they said and can message
them to arrange vetting, a new secretary can add a meeting at once, and a companion is asked
their clean time once."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.models import CompanionProfile, Person, RoleRequest
from tests.harness import Harness
from tests.test_onboarding import onboard


async def person_id(h: Harness, pseudonym: str) -> int:
    async with h.db.session() as session:
        return (await session.execute(select(Person.id).where(Person.pseudonym == pseudonym))).scalar_one()


async def test_an_applicant_is_told_a_coordinator_will_see_it(h: Harness) -> None:
    h.user("Casey", coordinator=True)  # a coordinator in the settings who hasn't opened the bot yet
    pat = await onboard(h, "Pat", purpose="I run a meeting")
    assert "Which group or meeting are you the secretary for?" in pat.last().text
    await pat.send("Tuesday Night Group, Headingley")
    told = pat.last().text
    assert "A coordinator will see it when they next open the bot" in told
    assert "no coordinator" not in told.lower()
    casey = await onboard(h, "Casey", purpose="I support someone")
    await casey.send("/coordinators")
    await casey.press("📝 Requests waiting (1)")
    request = casey.find("asks to be a group secretary")
    assert "Tuesday Night Group, Headingley" in request.text


async def test_the_coordinator_sees_what_the_applicant_said_and_can_message_them(h: Harness) -> None:
    h.user("Casey", coordinator=True)
    casey = await onboard(h, "Casey", purpose="I support someone")
    pat = await onboard(h, "Pat", purpose="I run a meeting")
    await pat.send("   ")
    assert "Please type the group or meeting's name" in pat.last().text
    await pat.send("x" * 300)
    assert "under 120 characters" in pat.last().text
    await pat.send("Tuesday <b>Night</b> Group,\n St Mark's, LS6")
    assert "asked a coordinator" in pat.last().text
    async with h.db.session() as session:
        assert (await session.execute(select(RoleRequest.answer))).scalar_one() == "Tuesday <b>Night</b> Group, St Mark's, LS6"
    await pat.send("/mydata")  # what they said is theirs to see
    data = json.loads(pat.last().raw.file.data)
    assert data["role_requests"][0]["what_you_said"] == "Tuesday <b>Night</b> Group, St Mark's, LS6"
    await h.deliver()
    request = casey.find("asks to be a group secretary")
    assert "They said: “Tuesday <b>Night</b> Group, St Mark's, LS6”" in request.text  # shown as typed, not as markup
    assert "&lt;b&gt;Night" in request.html
    assert request.buttons() == ["✅ Approve", "❌ Decline", "💬 Message Pat"]

    # Someone who isn't a coordinator can't use the button to reach Pat.
    sam = await onboard(h, "Sam")
    await sam.press_data(request.buttons_data()[2], message=sam.last())
    assert sam.last_answer() == "You can only message people you support, or who support you."

    await casey.press("💬 Message Pat", message=request)
    assert "Type your message to Pat" in casey.last().text
    await casey.send("Could we meet for a coffee about vetting?")
    await h.deliver()
    assert "a coordinator, wrote to you" in pat.last().text and "coffee about vetting" in pat.last().text
    await pat.press("↩️ Reply")
    await pat.send("Yes, Thursday works")
    await h.deliver()
    assert "Yes, Thursday works" in casey.last().text


async def test_a_new_secretary_gets_an_add_a_meeting_button(h: Harness) -> None:
    h.user("Casey", coordinator=True)
    casey = await onboard(h, "Casey", purpose="I support someone")
    pat = await onboard(h, "Pat", purpose="I run a meeting")
    await pat.press("Skip")
    assert "asked a coordinator" in pat.last().text
    await h.deliver()
    await casey.press("✅ Approve", message=casey.find("asks to be a group secretary"))
    await h.deliver()
    approved = pat.last()
    assert "you're now a group secretary" in approved.text
    assert approved.buttons() == ["➕ Add a meeting"]
    await pat.press("➕ Add a meeting")
    assert "What is the meeting called?" in pat.last().text


async def test_a_companion_is_asked_their_clean_time_once(h: Harness) -> None:
    lee = h.user("Lee")
    await lee.send("/start")
    await lee.press("✅ I agree")
    await lee.send("Lee")
    await lee.press("I volunteer as a companion")
    await lee.send("UK & Ireland")
    assert "clean or sober date" in lee.last().text
    await lee.send("01/01/2023")
    assert "Which areas can you get to" in lee.last().text
    await lee.send("LS6")
    await lee.press("✅ Done")
    await lee.press("NA")
    await lee.press("Man")
    review = lee.last()
    assert "Your application" in review.text and "Clean time: 2–5 years" in review.text
    assert not any("How long have you been clean" in text for text in lee.texts())
    async with h.db.session() as session:
        assert (await session.execute(select(CompanionProfile.clean_time))).scalar_one() == "2to5"


async def test_a_companion_without_a_clean_date_is_asked_in_the_application(h: Harness) -> None:
    lee = await onboard(h, "Lee", purpose="I volunteer as a companion")
    await lee.send("LS6")
    await lee.press("✅ Done")
    await lee.press("NA")
    await lee.press("Man")
    assert "How long have you been clean and sober?" in lee.last().text
