"""Companions: the application (areas, fellowship, gender, clean time), a coordinator's vetting
date, pausing, and who is offered which release (area, gender asked for, vetted, available)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.models import CompanionArea, CompanionProfile, RoleGrant, RoleRequest
from tests.harness import Harness
from tests.release_steps import companion, coordinator, request_for_someone, the_request
from tests.test_onboarding import onboard


async def test_a_companion_applies_and_a_coordinator_records_when_vetting_was_done(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await onboard(h, "Lee", purpose="I volunteer as a companion")
    assert "Which areas can you get to" in lee.last().text
    await lee.send("LS6, Leeds, Narnia")
    areas = lee.find("Your areas")
    assert "LS6 (Leeds), Leeds" in areas.text and "I couldn't find: Narnia" in areas.text
    await lee.send("Newport")
    assert "There's more than one “Newport”" in lee.last().text
    await lee.press(lee.buttons()[0])
    await lee.press("✅ Done")
    assert "Which fellowship are you in?" in lee.last().text
    await lee.press("NA")
    await lee.press("Man")
    await lee.press("2–5 years")
    review = lee.last()
    assert "Your application" in review.text and "Clean time: 2–5 years" in review.text
    await lee.press("✅ Send to a coordinator")
    assert "asked a coordinator to approve you" in lee.last().text

    await h.deliver()
    application = casey.find("asks to be a release-day companion")
    assert "Areas: LS6 (Leeds), Leeds, Newport" in application.text and "Fellowship: NA" in application.text
    assert application.buttons() == ["✅ Vetted: approve", "❌ Decline", "💬 Message Lee"]
    async with h.db.session() as session:
        request_id = (await session.execute(select(RoleRequest.id))).scalar_one()
    await casey.press_data(f"v1:rr:{request_id}:a", message=application)  # the plain approve, forged
    assert casey.last_answer() == "That button is from an earlier message and no longer works."

    await casey.press("✅ Vetted: approve", message=application)
    assert "When was vetting for Lee completed?" in casey.last().text
    await casey.send("01/01/2099")
    assert "That date is in the future" in casey.last().text
    await casey.send("01/01/2020")
    assert "more than three years ago" in casey.last().text
    await casey.send("20/11/2026")
    assert "You approved Lee as a release-day companion" in casey.last().text
    assert "Vetting recorded as done on 20 Nov 2026" in casey.last().text
    await h.deliver()
    assert "you're now a release-day companion" in lee.last().text
    async with h.db.session() as session:
        profile = (await session.execute(select(CompanionProfile))).scalar_one()
        grants = (await session.execute(select(RoleGrant.role).where(RoleGrant.person_id == profile.person_id))).scalars().all()
    assert profile.vetted_on == date(2026, 11, 20) and profile.vetted_by_id is not None
    assert grants == ["companion"]

    await lee.send("/companion")
    assert "Vetting recorded: 20 Nov 2026" in lee.last().text and "Taking requests" in lee.last().text


async def test_companions_are_offered_only_releases_near_them_and_of_the_gender_asked_for(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee", areas="LS6", gender="Man")
    kim = await companion(h, casey, "Kim", areas="Leeds", gender="Woman")
    pat = await companion(h, casey, "Pat", areas="CF10", gender="Woman")
    await onboard(h, "Jo", purpose="I volunteer as a companion")  # applied, never approved

    def offers(user) -> int:  # type: ignore[no-untyped-def]
        return sum("Can you meet someone on release day?" in t for t in user.texts())

    await request_for_someone(h, casey, who="A woman")  # HMP Leeds, home LS6
    await h.deliver()
    assert (offers(lee), offers(kim), offers(pat)) == (0, 1, 0)
    await request_for_someone(h, casey, prison="Cardiff", home="CF10")
    await h.deliver()
    assert (offers(lee), offers(kim), offers(pat)) == (0, 1, 1)
    await request_for_someone(h, casey, prison="Leeds", home="Cardiff")  # the destination counts too
    await h.deliver()
    assert (offers(lee), offers(kim), offers(pat)) == (1, 2, 2)
    assert not any("Can you meet" in t for t in h.user("Jo").texts())


async def test_a_paused_companion_is_offered_nothing_until_they_take_requests_again(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    await lee.send("/companion")
    await lee.press("⏸ Pause new requests")
    assert "Paused" in lee.last().text
    await request_for_someone(h, casey)
    await h.deliver()
    assert not any("Can you meet" in t for t in lee.texts())
    assert "no available companion covers the area" in casey.last().text

    await lee.send("/companion")
    await lee.press("▶️ Take requests again")
    await request_for_someone(h, casey, date="05/12/2026")
    await h.deliver()
    assert "Sat 5 Dec" in lee.find("Can you meet someone on release day?").text


async def test_companions_still_deciding_see_a_new_date_at_once(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    await request_for_someone(h, casey, date="04/12/2026")
    await h.deliver()
    await casey.send("/releases")
    await casey.press(f"📄 #{(await the_request(h)).id}")
    await casey.press("🕒 Change the time")
    await casey.send("10:15")
    await h.deliver()
    changed = lee.last()
    assert "The date or time of this release has changed" in changed.text and "Fri 4 Dec at 10:15" in changed.text
    await lee.press("✅ I can meet them", message=changed)
    assert "It's yours" in lee.last().text
    await lee.send("/releases")
    number = (await the_request(h)).id
    assert f"#{number} · Fri 4 Dec at 10:15 · Leeds (HMP)" in lee.last().text
    await lee.press(f"📄 #{number}")
    assert "Leeds (HMP)" in lee.last().text and "🚶 On my way" in lee.buttons()


async def test_a_companion_can_change_their_areas(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee", areas="LS6")
    await lee.send("/companion")
    await lee.press("📍 Change my areas")
    await lee.press("Start again")
    await lee.send("BD1")
    await lee.press("✅ Done")
    assert "Areas: BD1 (Bradford)" in lee.last().text
    async with h.db.session() as session:
        labels = (await session.execute(select(CompanionArea.label))).scalars().all()
    assert labels == ["BD1 (Bradford)"]
