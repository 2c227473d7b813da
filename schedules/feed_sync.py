"""Feeds listed in MEETING_FEEDS are re-imported every MEETING_FEED_SYNC_HOURS.

Each feed's source row carries `next_sync_at`; a tick claims due feeds by compare-and-set
(so two processes never import the same feed at once) and imports them one by one. An
unchanged feed costs one conditional request (ETag / If-Modified-Since). A broken feed
changes nothing; the reason is logged (host only) and kept on the source row, and the
other feeds of the run are still imported, whatever went wrong with that one.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from telegram.ext import ContextTypes

from bot.models import MeetingSource
from bot.runtime import Runtime
from bot.services.meetings import feeds as meeting_feeds
from bot.services.meetings.feeds import FeedError, ImportResult

log = logging.getLogger("fellowship.feeds")
TICK_SECONDS = 300


async def claim_due(rt: Runtime, now: datetime) -> list[tuple[str | None, str]]:
    """The configured feeds whose turn it is, each claimed for this process."""
    due = []
    every = timedelta(hours=rt.settings.meeting_feed_sync_hours)
    async with rt.db.session() as session:
        for fellowship, location in rt.settings.meeting_feed_specs():
            source = await meeting_feeds.source_row(session, meeting_feeds.normalise_source(location), now=now)
            seen = source.next_sync_at
            if seen is not None and seen > now:
                continue
            same = MeetingSource.next_sync_at.is_(None) if seen is None else MeetingSource.next_sync_at == seen  # type: ignore[union-attr]
            claimed = await session.execute(
                update(MeetingSource).where(MeetingSource.id == source.id, same).values(next_sync_at=now + every)
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                due.append((fellowship, location))
    return due


async def run(rt: Runtime) -> list[ImportResult]:
    now = rt.clock.now()
    results = []
    for fellowship, location in await claim_due(rt, now):
        name = meeting_feeds.describe_source(location)
        try:
            result = await meeting_feeds.sync(
                rt.db, location, now=now, default_zone=rt.settings.default_timezone, fellowship=fellowship
            )
        except FeedError as exc:
            log.warning("feed %s not imported: %s", name, exc)
            continue
        except Exception as exc:  # one bad feed must not stop the others
            # Only the kind of failure is logged: its text may quote the feed.
            log.warning("feed %s not imported: %s", name, type(exc).__name__)
            await meeting_feeds.note_error(
                rt.db, location, f"{name} could not be imported ({type(exc).__name__}). Nothing was changed.", now
            )
            continue
        log.info(
            "feed %s: %s", name, "unchanged" if result.not_modified else
            f"{result.added} added, {result.updated} updated, {result.removed} removed, {sum(result.skipped.values())} skipped",
        )
        results.append(result)
    return results


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run(context.bot_data["runtime"])
