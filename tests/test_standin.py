"""The Bot API stand-in behaves like Telegram for a real PTB bot, and refuses what Telegram would."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.standin import (
    ApiSpec,
    BotApiStandin,
    RateLimits,
    RunningServer,
    SimUser,
    StandinRequest,
    error_body,
    parse_formatted_text,
)
from bot.standin.spec import EntityParseError
from tests.harness import TOKEN

PNG_16x32 = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x20" + b"\x00" * 16


@pytest.fixture
async def http_bot(server: RunningServer) -> AsyncIterator[Bot]:
    """A real PTB bot with its default HTTPXRequest, pointed at the served stand-in."""
    bot = Bot(TOKEN, base_url=f"{server.url}/bot", base_file_url=f"{server.url}/file/bot")
    async with bot:
        yield bot


@pytest.fixture
async def local_bot(standin: BotApiStandin) -> AsyncIterator[Bot]:
    """The same bot talking to the stand-in in-process (getUpdates has its own request in PTB)."""
    bot = Bot(TOKEN, request=StandinRequest(standin), get_updates_request=StandinRequest(standin))
    async with bot:
        yield bot


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in buttons]]
    )


# --------------------------------------------------------------------------- over HTTP


async def test_a_real_bot_over_http_can_introduce_itself_and_send_and_edit_an_html_keyboard_message(
    http_bot: Bot, standin: BotApiStandin, ada: SimUser
) -> None:
    me = await http_bot.get_me()
    sent = await http_bot.send_message(
        ada.id, "<b>Welcome</b> &amp; hello", parse_mode="HTML", reply_markup=keyboard(("Yes", "v1:yes"))
    )
    edited = await sent.edit_text("Thanks!", reply_markup=keyboard(("Undo", "v1:undo")))

    assert (me.id, me.username, me.is_bot) == (123456, "fellowship_sandbox_bot", True)
    assert sent.text == "Welcome & hello" and sent.text_html == "<b>Welcome</b> &amp; hello"
    assert (
        isinstance(edited, Message)
        and edited.text == "Thanks!"
        and edited.reply_markup == keyboard(("Undo", "v1:undo"))
    )
    stored = standin.last_message(ada.id)
    assert stored is not None and (stored.text, stored.edits, stored.source) == ("Thanks!", 1, "Thanks!")
    assert stored.button(label="Undo") == {"text": "Undo", "callback_data": "v1:undo"}
    assert standin.violations == []


async def test_a_photo_sent_as_bytes_can_be_downloaded_back_through_get_file(
    http_bot: Bot, standin: BotApiStandin, ada: SimUser
) -> None:
    message = await http_bot.send_photo(ada.id, photo=PNG_16x32, caption="<i>today</i>", parse_mode="HTML")
    file = await message.photo[-1].get_file()

    assert (message.photo[-1].width, message.photo[-1].height, message.caption) == (16, 32, "today")
    assert bytes(await file.download_as_bytearray()) == PNG_16x32
    assert standin.last_message(ada.id).file.data == PNG_16x32  # type: ignore[union-attr]


async def test_a_deleted_message_is_flagged_and_cannot_be_deleted_or_edited_again(
    http_bot: Bot, standin: BotApiStandin, ada: SimUser
) -> None:
    message = await http_bot.send_message(ada.id, "temporary")
    assert await message.delete() is True

    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await message.delete()
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await message.edit_text("too late")
    assert [m.deleted for m in standin.messages(ada.id)] == [True]
    assert standin.texts(ada.id) == [] and standin.last_message(ada.id) is None


async def test_callback_data_of_65_bytes_is_refused_with_400_and_recorded_as_a_violation(
    http_bot: Bot, standin: BotApiStandin, ada: SimUser
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await http_bot.send_message(ada.id, "Pick one", reply_markup=keyboard(("Too long", "x" * 65)))

    assert [v.method for v in standin.violations] == ["sendMessage"]
    assert "inline_keyboard[0][0].callback_data is 65 bytes" in standin.violations[0].problem
    assert standin.messages(ada.id) == [] and standin.calls[-1].status == 400


async def test_text_over_4096_characters_after_html_parsing_is_refused_but_tags_do_not_count(
    http_bot: Bot, standin: BotApiStandin, ada: SimUser
) -> None:
    await http_bot.send_message(ada.id, f"<b>{'a' * 4096}</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await http_bot.send_message(ada.id, "a" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await http_bot.send_message(ada.id, "<b> </b>", parse_mode="HTML")

    assert len(standin.violations) == 2


async def test_an_unknown_field_passed_through_api_kwargs_is_refused_and_recorded(
    http_bot: Bot, standin: BotApiStandin, ada: SimUser
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)unknown field 'colour'"):
        await http_bot.send_message(ada.id, "hi", api_kwargs={"colour": "blue"})

    assert str(standin.violations[0]) == "sendMessage: unknown field 'colour'"


async def test_html_that_telegram_cannot_parse_is_refused_with_telegrams_own_words(
    http_bot: Bot, ada: SimUser
) -> None:
    with pytest.raises(BadRequest, match=r'(?i)Unsupported start tag "n" at byte offset 4'):
        await http_bot.send_message(ada.id, "use <n> here", parse_mode="HTML")


async def test_a_user_who_blocked_the_bot_makes_sends_raise_forbidden(
    http_bot: Bot, standin: BotApiStandin, ada: SimUser
) -> None:
    standin.block(ada.id)

    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await http_bot.send_message(ada.id, "are you there?")
    updates = standin.take_updates()
    assert updates[-1]["my_chat_member"]["new_chat_member"]["status"] == "kicked"


async def test_the_bot_cannot_message_a_user_who_never_wrote_to_it(
    http_bot: Bot, standin: BotApiStandin
) -> None:
    stranger = standin.add_user("Stranger")

    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await http_bot.send_message(stranger.id, "hello")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_fault_hook_answering_429_surfaces_as_retry_after(
    http_bot: Bot, standin: BotApiStandin, ada: SimUser
) -> None:
    def flood(method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        return (
            error_body(429, "Too Many Requests: retry after 7", retry_after=7)
            if method == "sendMessage"
            else None
        )

    standin.fault = flood
    with pytest.raises(RetryAfter) as caught:
        await http_bot.send_message(ada.id, "hi")

    assert caught.value.retry_after in (7, dt.timedelta(seconds=7))  # int until PTB_TIMEDELTA is the default
    assert standin.calls[-1].status == 429 and standin.messages(ada.id) == []


async def test_long_polling_get_updates_waits_for_a_users_command_with_its_bot_command_entity(
    http_bot: Bot, standin: BotApiStandin
) -> None:
    bea = standin.add_user("Bea")
    poll = asyncio.create_task(http_bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()

    standin.send_text(bea.id, "/checkin@fellowship_sandbox_bot today")
    updates = await asyncio.wait_for(poll, 5)

    message = updates[0].message
    assert message is not None and message.text == "/checkin@fellowship_sandbox_bot today"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bot_command", 0, 31)]
    assert message.from_user is not None and message.from_user.first_name == "Bea"
    confirmed = await http_bot.get_updates(offset=updates[0].update_id + 1, timeout=0)
    assert confirmed == ()


async def test_the_simulator_api_creates_users_validates_locations_and_shows_the_chat(
    server: RunningServer, standin: BotApiStandin
) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        created = await client.post("/sim/users", json={"first_name": "Cy", "username": "cy"})
        user_id = created.json()["id"]
        sent = await client.post(f"/sim/users/{user_id}/text", json={"text": "hello"})
        off_planet = await client.post(
            f"/sim/users/{user_id}/location", json={"latitude": 91, "longitude": 0}
        )
        unknown = await client.post("/sim/users/42/text", json={"text": "hi"})
        chat = await client.get(f"/sim/chats/{user_id}")
        wrong_token = await client.get("/bot1:wrong/getMe")
        no_method = await client.post(f"/bot{TOKEN}/sendTelegram", json={})

    assert created.status_code == 201 and sent.json()["message"]["text"] == "hello"
    assert (
        off_planet.status_code == 422 and "latitude must be between -90 and 90" in off_planet.json()["error"]
    )
    assert unknown.status_code == 404
    assert [(e["direction"], e["text"]) for e in chat.json()] == [("in", "hello")]
    assert wrong_token.status_code == 401 and wrong_token.json()["description"] == "Unauthorized"
    assert no_method.status_code == 404 and no_method.json()["description"] == "Not Found"


# --------------------------------------------------------------------------- in process


async def test_standin_request_drives_a_bot_in_process_the_same_way(
    local_bot: Bot, standin: BotApiStandin, ada: SimUser
) -> None:
    sent = await local_bot.send_message(ada.id, "Choose", reply_markup=keyboard(("A", "v1:a"), ("B", "v1:b")))
    photo = await local_bot.send_photo(ada.id, photo=PNG_16x32)
    downloaded = await (await photo.photo[-1].get_file()).download_as_bytearray()
    update = standin.press(ada.id, "B")
    await local_bot.answer_callback_query(update["callback_query"]["id"], text="Noted")

    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await local_bot.answer_callback_query(update["callback_query"]["id"])
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await sent.edit_text("Choose", reply_markup=keyboard(("A", "v1:a"), ("B", "v1:b")))
    assert bytes(downloaded) == PNG_16x32
    assert update["callback_query"]["message"]["reply_markup"]["inline_keyboard"][0][1]["text"] == "B"
    assert standin.presses[0].answer == {"text": "Noted"} and not standin.presses[0].forged


async def test_a_forged_callback_press_still_reaches_the_bot_and_is_recorded_as_forged(
    local_bot: Bot, standin: BotApiStandin, ada: SimUser
) -> None:
    sent = await local_bot.send_message(ada.id, "Choose", reply_markup=keyboard(("A", "v1:a")))

    update = standin.press_button(ada.id, sent.message_id, "v1:admin:delete-everything")

    assert update["callback_query"]["data"] == "v1:admin:delete-everything"
    assert standin.presses[-1].forged and standin.presses[-1].label is None


async def test_an_application_replies_to_start_through_a_command_handler(standin: BotApiStandin) -> None:
    dee = standin.add_user("Dee")

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html("<b>Welcome</b>, friend")

    app = (
        Application.builder()
        .token(TOKEN)
        .request(StandinRequest(standin))
        .get_updates_request(StandinRequest(standin))
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        update = standin.send_text(dee.id, "/start")
        await app.process_update(Update.de_json(update, app.bot))

    reply = standin.last_message(dee.id)
    assert reply is not None and reply.text == "Welcome, friend"
    assert reply.entities == [{"type": "bold", "offset": 0, "length": 7}]
    assert [entry.direction for entry in standin.transcript(dee.id)] == ["in", "out"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limits_answer_429_once_a_chat_gets_more_than_a_short_burst() -> None:
    clock = [1000.0]
    limited = BotApiStandin(token=TOKEN, rate_limits=RateLimits(clock=lambda: clock[0]))
    user = limited.add_user("Eve")
    limited.send_text(user.id, "hi")
    bot = Bot(TOKEN, request=StandinRequest(limited), get_updates_request=StandinRequest(limited))
    async with bot:
        for _ in range(3):
            await bot.send_message(user.id, "burst")
        with pytest.raises(RetryAfter):
            await bot.send_message(user.id, "one too many")
        clock[0] += 1.0
        await bot.send_message(user.id, "after a second")

    assert limited.rate_limited == 1 and len(limited.texts(user.id)) == 4
    (refused,) = limited.crowding()  # what a test or benchmark prints to tell a burst from a rate
    assert refused.startswith("sendMessage: overall 3 in the second before; to the chat in the 3 s before [")
    assert refused.count(",") == 2  # the three messages of the burst


async def test_a_scripted_failure_hits_only_the_next_call_of_that_method(
    local_bot: Bot, standin: BotApiStandin, ada: SimUser
) -> None:
    standin.fail_next("sendMessage", status=502)

    with pytest.raises(Exception, match=r"(?i)Bad Gateway"):
        await local_bot.send_message(ada.id, "first")
    await local_bot.send_message(ada.id, "second")

    assert standin.texts(ada.id) == ["second"]


async def test_events_stream_new_bot_messages_to_subscribers(
    local_bot: Bot, standin: BotApiStandin, ada: SimUser
) -> None:
    events = standin.subscribe()

    await local_bot.send_message(ada.id, "live")

    kinds = []
    while not events.empty():
        event = events.get_nowait()
        kinds.append((event["event"], event["data"].get("text")))
    assert ("message", "live") in kinds


async def test_a_subscriber_can_ask_for_some_kinds_of_event_and_stop_listening(
    local_bot: Bot, standin: BotApiStandin, ada: SimUser
) -> None:
    replies = standin.subscribe(kinds=("message",))
    everything = standin.subscribe()

    await local_bot.send_message(ada.id, "live")
    standin.unsubscribe(everything)
    await local_bot.send_message(ada.id, "later")

    def drain(queue: asyncio.Queue[dict[str, Any]]) -> list[tuple[str, Any]]:
        events = []
        while not queue.empty():
            event = queue.get_nowait()
            events.append((event["event"], event["data"].get("text")))
        return events

    assert drain(replies) == [("message", "live"), ("message", "later")]
    assert [kind for kind, _ in drain(everything)] == ["message", "call"]


def test_user_locations_stickers_and_edits_arrive_as_telegram_shaped_updates(
    standin: BotApiStandin, ada: SimUser
) -> None:
    location = standin.send_location(ada.id, 51.5, -0.12)
    sticker = standin.send_sticker(ada.id)
    edited = standin.edit_text(ada.id, 1, "/start again")

    bot = Bot(TOKEN)
    assert Update.de_json(location, bot).message.location.latitude == 51.5  # type: ignore[union-attr]
    assert Update.de_json(sticker, bot).message.sticker.emoji == "👍"  # type: ignore[union-attr]
    assert Update.de_json(edited, bot).edited_message.text == "/start again"  # type: ignore[union-attr]
    assert [u["update_id"] for u in standin.take_updates()] == [1, 2, 3, 4]
    assert [e.kind for e in standin.transcript(ada.id)] == ["text", "location", "sticker"]
    with pytest.raises(ValueError, match="longitude"):
        standin.send_location(ada.id, 0, 181)


# --------------------------------------------------------------------------- the spec itself


def test_method_names_are_case_insensitive_and_nested_json_strings_are_decoded() -> None:
    spec = ApiSpec.load()
    markup = json.dumps({"inline_keyboard": [[{"text": "Go", "callback_data": "v1:go"}]]})

    assert spec.method_name("SENDMESSAGE") == "sendMessage"
    assert spec.check_call("sendmessage", {"chat_id": "5", "text": "hi", "reply_markup": markup}) == []
    assert spec.check_call("sendMessage", {"chat_id": 5}) == ["sendMessage: required field 'text' is missing"]
    assert spec.check_call("sendTelegram", {}) == ["unknown method 'sendTelegram'"]


def test_reply_markup_buttons_need_text_and_no_unknown_fields() -> None:
    spec = ApiSpec.load()
    markup = {"keyboard": [[{"label": "Share location", "request_location": True}]]}

    problems = spec.check_call("sendMessage", {"chat_id": 5, "text": "Where?", "reply_markup": markup})

    assert (
        "sendMessage.reply_markup.keyboard[0][0]: required field 'text' of KeyboardButton is missing"
        in problems
    )
    assert "sendMessage.reply_markup.keyboard[0][0]: unknown field 'label' of KeyboardButton" in problems


def test_bot_commands_must_be_lowercase_letters_digits_and_underscores() -> None:
    problems = ApiSpec.load().check_call(
        "setMyCommands", {"commands": [{"command": "check-in", "description": "x"}]}
    )

    assert len(problems) == 1 and problems[0].startswith("BOT_COMMAND_INVALID")


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("<b>bold</i>", "HTML", 'Unmatched end tag at byte offset 7, expected "</b>", found "</i>"'),
        ("<b>bold", "HTML", "Can't find end tag corresponding to start tag b"),
        (
            "Version 1.0",
            "MarkdownV2",
            "Character '.' is reserved and must be escaped with the preceding '\\'",
        ),
        ("see user_name", "Markdown", "Can't find end of the entity starting at byte offset 8"),
    ],
)
def test_markup_errors_use_telegrams_wording(text: str, parse_mode: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_formatted_text(text, parse_mode)

    assert str(caught.value) == error


def test_parsed_text_has_utf16_entity_offsets_and_is_trimmed() -> None:
    parsed = parse_formatted_text("  😀 <i>x</i> &lt;3 <a href='https://t.me'>here</a>\n", "HTML")

    assert parsed.text == "😀 x <3 here"
    assert parsed.entities == [
        {"type": "italic", "offset": 3, "length": 1},
        {"type": "text_link", "offset": 8, "length": 4, "url": "https://t.me"},
    ]
