"""Remind me: a message an hour before each occurrence of a meeting, through the outbox.

Each tick claims due reminder rows (compare-and-set on `due_at`, see
`bot.services.meetings.search.claim_due_reminders`) and queues the message in the same
transaction (`bot.services.meetings.notices.queue_due_reminders`), so a crash before the
commit leaves the reminder due and a second process never sends it twice. After downtime,
a meeting that already started is not reminded late.
"""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from bot.runtime import Runtime
from bot.services.meetings import notices

log = logging.getLogger("fellowship.meetings")
TICK_SECONDS = 60


async def run(rt: Runtime) -> int:
    """Queue every reminder that is due now; returns how many were queued."""
    async with rt.db.session() as session:
        queued = await notices.queue_due_reminders(session, rt.clock.now(), default_zone=rt.settings.default_timezone)
    if queued:
        log.info("queued %d meeting reminders", queued)
    return queued


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run(context.bot_data["runtime"])
