"""The release card and release day as the person leaving prison, their companion and the
coordinator notice them: a card that shows nothing until a coordinator confirms who opened
it, a short code typed by hand, notes for the companion that the person never sees, a card
that says only what is true when printed, a three-step set-up, status taps that edit one
message, and meetings of every fellowship after "Met".

The clock starts on Tuesday 24 Nov 2026, 10:00 (London = UTC in winter).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.models import Person, ReleaseRequest
from bot.services.release import card as release_card
from tests.harness import Harness
from tests.harness import Person as User
from tests.meeting_factory import add_meeting
from tests.release_steps import (
    card_code,
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

SECRETS = ("Leeds (HMP)", "Fri 4 Dec", "Kirkgate", "using again", "Companion: Lee", "Lee will")


def never_saw(user: User, *fragments: str) -> None:
    for text in user.texts():
        for fragment in fragments:
            assert fragment not in text, (user.first_name, fragment, text)


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> list[release_card.Words]:
    """What each printed card said (the words drawn on it)."""
    seen: list[release_card.Words] = []
    real = release_card.render_png

    def spy(link: str, words: release_card.Words) -> bytes:
        seen.append(words)
        return real(link, words)

    monkeypatch.setattr(release_card, "render_png", spy)
    return seen


async def matched_request(h: Harness, **kwargs: Any) -> tuple[User, User, str]:
    """A coordinator's request for a Friday release from Leeds, that Lee has said yes to."""
    casey = await coordinator(h)
    lee = await companion(h, casey, "Lee")
    link = await request_for_someone(h, casey, date="04/12/2026", probation="2pm, Kirkgate", **kwargs)
    await h.deliver()
    await lee.press("✅ I can meet them")
    await h.deliver()
    return casey, lee, link


async def test_whoever_opens_a_card_first_sees_no_release_details_until_confirmed(h: Harness) -> None:
    casey, lee, link = await matched_request(h, notes="has been using again")

    # Someone else gets hold of the card and opens it first: a greeting, nothing else.
    mal = await open_card(h, "Mal", link)
    assert "Your card worked" in mal.last().text and "a coordinator will check it's really you" in mal.last().text
    assert "116 123" in mal.last().text
    await h.deliver()
    asked = casey.find("chose the name Mal")
    assert asked.buttons() == ["✅ Yes, it's them", "❌ Not them"]
    assert not any("has connected" in text for text in lee.texts())  # the companion hears nothing yet
    await mal.send("/release")
    assert "A coordinator will confirm it's you soon" in mal.last().text
    never_saw(mal, *SECRETS)

    # Nobody but a coordinator can answer, and a forged claimant id changes nothing.
    number, mal_id = (await the_request(h)).id, (await the_request(h)).claimed_by_id
    await lee.press_data(f"v1:rk:{number}:{mal_id}:y")
    assert lee.last_answer() == "Sorry, that button isn't for you."
    await casey.press_data(f"v1:rk:{number}:999:y", message=asked)
    assert "already been answered" in (casey.last_answer() or "")

    # The coordinator checks and says it's not them: Mal is told kindly and saw nothing.
    await casey.press("❌ Not them", message=asked)
    assert "Mal is not connected" in casey.last().text and "🪪 New card" in casey.last().buttons()
    await h.deliver()
    assert "couldn't confirm that card is yours" in mal.last().text
    never_saw(mal, *SECRETS)
    assert (await the_request(h)).person_id is None

    # The real person still has the card, opens it, and is confirmed: now they see it.
    robin = await open_card(h, "Robin", link)
    never_saw(robin, *SECRETS)
    await confirm(h, casey, "Robin")
    connected = robin.find("You're connected")
    assert "Leeds (HMP)" in connected.text and "Fri 4 Dec" in connected.text and "2pm, Kirkgate" in connected.text
    assert "Companion: Lee" in connected.text and "using again" not in connected.text
    assert "has connected to the bot" in lee.last().text

    # A card already used says so; the person who opened it twice is told they're connected.
    await mal.send("/start " + link.split("start=")[1])
    assert mal.last().text.startswith("This card has already been used to connect.")
    never_saw(mal, *SECRETS)


async def test_a_second_tap_on_a_card_while_waiting_says_a_coordinator_will_confirm(h: Harness) -> None:
    casey = await coordinator(h)
    link = await request_for_someone(h, casey)
    robin = await open_card(h, "Robin", link)
    await robin.send("/start " + link.split("start=")[1])
    assert "A coordinator will confirm it's you soon" in robin.last().text
    await h.deliver()
    await casey.send("/releases")
    await casey.press(f"📄 #{(await the_request(h)).id}")
    assert "Robin</b> opened the card: is it them?" in casey.last().html
    await casey.press("✅ Yes, it's them")
    assert "Robin is connected to release" in casey.last().text
    await h.deliver()
    assert "You're connected, Robin" in robin.last().text


async def test_a_person_can_type_the_short_code_from_their_card(h: Harness) -> None:
    casey = await coordinator(h)
    await request_for_someone(h, casey, date="04/12/2026")
    code = card_code(casey)
    assert len(code) == 7 and not set(code) & set("0O1IL")

    # Someone new types `/start` and the code (in lower case, as people do).
    robin = h.user("Robin")
    await robin.send(f"/start {code.lower()}")
    await robin.press("✅ I agree")
    await robin.send("Robin")
    assert "Your card worked" in robin.last().text
    await confirm(h, casey, "Robin")
    assert "Fri 4 Dec" in robin.find("You're connected").text

    # The code works once: the next person to type it is told.
    sam = await onboard(h, "Sam")
    await sam.send("/card")
    assert "type the code from your release card" in sam.last().text
    await sam.send(code[:3] + " " + code[3:])
    assert sam.last().text.startswith("This card has already been used to connect.")


async def test_wrong_codes_stop_being_checked_after_five_a_day(h: Harness) -> None:
    casey = await coordinator(h)
    await request_for_someone(h, casey, date="04/12/2026")
    code = card_code(casey)
    wrong = "ABCDEFG" if code != "ABCDEFG" else "HJKMNPQ"
    sam = await onboard(h, "Sam")
    await sam.send("/card")
    for left in (4, 3, 2, 1):
        await sam.send(wrong)
        assert f"({left} tries left today.)" in sam.last().text
    await sam.send(wrong)
    assert "too many tries for today" in sam.last().text
    await sam.send(f"/card {code}")  # even the right code, until tomorrow
    assert "too many tries for today" in sam.last().text
    assert (await the_request(h)).claimed_by_id is None

    await tick_at(h, utc(2026, 11, 25, 9, 0))
    await sam.send(f"/card {code}")
    assert "Your card worked" in sam.last().text


async def test_the_companions_notes_are_never_shown_to_the_released_person(h: Harness) -> None:
    casey, lee, link = await matched_request(h, notes="has been using again", person_note="Your probation officer is Jo")
    review = casey.find("Sent to")
    assert "using again" not in review.text
    robin = await open_card(h, "Robin", link)
    await confirm(h, casey, "Robin")
    connected = robin.find("You're connected").text
    assert "A note for you from your coordinator: Your probation officer is Jo" in connected
    await robin.send("/release")
    assert "Your probation officer is Jo" in robin.last().text
    for shown in ("using again", "Notes for the companion"):
        never_saw(robin, shown)
    assert "Notes for the companion: has been using again" in lee.find("It's yours").text
    assert "Your probation officer is Jo" not in lee.find("It's yours").text

    # Subject access: /mydata has both, each labelled, in the file and never in the chat.
    await robin.send("/mydata")
    mine = json.loads(robin.last().raw.file.data)["release_day"]["about_you"][0]
    assert mine["notes"] == "has been using again" and mine["note_for_you"] == "Your probation officer is Jo"


async def test_a_card_printed_before_matching_promises_no_one(h: Harness, printed: list[release_card.Words]) -> None:
    casey = await coordinator(h)
    await request_for_someone(h, casey, date="04/12/2026")
    (words,) = printed
    drawn = "\n".join(text for _, text in release_card.lines(words))
    assert words.companion is None and "meet you at the gate" not in drawn
    assert "We're looking for someone from the fellowships" in drawn
    assert "Release: Fri 4 Dec, morning" in drawn
    assert f"/start {card_code(casey)}" in drawn and f"@{h.runtime.bot_username}" in drawn
    assert "coordinator Casey about card #" in drawn and "Samaritans 116 123" in drawn and "999" in drawn
    assert "Leeds" not in drawn  # no prison on a card that may be lost


async def test_a_reprinted_card_after_matching_names_who_will_meet_them(h: Harness, printed: list[release_card.Words]) -> None:
    casey, _lee, link = await matched_request(h)
    old_code = card_code(casey)
    await casey.send("/releases")
    await casey.press(f"📄 #{(await the_request(h)).id}")
    await casey.press("🪪 New card")
    assert casey.last().kind == "document"
    drawn = "\n".join(text for _, text in release_card.lines(printed[-1]))
    assert "Lee, from the fellowships, plans to meet you at the gate." in drawn
    assert "Release: Fri 4 Dec, morning" in drawn
    new_code = card_code(casey)
    assert new_code != old_code

    sam = await onboard(h, "Sam")
    await sam.send(f"/card {old_code}")
    assert "I don't recognise that code" in sam.last().text
    await sam.send("/start " + link.split("start=")[1])
    assert sam.last().text.startswith("This card has been replaced by a newer one")


async def test_a_status_tap_edits_the_status_message_instead_of_sending_new_buttons(h: Harness) -> None:
    _casey, lee, _ = await matched_request(h)
    await tick_at(h, utc(2026, 12, 4, 6, 0))
    today = lee.find("Today's release")
    before = len(lee.messages())
    await lee.press("🚶 On my way", message=today)
    await lee.press("🚪 At the gate", message=today)
    await lee.press("⛔ Not released today", message=today)
    assert len(lee.messages()) == before
    live = [m for m in lee.messages() if "🚶 On my way" in m.buttons()]
    assert [m.message_id for m in live] == [today.message_id]
    assert "The coordinators have been told straight away" in lee.last().text and "Leeds (HMP)" in lee.last().text

    # "Delayed" takes the buttons off while it asks; the new time brings one set back.
    await lee.press("⏳ Delayed", message=today)
    await lee.send("11:30")
    live = [m for m in lee.messages() if "🚶 On my way" in m.buttons()]
    assert len(live) == 1 and "Saved: now Fri 4 Dec at 11:30" in live[0].text


async def test_after_met_the_companion_sees_meetings_of_every_fellowship_today(h: Harness) -> None:
    await add_meeting(h.db, "Headingley NA", at=(53.8213, -1.5780), days="Friday", time="19:30", fellowship="NA")
    await add_meeting(h.db, "Hyde Park AA", at=(53.8201, -1.5709), days="Friday", time="18:00", fellowship="AA")
    await add_meeting(h.db, "Kirkstall CA", at=(53.8190, -1.5800), days="Friday", time="20:00", fellowship="CA")
    _casey, lee, _ = await matched_request(h)
    await tick_at(h, utc(2026, 12, 4, 6, 0))
    await lee.press("🤝 Met", message=lee.find("Today's release"))
    met = lee.last().text
    assert "(every fellowship)" in met
    for name in ("Headingley NA", "Hyde Park AA", "Kirkstall CA"):
        assert name in met, name


async def test_the_released_person_sets_up_in_three_steps(h: Harness) -> None:
    casey, lee, link = await matched_request(h)
    robin = h.user("Robin")
    await robin.send("/start " + link.split("start=")[1])  # 1. the card
    await robin.press("✅ I agree")  # 2. consent
    await robin.send("Robin")  # 3. a name: done
    assert "You're all set, Robin" in robin.last(1).text and "Your card worked" in robin.last().text
    asked = "\n".join(robin.texts())
    for question in ("What brings you here", "time zone", "When would you like your daily check-in", "clean or sober date"):
        assert question not in asked, question
    await confirm(h, casey, "Robin")
    async with h.db.session() as session:
        person = (await session.execute(select(Person).where(Person.pseudonym == "Robin"))).scalar_one()
    assert (person.timezone, person.purpose, person.checkin_time) == ("Europe/London", "prison", None)

    # Check-ins are offered once, after they've met; yes makes Lee a supporter for now,
    # and Robin is not told "Lee said yes" as if Lee had done something.
    await tick_at(h, utc(2026, 12, 4, 6, 0))
    await lee.press("🤝 Met", message=lee.find("Today's release"))
    await h.deliver()
    assert sum("Would you like daily check-ins?" in t for t in robin.texts()) == 1
    await robin.press("🌱 Yes please", message=robin.find("Would you like daily check-ins?"))
    assert "Lee is your supporter for now" in robin.last().text
    await h.deliver()
    never_saw(robin, "said yes")
    request = await the_request(h)
    assert isinstance(request, ReleaseRequest) and request.aftercare == "yes"
