"""One send budget for Telegram's limits, shared by every process and by replies and bulk
sends (bot/services/send_budget.py), on SQLite and PostgreSQL (TEST_DATABASE_URL).

Two `SendBudget`s on two `Database` engines over one database are two processes. The judge
of "within Telegram's limits" is the stand-in's own `RateLimits` (30 in any second, 1 a
second per chat with bursts of 3), fed the times the budget gave out.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from bot.crypto import Vault
from bot.db import Database
from bot.models import Outbox
from bot.models import SendBudget as SendBudgetRow
from bot.rate_limit import LATE_TURN, RateLimiter
from bot.services.send_budget import Limits, SendBudget, counts_as_message
from bot.standin import RateLimits, error_body
from tests.conftest import TEST_SECRET
from tests.harness import Harness, skip_budget_waits
from tests.test_onboarding import onboard
from tests.test_outbox import queue_note

TELEGRAM = Limits()  # the defaults are Telegram's figures: 30/s, 1/s per chat, 20/min per group


class FakeTime:
    """A clock that only moves when someone waits on it (one task at a time)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


@pytest.fixture
async def two_processes(db: Database) -> AsyncIterator[tuple[SendBudget, SendBudget]]:
    """Two budgets on two engines over the test database, as two processes would have."""
    vault = Vault(TEST_SECRET)
    engines = [Database(db.url), Database(db.url)]
    yield tuple(SendBudget(e, TELEGRAM, slot_of=vault.budget_slot) for e in engines)  # type: ignore[misc]
    for engine in engines:
        await engine.dispose()


def judge(sends: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """The sends Telegram would have answered with 429 (the stand-in's rules)."""
    now = [0.0]
    limits = RateLimits(clock=lambda: now[0])
    refused = []
    for at, chat in sorted(sends):
        now[0] = at
        if limits.acquire(chat) is not None:
            refused.append((at, chat))
    return refused


async def _people(budget: SendBudget, chats: list[int], until: float, sends: list[tuple[float, int]]) -> None:
    """People tapping now and then: each reply takes its turn."""
    while time.time() < until:
        chat = random.choice(chats)
        sends.append((await budget.reply_turn(chat), chat))
        await asyncio.sleep(random.uniform(0, 0.15))


async def _outbox(budget: SendBudget, chats: list[int], until: float, sends: list[tuple[float, int]]) -> int:
    """A sender with a backlog: asks for a bulk turn as soon as the budget says to."""
    sent = 0
    while time.time() < until:
        chat = random.choice(chats)
        turn = await budget.bulk_turn(chat)
        if turn.granted:
            sends.append((turn.retry_at, chat))
            sent += 1
        elif not turn.chat_busy:
            await asyncio.sleep(max(0.0, turn.retry_at - time.time()))
    return sent


async def test_two_processes_sending_replies_and_bulk_together_stay_within_telegrams_limits(
    two_processes: tuple[SendBudget, SendBudget],
) -> None:
    random.seed(15)
    until = time.time() + 3.0
    sends: list[tuple[float, int]] = []
    chats = list(range(1001, 1013))  # few chats, so the per-chat limit is tested hard too
    work = []
    for budget in two_processes:
        work.append(_outbox(budget, chats, until, sends))
        work += [_people(budget, chats, until, sends) for _ in range(3)]
    await asyncio.gather(*work)

    assert len(sends) > 40  # they did send: the limits were reached, not avoided
    assert judge(sends) == []
    times = sorted(at for at, _ in sends)
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 30


async def test_a_reply_goes_at_once_while_two_processes_outboxes_are_saturated(
    two_processes: tuple[SendBudget, SendBudget],
) -> None:
    second = two_processes[1]
    until = time.time() + 2.5
    bulk_sends: list[tuple[float, int]] = []
    bulk_chats = list(range(2000, 2400))
    senders = [asyncio.create_task(_outbox(b, bulk_chats, until, bulk_sends)) for b in two_processes]
    await asyncio.sleep(0.5)  # the outboxes are taking every turn they may
    waits = []
    for n in range(8):
        asked = time.time()
        at = await second.reply_turn(5000 + n)  # someone new taps a button
        waits.append(at - asked)
        await asyncio.sleep(0.2)
    await asyncio.gather(*senders)

    assert max(waits) < 0.15, waits  # at most the bulk turn just taken, never the backlog
    assert len(bulk_sends) >= 0.8 * 2.5 * (1 / TELEGRAM.interval - 8 / 1.6)  # bulk kept what replies left


async def test_bulk_keeps_flowing_at_its_rate_when_replies_are_quiet(two_processes: tuple[SendBudget, SendBudget]) -> None:
    until = time.time() + 2.0
    sends: list[tuple[float, int]] = []
    counts = await asyncio.gather(*(_outbox(b, list(range(3000, 3500)), until, sends) for b in two_processes))

    rate = sum(counts) / 2.0
    assert rate >= 0.9 * TELEGRAM.bulk_per_second  # OUTBOX_RATE_PER_SECOND, across both processes
    assert rate <= TELEGRAM.bulk_per_second + 2
    assert judge(sends) == []


async def test_a_group_chat_gets_at_most_20_messages_a_minute(db: Database) -> None:
    fake = FakeTime()
    budget = SendBudget(db, TELEGRAM, slot_of=Vault(TEST_SECRET).budget_slot, clock=fake.clock, sleep=fake.sleep)
    group = -100123456
    started = fake.now
    times = [await budget.reply_turn(group) for _ in range(45)]

    assert all(sum(1 for t in times if start <= t < start + 60) <= 20 for start in times)
    assert times[-1] - started < 135  # and it still gets its 20 a minute
    refused = await budget.bulk_turn(group)  # the outbox waits behind those replies
    assert not refused.granted and refused.chat_busy and refused.retry_at >= times[-1]
    fake.now = refused.retry_at
    assert (await budget.bulk_turn(group)).granted


async def test_a_429_makes_every_process_back_off_for_retry_after_but_replies_to_others_go_on(
    two_processes: tuple[SendBudget, SendBudget],
) -> None:
    first, second = two_processes
    await first.record_429(4242, 2.0)  # Telegram told the first process to wait 2 s
    now = time.time()

    bulk = await second.bulk_turn(7777)
    assert not bulk.granted and bulk.retry_at >= now + 1.9  # bulk to anyone, in every process
    reply_elsewhere = await second.reply_turn(8888)
    assert reply_elsewhere - now < 0.2  # someone else tapping is answered at once
    turn = asyncio.create_task(second.reply_turn(4242))
    await asyncio.sleep(0.5)
    assert not turn.done()  # the chat that got the 429 waits its retry_after, replies too
    assert await asyncio.wait_for(turn, 5) >= now + 1.9


def test_telegram_counts_sends_copies_and_forwards_as_messages_not_answers_or_edits() -> None:
    for method in ("sendMessage", "sendPhoto", "sendDocument", "sendLocation", "copyMessage", "forwardMessage"):
        assert counts_as_message(method)
    for method in ("answerCallbackQuery", "editMessageText", "deleteMessage", "sendChatAction", "getMe", "setMyCommands"):
        assert not counts_as_message(method)


async def test_a_429_on_an_outbox_message_holds_back_bulk_sends_and_the_message_arrives_once_later(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    jo = await onboard(h, "Jo")
    h.runtime.budget.limits = TELEGRAM
    skipped = skip_budget_waits(h.runtime)
    await queue_note(h, "Sam", "for Sam")
    answers = iter([error_body(429, "Too Many Requests: retry after 3", 3)])
    at: list[float] = []

    def telegram(method: str, params: dict[str, object]) -> object:
        at.append(skipped.now())
        return next(answers, None)

    h.standin.fault = telegram  # type: ignore[assignment]
    assert await h.deliver() == 0  # Telegram said 429

    await queue_note(h, "Jo", "for Jo")
    assert await h.deliver() == 1  # Jo's goes only after the pause (waited out, not slept)
    assert at[1] - at[0] >= 3.0
    async with h.db.session() as session:
        waiting = (await session.execute(select(Outbox).where(Outbox.status == "pending"))).scalars().all()
    assert [w.last_error for w in waiting] == ["429 retry after"]  # Sam's row, kept for later
    h.clock.advance(timedelta(seconds=3))
    assert await h.deliver() == 1
    assert [m.text for m in sam.messages()].count("for Sam") == 1
    assert [m.text for m in jo.messages()].count("for Jo") == 1


async def test_a_reply_that_gets_a_429_is_sent_once_after_retry_after(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    h.runtime.budget.limits = TELEGRAM
    skipped = skip_budget_waits(h.runtime)
    answers = iter([error_body(429, "Too Many Requests: retry after 2", 2)])
    h.standin.fault = lambda method, params: next(answers, None) if method == "sendMessage" else None

    before = len(h.standin.calls)
    await sam.send("/help")

    sends = [c for c in h.standin.calls[before:] if c.method == "sendMessage"]
    assert [c.status for c in sends] == [429, 200]  # tried again once, after retry_after
    assert skipped.skipped >= 2.0
    assert sam.last().text  # the help arrived


async def test_a_reply_that_waited_past_its_turn_for_a_connection_takes_a_fresh_turn_when_it_goes(db: Database) -> None:
    """On a busy machine a reply may get its connection well after its turn; counted at the
    old time, it would reach Telegram bunched up with the sends after it (the 429s the chaos
    test saw). It is counted again when it actually goes."""
    fake = FakeTime()
    budget = SendBudget(db, TELEGRAM, slot_of=Vault(TEST_SECRET).budget_slot, clock=fake.clock, sleep=fake.sleep)
    limiter = RateLimiter(budget)
    started = fake.now

    async def send(late_by: float) -> bool:  # the connection layer, as bot.api_connections calls it
        fake.now += late_by
        check = LATE_TURN.get()
        assert check is not None
        await check()
        return True

    async def overall_tat() -> float:
        async with db.session() as session:
            return (await session.execute(select(col(SendBudgetRow.tat)).where(col(SendBudgetRow.key) == "all"))).scalar_one()

    await limiter.process_request(send, (0.3,), {}, "sendMessage", {"chat_id": 42}, None)
    assert await overall_tat() == pytest.approx(started + 0.3 + TELEGRAM.interval)  # the missed turn, then one at 0.3 s
    await limiter.process_request(send, (0.0,), {}, "sendMessage", {"chat_id": 43}, None)
    assert await overall_tat() == pytest.approx(started + 0.3 + 2 * TELEGRAM.interval)  # on time: one turn


async def test_a_prompt_whose_turn_went_by_while_it_waited_for_a_connection_waits_for_a_free_turn_instead(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for bulk sends, which never take a turn that isn't free: a prompt whose
    connection came 0.3 s after its turn, while replies took every turn since, is not sent
    then (it would reach Telegram bunched up with them); it goes once bulk has a turn again,
    exactly once."""
    sam = await onboard(h, "Sam")
    jo = await onboard(h, "Jo")
    h.runtime.budget.limits = TELEGRAM
    skipped = skip_budget_waits(h.runtime)
    await queue_note(h, "Sam", "for Sam")
    await queue_note(h, "Jo", "for Jo")
    request = h.app.bot.request  # type: ignore[union-attr]
    to_telegram = request.do_request
    reached: dict[str, float] = {}
    came_late: list[tuple[str, float]] = []

    async def busy_machine(*args: object, **kwargs: object) -> tuple[int, bytes]:
        """The connection layer as bot.api_connections runs it, on a busy machine."""
        text = kwargs["request_data"].parameters.get("text", "")  # type: ignore[attr-defined]
        if not came_late:  # the first send's connection comes late; replies went meanwhile
            came_late.append((text, 0.0))
            skipped.skipped += 0.3
            for person in range(5):
                await h.runtime.budget.reply_turn(1000 + person)
            came_late[0] = (text, skipped.now())
        check = LATE_TURN.get()
        assert check is not None
        await check()
        reached.setdefault(text, skipped.now())
        return await to_telegram(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(request, "do_request", busy_machine)
    assert await h.deliver() == 2
    ((late, connection_at),) = came_late
    assert reached[late] - connection_at >= 2 * TELEGRAM.interval  # after the replies' turns, not among them
    assert [m.text for m in sam.messages()].count("for Sam") == 1
    assert [m.text for m in jo.messages()].count("for Jo") == 1


async def test_a_prompt_a_little_late_for_its_turn_takes_a_fresh_one_and_goes_at_once(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await onboard(h, "Sam")
    h.runtime.budget.limits = TELEGRAM
    skipped = skip_budget_waits(h.runtime)
    await queue_note(h, "Sam", "for Sam")
    request = h.app.bot.request  # type: ignore[union-attr]
    to_telegram = request.do_request
    tats: list[float] = []

    async def overall_tat() -> float:
        async with h.db.session() as session:
            return (await session.execute(select(col(SendBudgetRow.tat)).where(col(SendBudgetRow.key) == "all"))).scalar_one()

    async def late_connection(*args: object, **kwargs: object) -> tuple[int, bytes]:
        tats.append(await overall_tat())
        skipped.skipped += 0.3
        check = LATE_TURN.get()
        assert check is not None
        await check()
        tats.append(await overall_tat())
        return await to_telegram(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(request, "do_request", late_connection)
    assert await h.deliver() == 1
    assert tats[1] == pytest.approx(skipped.now() + TELEGRAM.interval, abs=0.05)  # a fresh turn, counted now
    assert tats[1] > tats[0] + 0.25
