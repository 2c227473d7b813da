"""One person can't stall everyone: however many updates one chat sends at once, their
backlog waits on their own turn and holds at most one of the shared slots."""

from __future__ import annotations

import asyncio
import time

from telegram import Update

from bot.update_order import PerChatUpdateProcessor
from tests.harness import Harness
from tests.test_onboarding import onboard


async def test_a_flood_of_200_updates_from_one_chat_delays_another_persons_reply_by_under_100_ms(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    alex = await onboard(h, "Alex")
    assert h.app is not None
    app = h.app
    processor = app.update_processor

    def update_of(raw: dict) -> Update:  # type: ignore[type-arg]
        h.standin.take_updates(offset=raw["update_id"] + 1, limit=100)
        return Update.de_json(raw, app.bot)

    flood = [update_of(h.standin.send_text(sam.id, "/progress")) for _ in range(200)]
    running = [asyncio.create_task(processor.process_update(u, app.process_update(u))) for u in flood]
    await asyncio.sleep(0.05)  # Sam's backlog is queued and being worked through
    before = len(alex.messages())
    started = time.monotonic()
    mine = update_of(h.standin.send_text(alex.id, "/help"))
    await processor.process_update(mine, app.process_update(mine))
    waited = time.monotonic() - started
    assert len(alex.messages()) == before + 1 and "/checkin" in alex.last().text
    assert not all(task.done() for task in running), "the flood should still be running"
    await asyncio.gather(*running)
    assert waited < 0.1, f"Alex waited {waited * 1000:.0f} ms behind Sam's flood"


async def test_one_chats_updates_still_run_one_at_a_time_in_order() -> None:
    processor = PerChatUpdateProcessor(4)
    seen: list[int] = []
    busy = 0

    async def handle(n: int) -> None:
        nonlocal busy
        busy += 1
        assert busy == 1
        await asyncio.sleep(0.001)
        seen.append(n)
        busy -= 1

    raw = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 7, "type": "private"}, "text": "x"}}
    update = Update.de_json(raw, None)
    await asyncio.gather(*(processor.process_update(update, handle(n)) for n in range(20)))
    assert seen == list(range(20))
