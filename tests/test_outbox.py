"""The outbox: a message to someone else is sent once Telegram says ok, retried when it
can't be sent yet, and handed on (never dropped) when the person has blocked the bot."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.db import Database
from bot.models import Outbox, Person
from bot.services import outbox
from tests.harness import Harness
from tests.test_onboarding import onboard


async def queue_note(h: Harness, first_name: str, text: str = "A note for you") -> int:
    async with h.db.session() as session:
        person = (await session.execute(select(Person).where(Person.pseudonym == first_name))).scalar_one()
        assert person.id is not None
        row = outbox.enqueue(session, person.id, "test_note", text, now=h.clock.now())
        await session.flush()
        assert row.id is not None
        return row.id


async def row(h: Harness, row_id: int) -> Outbox:
    async with h.db.session() as session:
        found = await session.get(Outbox, row_id)
        assert found is not None
        return found


async def test_a_message_is_marked_sent_only_after_telegram_says_ok_and_its_text_is_not_kept(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    row_id = await queue_note(h, "Sam")
    assert (await row(h, row_id)).status == "pending"
    assert await h.deliver() == 1
    assert sam.last().text == "A note for you"
    sent = await row(h, row_id)
    assert (sent.status, sent.payload, sent.attempts) == ("sent", "{}", 1)


async def test_too_many_requests_waits_exactly_as_long_as_telegram_asks(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    row_id = await queue_note(h, "Sam")
    h.standin.fail_next("sendMessage", status=429, retry_after=7)
    assert await h.deliver() == 0
    waiting = await row(h, row_id)
    assert waiting.status == "pending" and waiting.next_attempt_at == h.clock.now() + timedelta(seconds=7)
    h.clock.advance(timedelta(seconds=6))
    assert await h.deliver() == 0  # not yet due
    h.clock.advance(timedelta(seconds=1))
    assert await h.deliver() == 1
    assert sam.texts().count("A note for you") == 1


async def test_server_errors_and_timeouts_are_retried_with_growing_waits(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    row_id = await queue_note(h, "Sam")
    h.standin.fail_next("sendMessage", status=500, times=2)
    assert await h.deliver() == 0
    first = await row(h, row_id)
    h.clock.set(first.next_attempt_at)
    assert await h.deliver() == 0
    second = await row(h, row_id)
    assert second.next_attempt_at - h.clock.now() > first.next_attempt_at - first.created_at
    assert second.last_error and "500" not in sam.last().text
    h.clock.set(second.next_attempt_at)
    assert await h.deliver() == 1
    assert sam.texts().count("A note for you") == 1


async def test_a_person_who_blocked_the_bot_is_marked_unreachable_and_the_message_is_handed_on(h: Harness) -> None:
    await onboard(h, "Sam")
    jo = await onboard(h, "Jo")
    handed_on: list[int] = []

    async def reroute(session, undelivered, now):  # type: ignore[no-untyped-def]
        handed_on.append(undelivered.id)
        jo_row = (await session.execute(select(Person).where(Person.pseudonym == "Jo"))).scalar_one()
        outbox.enqueue(session, jo_row.id, "test_note", "Sam could not be reached", now=now)

    outbox.on_undeliverable("test_note", reroute)
    try:
        row_id = await queue_note(h, "Sam")
        h.standin.block(h.user("Sam").id)
        await h.deliver()
        assert (await row(h, row_id)).status == "undeliverable"
        assert handed_on == [row_id]
        assert jo.last().text == "Sam could not be reached"
        async with h.db.session() as session:
            sam = (await session.execute(select(Person).where(Person.pseudonym == "Sam"))).scalar_one()
        assert sam.unreachable_at is not None
    finally:
        outbox._rerouters.pop("test_note")


async def test_two_senders_never_claim_the_same_message(h: Harness, database_url: str) -> None:
    await onboard(h, "Sam")
    ids = [await queue_note(h, "Sam", f"note {i}") for i in range(30)]
    first, second = Database(database_url), Database(database_url)
    try:

        async def claim(db: Database) -> list[int]:
            claimed: list[int] = []
            for _ in range(10):
                async with db.session() as session:
                    claimed += [r.id for r in await outbox.claim_due(session, h.clock.now(), 3) if r.id is not None]
                await asyncio.sleep(0)
            return claimed

        a, b = await asyncio.gather(claim(first), claim(second))
    finally:
        await first.dispose()
        await second.dispose()
    assert not set(a) & set(b)
    assert sorted(a + b) == ids


async def test_a_claim_left_by_a_crashed_sender_expires_and_the_message_is_sent(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await queue_note(h, "Sam")
    async with h.db.session() as session:
        assert len(await outbox.claim_due(session, h.clock.now(), 10)) == 1  # then the process dies
    assert await h.deliver() == 0
    h.clock.advance(timedelta(seconds=outbox.CLAIM_SECONDS + 1))
    assert await h.deliver() == 1
    assert sam.last().text == "A note for you"


async def test_a_second_message_to_one_person_does_not_hold_up_everyone_else(h: Harness) -> None:
    from bot.services.send_budget import Limits
    from schedules.outbox_sender import send_due
    from tests.harness import skip_budget_waits

    await onboard(h, "Sam")
    others = [await onboard(h, name) for name in ("Jo", "Ali", "Kim")]
    await queue_note(h, "Sam", "first for Sam")
    await queue_note(h, "Sam", "second for Sam")
    for name in ("Jo", "Ali", "Kim"):
        await queue_note(h, name, f"for {name}")
    h.runtime.budget.limits = Limits(per_second=1000, per_chat_per_second=2, bulk_per_second=1000)
    skipped = skip_budget_waits(h.runtime)
    order: list[str] = []
    at: dict[str, float] = {}
    h.standin.fault = lambda method, params: (  # type: ignore[func-returns-value]
        order.append(params.get("text", "")) or (at.setdefault(params.get("text", ""), skipped.now()) and None)
    )
    assert await send_due(h.app.bot, h.runtime, limit=10) == 5  # type: ignore[union-attr]
    # Different people's messages go side by side (in whichever order their turns came back);
    # Sam's second waits for his chat's next turn, behind everyone else's.
    assert set(order[:4]) == {"first for Sam", "for Jo", "for Ali", "for Kim"}
    assert order[4] == "second for Sam"
    assert at["second for Sam"] - at["first for Sam"] >= 0.49  # his chat's next turn (2 a second)
    assert all(o.last().text.startswith("for ") for o in others)
