"""The anonymous relay: a supporter and the member write to each other through the bot,
neither sees the other's Telegram account, either can stop it, media is refused kindly,
and the words are not kept once delivered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.models import Outbox
from tests.harness import Harness
from tests.supporters_helpers import add_supporter, alerts_about, coordinator, supporter
from tests.test_onboarding import onboard
from tests.test_privacy import raw_database_dump


async def linked(h: Harness):  # type: ignore[no-untyped-def]
    sam = await onboard(h, "Sam")
    alex = await supporter(h, "Alex")
    await add_supporter(h, sam, alex)
    return sam, alex


async def test_a_supporter_and_the_member_write_to_each_other_without_seeing_their_accounts(h: Harness) -> None:
    sam, alex = await linked(h)
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    assert "Type your message to Sam" in alex.last().text and "won't see your Telegram account" in alex.last().text
    await alex.send("Thinking of you <3, call me at 7?")
    assert "Sent to Sam" in alex.last().text
    await h.deliver()
    message = sam.last()
    assert message.text == "💬 Alex, your supporter, wrote to you through the bot:\n\nThinking of you <3, call me at 7?"
    assert message.buttons() == ["↩️ Reply", "🛑 Stop messages"]
    await sam.press("↩️ Reply")
    await sam.send("Yes please")
    await h.deliver()
    assert alex.last().text == "💬 Sam wrote back through the bot:\n\nYes please"
    # Everything the bot sent to each of them came from the bot: no account, username or id of the other.
    for reader, other in ((sam, alex), (alex, sam)):
        for shown in reader.messages():
            assert str(other.id) not in shown.html and "_tg" not in shown.html
            assert not shown.raw.params.get("forward_from")


async def test_a_supporter_s_plain_reply_in_an_open_relay_conversation_reaches_the_member_and_says_sent_to_sam(
    h: Harness,
) -> None:
    sam, alex = await linked(h)
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    await alex.send("First")
    await h.deliver()
    # Sam just types back, without tapping Reply, and so does Alex.
    await sam.send("Hi Alex, rough day")
    assert sam.last().text == "✅ Sent to Alex." and sam.last().buttons() == ["🛑 Stop messages"]
    await h.deliver()
    assert alex.last().text == "💬 Sam wrote back through the bot:\n\nHi Alex, rough day"
    await alex.send("Want to talk at 6?")
    assert alex.last().text == "✅ Sent to Sam." and alex.last().buttons() == ["🛑 Stop messages"]
    await h.deliver()
    assert sam.last().text == "💬 Alex, your supporter, wrote to you through the bot:\n\nWant to talk at 6?"
    assert not any("not sure what you mean" in t for t in sam.texts() + alex.texts())


async def test_a_relay_conversation_closes_after_a_day_or_when_either_stops_it(h: Harness) -> None:
    sam, alex = await linked(h)
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    await alex.send("First")
    await h.deliver()
    h.clock.advance(timedelta(days=1, minutes=1))
    await sam.send("Meant for the bot, a day later")
    await h.deliver()
    assert "not sure what you mean" in sam.last().text
    assert not any("Meant for the bot" in t for t in alex.texts())
    # A new message opens it again; the Stop button under "Sent to" closes it.
    await alex.press("✍️ Write again")
    await alex.send("Second")
    await h.deliver()
    await sam.send("Thanks")
    await sam.press("🛑 Stop messages")
    assert "Stopped. No more messages with Alex" in sam.last().text
    await sam.send("Just talking to the bot now")
    await h.deliver()
    assert "not sure what you mean" in sam.last().text
    assert not any("Just talking to the bot" in t for t in alex.texts())
    await alex.send("Are you there?")
    await h.deliver()
    assert not any("Are you there?" in t for t in sam.texts())


async def test_a_member_who_writes_crisis_words_in_a_conversation_also_gets_the_helplines(h: Harness) -> None:
    sam, alex = await linked(h)
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    await alex.send("How are you doing?")
    await h.deliver()
    await sam.send("Honestly I can't cope tonight")
    assert "Sent to Alex" in sam.last(1).text
    assert "116 123" in sam.last().text and sam.last().buttons() == ["🆘 I need support now"]
    await h.deliver()
    assert "Honestly I can't cope tonight" in alex.last().text


async def test_a_message_typed_long_after_tapping_message_is_not_passed_on(h: Harness) -> None:
    sam, alex = await linked(h)
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    h.clock.advance(timedelta(hours=2))
    await alex.send("Hours later, about something else")
    await h.deliver()
    assert "it's been a while since you tapped Message" in alex.last().text
    assert not any("Hours later" in t for t in sam.texts())


async def test_media_empty_and_over_long_messages_get_clear_replies_and_nothing_is_lost(h: Harness) -> None:
    sam, alex = await linked(h)
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    await alex.send_photo()
    assert "I can only pass on typed text" in alex.last().text
    await alex.send_sticker()
    await alex.share_location(51.5, -0.12)
    assert "I can only pass on typed text" in alex.last().text
    await alex.send("x" * 3501)
    assert "keep it under 3,500 characters" in alex.last().text
    await alex.send("   ")
    await alex.send("Still here for you")  # the question stayed open through all of that
    await h.deliver()
    assert "Still here for you" in sam.last().text
    assert not any(m.kind != "text" for m in sam.messages())


async def test_either_side_can_stop_the_relay_and_only_they_can_start_it_again(h: Harness) -> None:
    sam, alex = await linked(h)
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    await alex.send("Hello")
    await h.deliver()
    await sam.press("🛑 Stop messages")
    assert "Stopped. No more messages with Alex" in sam.last().text
    await h.deliver()
    assert "Sam has stopped messages through the bot for now" in alex.last().text
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    assert alex.last_answer() == "Sam has stopped messages through the bot for now."
    await sam.press("↩️ Reply", message=sam.find("Hello"))
    assert sam.last_answer() == "Messages with Alex are stopped."
    await sam.send("/supporters")
    await sam.press("1. Alex")
    await sam.press("💬 Message Alex")
    await sam.send("I'm OK now, thanks")
    await h.deliver()
    assert "I'm OK now, thanks" in alex.last().text


async def test_nobody_outside_the_link_can_use_the_relay_even_with_forged_buttons(h: Harness) -> None:
    sam, alex = await linked(h)
    kim = await onboard(h, "Kim")
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    await alex.send("Hello")
    await h.deliver()
    reply_data = sam.last().buttons_data()[0]
    sam_person_id = sam.last().buttons_data()[0]  # v1:rl:w:<relay id>
    await kim.press_data(reply_data)
    assert kim.last_answer() == "Sorry, that button isn't for you."
    await kim.press_data(sam_person_id.replace(":w:", ":s:"))
    assert kim.last_answer() == "Sorry, that button isn't for you."
    for data in ("v1:rl:new:1", "v1:rl:new:999999", "v1:rl:w:abc", "v1:rl:new", "v1:rl:zz:1"):
        await kim.press_data(data)
        assert kim.last_answer() in (
            "You can only message people you support, or who support you.",
            "That button is from an earlier message and no longer works.",
        )
    assert kim.texts()[-1].startswith("You're all set")  # asked nothing, sent nothing


async def test_after_the_link_ends_the_relay_ends_too(h: Harness) -> None:
    sam, alex = await linked(h)
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    await alex.send("Hello")
    await h.deliver()
    await sam.send("/supporters")
    await sam.press("1. Alex")
    await sam.press("✖ End link with Alex")
    await sam.press("Yes, end it")
    await alex.press_data(alex.find("Sent to Sam").buttons_data()[0])
    assert alex.last_answer() == "This conversation has ended, so nothing can be sent."


async def test_a_coordinator_alerted_about_a_member_can_message_them(h: Harness) -> None:
    cee = await coordinator(h, "Cee")
    sam, alex = await linked(h)
    await sam.send("/sos")
    await h.deliver()
    await alex.press("I can't right now")
    await h.deliver()
    assert len(alerts_about(cee, "Sam")) == 1
    await cee.press("💬 Message Sam")
    await cee.send("I'm a coordinator here. How are you doing?")
    await h.deliver()
    assert sam.last().text.startswith("💬 Cee, a coordinator, wrote to you through the bot:")


async def test_relay_words_are_not_kept_after_delivery_or_when_undeliverable(h: Harness) -> None:
    sam, alex = await linked(h)
    await alex.send("/supporting")
    await alex.press("💬 Message Sam")
    await alex.send("Zanzibar-marmalade-41")
    await h.deliver()
    await sam.press("↩️ Reply")
    h.standin.block(alex.id)
    await sam.send("Quokka-lighthouse-77")
    await h.deliver()
    assert "Your message to Alex couldn't be delivered" in sam.last().text
    async with h.db.session() as session:
        rows = (await session.execute(select(Outbox).where(Outbox.kind == "relay"))).scalars().all()
    assert sorted(r.status for r in rows) == ["sent", "undeliverable"] and all(r.payload == "{}" for r in rows)
    await h.stop()  # every connection closed, as after a restart: nothing left in a write-ahead log
    dump = await raw_database_dump(h.db)
    assert "Zanzibar-marmalade-41" not in dump and "Quokka-lighthouse-77" not in dump
