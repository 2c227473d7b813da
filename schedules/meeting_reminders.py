"""Remind me: a message an hour before each occurrence of a meeting, through the outbox.

Each tick claims due reminder rows (compare-and-set on `due_at`, see
`bot.services.meetings.search.claim_due_reminders`) and queues the message in the same
transaction, so a crash before the commit leaves the reminder due and a second process
never sends it twice. After downtime, a meeting that already started is not reminded late.
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
from bot.services.meetings import search as meetings
from bot.services.meetings import text as meeting_text
from bot.services.meetings import times as meeting_times
from bot.services.meetings.search import DueReminder

log = logging.getLogger("fellowship.meetings")
TICK_SECONDS = 60


async def run(rt: Runtime) -> int:
    """Queue every reminder that is due now; returns how many were queued."""
    now = rt.clock.now()
    async with rt.db.session() as session:
        due = await meetings.claim_due_reminders(session, now)
        if not due:
            return 0
        found = await session.execute(
            select(Person.id, Person.timezone).where(Person.id.in_({d.person_id for d in due}))  # type: ignore[union-attr]
        )
        zones = {person_id: zone for person_id, zone in found.all()}
        for reminder in due:
            zone = zones.get(reminder.person_id) or rt.settings.default_timezone
            text, markup = await _message(session, reminder, zone, now)
            outbox.enqueue(session, reminder.person_id, "meeting_reminder", text, now=now, reply_markup=markup)
    log.info("queued %d meeting reminders", len(due))
    return len(due)


async def _message(session, reminder: DueReminder, zone: str, now) -> tuple[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    meeting, occurrence = reminder.meeting, reminder.occurrence
    name = texts.clip(meeting.name, texts.NAME_MAX)
    when = meeting_times.when_label(occurrence.start, zone, now)
    stop = (texts.MEETING_BUTTONS["unremind"], callback("mt", "x", meeting.id))
    if occurrence.cancelled:
        _, following = await meetings.upcoming(session, meeting, now)
        after = texts.MEETING_NEXT_ONE.format(when=meeting_times.when_label(following.start, zone, now)) if following else ""
        return texts.MEETING_REMINDER_CANCELLED.format(name=name, when=when, next=after), inline([[stop]])
    lines = [texts.MEETING_REMINDER.format(name=name, when=when)]
    where = meeting_text.address_line(meeting)
    if where and meeting.attendance != "online":
        lines.append(texts.MEETING_CARD_WHERE.format(address=texts.clip(where, texts.PLACE_MAX)))
    link = meeting_text.safe_url(meeting.conference_url)
    if link and meeting.attendance != "in_person":
        lines.append(texts.MEETING_CARD_ONLINE.format(link=texts.h(link)))
    buttons = []
    if meeting.latitude is not None and meeting.attendance != "online":
        buttons.append((texts.MEETING_BUTTONS["map"], callback("mt", "v", meeting.id)))
    buttons.append((texts.MEETING_BUTTONS["went"], callback("mt", "w", meeting.id)))
    return "\n".join(lines), inline([buttons, [stop]])


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    await run(context.bot_data["runtime"])
