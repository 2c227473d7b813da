"""Secretaries keep their listings right: `/addmeeting` (a guided flow, each answer saved as
it is given, then a preview and Publish) and `/mymeetings` (edit any field, pause, delete,
cancel one date, announce to followers, and answer the monthly "Is this listing still right?").

What is being asked is stored on the person (`bot.services.meetings.conversation`: the step,
the meeting, and whether it is being added or one field changed), so a restart continues
the same flow. Buttons are `bot.services.meetings.buttons.LISTING`; rules live in `listings`.
Every button names a meeting; it is honoured only for its owner, while they are a secretary,
and only when it matches the question being asked.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Location, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import Button, inline
from bot.models import Meeting, Person
from bot.runtime import Runtime
from bot.services.caps import Caps
from bot.services.meetings import buttons as mb
from bot.services.meetings import conversation
from bot.services.meetings import listings as listings
from bot.services.meetings import search as meetings
from bot.services.meetings import text as meeting_text
from bot.services.meetings import times as meeting_times
from bot.services.meetings.buttons import ListingAction as Do
from bot.services.meetings.conversation import Question
from bot.services.meetings.states import MeetingStatus, Mode
from bot.services.validation import InvalidInput, parse_date
from handlers.common import (
    answer_callback,
    edit_or_reply,
    onboarded_person,
    reply,
    runtime,
    tell,
)

KIND = conversation.LISTING


def _told(count: int) -> str:
    return texts.plural(count, "follower")


async def _secretary(session: AsyncSession, rt: Runtime, update: Update) -> Person | None:
    """The onboarded secretary acting, or None after telling the person why not."""
    person = await onboarded_person(session, update, rt)
    if person is not None and not await listings.is_secretary(session, person):
        await tell(update, texts.LISTING_NOT_SECRETARY)
        return None
    return person


# --- /addmeeting ---------------------------------------------------------------------------


async def addmeeting_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    async with rt.db.session() as session:
        person = await _secretary(session, rt, update)
        if person is None:
            return
        assert person.id is not None
        draft = await listings.draft_of(session, person.id)
        if draft is not None and draft.name:
            rows = [[(texts.LISTING_CONTINUE, mb.listing(Do.CONTINUE, draft.id)), (texts.LISTING_START_AGAIN, mb.listing(Do.NEW))]]
            await reply(update, texts.LISTING_RESUME.format(name=texts.clip(draft.name, texts.NAME_MAX)), inline(rows))
            return
        await _start(update, session, rt, person)


async def _start(update: Update, session: AsyncSession, rt: Runtime, person: Person) -> None:
    draft = await listings.start_draft(session, person, now=rt.clock.now(), default_zone=rt.settings.default_timezone)
    await ask(update, person, draft, "name", Mode.ADDING)


async def ask(update: Update, person: Person, meeting: Meeting, step: str, mode: Mode, *, edit: bool = False) -> None:
    """Put one question (and remember it is being asked)."""
    assert meeting.id is not None
    extra = str(meeting.days) if step == "days" else ""
    conversation.ask_listing(person, step, meeting.id, mode, extra)
    text, rows = texts.LISTING_ASK[step], _question_buttons(meeting, step, meeting.days)
    markup = inline(rows) if rows else None
    if edit:
        await edit_or_reply(update, text, markup)
    else:
        await reply(update, text, markup)


def _question_buttons(meeting: Meeting, step: str, days: int) -> list[list[Button]]:
    mid = meeting.id
    if step == "fellowship":
        choices = [(texts.FELLOWSHIP_NAMES[f], mb.listing(Do.FELLOWSHIP, mid, f)) for f in meetings.FELLOWSHIPS]
        return [choices[:3], choices[3:]]
    if step == "attendance":
        return [[(label, mb.listing(Do.ATTENDANCE, mid, key))] for key, label in texts.ATTENDANCE_LABELS.items()]
    if step == "days":
        marks = [
            (("✓ " if days & (1 << d) else "") + meeting_times.day_name(d, short=True), mb.listing(Do.DAY, mid, d))
            for d in meeting_times.DAY_ORDER
        ]
        return [marks[:4], marks[4:], [(texts.LISTING_DONE, mb.listing(Do.DAYS_DONE, mid))]]
    if step == "types":
        chosen = set(meeting_text.type_codes(meeting))
        marks = [(("✓ " if code in chosen else "") + label, mb.listing(Do.TYPE, mid, code)) for code, label in texts.KEY_TYPES.items()]
        return [*(marks[i : i + 3] for i in range(0, len(marks), 3)), [(texts.LISTING_DONE, mb.listing(Do.TYPES_DONE, mid))]]
    if step in listings.SKIPPABLE:
        return [[(texts.LISTING_SKIP, mb.listing(Do.SKIP, mid, step))]]
    return []


async def answer_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    """A typed answer to the question in `person.awaiting`."""
    rt = runtime(context)
    asked = conversation.listing_question(person)
    meeting = await _owned(session, person, asked.meeting_id) if asked else None
    if asked is None or meeting is None:  # the listing is gone, or its owner no longer a secretary
        conversation.expect(person, None)
        await reply(update, texts.FREE_TEXT)
        return
    step, mode = asked.step, asked.mode
    if step in ("fellowship", "attendance", "types"):
        await reply(update, texts.LISTING_TAP_A_BUTTON)
        return
    if step == "cancel":
        await _cancel_typed(update, session, rt, person, meeting, text)
        return
    if step == "announce":
        await _announce(update, session, rt, person, meeting, text)
        return
    before = listings.snapshot(meeting)
    if step not in listings.TYPED_ANSWERS:
        conversation.expect(person, None)
        await reply(update, texts.FREE_TEXT)
        return
    try:
        listings.set_typed(meeting, step, text)
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    await _answered(update, session, rt, person, meeting, step, mode, before)


async def answer_location(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, location: Location
) -> None:
    """The exact spot of the venue, when asked for its postcode or location."""
    rt = runtime(context)
    asked = conversation.listing_question(person)
    meeting = await _owned(session, person, asked.meeting_id) if asked else None
    if asked is None or meeting is None or asked.step != "place":
        await reply(update, texts.LOCATION_NOT_ASKED)
        return
    before = listings.snapshot(meeting)
    try:
        listings.set_location(meeting, location.latitude, location.longitude)
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    await _answered(update, session, rt, person, meeting, "place", asked.mode, before)




async def _owned(session: AsyncSession, person: Person, meeting_id: int) -> Meeting | None:
    return await listings.editable(session, person, meeting_id)


async def _answered(
    update: Update,
    session: AsyncSession,
    rt: Runtime,
    person: Person,
    meeting: Meeting,
    step: str,
    mode: Mode,
    before: dict[str, str],
) -> None:
    """After a saved answer: the next question, the preview, or (for a published listing)
    telling followers what changed and showing the listing again."""
    now = rt.clock.now()
    listings.touch(meeting, now)
    if mode == Mode.ADDING:
        following = listings.next_step(meeting, step)
        if following is not None:
            await ask(update, person, meeting, following, Mode.ADDING)
            return
    gap = listings.gap_after(meeting, step)
    if gap is not None:
        await ask(update, person, meeting, gap, Mode.EDITING)
        return
    conversation.expect(person, None)
    if meeting.status == MeetingStatus.DRAFT:
        await preview(update, rt, person, meeting)
        return
    told = await listings.after_edit(session, meeting, before, now=now)
    await reply(update, texts.LISTING_SAVED_TOLD.format(told=_told(told)) if told else texts.LISTING_SAVED)
    await manage(update, session, rt, person, meeting, fresh=True)


async def preview(update: Update, rt: Runtime, person: Person, meeting: Meeting, *, edit: bool = False) -> None:
    card = meeting_text.card(meeting, now=rt.clock.now(), viewer_zone=person.timezone or rt.settings.default_timezone)
    rows = [
        [(texts.LISTING_PUBLISH, mb.listing(Do.PUBLISH, meeting.id))],
        [(texts.LISTING_CHANGE, mb.listing(Do.CHANGE, meeting.id)), (texts.LISTING_DISCARD, mb.listing(Do.DISCARD, meeting.id))],
    ]
    text = texts.LISTING_PREVIEW.format(card=card)
    if edit:
        await edit_or_reply(update, text, inline(rows))
    else:
        await reply(update, text, inline(rows))


# --- /mymeetings ---------------------------------------------------------------------------


async def mymeetings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    async with rt.db.session() as session:
        person = await _secretary(session, rt, update)
        if person is None:
            return
        conversation.expect(person, None)
        text, rows = await _my_list(session, person)
        await reply(update, text, inline(rows) if rows else None)


async def _my_list(session: AsyncSession, person: Person) -> tuple[str, list[list[Button]]]:
    assert person.id is not None
    owned = await listings.owned_by(session, person.id)
    rows: list[list[Button]] = [
        [(m.name + texts.MY_MEETING_STATUS.get(m.status, ""), mb.listing(Do.MANAGE, m.id))] for m in owned
    ]
    draft = await listings.draft_of(session, person.id)
    if draft is not None and draft.name:
        rows.append([(draft.name + texts.MY_MEETING_STATUS[MeetingStatus.DRAFT], mb.listing(Do.CONTINUE, draft.id))])
    return (texts.MY_MEETINGS_HEADER if rows else texts.MY_MEETINGS_NONE), rows


async def manage(
    update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, *, fresh: bool = False
) -> None:
    """One published listing, with what its secretary can do."""
    assert meeting.id is not None
    now = rt.clock.now()
    card = meeting_text.card(
        meeting,
        now=now,
        viewer_zone=person.timezone or rt.settings.default_timezone,
        upcoming=await meetings.upcoming(session, meeting, now),
    )
    followers = await listings.follower_count(session, meeting.id)
    b, mid = texts.MANAGE_BUTTONS, meeting.id
    pause = (b["resume"], mb.listing(Do.PAUSE, mid, 0)) if meeting.status == MeetingStatus.PAUSED else (b["pause"], mb.listing(Do.PAUSE, mid, 1))
    rows = [
        [(b["edit"], mb.listing(Do.CHANGE, mid)), pause],
        [(b["cancel"], mb.listing(Do.CANCEL_DATES, mid)), (b["announce"], mb.listing(Do.ANNOUNCE, mid))],
        [(b["delete"], mb.listing(Do.DELETE, mid)), (b["back"], mb.listing(Do.LIST))],
    ]
    text = texts.MANAGE_HEADER.format(card=card, followers=_told(followers))
    if fresh:
        await reply(update, text, inline(rows))
    else:
        await edit_or_reply(update, text, inline(rows))


def _field_picker(meeting: Meeting) -> list[list[Button]]:
    fields = [(texts.MEETING_FIELD_NAMES[f], mb.listing(Do.EDIT_FIELD, meeting.id, f)) for f in listings.steps_for(meeting)]
    back = mb.listing(Do.BACK, meeting.id)
    return [*(fields[i : i + 3] for i in range(0, len(fields), 3)), [(texts.MANAGE_BUTTONS["back"], back)]]


async def _dates(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting) -> None:
    assert meeting.id is not None
    conversation.ask_listing(person, "cancel", meeting.id, Mode.EDITING)
    choices = await listings.coming_dates(session, meeting, now=rt.clock.now())
    buttons = [
        (("❌ " if c.cancelled else "") + texts.day_label(c.local_date), mb.listing(Do.CANCEL_DATE, meeting.id, mb.day(c.local_date)))
        for c in choices
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(texts.MANAGE_BUTTONS["back"], mb.listing(Do.MANAGE, meeting.id))])
    example = texts.day_label(choices[0].local_date) if choices else "25/12"
    await edit_or_reply(update, texts.CANCEL_PICK.format(example=example), inline(rows))


async def _toggle_date(
    update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, on_date: date, cancel: bool
) -> None:
    try:
        told = await listings.set_cancelled(session, meeting, on_date, cancel, by=person, now=rt.clock.now())
    except InvalidInput as exc:
        if update.callback_query is not None:
            await answer_callback(update, str(exc), alert=True)
        else:
            await reply(update, str(exc))
        return
    conversation.expect(person, None)
    message = texts.CANCEL_DONE if cancel else texts.CANCEL_RESTORED
    await answer_callback(update)
    await reply(update, message.format(date=texts.day_label(on_date), told=_told(told)))
    await manage(update, session, rt, person, meeting, fresh=True)


async def _cancel_typed(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, text: str) -> None:
    try:
        on_date = parse_date(text)
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    await _toggle_date(update, session, rt, person, meeting, on_date, True)


async def _announce(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, text: str) -> None:
    try:
        told = await listings.announce(session, meeting, text, now=rt.clock.now(), author=person, caps=Caps.of(rt.settings))
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    conversation.expect(person, None)
    await reply(update, texts.ANNOUNCE_SENT.format(followers=_told(told)))


# --- buttons -------------------------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:sc:<action>[:<meeting id>[:<arg>]]` (see `bot.services.meetings.buttons.ListingAction`);
    the meeting must be the presser's own."""
    rt = runtime(context)
    query = update.callback_query
    press = mb.parse_listing(query.data if query is not None else None)
    async with rt.db.session() as session:
        person = await _secretary(session, rt, update)
        if person is None:
            return
        if press is None:
            await answer_callback(update, texts.STALE_BUTTON, alert=True)
            return
        if press.action == Do.NEW and not press.names_meeting:
            await answer_callback(update)
            await _start(update, session, rt, person)
            return
        if press.action == Do.LIST and not press.names_meeting:
            await answer_callback(update)
            conversation.expect(person, None)
            text, rows = await _my_list(session, person)
            await edit_or_reply(update, text, inline(rows))
            return
        meeting = await _owned(session, person, press.meeting_id) if press.meeting_id is not None else None
        if meeting is None:
            await answer_callback(update, texts.NOT_FOR_YOU if press.meeting_id is not None else texts.STALE_BUTTON, alert=True)
            return
        handler = _ACTIONS.get(press.action)
        if handler is None:
            await answer_callback(update, texts.STALE_BUTTON)
            return
        await handler(update, session, rt, person, meeting, press.args)


async def _asked(update: Update, person: Person, meeting: Meeting, step: str) -> Question | None:
    """The open question if it is this one, for this meeting; else says "stale"."""
    asked = conversation.listing_question(person)
    if asked is None or asked.step != step or asked.meeting_id != meeting.id:
        await answer_callback(update, texts.STALE_BUTTON)
        return None
    return asked


async def _b_continue(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    if meeting.status != MeetingStatus.DRAFT:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    await answer_callback(update)
    asked = conversation.listing_question(person)
    if asked is not None and asked.meeting_id == meeting.id and asked.step in listings.STEPS:
        step: str | None = asked.step  # the question that was open when they stopped
    else:
        step = listings.first_gap(meeting)
    if step is None:
        await preview(update, rt, person, meeting)
    else:
        await ask(update, person, meeting, step, Mode.ADDING)


async def _b_choice(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str], *, step: str) -> None:
    asked = await _asked(update, person, meeting, step)
    if asked is None or len(args) != 1:
        return
    before = listings.snapshot(meeting)
    try:
        (listings.set_fellowship if step == "fellowship" else listings.set_attendance)(meeting, args[0])
    except InvalidInput:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    await answer_callback(update)
    label = texts.FELLOWSHIP_NAMES.get(args[0]) if step == "fellowship" else texts.ATTENDANCE_LABELS.get(args[0])
    await edit_or_reply(update, f"{texts.LISTING_ASK[step]}\n<b>{label}</b>")
    await _answered(update, session, rt, person, meeting, step, asked.mode, before)


async def _b_fellowship(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    await _b_choice(update, session, rt, person, meeting, args, step="fellowship")


async def _b_attendance(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    await _b_choice(update, session, rt, person, meeting, args, step="attendance")


async def _b_day(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    """Toggle a day. Kept in `awaiting` until Done, so followers hear of the result once."""
    asked = await _asked(update, person, meeting, "days")
    if asked is None or len(args) != 1 or args[0] not in "0123456" or len(args[0]) != 1:
        if asked is not None:
            await answer_callback(update, texts.STALE_BUTTON)
        return
    days = listings.days_ticked(meeting, asked.extra) ^ (1 << int(args[0]))
    assert meeting.id is not None
    conversation.ask_listing(person, "days", meeting.id, asked.mode, str(days))
    await answer_callback(update)
    await edit_or_reply(update, texts.LISTING_ASK["days"], inline(_question_buttons(meeting, "days", days)))


async def _b_days_done(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    asked = await _asked(update, person, meeting, "days")
    if asked is None:
        return
    days = listings.days_ticked(meeting, asked.extra)
    if not days:
        await answer_callback(update, texts.LISTING_ASK["days"], alert=True)
        return
    before = listings.snapshot(meeting)
    listings.set_day_mask(meeting, days)
    await answer_callback(update)
    await edit_or_reply(update, f"{texts.LISTING_ASK['days']}\n<b>{meeting_times.describe_days(days)}</b>")
    await _answered(update, session, rt, person, meeting, "days", asked.mode, before)


async def _b_type(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    asked = await _asked(update, person, meeting, "types")
    if asked is None or len(args) != 1:
        return
    try:
        listings.toggle_type(meeting, args[0])
    except InvalidInput:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    await answer_callback(update)
    await edit_or_reply(update, texts.LISTING_ASK["types"], inline(_question_buttons(meeting, "types", meeting.days)))


async def _b_types_done(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    asked = await _asked(update, person, meeting, "types")
    if asked is None:
        return
    await answer_callback(update)
    labels = meeting_text.types_line(meeting) or "—"
    await edit_or_reply(update, f"{texts.LISTING_ASK['types']}\n<b>{texts.h(labels)}</b>")
    await _answered(update, session, rt, person, meeting, "types", asked.mode, listings.snapshot(meeting))


async def _b_skip(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    step = args[0] if args else ""
    asked = await _asked(update, person, meeting, step) if step in listings.SKIPPABLE else None
    if asked is None:
        if step not in listings.SKIPPABLE:
            await answer_callback(update, texts.STALE_BUTTON)
        return
    before = listings.snapshot(meeting)
    listings.skip(meeting, step)
    await answer_callback(update)
    await _answered(update, session, rt, person, meeting, step, asked.mode, before)


async def _b_publish(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    if meeting.status != MeetingStatus.DRAFT:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    gaps = await listings.publish(session, meeting, now=rt.clock.now())
    if gaps:
        names = ", ".join(texts.MEETING_FIELD_NAMES[g].lower() for g in gaps)
        await answer_callback(update, texts.LISTING_INCOMPLETE.format(missing=names), alert=True)
        return
    conversation.expect(person, None)
    await answer_callback(update)
    await edit_or_reply(update, texts.LISTING_PUBLISHED.format(name=texts.clip(meeting.name, texts.NAME_MAX)))


async def _b_change(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    conversation.expect(person, None)
    await answer_callback(update)
    await edit_or_reply(update, texts.LISTING_PICK_FIELD, inline(_field_picker(meeting)))


async def _b_edit_field(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    if len(args) != 1 or args[0] not in listings.steps_for(meeting):
        await answer_callback(update, texts.STALE_BUTTON)
        return
    await answer_callback(update)
    await ask(update, person, meeting, args[0], Mode.EDITING, edit=True)


async def _b_back(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    conversation.expect(person, None)
    await answer_callback(update)
    if meeting.status == MeetingStatus.DRAFT:
        await preview(update, rt, person, meeting, edit=True)
    else:
        await manage(update, session, rt, person, meeting)


async def _b_discard(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    if meeting.status != MeetingStatus.DRAFT:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    conversation.expect(person, None)
    await listings.discard_draft(session, meeting)
    await answer_callback(update)
    await edit_or_reply(update, texts.LISTING_DISCARDED)


async def _b_manage(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    if meeting.status == MeetingStatus.DRAFT:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    conversation.expect(person, None)
    await answer_callback(update)
    await manage(update, session, rt, person, meeting)


async def _b_pause(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    if meeting.status == MeetingStatus.DRAFT or args not in (["0"], ["1"]):
        await answer_callback(update, texts.STALE_BUTTON)
        return
    paused = args == ["1"]
    told = await listings.set_paused(session, meeting, paused, now=rt.clock.now())
    await answer_callback(update, (texts.LISTING_PAUSED if paused else texts.LISTING_RESUMED).format(told=_told(told)))
    await manage(update, session, rt, person, meeting)


async def _b_cancel_dates(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    if meeting.status == MeetingStatus.DRAFT:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    await answer_callback(update)
    await _dates(update, session, rt, person, meeting)


async def _b_cancel_date(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    on_date = mb.parse_day(args[0]) if len(args) == 1 else None
    if on_date is None or meeting.status == MeetingStatus.DRAFT:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    cancelled = await listings.is_cancelled(session, meeting, on_date)
    await _toggle_date(update, session, rt, person, meeting, on_date, not cancelled)


async def _b_announce(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    if meeting.status == MeetingStatus.DRAFT:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    assert meeting.id is not None
    followers = await listings.follower_count(session, meeting.id)
    await answer_callback(update)
    if not followers:
        await reply(update, texts.ANNOUNCE_NOBODY.format(name=texts.clip(meeting.name, texts.NAME_MAX)))
        return
    capped = await listings.announcement_cap_problem(session, person, Caps.of(rt.settings), rt.clock.now())
    if capped is not None:  # said before they type it, not after
        await reply(update, capped)
        return
    conversation.ask_listing(person, "announce", meeting.id, Mode.EDITING)
    await reply(update, texts.ANNOUNCE_ASK.format(name=texts.clip(meeting.name, texts.NAME_MAX), followers=_told(followers)))


async def _b_delete(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    if meeting.status == MeetingStatus.DRAFT:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    assert meeting.id is not None
    await answer_callback(update)
    if args == ["y"]:
        conversation.expect(person, None)
        told = await listings.delete_listing(session, meeting, now=rt.clock.now())
        await edit_or_reply(update, texts.DELETED.format(told=_told(told)))
        return
    followers = await listings.follower_count(session, meeting.id)
    rows = [[(texts.DELETE_YES, mb.listing(Do.DELETE, meeting.id, "y")), (texts.DELETE_NO, mb.listing(Do.MANAGE, meeting.id))]]
    await edit_or_reply(update, texts.DELETE_CONFIRM.format(name=texts.clip(meeting.name, texts.NAME_MAX), followers=_told(followers)), inline(rows))


async def _b_confirm(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting, args: list[str]) -> None:
    if meeting.status == MeetingStatus.DRAFT:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    await listings.confirm(session, meeting, now=rt.clock.now())
    await answer_callback(update)
    await edit_or_reply(update, texts.CONFIRMED)


_ACTIONS = {
    Do.CONTINUE: _b_continue,
    Do.FELLOWSHIP: _b_fellowship,
    Do.ATTENDANCE: _b_attendance,
    Do.DAY: _b_day,
    Do.DAYS_DONE: _b_days_done,
    Do.TYPE: _b_type,
    Do.TYPES_DONE: _b_types_done,
    Do.SKIP: _b_skip,
    Do.PUBLISH: _b_publish,
    Do.CHANGE: _b_change,
    Do.EDIT_FIELD: _b_edit_field,
    Do.BACK: _b_back,
    Do.DISCARD: _b_discard,
    Do.MANAGE: _b_manage,
    Do.PAUSE: _b_pause,
    Do.CANCEL_DATES: _b_cancel_dates,
    Do.CANCEL_DATE: _b_cancel_date,
    Do.ANNOUNCE: _b_announce,
    Do.DELETE: _b_delete,
    Do.CONFIRM: _b_confirm,
}
