"""Application-test harness: the real Application from the one factory, talking to the
Bot API stand-in in-process (`StandinRequest`), fed updates with `process_update`.

Tests read like a person using the bot: `await sam.send("/start")`, `await sam.press("✅ I agree")`,
`sam.last().text`. Every Bot API call is checked against the official spec by the stand-in;
any violation fails the test at teardown.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.clock import ManualClock
from bot.config import Settings
from bot.db import Database
from bot.models import Outbox
from bot.runtime import Runtime
from bot.standin import BotApiStandin, StandinRequest
from schedules.outbox_sender import send_due

TOKEN = "123456:TEST-token-for-the-stand-in-only"
_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """What the person sees: HTML tags removed and entities decoded."""
    return html.unescape(_TAG.sub("", text))


@dataclass
class Shown:
    """One message the bot sent, as the person sees it now (after edits)."""

    message_id: int
    html: str
    reply_markup: dict[str, Any] | None
    kind: str
    raw: Any

    @property
    def text(self) -> str:
        return plain(self.html)

    def buttons(self) -> list[str]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [b["text"] for row in rows for b in row]

    def buttons_data(self) -> list[str]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [b.get("callback_data", "") for row in rows for b in row]


class Person:
    """A simulated Telegram user in a private chat with the bot."""

    def __init__(self, harness: Harness, user_id: int, first_name: str) -> None:
        self.h = harness
        self.id = user_id
        self.first_name = first_name
        self._callback_ids: list[str] = []

    # --- acting ------------------------------------------------------------------------

    async def send(self, text: str) -> None:
        await self.h.feed(self.h.standin.send_text(self.id, text))

    async def share_location(self, latitude: float, longitude: float) -> None:
        await self.h.feed(self.h.standin.send_location(self.id, latitude, longitude))

    async def send_sticker(self) -> None:
        await self.h.feed(self.h.standin.send_sticker(self.id))

    async def send_photo(self) -> None:
        await self.h.feed(self.h.standin.send_photo(self.id))

    async def send_voice(self) -> None:
        await self.h.feed(self.h.standin.send_voice(self.id))

    async def edit(self, message_id: int, text: str) -> None:
        await self.h.feed(self.h.standin.edit_text(self.id, message_id, text))

    async def press(self, label: str, *, message: Shown | None = None) -> None:
        """Press the button with this label on `message` (default: the newest message that has it)."""
        candidates = [message] if message is not None else list(reversed(self.messages()))
        for shown in candidates:
            rows = (shown.reply_markup or {}).get("inline_keyboard", [])
            for row in rows:
                for button in row:
                    if button["text"] == label:
                        await self.press_data(button["callback_data"], message=shown)
                        return
        raise AssertionError(f"no button {label!r}; newest buttons: {self.buttons()}")

    async def press_data(self, data: str, *, message: Shown | None = None) -> None:
        """Press with arbitrary (possibly forged) callback data on a message."""
        target = message or self.messages()[-1]
        update = self.h.standin.press_button(self.id, target.message_id, data)
        self._callback_ids.append(update["callback_query"]["id"])
        await self.h.feed(update)

    # --- seeing ------------------------------------------------------------------------

    def messages(self) -> list[Shown]:
        return [
            Shown(m.message_id, m.source if m.source is not None else (m.text or ""), m.reply_markup, m.kind, m)
            for m in self.h.standin.messages(self.id)
            if not m.deleted
        ]

    def last(self, back: int = 0) -> Shown:
        shown = self.messages()
        assert len(shown) > back, f"{self.first_name} has only {len(shown)} messages"
        return shown[-1 - back]

    def texts(self) -> list[str]:
        return [m.text for m in self.messages()]

    def find(self, fragment: str) -> Shown:
        """The newest message containing `fragment`."""
        for shown in reversed(self.messages()):
            if fragment in shown.text:
                return shown
        raise AssertionError(f"{self.first_name} never saw {fragment!r}; last: {self.texts()[-3:]}")

    def buttons(self) -> list[str]:
        return self.last().buttons()

    def keyboard(self) -> list[str]:
        """Labels of the newest reply keyboard sent to this person."""
        for shown in reversed(self.messages()):
            rows = (shown.reply_markup or {}).get("keyboard")
            if rows:
                return [b["text"] if isinstance(b, dict) else b for row in rows for b in row]
        return []

    def last_answer(self) -> str | None:
        """The toast text shown for this person's most recent button press."""
        wanted = self._callback_ids[-1]
        for call in reversed(self.h.standin.calls):
            if call.method == "answerCallbackQuery" and call.params.get("callback_query_id") == wanted:
                return call.params.get("text")
        return None


class SkippedTime:
    """Real time, plus every wait skipped: the send budget's waits (a 429's retry_after, a
    chat's next second) cost a test no time, while its rules still apply."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def now(self) -> float:
        return time.time() + self.skipped

    async def sleep(self, seconds: float) -> None:
        self.skipped += max(0.0, seconds)
        await asyncio.sleep(0)


def skip_budget_waits(rt: Runtime) -> SkippedTime:
    skipped = SkippedTime()
    rt.budget.clock, rt.budget.sleep = skipped.now, skipped.sleep
    return skipped


class Harness:
    """Builds the application the way production does, with the stand-in behind it."""

    def __init__(self, settings: Settings, db: Database, clock: ManualClock, standin: BotApiStandin) -> None:
        self.settings, self.db, self.clock, self.standin = settings, db, clock, standin
        self.app: Application | None = None  # type: ignore[type-arg]
        self.people: dict[str, Person] = {}
        self._coordinator_ids: set[int] = set()

    async def start(self) -> None:
        request = StandinRequest(self.standin)
        app = build_application(
            self.settings, token=TOKEN, request=request, get_updates_request=StandinRequest(self.standin),
            clock=self.clock, database=Database(self.db.url),
        )
        await app.initialize()
        self.app = app
        skip_budget_waits(self.runtime)
        self._apply_coordinators()  # before post_init, as settings would be
        assert app.post_init is not None
        await app.post_init(app)

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.shutdown()
            assert self.app.post_shutdown is not None
            await self.app.post_shutdown(self.app)
            self.app = None

    async def restart(self) -> None:
        """Throw away all in-memory state, as a process restart would."""
        await self.stop()
        await self.start()

    @property
    def runtime(self) -> Runtime:
        assert self.app is not None
        rt: Runtime = self.app.bot_data["runtime"]
        return rt

    def user(self, first_name: str, *, coordinator: bool = False, language_code: str = "en") -> Person:
        if first_name not in self.people:
            sim = self.standin.add_user(first_name, username=first_name.lower() + "_tg", language_code=language_code)
            self.people[first_name] = Person(self, sim.id, first_name)
        person = self.people[first_name]
        if coordinator:
            self._coordinator_ids.add(person.id)
            self._apply_coordinators()
        return person

    def _apply_coordinators(self) -> None:
        if self.app is not None:
            rt = self.runtime
            rt.coordinator_hashes = frozenset(rt.vault.hash_telegram_id(i) for i in self._coordinator_ids)

    async def feed(self, update: dict[str, Any]) -> None:
        """Hand one update to the application, exactly as polling would: through its update
        processor (per-chat order, statements on the event loop), then its handlers."""
        assert self.app is not None
        self.standin.take_updates(offset=update["update_id"] + 1, limit=100)  # consumed here, not by polling
        parsed = Update.de_json(update, self.app.bot)
        await self.app.update_processor.process_update(parsed, self.app.process_update(parsed))

    async def deliver(self, *, rounds: int = 10) -> int:
        """Run the outbox sender until nothing more is due now (as its ticks would);
        returns how many messages were delivered."""
        assert self.app is not None
        total = 0
        for _ in range(rounds):
            total += await send_due(self.app.bot, self.runtime, limit=1000)
            if not await self._anything_due():
                break
        return total

    async def _anything_due(self) -> bool:
        now = self.clock.now()
        async with self.db.session() as session:
            due = await session.execute(
                select(Outbox.id).where(
                    Outbox.status == "pending",
                    Outbox.next_attempt_at <= now,
                    or_(Outbox.claimed_until.is_(None), Outbox.claimed_until < now),  # type: ignore[union-attr]
                ).limit(1)
            )
            return due.first() is not None
