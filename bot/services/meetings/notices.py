"""The meetings feature's scheduled messages, each queued through the outbox in the same
transaction as the claim that decided it is due (so it leaves once, even with two processes):

- Remind me: a message an hour before each occurrence — `queue_due_reminders`, claimed by
  `search.claim_due_reminders`.
- "Is this listing still right?" to each listing's secretary every 30 days —
  `ask_due_checks`, claimed by `listings.claim_due_checks`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import i18n, texts
from bot.buttons import Button, inline
from bot.models import Meeting, Person
from bot.services import outbox
from bot.services.meetings import buttons as mb
from bot.services.meetings import listings
from bot.services.meetings import search as meetings
from bot.services.meetings import text as meeting_text
from bot.services.meetings import times as meeting_times
from bot.services.meetings.buttons import FindAction, ListingAction
from bot.services.meetings.search import DueReminder
from bot.services.meetings.states import Attendance, NoticeKind


async def _zones(session: AsyncSession, person_ids: Iterable[int], default_zone: str) -> dict[int, str]:
    """Each person's time zone, so times in messages read as their local time."""
    found = await session.execute(select(Person.id, Person.timezone).where(col(Person.id).in_(set(person_ids))))
    return {person_id: zone or default_zone for person_id, zone in found.all() if person_id is not None}


async def queue_due_reminders(session: AsyncSession, now: datetime, *, default_zone: str) -> int:
    """Queue every meeting reminder that is due now; returns how many were queued."""
    due = await meetings.claim_due_reminders(session, now)
    if not due:
        return 0
    zones = await _zones(session, (d.person_id for d in due), default_zone)
    languages = await outbox.languages_of(session, (d.person_id for d in due))
    for reminder in due:
        with i18n.speaking(languages.get(reminder.person_id)):
            text, markup = await _reminder(session, reminder, zones.get(reminder.person_id, default_zone), now)
        outbox.enqueue(session, reminder.person_id, NoticeKind.REMINDER, text, now=now, reply_markup=markup)
    return len(due)


async def _reminder(session: AsyncSession, reminder: DueReminder, zone: str, now: datetime) -> tuple[str, dict[str, object]]:
    """The reminder: when and where (or the link), with Map, I went and Stop reminders;
    a cancelled date says so and when the next one is."""
    meeting, occurrence = reminder.meeting, reminder.occurrence
    name = texts.clip(meeting.name, texts.NAME_MAX)
    when = meeting_times.when_label(occurrence.start, zone, now)
    stop = (texts.MEETING_BUTTONS["unremind"], mb.meeting(FindAction.STOP_REMINDERS, meeting.id))
    if occurrence.cancelled:
        _, following = await meetings.upcoming(session, meeting, now)
        after = texts.MEETING_NEXT_ONE.format(when=meeting_times.when_label(following.start, zone, now)) if following else ""
        return texts.MEETING_REMINDER_CANCELLED.format(name=name, when=when, next=after), inline([[stop]])
    lines = [texts.MEETING_REMINDER.format(name=name, when=when)]
    where = meeting_text.address_line(meeting)
    if where and meeting.attendance != Attendance.ONLINE:
        lines.append(texts.MEETING_CARD_WHERE.format(address=texts.clip(where, texts.PLACE_MAX)))
    link = meeting_text.safe_url(meeting.conference_url)
    if link and meeting.attendance != Attendance.IN_PERSON:
        lines.append(texts.MEETING_CARD_ONLINE.format(link=texts.h(link)))
    buttons: list[Button] = []
    if meeting.latitude is not None and meeting.attendance != Attendance.ONLINE:
        buttons.append((texts.MEETING_BUTTONS["map"], mb.meeting(FindAction.MAP, meeting.id)))
    buttons.append((texts.MEETING_BUTTONS["went"], mb.meeting(FindAction.WENT, meeting.id)))
    return "\n".join(lines), inline([buttons, [stop]])


async def ask_due_checks(session: AsyncSession, now: datetime, *, default_zone: str) -> int:
    """Ask each due listing's secretary "Is this listing still right?"; returns how many."""
    due = await listings.claim_due_checks(session, now)
    if not due:
        return 0
    zones = await _zones(session, (m.secretary_id for m in due if m.secretary_id is not None), default_zone)
    for meeting in due:
        assert meeting.secretary_id is not None
        with i18n.speaking(await outbox.language_of(session, meeting.secretary_id)):
            text, markup = _check(meeting, zones.get(meeting.secretary_id, default_zone), now)
        outbox.enqueue(session, meeting.secretary_id, NoticeKind.LISTING_CHECK, text, now=now, reply_markup=markup)
    return len(due)


def _check(meeting: Meeting, zone: str, now: datetime) -> tuple[str, dict[str, object]]:
    """The listing as people see it, with Yes / Change / Pause."""
    card = meeting_text.card(meeting, now=now, viewer_zone=zone)
    buttons = inline(
        [
            [(texts.CONFIRM_YES, mb.listing(ListingAction.CONFIRM, meeting.id))],
            [
                (texts.CONFIRM_CHANGE, mb.listing(ListingAction.CHANGE, meeting.id)),
                (texts.CONFIRM_PAUSE, mb.listing(ListingAction.PAUSE, meeting.id, 1)),
            ],
        ]
    )
    return texts.CONFIRM_ASK.format(card=card), buttons
