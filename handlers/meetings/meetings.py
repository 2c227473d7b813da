"""`/meetings`: find the next meeting near a shared location, a postcode or a town, or online.

Three taps from a location to tonight's meeting: /meetings, 📍 Share my location, 📅 Today.
Results show what's next nearby first (or nearest first, one tap away), five a page, with
filter and page buttons that edit the list in place. Each meeting has its own button, named
after it, which opens it with Map, Remind me, Follow and I went.

The search itself is never stored: the place travels inside the buttons (a place key such as
`oLS6`, or a shared location rounded to ~10 m), so nothing about where someone was is kept.
Every button is re-checked here: forged places, filters and meeting ids just get "stale".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Location, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import REMOVE_KEYBOARD, Button, inline, reply_keyboard, url_button
from bot.db import defer_until_commit
from bot.geo import valid_coordinates
from bot.models import Meeting, Person
from bot.runtime import Runtime
from bot.services import places
from bot.services.meetings import buttons as mb
from bot.services.meetings import conversation
from bot.services.meetings import search as meetings
from bot.services.meetings import text as meeting_text
from bot.services.meetings import times as meeting_times
from bot.services.meetings.buttons import FindAction, Picker
from bot.services.meetings.search import Filters, Order, Page, When
from bot.services.meetings.states import Attendance, MeetingStatus, Went
from bot.services.validation import is_digits
from handlers.common import (
    answer_callback,
    edit_or_reply,
    onboarded_person,
    reply,
    runtime,
)

AWAITING_PLACE = conversation.PLACE


@dataclass(frozen=True)
class Anchor:
    """Where a list is centred: a place key, a shared spot ("g<lat>,<lon>"), or none ("-")."""

    code: str
    label: str
    latitude: float | None = None
    longitude: float | None = None


def anchor_from(code: str) -> Anchor | None:
    if code == "-":
        return Anchor("-", "")
    if code.startswith("g"):
        try:
            latitude, longitude = (float(part) for part in code[1:].split(","))
        except ValueError:
            return None
        if not valid_coordinates(latitude, longitude):
            return None
        return Anchor(code, texts.MEETINGS_YOUR_LOCATION, latitude, longitude)
    place = places.by_key(code)
    return Anchor(code, place.label, place.latitude, place.longitude) if place else None


def shared_spot(latitude: float, longitude: float) -> Anchor:
    return Anchor(f"g{latitude:.4f},{longitude:.4f}", texts.MEETINGS_YOUR_LOCATION, latitude, longitude)


def place_anchor(place: places.Place) -> Anchor:
    return Anchor(place.key, place.label, place.latitude, place.longitude)


def viewer_zone(rt: Runtime, person: Person) -> str:
    return person.timezone or rt.settings.default_timezone


# --- asking where ----------------------------------------------------------------------------


async def meetings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/meetings` asks where; `/meetings LS6` searches straight away."""
    rt = runtime(context)
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None:
            return
        if context.args:
            await answer_place(update, context, session, person, " ".join(context.args))
            return
        conversation.expect(person, AWAITING_PLACE)
        keyboard = reply_keyboard(
            [[{"text": texts.MEETINGS_SHARE_LOCATION, "request_location": True}], [texts.MEETINGS_ONLINE_SOON]]
        )
        await reply(update, texts.MEETINGS_ASK_PLACE, keyboard)


async def answer_place(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    """A typed place: a postcode, a town, or the "online meetings soon" button's text."""
    rt = runtime(context)
    if text.strip() == texts.MEETINGS_ONLINE_SOON:
        conversation.expect(person, None)
        await reply(update, texts.MEETINGS_SEARCHING_ONLINE, REMOVE_KEYBOARD)
        await show(update, session, rt, person, Anchor("-", ""), Filters(when=When.SOON, online=True), 0, fresh=True)
        return
    lookup = places.resolve(text)
    shown = texts.clip(" ".join(text.split()), texts.ECHO_MAX)
    if lookup.place is not None:
        # Typed after /meetings, the "Share my location" keyboard is showing: put it away.
        keyboard_shown = conversation.expects(person, AWAITING_PLACE)
        conversation.expect(person, None)
        await _search_from(update, session, rt, person, place_anchor(lookup.place), clear_keyboard=keyboard_shown)
        return
    # Keep asking: another typed place (or the buttons below) still searches.
    conversation.expect(person, AWAITING_PLACE)
    options = lookup.choices or lookup.suggestions
    if lookup.choices:
        message = texts.MEETINGS_PLACE_CHOICES.format(text=shown)
    elif options:
        message = (texts.MEETINGS_POSTCODE_SUGGEST if lookup.is_postcode else texts.MEETINGS_PLACE_SUGGEST).format(text=shown)
    else:
        await reply(update, texts.MEETINGS_PLACE_UNKNOWN.format(text=shown))
        return
    await reply(update, message, inline([[(p.label, mb.place(p.key))] for p in options]))


async def answer_location(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, location: Location
) -> None:
    """A shared location: used for this one search, and never stored."""
    rt = runtime(context)
    if not valid_coordinates(location.latitude, location.longitude):
        await reply(update, texts.MEETINGS_BAD_LOCATION)
        return
    conversation.expect(person, None)
    await _search_from(update, session, rt, person, shared_spot(location.latitude, location.longitude))


async def _search_from(
    update: Update, session: AsyncSession, rt: Runtime, person: Person, anchor: Anchor, *, clear_keyboard: bool = True
) -> None:
    if clear_keyboard:
        await reply(update, texts.MEETINGS_SEARCHING.format(place=texts.h(anchor.label)), REMOVE_KEYBOARD)
    await show(update, session, rt, person, anchor, Filters(order=Order.SOONEST), 0, fresh=True)




# --- the list ------------------------------------------------------------------------------


async def show(
    update: Update,
    session: AsyncSession,
    rt: Runtime,
    person: Person,
    anchor: Anchor,
    filters: Filters,
    page: int,
    *,
    fresh: bool = False,
) -> None:
    """Render one page of results: as a new message (`fresh`) or in place of the pressed one."""
    text, markup = await render(session, rt, person, anchor, filters, page)
    if fresh:
        await reply(update, text, markup)
    else:
        await edit_or_reply(update, text, markup)


async def render(
    session: AsyncSession, rt: Runtime, person: Person, anchor: Anchor, filters: Filters, page: int
) -> tuple[str, dict[str, object]]:
    now, zone = rt.clock.now(), viewer_zone(rt, person)
    far = False
    if filters.online or anchor.latitude is None or anchor.longitude is None:
        found = await meetings.search_online(session, filters, now=now, viewer_zone=zone, page=page)
    else:
        found = await meetings.search_near(
            session, anchor.latitude, anchor.longitude, filters, now=now, viewer_zone=zone, page=page
        )
        if not found.results and page == 0 and not filters.narrowed:
            far = True  # nothing to walk into: say so, and show what's online instead
            filters = filters.with_(online=True, when=When.SOON)
            found = await meetings.search_online(session, filters, now=now, viewer_zone=zone)
    lines = [_header(anchor, filters, zone, far, found)]
    if found.results and not (filters.online or anchor.latitude is None):
        lines[0] += "\n" + texts.MEETINGS_ORDER[filters.order]
    if filters.narrowed:
        lines.append(texts.MEETINGS_FILTERED.format(filters=texts.h(_describe(filters))))
    for index, result in enumerate(found.results, start=page * meetings.PAGE_SIZE + 1):
        lines.append(
            meeting_text.result_block(
                index,
                result.meeting,
                result.distance_km,
                result.shown,
                result.following,
                result.out_of_date,
                viewer_zone=zone,
                now=now,
            )
        )
    if found.results:
        lines.append(texts.MEETINGS_PAGE_FOOTER)
    rows = [*_result_buttons(found, zone, now), *_list_buttons(anchor, filters, found)]
    return "\n\n".join(lines), inline(rows)


def _header(anchor: Anchor, filters: Filters, zone: str, far: bool, found: Page) -> str:
    km = f"{meetings.MAX_RADIUS_KM:.0f}"
    place = texts.h(anchor.label)
    online = filters.online or anchor.latitude is None
    if online:
        header = texts.MEETINGS_FAR.format(km=km, place=place) if far else texts.MEETINGS_ONLINE_HEADER.format(zone=zone)
        none = texts.MEETINGS_ONLINE_NONE_SOON if filters.when == When.SOON else texts.MEETINGS_ONLINE_NONE
    else:
        header = texts.MEETINGS_NEAR_HEADER.format(place=place)
        none = texts.MEETINGS_NONE_SOON if filters.when == When.SOON else texts.MEETINGS_NONE_MATCH
    return header if found.results else f"{header}\n\n{none.format(km=km, place=place)}"


def _result_buttons(found: Page, zone: str, now: datetime) -> list[list[Button]]:
    """One row per meeting, naming it, so each button is plainly that meeting's on a phone."""
    rows: list[list[Button]] = []
    for n, result in enumerate(found.results, start=found.page * meetings.PAGE_SIZE + 1):
        occurrence = result.following or result.shown
        when = meeting_times.when_label(occurrence.start, zone, now) if occurrence else ""
        name = result.meeting.name if len(result.meeting.name) <= 28 else result.meeting.name[:27] + "…"
        label = texts.MEETINGS_RESULT_BUTTON.format(n=n, name=name, when=when) if when else f"{n}. {name}"
        rows.append([(label, mb.meeting(FindAction.OPEN, result.meeting.id))])
    return rows


def _describe(filters: Filters) -> str:
    parts = []
    if filters.when in texts.MEETINGS_WHEN_LABELS and filters.when != When.ANY:
        parts.append(texts.MEETINGS_WHEN_LABELS[filters.when])
    elif is_digits(filters.when):
        parts.append(meeting_times.day_name(int(filters.when)))
    if filters.fellowship:
        parts.append(texts.FELLOWSHIP_NAMES[filters.fellowship])
    if filters.type_code:
        parts.append(meeting_text.type_label(filters.type_code))
    return " · ".join(parts)


def _list_buttons(anchor: Anchor, filters: Filters, found: Page) -> list[list[Button]]:
    def go(new: Filters, page: int = 0) -> str:
        return mb.page(anchor.code, new.encode(), page)

    def mark(label: str, active: bool) -> str:
        return f"✓ {label}" if active else label

    b = texts.MEETINGS_BUTTONS
    rows: list[list[Button]] = []
    if not found.results and filters.when == When.SOON:
        rows.append([(b["later_today"], go(filters.with_(when=When.TODAY)))])
    rows.append(
        [
            (mark(b["soon"], filters.when == When.SOON), go(filters.with_(when=_toggle(filters.when, When.SOON)))),
            (mark(b["today"], filters.when == When.TODAY), go(filters.with_(when=_toggle(filters.when, When.TODAY)))),
            (mark(b["day"], is_digits(filters.when)), mb.picker(anchor.code, filters.encode(), Picker.DAY)),
        ]
    )
    mode_row: list[Button] = []
    if anchor.latitude is not None:
        if filters.online:
            mode_row.append((b["in_person"], go(filters.with_(online=False))))
        else:
            mode_row.append((b["online"], go(filters.with_(online=True))))
            switch = ("nearest", Order.NEAREST) if filters.order == Order.SOONEST else ("soonest", Order.SOONEST)
            rows.append([(b[switch[0]], go(filters.with_(order=switch[1])))])
    mode_row.append((mark(b["fellowship"], bool(filters.fellowship)), mb.picker(anchor.code, filters.encode(), Picker.FELLOWSHIP)))
    mode_row.append((mark(b["type"], bool(filters.type_code)), mb.picker(anchor.code, filters.encode(), Picker.TYPE)))
    rows.append(mode_row)
    pages: list[Button] = []
    if found.page > 0:
        pages.append((b["prev"], go(filters, found.page - 1)))
    if found.has_more:
        pages.append((b["next"], go(filters, found.page + 1)))
    if pages:
        rows.append(pages)
    if filters.narrowed:
        rows.append([(b["clear"], go(Filters(online=filters.online, order=filters.order)))])
    return rows


def _toggle(when: str, choice: When) -> str:
    """A time filter button turns its filter on, or off again when it is on."""
    return When.ANY if when == choice else choice


def _picker(anchor: Anchor, filters: Filters, which: Picker) -> tuple[str, list[list[Button]]]:
    """A sub-menu of choices for one filter; each choice goes back to the list, page 1."""

    def go(new: Filters) -> str:
        return mb.page(anchor.code, new.encode(), 0)

    b = texts.MEETINGS_BUTTONS
    if which == Picker.DAY:
        days = [(meeting_times.day_name(d, short=True), go(filters.with_(when=str(d)))) for d in meeting_times.DAY_ORDER]
        return texts.MEETINGS_PICK_DAY, [days[:4], days[4:], [(b["any"], go(filters.with_(when=When.ANY)))]]
    if which == Picker.FELLOWSHIP:
        choices = [(texts.FELLOWSHIP_NAMES[f], go(filters.with_(fellowship=f))) for f in meetings.FELLOWSHIPS]
        return texts.MEETINGS_PICK_FELLOWSHIP, [choices[:3], choices[3:], [(b["all"], go(filters.with_(fellowship="")))]]
    choices = [(label, go(filters.with_(type_code=code))) for code, label in texts.KEY_TYPES.items()]
    rows = [choices[i : i + 3] for i in range(0, len(choices), 3)]
    return texts.MEETINGS_PICK_TYPE, [*rows, [(b["all"], go(filters.with_(type_code="")))]]


# --- one meeting -----------------------------------------------------------------------------


async def card_for(session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting) -> tuple[str, dict[str, object]]:
    """A meeting's details and its buttons, as this person sees them now."""
    assert person.id is not None and meeting.id is not None
    now = rt.clock.now()
    text = meeting_text.card(
        meeting,
        now=now,
        viewer_zone=viewer_zone(rt, person),
        upcoming=await meetings.upcoming(session, meeting, now),
        stale=meetings.out_of_date(meeting, now),
    )
    ties = await meetings.ties(session, person.id, meeting.id)
    b = texts.MEETING_BUTTONS
    first_row: list[dict[str, Any]] = []
    if meeting.latitude is not None and meeting.attendance != Attendance.ONLINE:
        first_row.append({"text": b["map"], "callback_data": mb.meeting(FindAction.MAP, meeting.id)})
    link = meeting_text.safe_url(meeting.conference_url)
    if link and meeting.attendance != Attendance.IN_PERSON:
        first_row.append(url_button(b["join"], link))
    rows: list[list[dict[str, Any]]] = [first_row] if first_row else []
    remind = ("unremind", False) if ties.reminder else ("remind", True)
    follow = ("unfollow", False) if ties.following else ("follow", True)
    rows.append(
        [
            {"text": b[remind[0]], "callback_data": mb.meeting(FindAction.REMIND, meeting.id, remind[1])},
            {"text": b[follow[0]], "callback_data": mb.meeting(FindAction.FOLLOW, meeting.id, follow[1])},
        ]
    )
    rows.append([{"text": b["went"], "callback_data": mb.meeting(FindAction.WENT, meeting.id)}])
    return text, {"inline_keyboard": rows}


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:mt:*` (see `bot.services.meetings.buttons.FindAction`): list pages, filter pickers
    and places; one meeting's details, map pin, reminders, follow, "I went"."""
    rt = runtime(context)
    query = update.callback_query
    press = mb.parse_find(query.data if query is not None else None)
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None:
            return
        if press is None:
            await answer_callback(update, texts.STALE_BUTTON)
        elif press.action in (FindAction.PAGE, FindAction.PICKER) and len(press.args) == 3:
            await _list_action(update, session, rt, person, press.action, press.args)
        elif press.action == FindAction.PLACE and len(press.args) == 1 and (place := places.by_key(press.args[0])) is not None:
            await answer_callback(update)
            conversation.expect(person, None)
            await _search_from(update, session, rt, person, place_anchor(place))
        elif press.action in mb.MEETING_ACTIONS and press.args and (meeting_id := mb.number(press.args[0])) is not None:
            await _meeting_action(update, context, session, rt, person, press.action, meeting_id, press.args[1:])
        else:
            await answer_callback(update, texts.STALE_BUTTON)


async def _list_action(
    update: Update, session: AsyncSession, rt: Runtime, person: Person, action: FindAction, args: list[str]
) -> None:
    anchor = anchor_from(args[0])
    filters = Filters.decode(args[1], set(meeting_text.type_names()))
    if anchor is None or filters is None:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    if action == FindAction.PICKER:
        if args[2] not in Picker.__members__.values():
            await answer_callback(update, texts.STALE_BUTTON)
            return
        await answer_callback(update)
        text, rows = _picker(anchor, filters, Picker(args[2]))
        await edit_or_reply(update, text, inline(rows))
        return
    number = mb.number(args[2])
    if number is None or number > 200:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    await answer_callback(update)
    await show(update, session, rt, person, anchor, filters, number)


async def _meeting_action(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    session: AsyncSession,
    rt: Runtime,
    person: Person,
    action: FindAction,
    meeting_id: int,
    args: list[str],
) -> None:
    """One meeting's button; `args` is what follows the meeting id (the switch's 1/0)."""
    switch = args[0] if len(args) == 1 and args[0] in ("0", "1") else None
    turning_off = action == FindAction.STOP_REMINDERS or (action in (FindAction.REMIND, FindAction.FOLLOW) and switch == "0")
    meeting = await meetings.for_member(session, meeting_id, turning_off=turning_off)
    if meeting is None:
        await answer_callback(update, texts.MEETINGS_GONE, alert=True)
        return
    assert person.id is not None and meeting.id is not None
    now = rt.clock.now()
    if action == FindAction.OPEN:
        await answer_callback(update)
        text, markup = await card_for(session, rt, person, meeting)
        await reply(update, text, markup)
    elif action == FindAction.MAP:
        await _send_map(update, context, meeting)
    elif action in (FindAction.REMIND, FindAction.FOLLOW) and switch is not None:
        on = switch == "1"
        if action == FindAction.FOLLOW:
            await meetings.set_follow(session, person.id, meeting, on, now)
            toast = texts.MEETING_FOLLOWING if on else texts.MEETING_UNFOLLOWED
        else:
            due = await meetings.set_reminder(session, person.id, meeting, on, now)
            toast = texts.MEETING_UNREMINDED
            if on:
                first = meeting_times.when_label(due + meetings.REMIND_BEFORE, viewer_zone(rt, person), now) if due else None
                toast = texts.MEETING_REMINDING.format(when=first) if first else texts.MEETING_NO_REMINDER_DATE
        await answer_callback(update, toast)
        if meeting.status == MeetingStatus.ACTIVE:
            text, markup = await card_for(session, rt, person, meeting)
            await edit_or_reply(update, text, markup)
    elif action == FindAction.STOP_REMINDERS:
        await meetings.set_reminder(session, person.id, meeting, False, now)
        await answer_callback(update)
        await edit_or_reply(update, texts.MEETING_REMINDER_STOPPED.format(name=texts.clip(meeting.name, texts.NAME_MAX)))
    elif action == FindAction.WENT:
        await _went(update, session, rt, person, meeting)
    else:
        await answer_callback(update, texts.STALE_BUTTON)


async def _went(update: Update, session: AsyncSession, rt: Runtime, person: Person, meeting: Meeting) -> None:
    assert person.id is not None
    now = rt.clock.now()
    outcome = await meetings.record_attendance(session, person.id, meeting, now)
    name = texts.clip(meeting.name, texts.NAME_MAX)
    when = meeting_times.when_label(outcome.occurrence.start, viewer_zone(rt, person), now) if outcome.occurrence else ""
    if outcome.outcome == Went.COUNTED:
        await answer_callback(update)
        await reply(update, texts.MEETING_WENT.format(name=name, when=when, count=outcome.total_90_days))
    elif outcome.outcome == Went.ALREADY:
        await answer_callback(update, texts.MEETING_WENT_ALREADY.format(name=meeting.name, when=when, count=outcome.total_90_days))
    elif outcome.outcome == Went.CANCELLED:
        assert outcome.occurrence is not None
        await answer_callback(update, texts.MEETING_WENT_CANCELLED.format(date=texts.day_label(outcome.occurrence.local_date)), alert=True)
    else:
        first, _ = await meetings.upcoming(session, meeting, now)
        upcoming = meeting_times.when_label(first.start, viewer_zone(rt, person), now) if first else "—"
        await answer_callback(update, texts.MEETING_WENT_NOT_YET.format(when=upcoming), alert=True)


async def _send_map(update: Update, context: ContextTypes.DEFAULT_TYPE, meeting: Meeting) -> None:
    """A map pin (sendVenue) people can open in their maps app for directions."""
    if meeting.latitude is None or meeting.longitude is None or meeting.attendance == Attendance.ONLINE:
        await answer_callback(update, texts.MEETING_NO_VENUE, alert=True)
        return
    await answer_callback(update)
    chat = update.effective_chat
    if chat is None:
        return
    address = meeting_text.address_line(meeting) or texts.MEETING_CARD_APPROXIMATE.strip(" ()")
    latitude, longitude, title = meeting.latitude, meeting.longitude, meeting.name[:128] or "Meeting"

    async def send() -> None:
        # PTB adds the default parse_mode to every send, but sendVenue has no such field.
        await context.bot.send_venue(chat.id, latitude, longitude, title, address[:256], api_kwargs={"parse_mode": None})

    if not defer_until_commit(send):
        await send()
