"""Release day when things are typed or tapped wrong: dates in the past or too far ahead,
prisons that don't exist, a release someone else took first, a card link that is used or
expired, and buttons pressed (or forged) by people they don't belong to. Each gets a clear,
kind reply; nothing changes that shouldn't, and nothing about the release leaks."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.db import Database
from bot.models import Person, ReleaseOffer, ReleaseRequest
from bot.services.release import matching as release_matching
from tests.harness import Harness
from tests.harness import Person as User
from tests.release_steps import companion, coordinator, request_for_someone, the_request, tick_at, utc
from tests.test_onboarding import onboard
from tests.test_release_lifecycle import connect_with_card


async def start_for_someone(h: Harness) -> User:
    casey = await coordinator(h)
    await casey.send("/release")
    await casey.press("For someone else")
    return casey


async def test_release_dates_in_the_past_or_more_than_a_year_ahead_are_refused_kindly(h: Harness) -> None:
    casey = await start_for_someone(h)
    await casey.send("Leeds")
    await casey.send("23/11/2026")
    assert casey.last().text == "That date has passed. Please send the release date, like 01/12/2026."
    await casey.send("01/01/2028")
    assert "more than a year away" in casey.last().text
    await casey.send("next tuesday")
    assert "couldn't read that date" in casey.last().text
    await casey.send("24/11/2026")  # today is fine: short notice happens
    assert "What time is release expected?" in casey.last().text
    await casey.send("25:00")
    assert "That time doesn't exist" in casey.last().text
    await casey.send("10am")
    assert "Where is home after release?" in casey.last().text


async def test_a_moved_date_is_checked_the_same_way(h: Harness) -> None:
    casey = await coordinator(h)
    await request_for_someone(h, casey, date="04/12/2026")
    await casey.send("/releases")
    await casey.press(f"📄 #{(await the_request(h)).id}")
    await casey.press("📅 Change the date")
    await casey.send("01/11/2026")
    assert "That date has passed" in casey.last().text
    await casey.send("05/12/2027")
    assert "more than a year away" in casey.last().text
    assert (await the_request(h)).release_date.isoformat() == "2026-12-04"  # type: ignore[union-attr]


async def test_an_unknown_prison_gets_close_matches_as_buttons(h: Harness) -> None:
    casey = await start_for_someone(h)
    await casey.send("Narnia")
    assert "I don't know a prison called “Narnia”, and nothing close to it" in casey.last().text
    await casey.send("Feltham")
    assert "More than one prison matches “Feltham”" in casey.last().text
    assert casey.buttons() == ["Feltham (HMP)", "Feltham (HMYOI)"]
    await casey.send("Wandswoth")
    assert "Did you mean one of these?" in casey.last().text
    assert casey.buttons() == ["Wandsworth (HMP & YOI)"]
    draft_id = (await _draft(h)).id
    await casey.press_data(f"v1:rq:{draft_id}:p:ZZZ")  # a forged prison code
    assert casey.last_answer() == "That button is from an earlier message and no longer works."
    await casey.press("Wandsworth (HMP & YOI)")
    assert "What's the release date?" in casey.last().text
    assert (await _draft(h)).prison_code == "WWI"


async def test_an_old_name_finds_the_prison_that_replaced_it(h: Harness) -> None:
    casey = await start_for_someone(h)
    await casey.send("Glen Parva")  # closed in 2017; HMP Fosse Way stands on its site
    assert "What's the release date?" in casey.last().text
    assert (await _draft(h)).prison_code == "FEI"


async def _draft(h: Harness) -> ReleaseRequest:
    async with h.db.session() as session:
        return (await session.execute(select(ReleaseRequest))).scalar_one()


async def test_accepting_a_release_someone_already_took_says_so_and_shows_nothing(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    kim = await companion(h, casey, "Kim", areas="Leeds", gender="Woman")
    await request_for_someone(h, casey, notes="no phone yet")
    await h.deliver()
    kims_offer = kim.find("Can you meet someone on release day?")
    await lee.press("✅ I can meet them")
    await kim.press("✅ I can meet them", message=kims_offer)
    assert kim.last_answer() == "Someone else has already said yes to this one. Thank you for offering. 💛"
    assert kim.messages()[-1].buttons() == []  # the offer's buttons are gone
    await kim.press_data(kims_offer.buttons_data()[0], message=kims_offer)  # tapped again anyway
    assert "already said yes" in (kim.last_answer() or "")
    await h.deliver()
    assert not any("Leeds (HMP)" in t or "no phone yet" in t for t in kim.texts())
    async with h.db.session() as session:
        statuses = sorted((await session.execute(select(ReleaseOffer.status))).scalars())
    assert statuses == ["accepted", "taken"]
    assert (await the_request(h)).companion_id is not None

    # Once the request is closed, an old offer says so too.
    await casey.send("/releases")
    await casey.press(f"📄 #{(await the_request(h)).id}")
    await casey.press("✖ Close the request")
    await casey.press("not needed any more")
    assert "Its details will be erased on" in casey.last().text
    await lee.press_data(f"v1:rs:{(await the_request(h)).id}:g")
    assert lee.last_answer() == "This release is closed, so there's nothing more to report. Thank you."
    await h.deliver()
    assert "has been closed (not needed any more)" in lee.last().text


async def test_a_used_expired_or_unknown_card_link_is_refused_kindly(h: Harness) -> None:
    casey = await coordinator(h)
    link = await request_for_someone(h, casey, date="26/11/2026")
    await connect_with_card(h, "Robin", link)
    payload = link.split("start=")[1]

    sam = await onboard(h, "Sam", purpose="I'm leaving prison soon")
    await sam.send(f"/start {payload}")
    assert sam.last().text.startswith("This card has already been used to connect.")
    await sam.send("/start rc_" + "A" * 32)
    assert "I don't recognise this link" in sam.last().text

    # A second request's card, replaced by a new one (the old stops working), then expired.
    second = await request_for_someone(h, casey, date="27/11/2026")
    second_id = (await _newest(h)).id
    await casey.send("/releases")
    await casey.press(f"📄 #{second_id}")
    await casey.press("🪪 New card")
    replacement = casey.find("A new card is below").text.split()[-1]
    assert casey.last().kind == "document"
    await sam.send("/start " + second.split("start=")[1])
    assert sam.last().text.startswith("This card has been replaced by a newer one")  # says so (issue 12.7)
    await tick_at(h, utc(2026, 12, 27, 9, 0) + timedelta(days=1))  # a month after release
    await sam.send("/start " + replacement.split("start=")[1])
    assert "expired" in sam.last().text
    assert (await _newest(h)).person_id is None  # nobody was connected by a dead link


async def _newest(h: Harness) -> ReleaseRequest:
    async with h.db.session() as session:
        found = (await session.execute(select(ReleaseRequest).order_by(ReleaseRequest.id.desc()))).scalars().first()  # type: ignore[union-attr]
    assert found is not None
    return found


async def test_buttons_pressed_by_someone_not_assigned_change_nothing_and_reveal_nothing(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    kim = await companion(h, casey, "Kim", areas="Leeds", gender="Woman")
    link = await request_for_someone(h, casey, date="26/11/2026", notes="no phone yet")
    await h.deliver()
    await lee.press("✅ I can meet them")
    robin = await connect_with_card(h, "Robin", link)
    stranger = await onboard(h, "Sam")
    await tick_at(h, utc(2026, 11, 26, 6, 0))
    number = (await the_request(h)).id
    async with h.db.session() as session:
        lees_offer = (await session.execute(select(ReleaseOffer.id).where(ReleaseOffer.status == "accepted"))).scalar_one()

    refused = "Sorry, that button isn't for you."
    for someone in (kim, robin, stranger):
        for data in (f"v1:rs:{number}:m", f"v1:rs:{number}:n", f"v1:rs:{number}:v", "v1:rs:99999:m",
                     f"v1:rx:{number}:v", f"v1:rx:{number}:as", f"v1:ro:{lees_offer}:a", f"v1:cv:{number}"):
            await someone.press_data(data)
            assert someone.last_answer() == refused, (someone.first_name, data)
    await robin.press_data(f"v1:rx:{number}:out:met")  # the person may cancel, not record an outcome
    assert robin.last_answer() == refused
    await kim.press_data(f"v1:ra:{number}:y")
    assert kim.last_answer() == refused
    await kim.press_data("v1:rs:not-a-number:m")
    assert kim.last_answer() == "That button is from an earlier message and no longer works."

    request = await the_request(h)
    assert (request.status, request.day_status, request.companion_id is not None) == ("assigned", None, True)
    await h.deliver()
    for someone in (kim, stranger):
        assert not any("Leeds (HMP)" in t or "no phone yet" in t for t in someone.texts())


async def test_a_companion_who_blocked_the_bot_is_reported_so_someone_else_can_be_asked(h: Harness) -> None:
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    await request_for_someone(h, casey, date="04/12/2026")
    await h.deliver()
    await lee.press("✅ I can meet them")
    await h.deliver()
    h.standin.block(lee.id)
    await tick_at(h, utc(2026, 12, 3, 18, 0))  # the day-before reminder can't reach Lee
    alert = casey.find("I can't reach its companion on Telegram")
    assert "👤 Assign a companion" not in alert.buttons() and "📄 Open the request" in alert.buttons()
    kim = await companion(h, casey, "Kim", areas="Leeds", gender="Woman")
    await casey.press("📄 Open the request", message=alert)
    await casey.press("👤 Assign a companion")
    await casey.press("Kim")
    await h.deliver()
    assert "A coordinator has asked you to meet a release" in kim.last().text
    assert "Kim is now meeting the release" in casey.find("is now meeting the release").text


async def test_two_companions_saying_yes_at_the_same_moment_get_exactly_one_winner(h: Harness) -> None:
    """Two processes, one database: the compare-and-set on the request lets one yes through."""
    casey = await coordinator(h)
    await companion(h, casey, "Lee")
    await companion(h, casey, "Kim", areas="Leeds", gender="Woman")
    await request_for_someone(h, casey)
    async with h.db.session() as session:
        offers = [(o.id, o.companion_id) for o in (await session.execute(select(ReleaseOffer))).scalars()]
    processes = [Database(h.db.url, vault=h.runtime.vault) for _ in offers]

    async def say_yes(db: Database, offer_id: int, person_id: int) -> bool:
        async with db.session() as session:
            person = await session.get(Person, person_id)
            assert person is not None
            return (await release_matching.accept(session, offer_id, person, h.runtime.vault, now=h.clock.now())).ok

    try:
        results = await asyncio.gather(*(say_yes(db, *offer) for db, offer in zip(processes, offers, strict=True)))
    finally:
        for db in processes:
            await db.dispose()
    assert sorted(results) == [False, True]
    async with h.db.session() as session:
        statuses = sorted((await session.execute(select(ReleaseOffer.status))).scalars())
    assert statuses == ["accepted", "taken"]
