"""The sandbox's HTTP API, with the real bot polling the stand-in over loopback (no browser).

Each test starts the whole sandbox in this event loop on free ports, with its own data
directory, and acts only through the page's JSON API, as the page does.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.models import Outbox
from bot.sandbox import Sandbox, SandboxOptions
from bot.sandbox.cast import SEED
from bot.sandbox.cli import running
from bot.sandbox.web import bind

ROOT = Path(__file__).resolve().parent.parent


class Page:
    """What the page does, over HTTP: read the state, type, press, share, move the clock."""

    def __init__(self, client: httpx.AsyncClient, sandbox: Sandbox) -> None:
        self.client, self.sandbox = client, sandbox

    async def state(self) -> dict[str, Any]:
        response = await self.client.get("/api/state")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    async def person(self, name: str) -> dict[str, Any]:
        return next(p for p in (await self.state())["people"] if p["name"] == name)

    async def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(path, json=body)

    async def send(self, name: str, text: str) -> httpx.Response:
        return await self.post(f"/api/people/{(await self.person(name))['id']}/text", {"text": text})

    async def press(self, name: str, label: str) -> httpx.Response:
        person = await self.person(name)
        for entry in reversed(person["chat"]):
            for row in (entry.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if button["text"] == label:
                        body = {"message_id": entry["message_id"], "callback_data": button["callback_data"]}
                        return await self.post(f"/api/people/{person['id']}/press", body)
        raise AssertionError(f"{name} has no button {label!r}")

    async def bot_said(self, name: str) -> list[str]:
        person = await self.person(name)
        return [e["text"] or "" for e in person["chat"] if e["direction"] == "out" and not e["deleted"]]

    async def wait_for(self, name: str, fragment: str, seconds: float = 10.0) -> None:
        """Until the bot has said something containing `fragment` to `name`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(fragment in text for text in await self.bot_said(name)):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{name} never saw {fragment!r}; got {(await self.bot_said(name))[-3:]}")

    async def onboard(self, name: str, purpose: str = "I'm in recovery") -> None:
        """Answer each set-up question as it comes (which ones come depends on the purpose)."""
        await self.send(name, "/start")
        await self.wait_for(name, "Nothing is saved until you press I agree")
        await self.press(name, "✅ I agree")
        answered: set[str] = set()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            said = await self.bot_said(name)
            if any("You're all set" in text for text in said):
                return
            question = next((q for q in _SETUP_ANSWERS if q not in answered and q in said[-1]), None)
            if question is None:
                await asyncio.sleep(0.05)
                continue
            answered.add(question)
            kind, answer = _SETUP_ANSWERS[question]
            answer = {"<name>": name, "<purpose>": purpose}.get(answer, answer)
            await (self.send(name, answer) if kind == "type" else self.press(name, answer))
        raise AssertionError(f"{name} was not set up; last: {(await self.bot_said(name))[-2:]}")


_SETUP_ANSWERS = {
    "What should we call you?": ("type", "<name>"),
    "What brings you here?": ("press", "<purpose>"),
    "Which time zone are you in?": ("type", "UK & Ireland"),
    "When would you like your daily check-in?": ("press", "09:00"),
    "Do you have a clean or sober date?": ("press", "No date / skip"),
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "sandbox-data"


@pytest.fixture
async def page(data_dir: Path) -> AsyncIterator[Page]:
    async with running(SandboxOptions(port=0, data_dir=data_dir), bind("127.0.0.1", 0)) as (sandbox, server):
        async with httpx.AsyncClient(base_url=server.url, timeout=15) as client:
            yield Page(client, sandbox)
        assert sandbox.standin.violations == [], f"Bot API calls that break the spec: {sandbox.standin.violations}"


async def test_the_sandbox_seeds_five_people_and_starts_with_no_token(page: Page) -> None:
    people = (await page.state())["people"]
    assert [(p["name"], p["role"]) for p in people] == list(SEED)
    assert all(p["chat"] == [] for p in people)


async def test_the_seeded_coordinator_is_a_coordinator_and_approves_a_secretary(page: Page) -> None:
    await page.onboard("Morgan")
    await page.send("Morgan", "/coordinators")
    await page.wait_for("Morgan", "Coordinators")
    await page.onboard("Priya", purpose="I run a meeting")
    await page.wait_for("Priya", "Which group or meeting are you the secretary for?")
    await page.send("Priya", "Tuesday Night Group")
    await page.wait_for("Priya", "asked a coordinator to approve you")
    await page.wait_for("Morgan", "asks to be a group secretary")
    assert (await page.press("Morgan", "✅ Approve")).status_code == 200
    await page.wait_for("Priya", "you're now a group secretary")


async def test_a_person_added_from_the_page_can_use_the_bot(page: Page) -> None:
    response = await page.post("/api/people", {"name": "  Robin  ", "role": "person"})
    assert response.status_code == 200 and response.json()["name"] == "Robin"
    await page.send("Robin", "/start")
    await page.wait_for("Robin", "Welcome")
    refused = await page.post("/api/people", {"name": "", "role": "person"})
    assert refused.status_code == 422 and "name" in refused.json()["error"]


async def test_a_person_added_with_welsh_is_welcomed_in_welsh(page: Page) -> None:
    response = await page.post("/api/people", {"name": "Nia", "role": "person", "language": "cy"})
    assert response.status_code == 200 and response.json()["language"] == "cy"
    await page.send("Nia", "/start")
    await page.wait_for("Nia", "Croeso")
    refused = await page.post("/api/people", {"name": "Kit", "role": "person", "language": "klingon"})
    assert refused.status_code == 422 and "Language" in refused.json()["error"]


async def test_the_clock_moves_forward_by_an_hour_a_day_or_to_a_local_time_and_never_back(page: Page) -> None:
    start = page.sandbox.clock.now()
    hour = await page.post("/api/clock", {"hours": 1})
    assert hour.status_code == 200
    assert page.sandbox.clock.now() - start >= timedelta(hours=1)
    day = (await page.post("/api/clock", {"days": 1})).json()
    assert day["zone"] == "Europe/London"
    back = await page.post("/api/clock", {"to": "2020-01-01T09:00"})
    assert back.status_code == 422
    assert "only moves forward" in back.json()["error"]
    negative = await page.post("/api/clock", {"hours": -2})
    assert negative.status_code == 422
    summer = start.year + 1
    jump = await page.post("/api/clock", {"to": f"{summer}-06-01T09:00"})  # London is UTC+1 in June
    assert jump.status_code == 200
    assert jump.json()["now"].startswith(f"{summer}-06-01T08:00")
    nonsense = await page.post("/api/clock", {"to": "next tuesday"})
    assert nonsense.status_code == 422 and "01/12/2026 09:00" in nonsense.json()["error"]


async def test_the_clock_the_bot_uses_is_the_one_the_page_moves(page: Page) -> None:
    next_year = page.sandbox.clock.now().year + 1
    await page.post("/api/clock", {"to": f"{next_year}-02-14T10:00"})
    assert page.sandbox.runtime.clock is page.sandbox.clock
    await page.onboard("Sam")
    await page.send("Sam", "/settings")
    await page.wait_for("Sam", "Your settings")
    # Message dates follow the bot's clock too, so the page shows the moved time on bubbles.
    last = (await page.person("Sam"))["chat"][-1]
    assert time.gmtime(last["date"]).tm_year == next_year


async def test_moving_the_clock_runs_the_schedules_at_once(page: Page) -> None:
    await page.onboard("Sam")  # daily check-in at 09:00 London time
    assert page.sandbox.app is not None and page.sandbox.app.job_queue is not None
    (checkins,) = page.sandbox.app.job_queue.get_jobs_by_name("checkin_prompts")
    # Let its first run pass, so its next one is far off (it repeats every 20 s).
    first_run = checkins.next_t or datetime.now(UTC)
    await asyncio.sleep(max(0.0, (first_run - datetime.now(UTC)).total_seconds()) + 0.5)
    assert checkins.next_t is not None and checkins.next_t > datetime.now(UTC) + timedelta(seconds=10)
    seen = len(await page.bot_said("Sam"))
    tomorrow = page.sandbox.clock.now().astimezone(page.sandbox.zone) + timedelta(days=1)
    await page.post("/api/clock", {"to": tomorrow.strftime("%Y-%m-%dT09:05")})
    deadline = time.monotonic() + 4
    while len(await page.bot_said("Sam")) == seen:
        assert time.monotonic() < deadline, "no check-in prompt right after the clock passed 09:00"
        await asyncio.sleep(0.1)


async def _link_alex_as_sams_supporter(page: Page) -> None:
    """Sam taps Add a supporter; Alex (set up as a supporter) opens the link and says yes."""
    await page.send("Sam", "/supporters")
    await page.wait_for("Sam", "Your supporters")
    assert (await page.press("Sam", "➕ Add a supporter")).status_code == 200
    await page.wait_for("Sam", "Forward this link")
    link = next(t for t in reversed(await page.bot_said("Sam")) if "Forward this link" in t).split()[-1]
    await page.onboard("Alex", purpose="I support someone")
    await page.send("Alex", f"/start {link.split('start=')[1]}")
    await page.wait_for("Alex", "would like you to be one of their supporters")
    assert (await page.press("Alex", "✅ Yes, I'll support Sam")).status_code == 200
    await page.wait_for("Alex", "You're now one of")


async def _morning_before_the_prompt(page: Page) -> None:
    """06:00 tomorrow, London: three hours before the 09:00 check-in that `onboard` picks."""
    tomorrow = page.sandbox.clock.now().astimezone(page.sandbox.zone) + timedelta(days=1)
    assert (await page.post("/api/clock", {"to": tomorrow.strftime("%d/%m/%Y 06:00")})).status_code == 200


async def test_plus_one_day_before_the_check_in_time_sends_that_days_prompt_and_the_next_day_alerts_the_supporter(
    page: Page,
) -> None:
    await _morning_before_the_prompt(page)
    await page.onboard("Sam")
    await _link_alex_as_sams_supporter(page)
    await page.post("/api/clock", {"days": 1})  # runs through 09:00: the prompt goes out
    await page.wait_for("Sam", "Good morning, Sam")
    assert not any("has gone quiet" in t for t in await page.bot_said("Alex"))
    await page.post("/api/clock", {"days": 1})  # through the next 09:00: 24 hours without a check-in
    await page.wait_for("Alex", "Sam has gone quiet.")


async def test_next_check_in_jumps_to_the_next_prompt_and_says_so_when_nobody_has_one(page: Page) -> None:
    nobody = await page.post("/api/clock", {"next": "checkin"})
    assert nobody.status_code == 422 and "Nobody has a daily check-in time yet" in nobody.json()["error"]
    await _morning_before_the_prompt(page)
    await page.onboard("Sam")
    moved = await page.post("/api/clock", {"next": "checkin"})
    assert moved.status_code == 200
    local = datetime.fromisoformat(moved.json()["now"]).astimezone(page.sandbox.zone)
    assert (local.hour, local.minute) == (9, 0)
    await page.wait_for("Sam", "Good morning, Sam")


async def test_a_long_jump_runs_only_its_last_days_so_the_chat_is_not_flooded(page: Page) -> None:
    await page.onboard("Sam")
    far = (await page.post("/api/clock", {"days": 400})).json()
    assert "the last 3 days ran as usual" in far["note"]
    async with page.sandbox.runtime.db.session() as session:
        prompts = (await session.execute(select(func.count()).where(Outbox.kind == "checkin_prompt"))).scalar_one()
    assert 3 <= prompts <= 4  # the last three mornings, and the day the jump landed in, late
    await page.wait_for("Sam", "Good morning, Sam")
    near = (await page.post("/api/clock", {"hours": 1})).json()
    assert near["note"] is None


async def test_two_quick_clicks_on_plus_one_day_move_the_clock_two_days(page: Page) -> None:
    start = page.sandbox.clock.now()
    first, second = await asyncio.gather(page.post("/api/clock", {"days": 1}), page.post("/api/clock", {"days": 1}))
    assert first.status_code == second.status_code == 200
    assert page.sandbox.clock.now() - start >= timedelta(days=2)


async def test_invalid_coordinates_get_a_422_with_a_clear_message(page: Page) -> None:
    sam = (await page.person("Sam"))["id"]
    cases = [
        ({"latitude": 91, "longitude": 0}, "Latitude must be between -90 and 90"),
        ({"latitude": 51.5, "longitude": -181}, "Longitude must be between -180 and 180"),
        ({"latitude": "north", "longitude": 0}, "Latitude must be a number"),
        ({"latitude": None, "longitude": 0}, "Latitude must be a number"),
        ('{"latitude": 1e400, "longitude": 0}', "Latitude must be a number"),  # infinity
    ]
    for body, message in cases:
        raw = body if isinstance(body, str) else json.dumps(body)
        response = await page.client.post(
            f"/api/people/{sam}/location", content=raw, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 422, body
        assert message in response.json()["error"]
    ok = await page.post(f"/api/people/{sam}/location", {"latitude": "53.79765", "longitude": -1.55129})
    assert ok.status_code == 200
    await page.wait_for("Sam", "send /start")  # not onboarded: the bot says what to do


async def test_empty_messages_are_refused_and_very_long_text_gets_the_bots_kind_reply(page: Page) -> None:
    for empty in ("", "   \n "):
        response = await page.send("Sam", empty)
        assert response.status_code == 422 and "Type a message first" in response.json()["error"]
    assert (await page.send("Sam", "x" * 5000)).status_code == 200
    await page.wait_for("Sam", "too long for me (5000 characters)")
    huge = await page.send("Sam", "x" * 20_001)
    assert huge.status_code == 422


async def test_bad_requests_are_answered_clearly(page: Page) -> None:
    not_json = await page.client.post("/api/people/100000001/text", content=b"text=hi")
    assert not_json.status_code == 422 and "JSON" in not_json.json()["error"]
    unknown = await page.post("/api/people/999/text", {"text": "hi"})
    assert unknown.status_code == 404
    gone = await page.post("/api/people/100000001/press", {"message_id": 4242, "callback_data": "v1:ob:agree"})
    assert gone.status_code == 422 and "no longer there" in gone.json()["error"]
    foreign = await page.client.get("/api/state", headers={"Host": "attacker.example"})
    assert foreign.status_code == 400  # DNS rebinding: only 127.0.0.1/localhost are served


async def test_a_stand_in_restart_is_survived_and_chats_carry_on(page: Page) -> None:
    await page.send("Alex", "/start")
    await page.wait_for("Alex", "Welcome")
    assert (await page.post("/api/standin/restart", {})).status_code == 200
    assert (await page.state())["standin"]["up"] is True
    await page.send("Alex", "/help")
    await page.wait_for("Alex", "send /start", seconds=15)  # NEED_START: not agreed yet


async def test_the_event_stream_starts_with_a_snapshot_then_sends_changes(page: Page) -> None:
    async with page.client.stream("GET", "/api/events") as stream:
        lines = stream.aiter_lines()
        first = await _next_event(lines)
        assert first["event"] == "state" and len(first["data"]["people"]) == 5
        await page.send("Jordan", "/start")
        kinds: list[str] = []
        while "out" not in kinds:
            event = await _next_event(lines)
            if event["event"] == "message":
                kinds.append(event["data"]["direction"])
        assert kinds[0] == "in"  # what Jordan typed, then the bot's answer


async def _next_event(lines: AsyncIterator[str]) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        async for line in lines:
            if line.startswith("data: "):
                data: dict[str, Any] = json.loads(line[6:])
                return data
        raise AssertionError("the event stream ended")

    return await asyncio.wait_for(read(), 10)


async def test_places_list_prisons_towns_and_postcode_districts(page: Page) -> None:
    prisons = (await page.client.get("/api/places", params={"kind": "prison", "q": "leeds"})).json()["places"]
    assert prisons[0]["name"] == "Leeds (HMP)" and 53 < prisons[0]["latitude"] < 54
    towns = (await page.client.get("/api/places", params={"kind": "town", "q": "cardiff"})).json()["places"]
    assert [t["name"] for t in towns] == ["Cardiff"]
    districts = (await page.client.get("/api/places", params={"kind": "postcode", "q": "LS1"})).json()["places"]
    assert districts[0]["name"] == "LS1"
    bad = await page.client.get("/api/places", params={"kind": "planet"})
    assert bad.status_code == 422


async def test_a_preset_place_sets_the_time_zone_during_onboarding(page: Page) -> None:
    await page.send("Sam", "/start")
    await page.wait_for("Sam", "I agree")
    await page.press("Sam", "✅ I agree")
    await page.wait_for("Sam", "What should we call you?")
    await page.send("Sam", "Sam")
    await page.wait_for("Sam", "What brings you here?")
    await page.press("Sam", "I'm leaving prison soon")
    await page.wait_for("Sam", "Which time zone are you in?")
    keyboard = (await page.person("Sam"))["keyboard"]
    assert keyboard["keyboard"][0][0]["request_location"] is True
    prison = (await page.client.get("/api/places", params={"kind": "prison", "q": "Wandsworth"})).json()["places"][0]
    body = {"latitude": prison["latitude"], "longitude": prison["longitude"]}
    assert (await page.post("/api/people/100000001/location", body)).status_code == 200
    await page.wait_for("Sam", "Time zone set to Europe/London")
    assert (await page.person("Sam"))["keyboard"] is None  # the bot removed the keyboard


async def test_logs_never_contain_names_or_message_text(page: Page, caplog: pytest.LogCaptureFixture) -> None:
    # As `fellowship sandbox` logs: INFO, with httpx (which logs URLs) at WARNING.
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.WARNING, logger="httpx")
    await page.post("/api/people", {"name": "Quillon", "role": "person"})
    await page.onboard("Quillon")
    await page.send("Quillon", "my secret words")
    await page.wait_for("Quillon", "not sure what you mean")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    user_id = str((await page.person("Quillon"))["id"])
    for private in ("Quillon", "my secret words", user_id):
        assert private not in logged


async def test_the_key_people_and_clock_survive_a_restart_of_the_sandbox(data_dir: Path) -> None:
    options = SandboxOptions(port=0, data_dir=data_dir)
    async with running(options, bind("127.0.0.1", 0)) as (sandbox, _):
        key = (data_dir / "secret.key").read_text()
        sandbox.add_person("Robin", "coordinator")
        moved = await sandbox.move_clock(by=timedelta(days=3))
    assert stat.S_IMODE((data_dir / "secret.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(os.stat(data_dir).st_mode) == 0o700
    async with running(options, bind("127.0.0.1", 0)) as (sandbox, _):
        assert (data_dir / "secret.key").read_text() == key
        assert [p.name for p in sandbox.state.people][-1] == "Robin"
        assert sandbox.clock.now().isoformat() >= moved["now"]  # never behind where it was left
        assert len(sandbox.runtime.coordinator_hashes) == 2


def test_a_key_file_others_can_read_is_made_owner_only(tmp_path: Path) -> None:
    from bot.sandbox.keyfile import load_or_create_secret

    path = tmp_path / "secret.key"
    first = load_or_create_secret(path)
    os.chmod(path, 0o644)
    assert load_or_create_secret(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_fellowship_sandbox_says_clearly_when_its_port_is_busy(tmp_path: Path) -> None:
    with bind("127.0.0.1", 0) as busy:
        port = busy.getsockname()[1]
        result = _cli(["sandbox", "--port", str(port), "--data-dir", str(tmp_path / "d")], tmp_path)
    assert result.returncode == 2
    assert "Is a sandbox already running?" in result.stderr and f"--port {port + 1}" in result.stderr


def test_fellowship_sandbox_refuses_a_bad_database_url_clearly(tmp_path: Path) -> None:
    result = _cli(["sandbox", "--port", "0", "--database-url", "mysql://x", "--data-dir", str(tmp_path / "d")], tmp_path)
    assert result.returncode == 2
    assert "DATABASE_URL must start with" in result.stderr


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "FELLOWSHIP_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_sandbox_clock_runs_with_real_time_and_only_moves_forward() -> None:
    from bot.clock import ManualClock

    clock = ManualClock(datetime.now(UTC) + timedelta(days=2), ticking=True)
    first = clock.now()
    time.sleep(0.02)
    assert clock.now() > first  # seconds pass after a jump, as on a real phone
    assert clock.advance(timedelta(hours=1)) - first >= timedelta(hours=1)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError):
        clock.set(first)
