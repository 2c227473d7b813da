"""Whatever comes from outside (a /start link, a feed, typed text) is bounded before the bot
shows or stores it: every reply fits Telegram's limits, a malformed feed is a feed error
that leaves the other feeds alone, and nothing over-long reaches a sized column."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import String, select

from bot import texts
from bot.db import Database
from bot.models import Meeting, MeetingSource
from bot.services.meetings import feeds as meeting_feeds
from bot.services.meetings.feeds import FeedError
from schedules import feed_sync
from tests.harness import Harness, plain
from tests.meeting_factory import LS6, open_result
from tests.test_meetings_feeds import sync, uk_meeting, write_feed
from tests.test_onboarding import onboard

TELEGRAM_MAX = 4096


# --- the clip helper -----------------------------------------------------------------------


def test_clipping_never_splits_an_entity_or_a_tag_and_shows_it_was_cut() -> None:
    assert texts.clip("&" * 100, 10) == "&amp;" * 9 + "…"
    assert texts.clip("<b>bold</b>", 4) == "&lt;b&gt;…"
    assert texts.clip("Short & sweet", 80) == "Short &amp; sweet"
    assert texts.clip(None, 10) == ""
    for value in ("&<>" * 50, "😀" * 50, "a " * 50):
        assert len(plain(texts.clip(value, 20))) <= 20


# --- /start links ----------------------------------------------------------------------------


async def test_a_start_link_longer_than_64_bytes_gets_a_kind_reply(h: Harness) -> None:
    stranger = h.user("Stranger")
    await stranger.send("/start su_" + "A" * 100)
    assert "I don't recognise this link" in stranger.last().text
    assert "Nothing is saved until you press I agree" in stranger.last().text
    assert stranger.last().buttons_data() == ["v1:ob:agree", "v1:ob:no"]
    sam = await onboard(h, "Sam")
    await sam.send("/start co_" + "x" * 61)  # valid characters, 64 bytes, too long for the button
    assert sam.last().text == texts.INVITE_UNKNOWN


@pytest.mark.parametrize("payload", ["su_<b>é:😀", "su_a:b:c", "ob_" + "é" * 30, "&amp;", "su_" + "A" * 4000])
async def test_a_start_link_with_odd_characters_gets_a_kind_reply_and_is_never_kept(h: Harness, payload: str) -> None:
    stranger = h.user("Stranger")
    await stranger.send(f"/start {payload}")
    assert stranger.last().text.startswith(texts.INVITE_UNKNOWN)
    await stranger.press("✅ I agree")
    assert "What should we call you?" in stranger.last().text
    await stranger.send(f"/start {payload}")
    assert stranger.last(1).text.startswith(texts.INVITE_UNKNOWN)
    assert "What should we call you?" in stranger.last().text


# --- meetings from feeds -------------------------------------------------------------------------


def overfull_meeting(slug: str) -> dict[str, object]:
    """A meeting whose every text field is far longer than any column or message allows,
    full of characters that HTML escaping lengthens."""
    filler = "Tea & <biscuits> " * 400
    return uk_meeting(
        slug,
        name="Big & <Bold> " * 100,
        location=filler,
        address=filler,
        city=filler,
        postal_code="LS6 2AB " * 20,
        location_notes=filler,
        conference_url="https://meet.example/" + "x" * 2000,
        conference_url_notes=filler,
        conference_phone="+44 113 496 0000",
        conference_phone_notes=filler,
        notes=("Please use the side door & ring <twice>. " * 200)[:5000],
        group=filler,
        types=["O", "D", "B", "W", "M", "LGBTQ", "SP", "ST", "TR", "BE", "X", "ASL", "CF"],
    )


async def test_a_meeting_with_5000_character_notes_is_shown_within_telegram_limits(h: Harness, tmp_path: Path) -> None:
    await sync(h.db, write_feed(tmp_path / "feed.json", [overfull_meeting(f"big-{n}") for n in range(5)]))
    sam = await onboard(h, "Sam")
    await sam.send("/meetings LS6")
    listing = sam.last()
    assert all(f"{n}. Big & <Bold>" in listing.text for n in range(1, 6)) and len(listing.text) <= TELEGRAM_MAX
    await open_result(sam, 1)
    card = sam.last()
    assert "Please use the side door & ring <twice>." in card.text
    assert len(card.text) <= TELEGRAM_MAX and "…" in card.text
    notes = card.text.split("Please use the side door", 1)[1]
    assert len(notes) < 1100  # notes clipped to 1,000 characters, not 5,000


async def test_an_online_list_of_overfull_meetings_fits_one_message(h: Harness, tmp_path: Path) -> None:
    online = [{**overfull_meeting(f"on-{n}"), "time": "13:00", "day": 2, "attendance_option": "online"} for n in range(5)]
    await sync(h.db, write_feed(tmp_path / "feed.json", online))
    sam = await onboard(h, "Sam")
    await sam.send("/meetings")
    await sam.send("💻 Online meetings soon")
    listing = sam.last().text
    assert all(f"{n}. Big & <Bold>" in listing for n in range(1, 6)) and len(listing) <= TELEGRAM_MAX


async def test_odd_values_in_a_feed_are_dropped_or_clipped_to_fit_their_columns(db: Database, tmp_path: Path) -> None:
    odd = overfull_meeting("odd")
    odd.update(
        name="Null\x00 and \ud800 surrogate " * 50,
        slug="s" * 500 + "\x00",
        timezone="Europe/" + "x" * 5000,
        fellowship=["AA"],
        latitude="NaN",
        longitude=1e308 * 10,
        conference_phone="123" + "#" * 40 + "x",
        end_time=["19:00"],
        updated="9" * 5000,
    )
    superscript_day = uk_meeting("superscript", day="²")
    huge_day = uk_meeting("huge-day", day="9" * 5000)
    result = await sync(db, write_feed(tmp_path / "feed.json", [odd, superscript_day, huge_day]))
    assert result.added == 1 and result.skipped == {"no_day": 2}
    async with db.session() as session:
        stored = (await session.execute(select(Meeting))).scalar_one()
    for column in Meeting.__table__.columns:  # type: ignore[attr-defined]
        value = getattr(stored, column.name)
        if isinstance(column.type, String) and column.type.length and isinstance(value, str):
            assert len(value) <= column.type.length, column.name
        if isinstance(value, str):
            assert "\x00" not in value and "\ud800" not in value, column.name
    assert stored.conference_phone is None and stored.timezone == "Europe/London" and stored.fellowship == "AA"
    assert (stored.latitude, stored.longitude) == (LS6[0], LS6[1]) or stored.approximate


def test_a_phone_number_that_would_make_a_regex_backtrack_is_read_at_once() -> None:
    answers: list[str | None] = []
    worker = threading.Thread(target=lambda: answers.append(meeting_feeds._phone("123" + "#" * 40 + "x")), daemon=True)
    worker.start()
    worker.join(5)
    assert answers == [None]
    assert meeting_feeds._phone("0113 496 0000,,123#") == "01134960000,,123#"


MALFORMED = {
    "deeply nested": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "a number with thousands of digits": ("[" + "1" * 5000 + "]", "can't be read"),
    "not JSON": ("meetings: yes", "is not valid JSON"),
    "not a list": ('{"meetings": 5}', "not a meeting feed"),
    "a list of non-objects": ('[1, "two", [3], null]', "None of the 4 meetings"),
    "meetings of the wrong types": ('[{"name": {"a": 1}, "slug": [], "day": {}, "time": 7}]', "None of the 1 meetings"),
    "invalid numbers": ('[{"name": "N", "slug": "n", "day": NaN, "time": Infinity}]', "None of the 1 meetings"),
    "huge strings only": (json.dumps([{"name": "x" * 100_000, "slug": "y", "day": "z" * 100_000, "time": "1" * 100_000}]), "None of the 1"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
async def test_a_malformed_feed_is_a_feed_error_whatever_is_wrong_with_it(db: Database, tmp_path: Path, case: str) -> None:
    body, says = MALFORMED[case]
    feed = tmp_path / "feed.json"
    feed.write_text(body)
    with pytest.raises(FeedError, match=says):
        await sync(db, feed)
    async with db.session() as session:
        source = (await session.execute(select(MeetingSource))).scalar_one()
    assert source.last_error is not None and says in source.last_error


async def test_a_deeply_nested_feed_is_a_feed_error_and_the_next_feed_still_syncs(h: Harness, tmp_path: Path) -> None:
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000)
    good = write_feed(tmp_path / "good.json", [uk_meeting("a"), uk_meeting("b")])
    h.runtime.settings.meeting_feeds = (str(nested), str(good))
    results = await feed_sync.run(h.runtime)
    assert [r.added for r in results] == [2]
    async with h.db.session() as session:
        errors = {source.url: source.last_error for source in (await session.execute(select(MeetingSource))).scalars()}
    assert "nested too deeply" in (errors[str(nested.resolve())] or "")
    assert errors[str(good.resolve())] is None


async def test_a_feed_that_fails_in_an_unforeseen_way_is_recorded_and_the_next_feed_still_syncs(
    h: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = write_feed(tmp_path / "broken.json", [uk_meeting("x")])
    good = write_feed(tmp_path / "good.json", [uk_meeting("a")])
    real_sync = meeting_feeds.sync

    async def sync_or_break(db, source, **options):  # type: ignore[no-untyped-def]
        if "broken" in source:
            raise KeyError("something nobody thought of")
        return await real_sync(db, source, **options)

    monkeypatch.setattr(meeting_feeds, "sync", sync_or_break)
    h.runtime.settings.meeting_feeds = (str(broken), str(good))
    assert [r.added for r in await feed_sync.run(h.runtime)] == [1]
    async with h.db.session() as session:
        errors = {source.url: source.last_error for source in (await session.execute(select(MeetingSource))).scalars()}
    assert errors[str(broken.resolve())] == "broken.json could not be imported (KeyError). Nothing was changed."


# --- typed text echoed back --------------------------------------------------------------------


async def test_a_companion_typing_a_4096_character_area_gets_a_short_reply(h: Harness) -> None:
    lee = await onboard(h, "Lee", purpose="I volunteer as a companion")
    await lee.send(("Narnia & <Mordor> " * 300)[:4096])
    reply = lee.find("Your areas")
    assert "I couldn't find: Narnia & <Mordor>" in reply.text
    assert len(reply.text) < 400 and "…" in reply.text


async def test_a_long_unknown_place_is_named_back_short(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/meetings")
    await sam.send(("Nowhere & <Elsewhere> " * 200)[:4000])
    assert "Nowhere & <Elsewhere>" in sam.last().text and len(sam.last().text) < 600
