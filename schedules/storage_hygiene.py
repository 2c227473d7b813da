"""Storage hygiene: on SQLite, fold the write-ahead log back into the database file and
truncate it, so texts already cleared from the outbox don't linger on disk in old WAL frames;
and delete handled inbox rows older than a day (webhook workers, bot/inbox.py)."""

from __future__ import annotations

from telegram.ext import ContextTypes

from bot import inbox
from bot.runtime import Runtime

INTERVAL_SECONDS = 600


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    rt: Runtime = context.bot_data["runtime"]
    await inbox.purge(rt.db, now=rt.clock.now())
    await rt.db.truncate_write_ahead_log()
