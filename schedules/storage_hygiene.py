"""Storage hygiene: drop audit-log entries older than AUDIT_RETENTION_DAYS and handled inbox
rows older than a day (webhook workers, bot/inbox.py), and on SQLite fold the write-ahead log
back into the database file and truncate it, so texts already cleared from the outbox (and
erased rows) don't linger on disk in old WAL frames."""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from bot import inbox
from bot.runtime import Runtime
from bot.services import audit

INTERVAL_SECONDS = 600
log = logging.getLogger("fellowship.storage")


async def run_once(rt: Runtime) -> int:
    """One round: expired audit entries go (how many), then handled inbox rows, then the
    write-ahead log is truncated."""
    async with rt.db.session() as session:
        dropped = await audit.drop_expired(session, rt.clock.now(), keep_days=rt.settings.audit_retention_days)
    if dropped:
        log.info("%d audit entries past their retention time erased", dropped)
    await inbox.purge(rt.db, now=rt.clock.now())
    await rt.db.truncate_write_ahead_log()
    return dropped


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    rt: Runtime = context.bot_data["runtime"]
    await run_once(rt)
