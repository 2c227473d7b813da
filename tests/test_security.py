"""Security: invitations redeemed only by their own flow, roles that can end, texts that
don't outlive delivery or erasure, no live token in the database (issue 12)."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.models import Outbox, Person, RoleChange, RoleGrant
from tests.harness import Harness
from tests.release_steps import companion, request_for_someone, the_request
from tests.release_steps import coordinator as release_coordinator
from tests.supporters_helpers import add_supporter, coordinator, invite_link, supporter
from tests.test_onboarding import onboard
from tests.test_privacy import raw_database_dump


async def roles_of(h: Harness, pseudonym: str) -> set[str]:
    async with h.db.session() as session:
        rows = await session.execute(
            select(RoleGrant.role).join(Person, Person.id == RoleGrant.person_id).where(Person.pseudonym == pseudonym)
        )
        return set(rows.scalars())


# --- 1. invitations of one kind never redeem another -----------------------------------


async def test_a_supporter_link_forged_into_a_coordinator_accept_button_grants_nothing(h: Harness) -> None:
    await coordinator(h, "Morgan")
    sam = await onboard(h, "Sam")
    mallory = await supporter(h, "Mallory")
    # The attack as reported: the whole string of an ordinary supporter link, under co:accept.
    own = await invite_link(mallory)
    await mallory.press_data(f"v1:co:accept:{own}")
    # And with this bot's own shape of button: Mallory opens Sam's supporter link and moves
    # its (sealed) id into the coordinator family.
    payload = await invite_link(sam)
    await mallory.send(f"/start {payload}")
    yes = next(d for d in mallory.last().buttons_data() if d.startswith("v1:su:yes:"))
    await mallory.press_data(yes.replace("v1:su:yes:", "v1:co:accept:"))
    assert "no longer works" in (mallory.last_answer() or "")
    assert await roles_of(h, "Mallory") == set()
    await mallory.send("/releases")
    assert "Release requests" not in mallory.last().text


async def test_a_release_card_is_not_a_coordinator_invitation(h: Harness) -> None:
    casey = await release_coordinator(h)
    link = await request_for_someone(h, casey)
    card = link.split("start=")[1]
    mallory = await onboard(h, "Mallory")
    await mallory.press_data(f"v1:co:accept:{card}")
    await mallory.send(f"/start co_{card[3:]}")  # the card's token under the coordinator kind
    assert "don't recognise this link" in mallory.last().text
    assert await roles_of(h, "Mallory") == set()


async def test_a_coordinator_invitation_still_works_for_the_person_who_opened_it(h: Harness) -> None:
    morgan = await coordinator(h, "Morgan")
    robin = await supporter(h, "Robin")
    mallory = await supporter(h, "Mallory")
    await morgan.send("/coordinators")
    await morgan.press("➕ Add a coordinator")
    payload = morgan.last().text.split("start=")[1]
    await robin.send(f"/start {payload}")
    accept = next(d for d in robin.last().buttons_data() if d.startswith("v1:co:accept:"))
    await mallory.press_data(accept)  # copied to someone else: refused
    assert await roles_of(h, "Mallory") == set()
    await robin.press("✅ Accept")
    assert "You're now a coordinator" in robin.last().text
    assert await roles_of(h, "Robin") == {"coordinator"}


async def test_a_link_opened_before_set_up_is_kept_as_a_reference_never_as_its_token(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    payload = await invite_link(sam)
    token = payload.split("_", 1)[1]
    alex = h.user("Alex")
    await alex.send(f"/start {payload}")
    assert token not in json.dumps(alex.last().reply_markup)  # not in the Agree button either
    await alex.press("✅ I agree")
    await alex.send("/start " + payload)  # opened again half-way through set-up
    assert token not in await raw_database_dump(h.db)
    await alex.send("Alex")
    await alex.press("I support someone")
    await alex.send("UK & Ireland")
    assert "Sam would like you to be one of their supporters" in alex.find("supporters").text
    await alex.press(alex.last().buttons()[0])
    assert "You're now one of Sam's supporters" in alex.last().text


# --- 2. roles end ---------------------------------------------------------------------------


async def secretary(h: Harness, morgan, name: str = "Priya"):  # type: ignore[no-untyped-def]
    user = await onboard(h, name, purpose="I run a meeting")
    await user.send("Tuesday Night Group")
    await h.deliver()
    await morgan.press("✅ Approve", message=morgan.find(f"{name} asks to be a group secretary"))
    await h.deliver()
    return user


async def test_a_coordinator_ends_a_secretarys_role_with_a_reason_and_they_are_told_kindly(h: Harness) -> None:
    morgan = await coordinator(h, "Morgan")
    priya = await secretary(h, morgan)
    assert await roles_of(h, "Priya") == {"secretary"}
    await morgan.send("/coordinators")
    await morgan.press("👥 People with roles")
    assert "Priya" in morgan.last().text and "group secretary" in morgan.last().text
    await morgan.press("Priya")
    assert "group secretary since 24 Nov 2026" in morgan.last().text
    await morgan.press("End group secretary role")
    assert "Why is Priya's group secretary role ending?" in morgan.last().text
    await morgan.press("No longer active")
    assert "Priya is no longer a group secretary" in morgan.last().text
    await h.deliver()
    notice = priya.last().text
    assert "Your group secretary role has ended" in notice and "No longer active" not in notice
    assert await roles_of(h, "Priya") == set()
    await priya.send("/mymeetings")
    assert "Only group secretaries can list meetings" in priya.last().text
    async with h.db.session() as session:
        changes = (await session.execute(select(RoleChange).order_by(RoleChange.id))).scalars().all()
    removed = [c for c in changes if c.change == "removed"]
    assert len(removed) == 1 and removed[0].role == "secretary" and removed[0].reason == "inactive"
    assert removed[0].actor_id == (await _id(h, "Morgan")) and removed[0].at == h.clock.now()
    await morgan.send("/coordinators")
    await morgan.press("👥 People with roles")
    assert "Priya" not in morgan.last().text


async def test_a_removed_coordinator_cannot_press_the_old_buttons(h: Harness) -> None:
    morgan = await coordinator(h, "Morgan")
    robin = await supporter(h, "Robin")
    await morgan.send("/coordinators")
    await morgan.press("➕ Add a coordinator")
    await robin.send("/start " + morgan.last().text.split("start=")[1])
    await robin.press("✅ Accept")
    await robin.send("/coordinators")
    requests_button = robin.last()
    await morgan.send("/coordinators")
    await morgan.press("👥 People with roles")
    await morgan.press("Robin")
    await morgan.press("End coordinator role")
    await morgan.press("A concern was raised")
    await robin.press("👥 People with roles", message=requests_button)
    assert "not for you" in (robin.last_answer() or "").lower() or "isn't for you" in (robin.last_answer() or "")
    await robin.send("/releases")
    assert "Release requests" not in robin.last().text
    # A coordinator from the settings can't be removed in the bot, and can't remove themself.
    await robin.send("/coordinators")
    assert "/coordinators" in robin.last().text


async def test_coordinators_named_in_settings_are_the_bootstrap_set(h: Harness) -> None:
    morgan = await coordinator(h, "Morgan")
    casey = await coordinator(h, "Casey")
    await morgan.send("/coordinators")
    await morgan.press("👥 People with roles")
    await morgan.press("Casey")
    assert "(from the bot's settings)" in morgan.last().text
    assert "End coordinator role" not in morgan.last().buttons()
    # Casey's id is taken out of COORDINATOR_TELEGRAM_IDS; at the next start the role ends.
    h._coordinator_ids.discard(casey.id)
    await h.restart()
    assert await roles_of(h, "Casey") == set()
    assert await roles_of(h, "Morgan") == {"coordinator"}
    await h.deliver()
    assert "Your coordinator role has ended" in casey.last().text
    await casey.send("/coordinators")
    assert "/coordinators" in casey.last().text
    async with h.db.session() as session:
        change = (await session.execute(select(RoleChange).where(RoleChange.change == "removed"))).scalar_one()
    assert change.reason == "settings" and change.actor_id is None


async def test_anyone_can_step_down_from_a_role(h: Harness) -> None:
    morgan = await coordinator(h, "Morgan")
    priya = await secretary(h, morgan)
    await priya.send("/settings")
    await priya.press("🎗 Your roles")
    await priya.press("Step down as group secretary")
    assert "Your meetings stay listed" in priya.last().text
    await priya.press("Yes, step down")
    assert "you're no longer a group secretary" in priya.last().text
    assert await roles_of(h, "Priya") == set()
    await h.deliver()
    assert "Priya stepped down as group secretary" in morgan.last().text


async def test_the_only_coordinator_from_an_invitation_cannot_leave_the_service_without_one(h: Harness) -> None:
    morgan = await coordinator(h, "Morgan")
    await morgan.send("/settings")
    await morgan.press("🎗 Your roles")
    await morgan.press("Step down as coordinator")
    await morgan.press("Yes, step down")
    assert "comes from the bot's settings" in morgan.last().text
    assert await roles_of(h, "Morgan") == {"coordinator"}


async def test_a_companion_whose_role_ends_hands_their_releases_back(h: Harness) -> None:
    casey = await release_coordinator(h)
    lee = await companion(h, casey, "Lee")
    await request_for_someone(h, casey)
    await h.deliver()
    await lee.press("✅ I can meet them")
    assert (await the_request(h)).companion_id is not None
    await casey.send("/coordinators")
    await casey.press("👥 People with roles")
    await casey.press("Lee")
    await casey.press("End release-day companion role")
    await casey.press("Left the service")
    request = await the_request(h)
    assert request.companion_id is None and request.status == "open"
    await h.deliver()
    assert any("went back" in t or "no longer" in t or "needs a companion" in t for t in casey.texts()[-3:])
    assert "Your release-day companion role has ended" in lee.last().text


# --- 3. texts do not outlive delivery or erasure ------------------------------------------


async def test_a_relay_message_refused_by_telegram_keeps_no_text_and_the_writer_is_told(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    alex = await supporter(h, "Alex")
    await add_supporter(h, sam, alex)
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    await alex.send("Secret words for Sam only")
    h.standin.fail_next("sendMessage", status=400)
    await h.deliver()
    async with h.db.session() as session:
        rows = (await session.execute(select(Outbox))).scalars().all()
    failed = [r for r in rows if r.status == "failed"]
    assert failed and all(r.payload == "{}" for r in failed)
    assert not any("Secret words" in r.payload for r in rows)
    assert "couldn't" in alex.last().text.lower() or "could not" in alex.last().text.lower()


async def test_an_alert_to_someone_who_blocked_the_bot_keeps_no_text(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    alex = await supporter(h, "Alex")
    await add_supporter(h, sam, alex)
    h.standin.block(alex.id)
    await sam.send("/sos")
    await h.deliver()
    async with h.db.session() as session:
        gone = (await session.execute(select(Outbox).where(Outbox.status == "undeliverable"))).scalars().all()
    assert gone and all(r.payload == "{}" for r in gone)


async def test_forget_takes_the_messages_a_person_wrote_that_are_still_waiting(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    alex = await supporter(h, "Alex")
    await add_supporter(h, sam, alex)
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    await alex.send("Words Alex takes back by leaving")
    # Before it is delivered, Alex sees it in /mydata, then erases everything.
    await alex.send("/mydata")
    exported = json.loads(alex.last().raw.file.data)
    waiting = exported["messages_you_wrote_still_waiting_to_be_delivered"]
    assert [w["text"] for w in waiting] == ["💬 Alex, your supporter, wrote to you through the bot:\n\nWords Alex takes back by leaving"]
    await alex.send("/forget")
    await alex.press(alex.last().buttons()[0])
    await h.deliver()
    assert not any("Words Alex takes back" in t for t in sam.texts())
    await h.runtime.db.truncate_write_ahead_log()  # as the storage hygiene tick does
    await h.db.truncate_write_ahead_log()
    assert "Words Alex takes back" not in await raw_database_dump(h.db)


async def _id(h: Harness, pseudonym: str) -> int:
    async with h.db.session() as session:
        return int((await session.execute(select(Person.id).where(Person.pseudonym == pseudonym))).scalar_one())
