"""Alerts reach a person through a bad network: the bot talks HTTP to the stand-in, which
answers a fifth of all sends with 429 (retry_after), 500 or a timeout (held past the bot's
read timeout, never carried out), and one supporter has blocked the bot. Every alert,
escalation, acknowledgement notice and resolution still reaches someone, and nobody gets
the same message twice."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram.request import HTTPXRequest

from bot.app import build_application
from bot.config import Settings
from bot.db import Database
from bot.models import AlertRecipient, Incident, Outbox
from bot.standin import BotApiStandin, serve_standin
from bot.standin.core import error_body
from schedules.outbox_sender import send_due
from tests.harness import TOKEN, Harness
from tests.supporters_helpers import add_supporter, coordinator, person_id, supporter, tick_at
from tests.test_alerts import THU_PROMPT, WED_PROMPT, WINDOW
from tests.test_onboarding import onboard

READ_TIMEOUT = 0.3  # seconds the bot waits for an answer; a stalled call is held longer


class HttpHarness(Harness):
    """The usual harness, except that the bot calls the stand-in over HTTP on loopback."""

    def __init__(self, *args: Any, api_url: str) -> None:
        super().__init__(*args)
        self.api_url = api_url

    async def start(self) -> None:
        settings = self.settings.model_copy(update={"telegram_api_url": self.api_url})
        app = build_application(
            settings, token=TOKEN, request=HTTPXRequest(read_timeout=READ_TIMEOUT, connection_pool_size=8),
            get_updates_request=HTTPXRequest(), clock=self.clock, database=Database(self.db.url),
        )
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        self.app = app
        self._apply_coordinators()


class Weather:
    """Decides, with a fixed seed, which sends fail and how; counts what it did."""

    def __init__(self, share: float = 0.2, seed: int = 6) -> None:
        self.share, self.rng, self.on = share, random.Random(seed), False
        self.done: Counter[str] = Counter()

    def _roll(self, method: str) -> str | None:
        if not self.on or method.lower() != "sendmessage" or self.rng.random() >= self.share:
            return None
        return self.rng.choice(("429", "500", "timeout"))

    def stall(self, method: str, params: dict[str, Any]) -> float | None:
        self.pending = self._roll(method)
        if self.pending == "timeout":
            self.done["timeout"] += 1
            return READ_TIMEOUT * 3
        return None

    def fault(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        kind, self.pending = getattr(self, "pending", None), None
        if kind == "429":
            self.done["429"] += 1
            retry_after = self.rng.randint(1, 5)
            return error_body(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        if kind == "500":
            self.done["500"] += 1
            return error_body(500, "Internal Server Error")
        return None


@pytest.fixture
async def hh(settings: Settings, db: Database, clock) -> AsyncIterator[tuple[HttpHarness, Weather]]:  # type: ignore[no-untyped-def]
    standin = BotApiStandin(token=TOKEN)
    server = await serve_standin(standin)
    weather = Weather()
    standin.stall, standin.fault = weather.stall, weather.fault
    harness = HttpHarness(settings, db, clock, standin, api_url=server.url)
    await harness.start()
    yield harness, weather
    await harness.stop()
    await server.stop()
    assert standin.violations == [], f"Bot API calls that break the spec: {standin.violations}"


async def deliver_through_the_weather(h: Harness, rounds: int = 200) -> None:
    """Run the sender as its ticks would, moving the clock on to each retry, until nothing waits."""
    assert h.app is not None
    for _ in range(rounds):
        await send_due(h.app.bot, h.runtime, limit=1000)
        async with h.db.session() as session:
            waiting = (
                await session.execute(select(func.min(Outbox.next_attempt_at)).where(Outbox.status == "pending"))
            ).scalar()
        if waiting is None:
            return
        if waiting > h.clock.now():
            h.clock.set(waiting)
    raise AssertionError("messages still waiting after many rounds")


async def test_every_alert_reaches_a_person_once_through_429s_500s_timeouts_and_a_blocked_bot(
    hh: tuple[HttpHarness, Weather],
) -> None:
    h, weather = hh
    h.deliver = lambda **_: deliver_through_the_weather(h)  # type: ignore[method-assign]
    await coordinator(h, "Cee")
    pool = [await supporter(h, name) for name in ("Blocker", "Bea", "Cal", "Dot")]
    members = [await onboard(h, f"M{n}") for n in range(8)]
    for n, member in enumerate(members):
        await add_supporter(h, member, pool[n % 4])
        await add_supporter(h, member, pool[(n + 1) % 4])
    h.standin.block(pool[0].id)
    await members[0].send("/sos")
    await members[5].send("/sos")
    weather.on = True  # from here on a fifth of all sends fail
    first_call = len(h.standin.calls)
    await h.deliver()  # the two SOS alerts
    await tick_at(h, WED_PROMPT)  # prompts go out (through the same weather)
    await tick_at(h, THU_PROMPT)  # everyone missed Wednesday: lapse alerts
    # Some answer, some don't; a check-in closes one lapse.
    for supporter_user in pool[1:]:
        alerts = [m for m in supporter_user.messages() if "I can't right now" in m.buttons()]
        if alerts:
            await supporter_user.press("I can't right now", message=alerts[0])
    await members[3].press("🙂 good", message=members[3].find("Check-in · Thu 26 Nov"))
    await tick_at(h, THU_PROMPT + WINDOW)
    await tick_at(h, THU_PROMPT + 2 * WINDOW)
    await tick_at(h, THU_PROMPT + 3 * WINDOW)
    weather.on = False

    assert weather.done["429"] and weather.done["500"] and weather.done["timeout"], weather.done
    async with h.db.session() as session:
        statuses = Counter((await session.execute(select(Outbox.status))).scalars())
        incidents = list((await session.execute(select(Incident))).scalars())
        recipients = list((await session.execute(select(AlertRecipient))).scalars())
    assert set(statuses) <= {"sent", "undeliverable"}, statuses  # nothing lost, nothing stuck
    assert len(incidents) == 10  # 2 SOS + 8 lapses
    # Every incident reached at least one person who can be reached...
    delivered = [c for c in h.standin.calls[first_call:] if c.method == "sendMessage" and c.ok]
    by_chat = Counter((int(c.params["chat_id"]), c.params["text"]) for c in delivered)
    for incident in incidents:
        reached = [r for r in recipients if r.incident_id == incident.id and r.response != "unreachable"]
        assert reached, f"incident {incident.id} reached nobody"
    # ...the blocked supporter got nothing and was marked unreachable, not retried forever...
    assert not [c for c in delivered if int(c.params["chat_id"]) == pool[0].id]
    blocker = await person_id(h, "Blocker")
    assert {r.response for r in recipients if r.person_id == blocker} <= {"unreachable"}
    # ...and no message reached anyone twice.
    twice = {key: count for key, count in by_chat.items() if count > 1}
    assert twice == {}, twice
