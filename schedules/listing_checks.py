"""Every 30 days each secretary is asked "Is this listing still right?" about each listing.

The due time lives on the meeting (`confirm_due_at`, indexed) and is claimed by
compare-and-set before the question is queued in the same transaction
(`bot.services.meetings.notices.ask_due_checks`), so it is asked once even with two
processes. A listing unconfirmed for 90 days shows "may be out of date".
"""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from bot.runtime import Runtime
from bot.services.meetings import notices

log = logging.getLogger("fellowship.meetings")
TICK_SECONDS = 300


async def run(rt: Runtime) -> int:
    """Ask about every listing that is due; returns how many were asked about."""
    async with rt.db.session() as session:
        asked = await notices.ask_due_checks(session, rt.clock.now(), default_zone=rt.settings.default_timezone)
    if asked:
        log.info("asked about %d listings", asked)
    return asked


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run(context.bot_data["runtime"])
