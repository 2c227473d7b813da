"""Every 30 days each secretary is asked "Is this listing still right?" about each listing.

The due time lives on the meeting (`confirm_due_at`, indexed) and is claimed by
compare-and-set before the question is queued in the same transaction, so it is asked once
even with two processes. A listing unconfirmed for 90 days shows "may be out of date".
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import callback, inline
from bot.models import Person
from bot.runtime import Runtime
from bot.services import outbox
from bot.services.meetings import listings as meeting_listings
from bot.services.meetings import text as meeting_text

log = logging.getLogger("fellowship.meetings")
TICK_SECONDS = 300


async def run(rt: Runtime) -> int:
    now = rt.clock.now()
    async with rt.db.session() as session:
        due = await meeting_listings.claim_due_checks(session, now)
        if not due:
            return 0
        found = await session.execute(
            select(Person.id, Person.timezone).where(Person.id.in_({m.secretary_id for m in due}))  # type: ignore[union-attr]
        )
        zones = {person_id: zone for person_id, zone in found.all()}
        for meeting in due:
            assert meeting.secretary_id is not None
            zone = zones.get(meeting.secretary_id) or rt.settings.default_timezone
            card = meeting_text.card(meeting, now=now, viewer_zone=zone)
            buttons = inline(
                [
                    [(texts.CONFIRM_YES, callback("sc", "ok", meeting.id))],
                    [(texts.CONFIRM_CHANGE, callback("sc", "ch", meeting.id)), (texts.CONFIRM_PAUSE, callback("sc", "pa", meeting.id, 1))],
                ]
            )
            outbox.enqueue(session, meeting.secretary_id, "listing_check", texts.CONFIRM_ASK.format(card=card), now=now, reply_markup=buttons)
    log.info("asked about %d listings", len(due))
    return len(due)


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run(context.bot_data["runtime"])
