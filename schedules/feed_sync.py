"""Feeds listed in MEETING_FEEDS are re-imported every MEETING_FEED_SYNC_HOURS.

Each feed's source row carries `next_sync_at`; a tick claims due feeds by compare-and-set
(so two processes never import the same feed at once) and imports them one by one. An
unchanged feed costs one conditional request (ETag / If-Modified-Since). A broken feed
changes nothing; the reason is logged (host only) and kept on the source row, and the
other feeds of the run are still imported, whatever went wrong with that one. The rules
live in `bot.services.meetings.feeds.sync_due`.
"""

from __future__ import annotations

from datetime import timedelta

from telegram.ext import ContextTypes

from bot.runtime import Runtime
from bot.services.meetings import feeds as meeting_feeds
from bot.services.meetings.feeds import ImportResult

TICK_SECONDS = 300


async def run(rt: Runtime) -> list[ImportResult]:
    """Re-import the feeds that are due; returns what each import did."""
    return await meeting_feeds.sync_due(
        rt.db,
        rt.settings.meeting_feed_specs(),
        now=rt.clock.now(),
        every=timedelta(hours=rt.settings.meeting_feed_sync_hours),
        default_zone=rt.settings.default_timezone,
    )


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run(context.bot_data["runtime"])
