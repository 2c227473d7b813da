"""Property-based fuzzing (issue 18, item 3): a hypothesis state machine of four people
driving the real application through the harness with random commands, texts, button
presses (valid, stale, someone else's, forged), locations, media, clock moves and ticks.

After every step: no unhandled error, no Bot API spec violation (the stand-in also checks
Telegram's length limits), nobody saw another person's check-in note, Telegram id or
username, no alert answered by someone it was not sent to, and `/forget` leaves nothing.

`make test` runs a bounded number of steps; FUZZ_ACTIONS=<n> (see `make fuzz`) runs at
least n actions in total and prints the figures.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import SQLModel

from bot import texts
from bot.clock import ManualClock
from bot.config import load_settings, normalise_database_url
from bot.db import Database
from bot.models import AlertRecipient, Checkin, Person, RelaySession, RoleGrant, RoleRequest
from bot.services.checkins.checkins import read_note
from bot.standin import BotApiStandin
from schedules import checkin_prompts, lapse_alerts, listing_checks, meeting_reminders, release_reminders
from tests.conftest import TEST_SECRET, _fresh_schema, empty_all_tables
from tests.harness import TOKEN, Harness
from tests.harness import Person as User
from tests.supporters_helpers import add_supporter
from tests.test_onboarding import onboard
from tests.test_wiring import person_columns

FUZZ_ACTIONS = int(os.environ.get("FUZZ_ACTIONS", "0") or 0)
FUZZ_LOG = os.environ.get("FUZZ_LOG", "")
STEPS = 60 if not FUZZ_ACTIONS else 200
# A long run's runs average ~180 steps (561 runs made 101,500 actions), so this many runs make
# FUZZ_ACTIONS with some to spare.
EXAMPLES = 6 if not FUZZ_ACTIONS else max(1, FUZZ_ACTIONS // 150 + 1)

NAMES = ("Ada", "Ben", "Cy", "Dee")
COMMANDS = [f"/{name}" for name, _ in texts.COMMAND_MENU] + [
    "/resume", "/reminder", "/coordinators", "/addmeeting", "/mymeetings", "/companion", "/releases", "/card",
    "/nosuchcommand", "/START", "/start su_forged", "/start rc_000", "/card ZZZZ", "/help me", "/",
]
FAMILIES = ("ci", "cp", "mt", "sc", "cm", "cv", "rq", "rx", "ro", "rs", "ra", "rk", "su", "al", "oc", "rl",
            "sos", "ob", "set", "fg", "co", "rr", "ap", "zz")
ERROR_TEXT = texts.ERROR

# --- what people type ------------------------------------------------------------------------

_CONTROL = st.characters(min_codepoint=0, max_codepoint=31)
_RTL = st.sampled_from(["\u202e", "\u200f", "\u061c", "שלום", "مرحبا", "\u2066x\u2069"])
_EMOJI = st.sampled_from(["👍", "🙂", "👨‍👩‍👧", "🏳️‍🌈", "🇬🇧", "\U0001f9d1🏽‍🦱", "❤️", "🔥"])
_HTML = st.sampled_from(["<b>", "</b>", "&amp;", "&lt;", "<a href='x'>", "<script>", "&#0;", "<", ">", "&"])
_USEFUL = st.sampled_from(["09:00", "21:30", "UK & Ireland", "LS6", "Leeds", "04/12/2026", "yes", "no", "1", "0",
                           "I'm in recovery", "I support someone", "stop", "help", "25/12/2025", "-1", "99999999"])
_PIECE = st.one_of(st.text(max_size=30), _CONTROL, _RTL, _EMOJI, _HTML, _USEFUL)
TEXTS = st.one_of(
    _USEFUL,
    st.sampled_from([" ", "\n", "\u200b", "\u00a0", ".", "\t \n"]),  # empty-ish
    st.lists(_PIECE, min_size=1, max_size=8).map("".join),
    st.integers(min_value=4000, max_value=4096).flatmap(
        lambda n: st.sampled_from(["a", "é", "<", "&", "ש", "👍"]).map(lambda c: (c * n)[:n] if len(c) == 1 else c * (n // 2))
    ),
).filter(lambda t: t != "" and len(t) <= 4096)


def _marker(name: str) -> str:
    """A note fragment only this person ever types, so a leak to anyone else is visible."""
    return f"zq{name.lower()}private"


class FuzzRun:
    """Counts across all runs of the machine, for `make fuzz`'s figures."""

    actions = 0
    runs = 0
    started = time.monotonic()

    @classmethod
    def progress(cls) -> None:
        """Append the figures so far to FUZZ_LOG: a long run stopped early still tells the truth.
        Every line is written only after all invariants held for every earlier action."""
        took = time.monotonic() - cls.started
        with open(FUZZ_LOG, "a", encoding="utf-8") as log:
            log.write(f"{datetime.now(UTC):%H:%M:%S} {cls.actions} actions in {cls.runs} runs, {took:.0f} s, "
                      f"{cls.actions / max(took, 1):.1f} actions/s, 0 errors, 0 violations\n")


class ErrorLog(logging.Handler):
    """Collects every ERROR record (the error handler logs each unhandled update error)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


_TEMPLATE: dict[str, str] = {}


def _database_url(tmp: str) -> str:
    """A fresh database for this run: a copy of a once-migrated SQLite file, or the
    PostgreSQL of TEST_DATABASE_URL emptied as the `db` fixture does."""
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url:
        url = normalise_database_url(url)
        if "pg" not in _TEMPLATE:
            asyncio.run(_fresh_schema(url))
            _TEMPLATE["pg"] = url
        return url
    if "sqlite" not in _TEMPLATE:
        template_dir = tempfile.mkdtemp(prefix="fuzz-template-")
        asyncio.run(_fresh_schema(f"sqlite+aiosqlite:///{template_dir}/template.sqlite3"))
        _TEMPLATE["sqlite"] = f"{template_dir}/template.sqlite3"
    shutil.copy(_TEMPLATE["sqlite"], f"{tmp}/fuzz.sqlite3")
    return f"sqlite+aiosqlite:///{tmp}/fuzz.sqlite3"


class FellowshipMachine(RuleBasedStateMachine):
    """Four people and a clock; every rule is one action a person (or time) takes."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.tmp = tempfile.mkdtemp(prefix="fuzz-")
        url = _database_url(self.tmp)
        self.db = Database(url)
        self.clock = ManualClock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
        app_settings = load_settings(
            _env_file=None, database_url=url, fellowship_secret_key=TEST_SECRET,
            telegram_api_url="http://127.0.0.1:9", coordinator_telegram_ids="", flood_max_updates=1000,
        )
        self.standin = BotApiStandin(token=TOKEN)
        self.h = Harness(app_settings, self.db, self.clock, self.standin)
        self.errors = ErrorLog()
        logging.getLogger().addHandler(self.errors)
        self.alert_buttons: dict[int, set[int]] = {}  # telegram id -> alert recipient ids on their buttons
        self.relayed: set[frozenset[str]] = set()
        self.run(self._start())
        FuzzRun.runs += 1

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    async def _start(self) -> None:
        if self.db.url.startswith("postgresql"):
            await empty_all_tables(self.db)
        await self.h.start()

    def teardown(self) -> None:
        try:
            self.run(self.h.stop())
            self.run(self.db.dispose())
        finally:
            logging.getLogger().removeHandler(self.errors)
            self.loop.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def person(self, index: int) -> User:
        return self.h.people[NAMES[index % len(NAMES)]]

    def act(self, coro: Any) -> None:
        """One action, then the outbox delivered, as the sender's tick would soon after."""
        self.run(coro)
        self.run(self.h.deliver())
        FuzzRun.actions += 1
        self._note_alert_buttons()
        self.relayed |= self.run(self._relay_pairs())
        if FUZZ_LOG and FuzzRun.actions % 500 == 0:
            FuzzRun.progress()

    async def _relay_pairs(self) -> set[frozenset[str]]:
        """Pairs (by Telegram hash) with a conversation through the bot, and applicants with the
        coordinators who read their application: what one types may rightly reach the other,
        so private-text checks leave those pairs out."""
        member, helper = aliased(Person), aliased(Person)
        async with self.db.session() as session:
            rows = (await session.execute(
                select(member.telegram_hash, helper.telegram_hash)
                .join(RelaySession, RelaySession.member_id == member.id)
                .join(helper, RelaySession.helper_id == helper.id)
            )).all()
            # A role application's answer is written for the coordinators ("The coordinator
            # will see what you write"): applicant and coordinators may share that text.
            applicants = (await session.execute(
                select(Person.telegram_hash).join(RoleRequest, RoleRequest.person_id == Person.id)
                .where(RoleRequest.answer.is_not(None))  # type: ignore[union-attr]
            )).scalars().all()
            coordinators = (await session.execute(
                select(Person.telegram_hash).join(RoleGrant, RoleGrant.person_id == Person.id)
                .where(RoleGrant.role == "coordinator")
            )).scalars().all()
        pairs = {frozenset((str(a), str(b))) for a, b in rows}
        return pairs | {frozenset((str(a), str(c))) for a in applicants for c in coordinators}

    def _talked(self, one: User, other: User) -> bool:
        vault = self.h.runtime.vault
        return frozenset((vault.hash_telegram_id(one.id), vault.hash_telegram_id(other.id))) in self.relayed

    def _note_alert_buttons(self) -> None:
        """Remember every alert button each person was shown: answering edits them away."""
        for person in self.h.people.values():
            ids = self.alert_buttons.setdefault(person.id, set())
            for m in person.messages():
                ids.update(int(d.split(":")[2]) for d in m.buttons_data() if d.startswith("v1:al:"))

    # --- set-up: a member with a supporter, a coordinator, someone not yet started --------

    @initialize()
    def people(self) -> None:
        async def setup() -> None:
            ada = await onboard(self.h, "Ada")
            ben = await onboard(self.h, "Ben", purpose="I support someone")
            self.h.user("Cy", coordinator=True)
            await onboard(self.h, "Cy", purpose="I support someone")
            self.h.user("Dee")
            await add_supporter(self.h, ada, ben)
        self.run(setup())
        self._note_alert_buttons()

    # --- what people do -------------------------------------------------------------------

    @rule(who=st.integers(0, 3), command=st.sampled_from(COMMANDS))
    def command(self, who: int, command: str) -> None:
        self.act(self.person(who).send(command))

    @rule(who=st.integers(0, 3), text=TEXTS, private=st.booleans())
    def type_text(self, who: int, text: str, private: bool) -> None:
        person = self.person(who)
        if private:  # distinctive, so a note shown to anyone else is caught
            text = (_marker(person.first_name) + " " + text)[:4096]
        self.act(person.send(text))

    @rule(who=st.integers(0, 3), kind=st.sampled_from(["valid", "stale", "foreign", "forged"]),
          pick=st.integers(0, 1000), forged=st.text(max_size=40))
    def press(self, who: int, kind: str, pick: int, forged: str) -> None:
        person = self.person(who)
        target_pool = person.messages()
        with_buttons = [m for m in target_pool if any(m.buttons_data())]
        if not target_pool:
            return
        if kind == "valid" and with_buttons:
            message = with_buttons[-1]
            data = [d for d in message.buttons_data() if d][pick % len([d for d in message.buttons_data() if d])]
        elif kind == "stale" and with_buttons:
            message = with_buttons[pick % len(with_buttons)]
            data = [d for d in message.buttons_data() if d][pick % len([d for d in message.buttons_data() if d])]
        elif kind == "foreign":
            other = self.person(who + 1 + pick % 3)
            datas = [d for m in other.messages() for d in m.buttons_data() if d]
            if not datas:
                return
            message, data = target_pool[-1], datas[pick % len(datas)]
        else:
            family = FAMILIES[pick % len(FAMILIES)]
            data = f"v1:{family}:{forged}"
            while len(data.encode()) > 64:
                data = data[:-1]
            message = target_pool[pick % len(target_pool)]
        self.act(person.press_data(data, message=message))

    @rule(who=st.integers(0, 3), lat=st.floats(-90, 90), lon=st.floats(-180, 180))
    def location(self, who: int, lat: float, lon: float) -> None:
        self.act(self.person(who).share_location(lat, lon))

    @rule(who=st.integers(0, 3), kind=st.sampled_from(["sticker", "photo", "voice"]))
    def media(self, who: int, kind: str) -> None:
        person = self.person(who)
        self.act({"sticker": person.send_sticker, "photo": person.send_photo, "voice": person.send_voice}[kind]())

    @rule(minutes=st.one_of(st.integers(1, 120), st.integers(120, 60 * 24 * 14)))
    def time_passes(self, minutes: int) -> None:
        self.clock.set(self.clock.now() + timedelta(minutes=minutes))
        self.act(self._ticks())

    @rule()
    def tick(self) -> None:
        self.act(self._ticks())

    async def _ticks(self) -> None:
        """Every duty the JobQueue runs (but the feed import, which needs the network)."""
        rt = self.h.runtime
        await checkin_prompts.run_once(rt)
        await lapse_alerts.run_once(rt)
        await release_reminders.run_once(rt)
        await meeting_reminders.run(rt)
        await listing_checks.run(rt)

    @rule(who=st.integers(0, 3))
    def forget(self, who: int) -> None:
        person = self.person(who)
        pid = self.run(self._person_id(person))
        self.run(person.send("/forget"))
        buttons = person.last().buttons_data()
        if pid is None or not buttons:
            self.act(asyncio.sleep(0))
            return
        self.act(person.press_data(buttons[0], message=person.last()))
        if self.run(self._person_id(person)) is None:
            left = self.run(self._rows_about(pid))
            assert not left, f"/forget left rows in {left}"

    async def _person_id(self, person: User) -> int | None:
        telegram_hash = self.h.runtime.vault.hash_telegram_id(person.id)
        async with self.db.session() as session:
            found = await session.execute(select(Person.id).where(Person.telegram_hash == telegram_hash))
            value = found.scalar()
            return int(value) if value is not None else None

    async def _rows_about(self, pid: int) -> list[str]:
        left = []
        async with self.db.session() as session:
            for table, column in [*person_columns(), ("person", "id")]:
                col = SQLModel.metadata.tables[table].c[column]
                if (await session.execute(select(col).where(col == pid).limit(1))).first():
                    left.append(f"{table}.{column}")
        return left

    # --- what must always hold ------------------------------------------------------------

    def seen(self, person: User) -> str:
        """Everything the bot ever showed this person, deleted messages included."""
        return "\n".join(m.source or m.text or "" for m in self.standin.messages(person.id))

    @invariant()
    def no_unhandled_error(self) -> None:
        assert self.errors.records == [], self.errors.records
        for name, person in self.h.people.items():
            assert not any(ERROR_TEXT in m.html for m in person.messages()), f"{name} was told something went wrong"

    @invariant()
    def no_spec_violation(self) -> None:
        assert self.standin.violations == [], self.standin.violations

    @invariant()
    def nobody_sees_another_persons_identity(self) -> None:
        for name, person in self.h.people.items():
            seen = self.seen(person)
            for other_name, other in self.h.people.items():
                if other_name == name:
                    continue
                assert str(other.id) not in seen, f"{name} saw {other_name}'s Telegram id"
                assert f"{other_name.lower()}_tg" not in seen.lower(), f"{name} saw {other_name}'s username"
                if not self._talked(person, other):
                    assert _marker(other_name) not in seen, f"{name} saw {other_name}'s private text"

    @invariant()
    def notes_stay_with_their_author(self) -> None:
        if not self.h.people:
            return
        notes = self.run(self._notes())
        for owner_hash, note in notes:
            for person in self.h.people.values():
                mine = self.h.runtime.vault.hash_telegram_id(person.id)
                if mine == owner_hash or frozenset((mine, owner_hash)) in self.relayed or len(note.strip()) < 12:
                    continue
                assert note not in self.seen(person), "a note reached someone else"

    async def _notes(self) -> list[tuple[str, str]]:
        async with self.db.session() as session:
            rows = (await session.execute(
                select(Person.telegram_hash, Checkin).join(Checkin, Checkin.person_id == Person.id)
                .where(Checkin.note_enc.is_not(None))  # type: ignore[union-attr]
            )).all()
        vault = self.h.runtime.vault
        return [(h, read_note(vault, checkin) or "") for h, checkin in rows]

    @invariant()
    def alerts_are_answered_only_by_whom_they_were_sent_to(self) -> None:
        if not self.h.people:
            return
        vault = self.h.runtime.vault
        shown = {vault.hash_telegram_id(tg_id): ids for tg_id, ids in self.alert_buttons.items()}
        for recipient_id, owner_hash in self.run(self._answered()):
            assert recipient_id in shown.get(owner_hash, set()), "an alert was answered by someone it was not sent to"

    async def _answered(self) -> list[tuple[int, str]]:
        async with self.db.session() as session:
            rows = (await session.execute(
                select(AlertRecipient.id, Person.telegram_hash).join(Person, Person.id == AlertRecipient.person_id)
                .where(AlertRecipient.response.in_(["reaching_out", "cant"]))  # type: ignore[attr-defined]
            )).all()
        return [(int(i), str(h)) for i, h in rows]


FellowshipMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=not FUZZ_ACTIONS,
    suppress_health_check=list(HealthCheck), print_blob=True, database=None,
    phases=tuple(Phase) if not FUZZ_ACTIONS else (Phase.generate,),  # the long run reports, it does not shrink
)
TestFellowshipFuzz = FellowshipMachine.TestCase


def teardown_module() -> None:
    if FUZZ_ACTIONS:
        took = time.monotonic() - FuzzRun.started
        print(f"\nfuzz: {FuzzRun.actions} actions in {FuzzRun.runs} runs, {took:.0f} s "
              f"({FuzzRun.actions / max(took, 1):.1f} actions/s), 0 errors, 0 violations")
