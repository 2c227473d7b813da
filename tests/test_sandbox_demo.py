"""The sandbox's fictional demo meetings: what they are, that /meetings finds them from the
place picker's presets, and that they are imported once (a restart adds nothing)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.__main__ import _parser
from bot.models import Meeting, MeetingSource
from bot.sandbox import Sandbox, SandboxOptions
from bot.sandbox import demo_meetings as demo
from bot.sandbox.cli import running
from bot.sandbox.places import all_places
from bot.sandbox.web import bind
from bot.services.meetings import feeds as meeting_feeds
from bot.services.meetings.search import haversine_km
from tests.test_sandbox import Page

TYPES = json.loads((Path(demo.__file__).resolve().parent.parent / "data" / "meeting_types.json").read_text())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "sandbox-data"


def test_the_demo_meetings_are_fictional_varied_and_the_same_every_time() -> None:
    feed = demo.build_feed()
    assert feed == demo.build_feed()  # seeded: the same meetings on every machine
    assert 140 <= len(feed) <= 160
    assert all(entry["name"].startswith("Demo: ") and entry["notes"] == demo.NOTE for entry in feed)
    assert len({entry["slug"] for entry in feed}) == len(feed)
    assert set(Counter(entry["fellowship"] for entry in feed)) == {"AA", "NA", "CA", "CMA"}
    codes = Counter(code for entry in feed for code in entry["types"])
    assert set(codes) <= set(TYPES) and "UK" not in codes  # UK is Ukrainian in the spec
    assert {"O", "C", "BE", "W", "M", "LGBTQ", "X"} <= set(codes)
    assert all(("O" in e["types"]) != ("C" in e["types"]) for e in feed)
    days = {day for entry in feed for day in (entry["day"] if isinstance(entry["day"], list) else [entry["day"]])}
    assert days == set(range(7))
    starts = {entry["time"] for entry in feed}
    assert starts & set(demo.MORNING) and starts & set(demo.LUNCHTIME) and starts & set(demo.EVENING)
    online = [e for e in feed if e["attendance_option"] in ("online", "hybrid")]
    assert {e["attendance_option"] for e in online} == {"online", "hybrid"} and len(online) >= 10
    assert all(re.fullmatch(r"https://example\.org/demo-meeting-[a-z0-9-]+", e["conference_url"]) for e in online)
    assert all("conference_url" not in e for e in feed if e["attendance_option"] == "in_person")


def test_every_picker_town_and_each_chosen_prison_has_demo_meetings_close_by() -> None:
    feed = [e for e in demo.build_feed() if "latitude" in e]
    places = {p.name: p for p in all_places() if p.kind in ("town", "prison")}

    def near(name: str, km: float) -> list[dict[str, Any]]:
        place = places[name]
        return [e for e in feed if haversine_km(place.latitude, place.longitude, e["latitude"], e["longitude"]) <= km]

    for name in (p.name for p in places.values() if p.kind == "town"):
        assert len(near(name, 3.5)) >= 2, name
    for name in demo.PRISONS:
        daily = [e for e in near(name, 3.5) if e["day"] == demo.EVERY_DAY]
        assert len(daily) >= 2 and all("O" in e["types"] for e in daily), name  # release day: open, every day


def test_the_demo_meetings_pass_the_feed_importers_validation_whole() -> None:
    feed = demo.build_feed()
    parsed = meeting_feeds.parse(meeting_feeds.feed_bytes(feed), fellowship=None, default_zone="Europe/London")
    assert len(parsed.meetings) == len(feed)
    assert not parsed.skipped and not parsed.unknown_types
    attendance = Counter(m.fields["attendance"] for m in parsed.meetings)
    assert attendance["online"] == len(demo.ONLINE) and attendance["hybrid"] >= 5
    assert all(m.fields["timezone"] == "Europe/London" and not m.fields["approximate"] for m in parsed.meetings)


async def _demo_count(sandbox: Sandbox) -> int:
    async with sandbox.runtime.db.session() as session:
        source = (await session.execute(select(MeetingSource).where(MeetingSource.url == demo.SOURCE))).scalar_one()
        query = select(func.count()).select_from(Meeting).where(Meeting.source_id == source.id)
        return int((await session.execute(query)).scalar_one())


async def _place(page: Page, kind: str, query: str) -> dict[str, float]:
    found = (await page.client.get("/api/places", params={"kind": kind, "q": query})).json()["places"][0]
    return {"latitude": found["latitude"], "longitude": found["longitude"]}


async def _search_from(page: Page, name: str, kind: str, query: str) -> str:
    """/meetings, then share a preset place from the picker; the list the bot sends back."""
    seen = len(await page.bot_said(name))
    await page.send(name, "/meetings")
    await page.wait_for(name, "Find a meeting")
    person = await page.person(name)
    assert (await page.post(f"/api/people/{person['id']}/location", await _place(page, kind, query))).status_code == 200
    await page.wait_for(name, "Tap a meeting's button below for the map")  # the list's footer
    return next(text for text in (await page.bot_said(name))[seen:] if "Tap a meeting's button below for the map" in text)


async def test_a_newcomer_sharing_hmp_leeds_finds_demo_meetings_and_a_restart_adds_none(data_dir: Path) -> None:
    options = SandboxOptions(port=0, data_dir=data_dir)
    async with running(options, bind("127.0.0.1", 0)) as (sandbox, server):
        first = await _demo_count(sandbox)
        assert first == len(demo.build_feed())
        async with httpx.AsyncClient(base_url=server.url, timeout=15) as client:
            page = Page(client, sandbox)
            await page.onboard("Sam")
            listing = await _search_from(page, "Sam", "prison", "Leeds (HMP)")
        assert sandbox.standin.violations == []
    titles = re.findall(r"^\d+\. (Demo: .+?) — ([\d.]+) (k?m)$", listing, flags=re.MULTILINE)
    assert len(titles) >= 3, listing
    assert all(float(d) < 5 or unit == "m" for _, d, unit in titles)  # within a few km of the prison
    assert "Demo: Leeds" in listing

    async with running(options, bind("127.0.0.1", 0)) as (sandbox, server):
        assert await _demo_count(sandbox) == first
        assert await demo.seed(sandbox.runtime.db, now=sandbox.clock.now()) == 0
        async with httpx.AsyncClient(base_url=server.url, timeout=15) as client:
            page = Page(client, sandbox)
            again = await _search_from(page, "Sam", "town", "Leeds")  # Sam is still set up
        assert sandbox.standin.violations == []
    names = re.findall(r"^\d+\. (Demo: .+?) — ", again, flags=re.MULTILINE)
    assert names and len(names) == len(set(names))


async def test_no_demo_meetings_leaves_a_new_sandbox_without_meetings(data_dir: Path) -> None:
    assert _parser().parse_args(["sandbox", "--no-demo-meetings"]).demo_meetings is False
    assert _parser().parse_args(["sandbox"]).demo_meetings is True
    async with running(SandboxOptions(port=0, data_dir=data_dir, demo_meetings=False), bind("127.0.0.1", 0)) as (sandbox, _):
        async with sandbox.runtime.db.session() as session:
            assert (await session.execute(select(func.count()).select_from(Meeting))).scalar_one() == 0
