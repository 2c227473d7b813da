"""The alerts tick: members who went quiet, and alerts nobody answered in time.

Both duties claim rows from the database in small batches (the claim logic is in
`bot.services.support.lapses` and `bot.services.support.alerts`), so a restart loses nothing and two
processes never alert for the same silence or pass the same alert on twice. The alerts
themselves go out through the outbox.
"""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes

from bot.runtime import Runtime
from bot.services.support import alerts
from bot.services.support.escalation import Windows

log = logging.getLogger("fellowship.alerts")
TICK_SECONDS = 30.0
# One short transaction per batch keeps locks brief; a run does at most this many.
BATCH = 100
MAX_BATCHES = 20


async def run_once(rt: Runtime) -> tuple[int, int]:
    """Scan due lapse watches, then due escalations; returns (incidents opened, passed on)."""
    opened = passed = 0
    windows = Windows.of(rt.settings)
    for _ in range(MAX_BATCHES):
        async with rt.db.session() as session:
            found, count = await alerts.scan_lapses(
                session, rt.clock.now(), default_zone=rt.settings.default_timezone, limit=BATCH, windows=windows
            )
        opened += count
        if found < BATCH:  # fewer than a batch were due: nothing more now
            break
    for _ in range(MAX_BATCHES):
        async with rt.db.session() as session:
            found, count = await alerts.claim_due_escalations(session, rt.clock.now(), limit=BATCH)
        passed += count
        if found < BATCH:
            break
    if opened or passed:
        log.info("alerts tick: %d lapse alerts opened, %d alerts passed on", opened, passed)
    return opened, passed


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback."""
    await run_once(context.bot_data["runtime"])
