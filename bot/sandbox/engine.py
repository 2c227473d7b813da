"""The running sandbox: stand-in, real bot and page in one process and one event loop.

The bot is built by the same `build_application` as `fellowship run` and polls the stand-in
over loopback HTTP through PTB's normal HTTPXRequest, so what a person sees in the browser is
what Telegram users would get. Only three things are the sandbox's own: the stand-in instead
of Telegram, a `ManualClock` that runs with real time but can be moved forward, and a
coordinator seeded by id hash instead of COORDINATOR_TELEGRAM_IDS.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot import i18n
from bot.app import build_application
from bot.clock import ManualClock
from bot.config import Settings, load_settings, normalise_database_url
from bot.db import Database
from bot.runtime import Runtime
from bot.sandbox import timeline
from bot.sandbox.cast import (
    MAX_PEOPLE,
    ROLES,
    SEED,
    CastMember,
    SandboxState,
    load_state,
    save_state,
    validate_name,
)
from bot.sandbox.demo_meetings import seed as seed_demo_meetings
from bot.sandbox.hub import Hub
from bot.sandbox.keyfile import load_or_create_secret
from bot.standin import BotApiStandin, RunningServer, serve_standin
from bot.standin.core import StoredFile
from schedules import checkin_prompts, lapse_alerts, listing_checks, meeting_reminders, release_reminders

log = logging.getLogger("fellowship.sandbox")

# The stand-in accepts only this token; it never reaches Telegram.
SANDBOX_TOKEN = "7000000001:sandbox-local-only-not-a-telegram-token"
MAX_TEXT = 20_000  # far above Telegram's 4,096, so the bot's own "too long" reply can be seen
MAX_CLOCK_JUMP = timedelta(days=3660)
# A clock move stops at each due moment in its last three days (enough for a prompt, its
# lapse alert a day later and the alert passed on); earlier days are jumped over.
RUN_THROUGH = timedelta(days=3)
MAX_CLOCK_STOPS = 300  # a safety net: 3 days of 8 people's duties is far fewer
_FORWARDED = frozenset({"message", "edit", "delete", "callback_answer", "chat_action"})


class SandboxInputError(ValueError):
    """Something typed or clicked on the page can't be done; the message is for the person."""


@dataclass(frozen=True)
class SandboxOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    data_dir: Path = Path("sandbox-data")
    database_url: str | None = None
    demo_meetings: bool = True  # fictional meetings, imported once so /meetings finds something

    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'sandbox.sqlite3').resolve()}"


class Sandbox:
    """Owns every moving part; the web page talks only to this object."""

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.hub = Hub()
        self.state = SandboxState()
        self.clock = ManualClock(ticking=True)
        self.standin = BotApiStandin(token=SANDBOX_TOKEN, now=lambda: self.clock.now().timestamp())
        self.standin_server: RunningServer | None = None
        self.settings: Settings | None = None
        self.app: Application | None = None
        self._forwarder: asyncio.Task[None] | None = None
        self._standin_up = False
        self._restart_lock = asyncio.Lock()
        self._clock_lock = asyncio.Lock()  # two quick clicks step the clock one after the other

    @property
    def _state_path(self) -> Path:
        return self.options.data_dir / "state.json"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.default_timezone if self.settings else "Europe/London")

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Key, state, stand-in, migrations (and the demo meetings, the first time), bot, people:
        in that order, each needing the last."""
        self.options.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # key, database, state
        secret = load_or_create_secret(self.options.data_dir / "secret.key")
        self.state = load_state(self._state_path)
        self.clock = ManualClock(datetime.now(UTC) + max(self.state.clock_offset, timedelta(0)), ticking=True)
        self._forwarder = asyncio.create_task(self._forward_standin_events(), name="sandbox-events")
        self.standin_server = await serve_standin(self.standin, host="127.0.0.1", port=0)
        self._standin_up = True
        self.settings = load_settings(
            _env_file=None,
            telegram_api_url=self.standin_server.url,
            database_url=self.options.resolved_database_url(),
            fellowship_secret_key=secret,
            coordinator_telegram_ids="",  # the sandbox seeds its own coordinator, below
        )
        database = Database(self.settings.database_url)
        await database.migrate()
        if self.options.demo_meetings:
            added = await seed_demo_meetings(database, now=self.clock.now(), default_zone=self.settings.default_timezone)
            if added:
                log.info("sandbox: %d fictional demo meetings added (--no-demo-meetings to start without)", added)
        self.app = build_application(self.settings, token=SANDBOX_TOKEN, clock=self.clock, database=database)
        self._seed_people()
        await self.app.initialize()
        assert self.app.post_init is not None and self.app.updater is not None
        await self.app.post_init(self.app)  # run_polling would call it; we run the parts ourselves
        await self.app.updater.start_polling(allowed_updates=Update.ALL_TYPES, error_callback=_polling_failed)
        await self.app.start()

    async def stop(self) -> None:
        """Reverse order; the stand-in goes last so the updater can confirm its last offset."""
        self.hub.close()
        if self.app is not None:
            if self.app.updater is not None and self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()
            if self.app.post_shutdown is not None:
                await self.app.post_shutdown(self.app)
            self.app = None
        if self.standin_server is not None:
            await self.standin_server.stop()
        if self._forwarder is not None:
            self._forwarder.cancel()

    async def restart_standin(self) -> None:
        """Stop and start the stand-in's HTTP server on the same port, as a Telegram outage
        would look to the bot: polls fail, PTB retries, and chats carry on afterwards."""
        async with self._restart_lock:
            assert self.standin_server is not None
            port = self.standin_server.port
            await self._stop_standin_server()
            self._standin_up = False
            self._publish("standin", {"up": False})
            await asyncio.sleep(0.5)  # long enough for the bot to notice and start retrying
            self.standin_server = await serve_standin(self.standin, host="127.0.0.1", port=port)
            self._standin_up = True
            self._publish("standin", {"up": True})
            log.info("sandbox: Bot API stand-in restarted")

    async def _stop_standin_server(self) -> None:
        """Stop the HTTP server while the bot is still polling it.

        `RunningServer.stop` ends the polls waiting at that moment, but the bot sends its next
        getUpdates on the kept-alive connection at once, and uvicorn would let that one wait
        out the graceful-shutdown timeout and answer 500. Releasing waiters until the server
        is down keeps the outage clean: polls end empty, then connections are refused.
        """
        assert self.standin_server is not None
        stopping = asyncio.create_task(self.standin_server.stop())
        while not stopping.done():
            self.standin.release_waiters()
            await asyncio.wait({stopping}, timeout=0.05)
        await stopping

    @property
    def runtime(self) -> Runtime:
        assert self.app is not None, "the sandbox is not started"
        rt: Runtime = self.app.bot_data["runtime"]
        return rt

    # --- people ---------------------------------------------------------------------------

    def _seed_people(self) -> None:
        """The saved people with their old ids (the database knows them by id hash), or the cast."""
        if self.state.people:
            for member in self.state.people:
                self.standin.add_user(member.name, user_id=member.user_id, language_code=member.language)
                # They wrote to the bot in an earlier run, so it may write to them again.
                self.standin.user(member.user_id).started = True
        else:
            for name, role in SEED:
                user = self.standin.add_user(name)
                self.state.people.append(CastMember(user.id, name, role))
            save_state(self._state_path, self.state)
        self._apply_coordinators()

    def _apply_coordinators(self) -> None:
        """Coordinators in the sandbox are granted by id hash, like COORDINATOR_TELEGRAM_IDS,
        but from the sandbox's cast: `people.find` grants the role when they are next seen."""
        rt = self.runtime
        rt.coordinator_hashes = frozenset(rt.vault.hash_telegram_id(i) for i in self.state.coordinator_ids)

    def add_person(self, name: object, role: object = "person", language: object = "en") -> CastMember:
        """A new simulated person; `language` is their Telegram app's language ("cy" for
        Welsh: the bot starts them in Welsh, as it would a real Welsh phone)."""
        if len(self.state.people) >= MAX_PEOPLE:
            raise SandboxInputError(f"The sandbox holds at most {MAX_PEOPLE} people.")
        if not isinstance(role, str) or role not in ROLES:
            raise SandboxInputError(f"Role must be one of: {', '.join(ROLES)}.")
        if not isinstance(language, str) or language not in i18n.LANGUAGES:
            raise SandboxInputError(f"Language must be one of: {', '.join(i18n.LANGUAGES)}.")
        try:
            clean_name = validate_name(name)
        except ValueError as exc:
            raise SandboxInputError(str(exc)) from None
        user = self.standin.add_user(clean_name, language_code=language)
        member = CastMember(user.id, clean_name, role, language)
        self.state.people.append(member)
        save_state(self._state_path, self.state)
        self._apply_coordinators()
        self._publish("person", self.person_view(member))
        log.info("sandbox: a simulated person was added (%d in all)", len(self.state.people))
        return member

    def member(self, user_id: int) -> CastMember:
        for member in self.state.people:
            if member.user_id == user_id:
                return member
        raise LookupError("There is no such person in the sandbox.")

    def person_view(self, member: CastMember) -> dict[str, Any]:
        chat = [entry.to_dict() for entry in self.standin.transcript(member.user_id)]
        return {**member.to_dict(), "chat": chat, "keyboard": self.standin.reply_keyboard(member.user_id)}

    # --- acting as a person ---------------------------------------------------------------

    def send_text(self, user_id: int, text: object) -> None:
        self.member(user_id)
        if not isinstance(text, str) or not text.strip():
            raise SandboxInputError("Type a message first: Telegram doesn't send empty messages.")
        if len(text) > MAX_TEXT:
            raise SandboxInputError(f"That is over {MAX_TEXT:,} characters, too long even for the sandbox.")
        self.standin.send_text(user_id, text)

    def share_location(self, user_id: int, latitude: object, longitude: object) -> None:
        self.member(user_id)
        lat = _coordinate(latitude, "Latitude", 90)
        lon = _coordinate(longitude, "Longitude", 180)
        self.standin.send_location(user_id, lat, lon)

    def press(self, user_id: int, message_id: object, callback_data: object) -> None:
        self.member(user_id)
        if isinstance(message_id, bool) or not isinstance(message_id, int) or not isinstance(callback_data, str):
            raise SandboxInputError("A button press needs the message and the button's data.")
        try:
            self.standin.press_button(user_id, message_id, callback_data)
        except ValueError:
            raise SandboxInputError("That message is no longer there.") from None

    def file(self, file_id: str) -> StoredFile | None:
        return self.standin.stored_file(file_id)

    # --- the clock ------------------------------------------------------------------------

    def clock_view(self) -> dict[str, Any]:
        now = self.clock.now()
        return {"now": now.isoformat(), "epoch_ms": int(now.timestamp() * 1000), "zone": self.zone.key}

    async def move_clock(self, *, by: timedelta | None = None, to: datetime | None = None) -> dict[str, Any]:
        """Move the bot's one clock forward, never back (rows scheduled for the future would
        otherwise be "due" twice), stopping at every due moment on the way so what a day
        holds (prompts, reminders, lapse alerts, escalations) happens as it would.

        Moves take turns: a second click waits, then moves on from where the first ended."""
        if to is not None and to.tzinfo is None:
            to = to.replace(tzinfo=self.zone)
        async with self._clock_lock:
            now = self.clock.now()
            if to is not None:
                by = to.astimezone(UTC) - now
            if by is None or by <= timedelta(0):
                shown = now.astimezone(self.zone).strftime("%a %d/%m/%Y %H:%M")
                raise SandboxInputError(f"The clock only moves forward; it is already {shown}.")
            if by > MAX_CLOCK_JUMP:
                raise SandboxInputError("That is more than ten years ahead; move the clock in smaller steps.")
            stops, jumped = await self._run_through(now + by)
            self.state.clock_offset_seconds = (self.clock.now() - datetime.now(UTC)).total_seconds()
            save_state(self._state_path, self.state)
        self._run_schedules_now()
        view = self.clock_view()
        self._publish("clock", view)
        log.info("sandbox: clock moved forward by %s through %d due moments", by, stops)
        return {**view, "stops": stops, "note": _jump_note(by) if jumped else None}

    async def next_checkin(self) -> dict[str, Any]:
        """Jump to the next daily prompt of anyone in the sandbox (running through what comes first)."""
        async with self.runtime.db.session() as session:
            moment = await timeline.next_prompt(session, self.clock.now())
        if moment is None:
            raise SandboxInputError(
                "Nobody has a daily check-in time yet. Set one up first: press START in a chat and answer the questions."
            )
        return await self.move_clock(to=moment)

    async def _run_through(self, target: datetime) -> tuple[int, bool]:
        """Step the clock to each due moment up to `target` and run the ticks there.

        Returns (stops made, whether an earlier stretch was jumped over). Only the last
        `RUN_THROUGH` of a long move is stepped through; before that the clock jumps, as
        downtime would (old prompts skipped), so a jump of months doesn't flood the chats.
        """
        if target - self.clock.now() > RUN_THROUGH:
            self._advance_to(target - RUN_THROUGH)
            await self._run_due_ticks()
            jumped = True
        else:
            jumped = False
        stops = 0
        while stops < MAX_CLOCK_STOPS:
            async with self.runtime.db.session() as session:
                moment = await timeline.next_due(session, self.clock.now())
            if moment is None or moment > target:
                break
            self._advance_to(moment)
            await self._run_due_ticks()
            stops += 1
        self._advance_to(target)
        await self._run_due_ticks()
        return stops, jumped

    def _advance_to(self, moment: datetime) -> None:
        """The clock runs with real time, so it may already be a moment past `moment`."""
        if moment > self.clock.now():
            self.clock.set(moment)

    async def _run_due_ticks(self) -> None:
        """Every tick that claims rows by due time, in the order a day needs them: prompts
        before the lapse scan (which reads whether the prompt went out), then the rest. The
        JobQueue may run the same ticks meanwhile; their claims are compare-and-set."""
        rt = self.runtime
        await checkin_prompts.run_once(rt)
        await lapse_alerts.run_once(rt)
        await release_reminders.run_once(rt)
        await meeting_reminders.run(rt)
        await listing_checks.run(rt)

    def _run_schedules_now(self) -> None:
        """Repeating ticks run on real time; bring each one's next run to now so the effect
        of the jump (the outbox above all) shows without waiting for the interval."""
        if self.app is None or self.app.job_queue is None:
            return
        for job in self.app.job_queue.jobs():
            # A paused job has no next run; leave it paused. (`Job.enabled` is not reliable
            # on the objects `jobs()` returns, so the run time itself is the test.)
            if job.next_t is not None and not job.removed:
                job.job.modify(next_run_time=datetime.now(UTC))

    # --- what the page sees ---------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "bot": {"username": self.standin.bot_user["username"], "name": self.standin.bot_user["first_name"]},
            "clock": self.clock_view(),
            "standin": {"up": self._standin_up},
            "commands": self.standin.my_commands(),
            "roles": [{"key": r.key, "label": r.label} for r in ROLES.values()],
            "people": [self.person_view(member) for member in self.state.people],
        }

    def _publish(self, kind: str, data: dict[str, Any], chat_id: int | None = None) -> None:
        self.hub.publish({"event": kind, "chat_id": chat_id, "data": data})

    async def _forward_standin_events(self) -> None:
        """Chat events from the stand-in, with the reply keyboard the person now sees."""
        queue = self.standin.subscribe()
        try:
            while True:
                event = await queue.get()
                kind, chat_id = event["event"], event["chat_id"]
                if kind in _FORWARDED and chat_id is not None:
                    event = {**event, "keyboard": self.standin.reply_keyboard(chat_id)}
                    self.hub.publish(event)
                elif kind == "call" and event["data"].get("method") == "setMyCommands":
                    self._publish("commands", {"commands": self.standin.my_commands()})
        finally:
            self.standin.unsubscribe(queue)


def _coordinate(value: object, name: str, limit: int) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise SandboxInputError(f"{name} must be a number, like 53.8.") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SandboxInputError(f"{name} must be a number between -{limit} and {limit}.")
    if not -limit <= value <= limit:
        raise SandboxInputError(f"{name} must be between -{limit} and {limit}, not {value:g}.")
    return float(value)


def _jump_note(by: timedelta) -> str:
    """Said on the page after a long move: what ran and what was skipped."""
    days = RUN_THROUGH.days
    return (
        f"Moved {by.days} days. The bot treated all but the last {days} days as time it was off "
        f"(no old prompts or alerts); the last {days} days ran as usual."
    )


def _polling_failed(exc: TelegramError) -> None:
    """PTB's default logs a full traceback on every failed poll; during a stand-in restart
    that is noise. The class name says enough, and never carries message text."""
    log.warning("polling the Bot API stand-in failed (%s); retrying", type(exc).__name__)
