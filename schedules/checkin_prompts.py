"""The check-in tick: daily prompts (with milestones) and gentle reminders, claimed from
the database in small batches so restarts lose nothing and two processes never double-send.

The claim logic lives in `bot.services.checkins.plans`; this module only runs it on the
JobQueue and decides how much to do per run.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import ContextTypes

from bot.runtime import Runtime
from bot.services.checkins import plans as checkin_plans

log = logging.getLogger("fellowship.checkins")
TICK_SECONDS = 20.0
# One short transaction per batch keeps locks brief; up to 10 batches a run is 3,000
# prompts a minute, twice what the outbox may deliver at Telegram's pace.
BATCH = 100
MAX_BATCHES = 10


class Claim(Protocol):
    """`plans.claim_due_prompts` or `plans.claim_due_reminders`: one duty each."""

    async def __call__(
        self, session: AsyncSession, now: datetime, *, default_zone: str, limit: int
    ) -> checkin_plans.Batch: ...


async def _drain(rt: Runtime, claim: Claim) -> int:
    """Claim batch after batch while full ones are found (another process may have won
    some rows of a batch; the rest can still be due)."""
    total = 0
    for _ in range(MAX_BATCHES):
        async with rt.db.session() as session:
            batch = await claim(session, rt.clock.now(), default_zone=rt.settings.default_timezone, limit=BATCH)
        total += batch.claimed
        if batch.found < BATCH:
            break
    return total


async def run_once(rt: Runtime) -> tuple[int, int]:
    """Claim due prompts, then due reminders; returns how many of each were claimed."""
    prompts = await _drain(rt, checkin_plans.claim_due_prompts)
    reminders = await _drain(rt, checkin_plans.claim_due_reminders)
    if prompts or reminders:
        log.info("check-in tick: %d prompts and %d reminders claimed", prompts, reminders)
    return prompts, reminders


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback."""
    await run_once(context.bot_data["runtime"])
