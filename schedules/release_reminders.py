"""The release-day tick: reminders, the escalation to coordinators, aftercare evening
check-ins, closing forgotten requests and erasing closed ones (when each falls, and the
constants, are listed in `bot.services.release`'s docstring).

The claim logic lives in `bot.services.release.duties`; this module runs it on the
JobQueue in short batches, and drops drafts nobody finished (`retention.drop_stale_drafts`).
"""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from bot.runtime import Runtime
from bot.services.release import duties as release_duties
from bot.services.release import retention as release_retention

log = logging.getLogger("fellowship.releases")
TICK_SECONDS = 30.0
BATCH = 100
MAX_BATCHES = 10


async def run_once(rt: Runtime) -> int:
    """Claim and carry out due duties, batch after batch while full ones are found."""
    claimed = 0
    for _ in range(MAX_BATCHES):
        async with rt.db.session() as session:
            batch = await release_duties.claim_due(
                session, rt.clock.now(), vault=rt.vault, default_zone=rt.settings.default_timezone, limit=BATCH
            )
        claimed += batch.claimed
        if batch.found < BATCH:
            break
    async with rt.db.session() as session:
        dropped = await release_retention.drop_stale_drafts(session, rt.clock.now())
    if claimed or dropped:
        log.info("release tick: %d duties carried out, %d stale drafts dropped", claimed, dropped)
    return claimed


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback."""
    await run_once(context.bot_data["runtime"])
