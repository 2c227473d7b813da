"""Help right now: /sos and the support button show 999 and Samaritans at once, for anyone,
only verified numbers, and record the request so supporters can be alerted."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.models import CrisisRequest, Person
from bot.services.support import crisis, distress, helplines
from tests.harness import Harness
from tests.supporters_helpers import add_supporter, alerts_about, supporter
from tests.test_checkin_schedule import tick_at
from tests.test_onboarding import onboard

UNVERIFIED_NUMBERS = ("0300 999 1212", "0300 123 6600", "0808 8020 133")  # NA UK, FRANK, gambling


async def requests(h: Harness) -> list[CrisisRequest]:
    async with h.db.session() as session:
        return list((await session.execute(select(CrisisRequest).order_by(CrisisRequest.id))).scalars())


async def test_sos_shows_999_and_samaritans_first_and_records_the_request(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/sos")
    shown = sam.last().text
    assert shown.startswith("🆘 You're not alone.")
    assert shown.index("999") < shown.index("116 123") < shown.index("Other help")
    assert "Samaritans: 116 123 (free, 24/7)" in shown
    assert "Shout 85258: Text SHOUT to 85258" in shown and "NHS 111" in shown
    (request,) = await requests(h)
    assert request.source == "command" and request.created_at == h.clock.now()


async def test_sos_works_for_someone_who_never_pressed_start_and_stores_nothing(h: Harness) -> None:
    stranger = h.user("Stranger")
    await stranger.send("/sos")
    assert "999" in stranger.last().text and "116 123" in stranger.last().text
    async with h.db.session() as session:
        assert (await session.execute(select(Person))).first() is None
    assert await requests(h) == []


async def test_every_prompt_carries_a_support_button_and_a_double_tap_shows_help_once(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await tick_at(h, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    prompt = sam.last()
    await sam.press("🆘 I need support now", message=prompt)
    await sam.press("🆘 I need support now", message=prompt)
    assert sum("You're not alone" in t for t in sam.texts()) == 1
    assert [r.source for r in await requests(h)] == ["prompt"]
    # Minutes later it is shown again, and still counts as the same request.
    h.clock.advance(timedelta(minutes=1))
    await sam.press("🆘 I need support now", message=prompt)
    assert sum("You're not alone" in t for t in sam.texts()) == 2
    assert len(await requests(h)) == 1
    # The check-in card keeps the button at every step.
    await sam.press("😢 very low", message=prompt)
    assert "🆘 I need support now" in sam.find("Did you stay clean").buttons()


async def test_a_new_request_is_recorded_once_the_last_one_is_a_few_minutes_old(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/sos")
    h.clock.advance(crisis.REPEAT_WINDOW + timedelta(seconds=1))
    await sam.send("/sos")
    assert len(await requests(h)) == 2


async def test_numbers_not_verified_at_the_source_are_never_shown(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/sos")
    for number in UNVERIFIED_NUMBERS:
        assert number not in sam.last().text
    assert "Cocaine Anonymous" not in sam.last().text


def test_the_shipped_helpline_data_keeps_its_sources_and_shows_only_verified_rows() -> None:
    with helplines.DATA_FILE.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {"source_url", "source_type", "verification", "notes"} <= set(rows[0])
    assert {r["id"] for r in rows if r["verification"] == "verified"} == {h.id for h in helplines.verified()}
    assert all(h.source_url.startswith("https://") for h in helplines.verified())
    assert helplines.by_id("na_uk") is None and helplines.by_id("emergency_999") is not None


async def test_someone_outside_the_uk_is_pointed_to_their_local_emergency_number(h: Harness) -> None:
    ana = h.user("Ana")
    await ana.send("/start")
    await ana.press("✅ I agree")
    await ana.send("Ana")
    await ana.press("I support someone")
    await ana.send("US Eastern")
    await ana.send("/sos")
    shown = ana.last().text
    assert "Outside the UK? Call your local emergency number" in shown and "911" in shown
    assert "NHS 111" not in shown


async def test_help_numbers_are_shown_even_when_the_database_fails(h: Harness, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    sam = await onboard(h, "Sam")

    async def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionError("database unavailable")

    monkeypatch.setattr("bot.services.people.people.find", broken)
    await sam.send("/sos")
    assert "999" in sam.last().text and "116 123" in sam.last().text
    assert "could not record a support request: ConnectionError" in caplog.text


async def test_features_can_hook_into_a_request_to_alert_people_at_once(h: Harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    async def alert(session, person, request, now, windows):  # type: ignore[no-untyped-def]
        seen.append(f"{person.pseudonym} via {request.source}, waiting {windows.immediate}")

    monkeypatch.setattr(crisis, "_hooks", [alert])
    sam = await onboard(h, "Sam")
    await sam.send("/sos")
    await sam.send("/sos")
    assert seen == ["Sam via command, waiting 0:15:00"]


# --- crisis words typed as text (issue 13, item 1) -----------------------------------------

LONG_DISTRESSED = (
    "I don't really know why I'm writing this. Everything went wrong at the hostel today and my "
    "probation officer didn't turn up, and honestly I can't take it anymore, I keep thinking "
    "about ringing my old mates and just getting on it again tonight."
)
MUST_MATCH = (
    "help", "Help!", "HELP ME", "sos", "SOS!!", "I want to use tonight", "I can't cope", "I can’t cope",
    "i cant cope", "Can't go on like this", "I'm going to kill myself", "thinking about self-harm",
    "i really want a drink", "I relapsed last night", "feeling suicidal", "help me find a meeting",
    LONG_DISTRESSED,
)
MUST_NOT_MATCH = (
    "hello?", "That was helpful, thanks", "unhelpful", "my helper is great", "good morning",
    "What time is the meeting?", "I can cope today", "sausages", "the user manual", "I'm doing OK",
    "Leeds", "see you at 7",
)


def test_the_crisis_list_matches_whole_words_and_phrases_and_leaves_ordinary_text_alone() -> None:
    assert [t for t in MUST_MATCH if not distress.is_distress(t)] == []
    assert [t for t in MUST_NOT_MATCH if distress.is_distress(t)] == []


def test_the_crisis_lists_are_one_file_per_language_and_english_is_there() -> None:
    assert "en" in distress.languages()
    for language in distress.languages():
        assert len(distress.phrases(language)) > 50 and all(p.strip() for p in distress.phrases(language))


async def test_a_member_who_types_i_want_to_use_tonight_gets_the_crisis_line_and_the_support_button(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    for typed in ("help", "sos", "I want to use tonight", "I can’t cope", LONG_DISTRESSED):
        await sam.send(typed)
        shown = sam.last()
        assert "not sure what you mean" not in shown.text, typed
        assert shown.text.startswith("🆘 You're not alone.") and "999" in shown.text and "116 123" in shown.text
        assert shown.buttons() == ["🆘 I need support now"]
        assert "/help" in shown.text
    assert await requests(h) == []  # nobody is alerted until they tap the button


async def test_tapping_the_button_under_typed_words_alerts_the_member_s_supporters(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    alex = await supporter(h, "Alex")
    await add_supporter(h, sam, alex)
    await sam.send("I can't cope")
    await sam.press("🆘 I need support now")
    await h.deliver()
    assert [r.source for r in await requests(h)] == ["typed"]
    assert len(alerts_about(alex, "Sam")) == 1
    assert "Alex has been told" in sam.find("Alex has been told").text


async def test_someone_who_never_pressed_start_and_types_help_gets_the_crisis_line(h: Harness) -> None:
    stranger = h.user("Stranger")
    await stranger.send("help")
    assert "999" in stranger.last().text and "116 123" in stranger.last().text
    assert stranger.last().buttons() == ["🆘 I need support now"]
    await stranger.send("hello")
    assert "send /start first" in stranger.last().text and "116 123" in stranger.last().text
    assert stranger.last().buttons() == ["🆘 I need support now"]


async def test_an_unrecognised_message_always_carries_the_crisis_line_and_the_support_button(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("what's the weather like")
    assert "not sure what you mean" in sam.last().text and "116 123" in sam.last().text
    assert sam.last().buttons() == ["🆘 I need support now"]


async def test_an_edited_message_with_crisis_words_gets_the_crisis_line_not_just_please_resend(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("I'm fine")
    await sam.edit(sam.last().message_id - 1, "I'm not fine, I want to use tonight")
    assert "999" in sam.last().text and sam.last().buttons() == ["🆘 I need support now"]
