"""Whatever people send, they get a short kind reply and nothing is lost or half-written."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Person
from tests.harness import Harness
from tests.test_onboarding import onboard


async def test_unknown_commands_point_to_help(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/frobnicate now")
    assert sam.last().text == "I don't know /frobnicate. Send /help to see what you can do."


async def test_free_text_outside_a_question_points_to_help_and_crisis_lines(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("hello?")
    assert "/help" in sam.last().text and "116 123" in sam.last().text


async def test_strangers_are_asked_to_start_first(h: Harness) -> None:
    stranger = h.user("Stranger")
    await stranger.send("hello")
    assert "send /start first" in stranger.last().text
    await stranger.press_data("v1:set:name")
    assert stranger.last_answer() == "Please send /start first so I can set you up."


async def test_stickers_photos_and_voice_get_a_kind_reply(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send_sticker()
    assert "not stickers" in sam.last().text
    await sam.send_photo()
    assert "not photos" in sam.last().text
    await sam.send_voice()
    assert "not voice messages" in sam.last().text


async def test_media_in_the_middle_of_set_up_keeps_the_question_open(h: Harness) -> None:
    jo = h.user("Jo")
    await jo.send("/start")
    await jo.press("✅ I agree")
    await jo.send_sticker()
    assert "not stickers" in jo.last().text
    await jo.send("Jo")
    assert "What brings you here?" in jo.last().text


async def test_edited_messages_are_not_acted_on(h: Harness) -> None:
    jo = h.user("Jo")
    await jo.send("/start")
    await jo.press("✅ I agree")
    await jo.send("Jo")
    await jo.edit(jo.last().message_id - 1, "Joanna")
    assert "only read new messages" in jo.last().text
    async with h.db.session() as session:
        assert (await session.execute(select(Person.pseudonym))).scalar_one() == "Jo"


async def test_text_over_telegrams_limit_is_refused_politely(h: Harness) -> None:
    jo = h.user("Jo")
    await jo.send("/start")
    await jo.press("✅ I agree")
    await jo.send("J" * 5000)
    assert "too long" in jo.last().text
    async with h.db.session() as session:
        person = (await session.execute(select(Person))).scalar_one()
    assert person.pseudonym is None and person.awaiting == "pseudonym"


async def test_a_failure_inside_a_handler_is_logged_without_personal_data_and_explained(h: Harness, caplog, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import handlers.people.help_menu

    async def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("Secret Sam said something private")

    sam = await onboard(h, "Sam")
    monkeypatch.setattr(handlers.people.help_menu.people, "roles_of", broken)
    await sam.send("/help")
    assert "something went wrong on our side" in sam.last().text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "RuntimeError" in logged
    assert "private" not in logged and str(sam.id) not in logged and "Sam" not in logged


async def test_a_double_tap_on_agree_creates_one_person(h: Harness) -> None:
    jo = h.user("Jo")
    await jo.send("/start")
    welcome = jo.last()
    await jo.press("✅ I agree", message=welcome)
    await jo.press_data(welcome.buttons_data()[0], message=welcome)
    async with h.db.session() as session:
        assert len((await session.execute(select(Person))).scalars().all()) == 1
