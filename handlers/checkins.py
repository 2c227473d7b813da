"""`/checkin`, the check-in card's buttons and private note, `/progress`, `/pause`, `/resume`
and `/reminder`.

Thin: every rule lives in `bot.services.checkins.checkins`, `checkin_plans` and `checkin_card`.
Buttons are checked against the presser's own data (their local day, their check-in), so
forged data, yesterday's buttons and double taps can't change anything they shouldn't.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InputFile, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import mood_chart, texts
from bot.buttons import Button, callback, inline
from bot.db import defer_until_commit
from bot.models import Checkin, CheckinPlan, Person
from bot.runtime import Runtime
from bot.services.checkins import card as checkin_card
from bot.services.checkins import checkins
from bot.services.checkins import plans as checkin_plans
from bot.services.schedule_times import local_date, zone_named
from bot.services.support import alerts
from bot.services.validation import InvalidInput
from handlers.common import (
    answer_callback,
    callback_parts,
    edit_or_reply,
    log,
    onboarded_person,
    reply,
    runtime,
    to_markup,
)

NOTE_AWAITING = "checkin_note"
PAUSE_AWAITING = "pause_until"


def _zone(rt: Runtime, person: Person) -> ZoneInfo:
    return zone_named(person.timezone, rt.settings.default_timezone)


def _with_zone_note(rt: Runtime, person: Person, text: str) -> str:
    """Say which zone times are in when the person never chose one."""
    if person.timezone:
        return text
    return f"{text}\n\n{texts.ZONE_ASSUMED.format(zone=rt.settings.default_timezone)}"


# --- the check-in ---------------------------------------------------------------------------


async def checkin_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start (or update) today's check-in at any time, paused or not."""
    rt = runtime(context)
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None:
            return
        assert person.id is not None
        if (person.awaiting or "").startswith(NOTE_AWAITING):
            person.awaiting = None  # a fresh card replaces the note question
        today = local_date(rt.clock.now(), _zone(rt, person))
        existing = await checkins.for_day(session, person.id, today)
        plan = await checkin_plans.plan_for(session, person.id)
        intro: list[str] = []
        more: list[list[Button]] = []
        if checkin_plans.is_paused(plan, today):
            assert plan is not None and plan.paused_until is not None
            intro.append(texts.CHECKIN_PAUSED.format(date=texts.long_date(plan.paused_until)))
            more.append([(texts.RESUME_BUTTON, callback("cp", "resume"))])
        if existing is not None:
            intro.append(texts.CHECKIN_UPDATE)
        card = checkin_card.render("mood", today, person.pseudonym, existing, intro="\n".join(intro), more=more)
        await _send_live_card(update, rt, person, card)


async def _send_live_card(update: Update, rt: Runtime, person: Person, card: checkin_card.Card) -> None:
    """Send the new card and retire the one the last /checkin sent, so typing /checkin again
    and again leaves one card with buttons, not a column of them. The new card's id is kept
    (after it is sent, in its own short transaction) for the next time."""
    chat = update.effective_chat
    if chat is None or person.id is None:
        return
    bot, person_id, earlier = update.get_bot(), person.id, person.checkin_card_message_id

    async def send() -> None:
        if earlier is not None:
            try:
                await bot.edit_message_text(texts.CARD_RETIRED, chat_id=chat.id, message_id=earlier)
            except TelegramError:
                pass  # already gone, or too old to edit: nothing to retire
        sent = await bot.send_message(chat.id, card.text, reply_markup=to_markup(card.markup))
        async with rt.db.session() as session:
            await session.execute(
                sql_update(Person).where(Person.id == person_id).values(checkin_card_message_id=sent.message_id)
            )

    if not defer_until_commit(send):
        await send()


def _parse_press(parts: list[str]) -> tuple[str, date, str | None] | None:
    """`ci:<action>:<yyyymmdd>[:<value>]`, or None for anything malformed or forged."""
    if len(parts) not in (3, 4) or parts[1] not in checkin_card.ACTIONS:
        return None
    action, day, value = parts[1], checkin_card.parse_day(parts[2]), parts[3] if len(parts) == 4 else None
    allowed = checkin_card.ACTIONS[action]
    if day is None or (value is None) != (allowed is None) or (allowed is not None and value not in allowed):
        return None
    return action, day, value


async def _apply(
    session: AsyncSession, rt: Runtime, person: Person, action: str, day: date, value: str | None
) -> tuple[Checkin, str | None]:
    """Save one answer; returns the check-in and a toast (None: nothing to say)."""
    assert person.id is not None
    now = rt.clock.now()
    if action == "m":
        return await checkins.answer(session, person.id, day, now, mood=int(value or 0)), None
    if action == "c":
        return await checkins.answer(session, person.id, day, now, clean=checkin_card.CLEAN_CODES[value or ""]), None
    if action == "g":
        return await checkins.answer(session, person.id, day, now, went_to_meeting=True), None
    checkin = await checkins.open_day(session, person.id, day, now)
    toast = None
    if action == "r" and checkin.clean == "slip":
        toast = None if checkins.choose_slip_reset(person, checkin, value == "y", now) else texts.ALREADY_SAVED
    elif action == "t" and checkin.clean == "slip":
        toast = None if checkins.choose_tell_supporters(checkin, value == "y", now) else texts.ALREADY_SAVED
        if toast is None and value == "y":  # Supporters (issue 6): a slip they chose to share alerts them now
            await alerts.slip_shared(session, person, now)
    elif action == "n":
        person.awaiting = f"{NOTE_AWAITING}:{checkin_card.day_code(day)}"
    elif action == "k" and person.awaiting == f"{NOTE_AWAITING}:{checkin_card.day_code(day)}":
        person.awaiting = None
    elif action == "d" and checkin.completed_at is None:
        checkin.completed_at = checkin.updated_at = now
    return checkin, toast


async def on_checkin_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:ci:*`: one step of the card. Only today's card can be answered."""
    rt = runtime(context)
    press = _parse_press(callback_parts(update))
    if press is None:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    action, day, value = press
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None:
            return
        assert person.id is not None
        today = local_date(rt.clock.now(), _zone(rt, person))
        if day > today:  # no real card is dated in the future
            await answer_callback(update, texts.STALE_BUTTON)
            return
        if day < today:  # yesterday's card: close it and offer today's instead
            await answer_callback(update, texts.CHECKIN_STALE.format(day=texts.day_label(day)))
            await edit_or_reply(update, texts.CHECKIN_CLOSED.format(day=texts.day_label(day)))
            fresh = checkin_card.render("mood", today, person.pseudonym, await checkins.for_day(session, person.id, today),
                                        intro=texts.CHECKIN_STALE.format(day=texts.day_label(day)))
            await reply(update, fresh.text, fresh.markup)
            return
        checkin, toast = await _apply(session, rt, person, action, day, value)
        step = checkin_card.next_step(action, checkin)
        streak = await checkins.streak(session, person.id, today) if step == "done" else 0
        card = checkin_card.render(step, day, person.pseudonym, checkin, clean_date=person.clean_date, streak=streak)
        await answer_callback(update, toast)
        await edit_or_reply(update, card.text, card.markup)


async def answer_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    """The typed private note: encrypted, then the card continues below it."""
    rt = runtime(context)
    assert person.id is not None and person.awaiting is not None
    day = checkin_card.parse_day(person.awaiting.partition(":")[2])
    if day is None:
        person.awaiting = None
        await reply(update, texts.FREE_TEXT)
        return
    if not text.strip():
        await reply(update, texts.NOTE_EMPTY)
        return
    now = rt.clock.now()
    checkin = await checkins.open_day(session, person.id, day, now)
    checkins.save_note(rt.vault, checkin, text.strip(), now)
    person.awaiting = None
    card = checkin_card.render("extras", day, person.pseudonym, checkin, intro=texts.NOTE_SAVED)
    await reply(update, card.text, card.markup)


# --- progress -------------------------------------------------------------------------------


def _progress_text(person: Person, report: checkins.Progress) -> str:
    lines = [texts.PROGRESS_HEADER.format(name=texts.h(person.pseudonym))]
    if report.clean is None:
        lines.append(texts.PROGRESS_NO_CLEAN_DATE)
    elif report.clean.days == 0:
        lines.append(texts.PROGRESS_CLEAN_TODAY)
    else:
        clean = report.clean
        lines.append(texts.PROGRESS_CLEAN.format(days=texts.plural(clean.days, "day"), date=texts.long_date(person.clean_date)))
        parts = [texts.plural(n, unit) for n, unit in ((clean.years, "year"), (clean.months, "month")) if n]
        if parts:
            lines.append(texts.PROGRESS_CLEAN_PARTS.format(parts=", ".join([*parts, texts.plural(clean.remaining_days, "day")])))
    if report.next_milestone is not None:
        lines.append(texts.PROGRESS_NEXT_MILESTONE.format(label=report.next_milestone.label, date=texts.long_date(report.next_milestone.on)))
    lines.append(texts.PROGRESS_STREAK.format(days=texts.plural(report.streak, "day")))
    lines.append(texts.PROGRESS_MEETINGS.format(count=report.meetings))
    if not report.moods:
        lines.append(texts.PROGRESS_NO_MOODS)
    return "\n".join(lines)


async def progress_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Clean time, streak, 90-in-90 and, once there are moods, the chart with it all as caption."""
    rt = runtime(context)
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None:
            return
        today = local_date(rt.clock.now(), _zone(rt, person))
        report = await checkins.progress(session, person, today)
    text = _with_zone_note(rt, person, _progress_text(person, report))
    if not report.moods or update.effective_chat is None:
        await reply(update, text)
        return
    try:
        png = await asyncio.to_thread(mood_chart.render_png, report.moods, today)
    except Exception as exc:  # the figures matter more than the picture: send them anyway
        log.error("mood chart failed: %s", type(exc).__name__)
        await reply(update, text)
        return
    await update.get_bot().send_photo(update.effective_chat.id, InputFile(png, filename="mood.png"), caption=text)


# --- pause, resume, reminders ---------------------------------------------------------------


def _pause_choices() -> dict[str, object]:
    choices = [(label, callback("cp", "p", days)) for days, label in texts.PAUSE_CHOICES]
    return inline([choices[:2], choices[2:], [(texts.PAUSE_PICK_DATE, callback("cp", "p", "date"))]])


def _resume_markup(*more: Button) -> dict[str, object]:
    return inline([[(texts.RESUME_BUTTON, callback("cp", "resume")), *more]])


async def _plan_or_explain(session: AsyncSession, update: Update, person: Person) -> CheckinPlan | None:
    """The person's plan, or None after saying they need a check-in time first."""
    assert person.id is not None
    plan = await checkin_plans.plan_for(session, person.id)
    if plan is None or person.checkin_time is None:
        if update.callback_query is not None:
            await answer_callback(update)
        await edit_or_reply(update, texts.NO_CHECKIN_TIME)
        return None
    return plan


async def _member_with_plan(session: AsyncSession, update: Update, rt: Runtime) -> tuple[Person, CheckinPlan] | None:
    """For pause, resume and reminders: a set-up person with a check-in time, or None (told why)."""
    person = await onboarded_person(session, update, rt)
    plan = await _plan_or_explain(session, update, person) if person is not None else None
    return (person, plan) if person is not None and plan is not None else None


async def pause_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    async with rt.db.session() as session:
        found = await _member_with_plan(session, update, rt)
        if found is None:
            return
        person, plan = found
        today = local_date(rt.clock.now(), _zone(rt, person))
        if checkin_plans.is_paused(plan, today):
            text = texts.PAUSED_ALREADY.format(date=texts.long_date(plan.paused_until))
            await reply(update, text, _resume_markup((texts.CHANGE_DATE_BUTTON, callback("cp", "change"))))
        else:
            await reply(update, texts.PAUSE_ASK, _pause_choices())


async def resume_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    async with rt.db.session() as session:
        found = await _member_with_plan(session, update, rt)
        if found is None:
            return
        person, plan = found
        await _resume(session, update, rt, person, plan)


async def _resume(session: AsyncSession, update: Update, rt: Runtime, person: Person, plan: CheckinPlan) -> None:
    now = rt.clock.now()
    was_paused = plan.paused_until is not None
    if was_paused:
        await checkin_plans.pause(session, person, None, now=now, default_zone=rt.settings.default_timezone)
    when = checkin_plans.describe_next(plan, _zone(rt, person), now)
    text = (texts.RESUMED if was_paused else texts.NOT_PAUSED).format(when=when)
    await edit_or_reply(update, _with_zone_note(rt, person, text))


async def _pause(session: AsyncSession, update: Update, rt: Runtime, person: Person, until: date) -> None:
    await checkin_plans.pause(session, person, until, now=rt.clock.now(), default_zone=rt.settings.default_timezone)
    log.info("person %s paused check-ins", person.id)
    await edit_or_reply(update, _with_zone_note(rt, person, texts.PAUSED.format(date=texts.long_date(until))), _resume_markup())


async def answer_pause_date(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    rt = runtime(context)
    today = local_date(rt.clock.now(), _zone(rt, person))
    try:
        until = checkin_plans.parse_pause_until(text, today)
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    person.awaiting = None
    if await _plan_or_explain(session, update, person) is not None:
        await _pause(session, update, rt, person, until)


def _reminder_markup() -> dict[str, object]:
    choices = [(texts.REMINDER_CHOICE.format(hours=h), callback("cp", "rem", h)) for h in checkin_plans.REMINDER_CHOICES]
    return inline([choices[:2], choices[2:], [(texts.REMINDER_OFF_BUTTON, callback("cp", "rem", "off"))]])


async def reminder_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    async with rt.db.session() as session:
        found = await _member_with_plan(session, update, rt)
        if found is None:
            return
        _, plan = found
        current = (
            texts.REMINDER_CURRENT_ON.format(hours=plan.reminder_hours) if plan.reminder_hours else texts.REMINDER_CURRENT_OFF
        )
        await reply(update, texts.REMINDER_ASK.format(current=current), _reminder_markup())


async def on_plan_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:cp:*`: pause for N days / until a typed date, resume, change the date, reminders."""
    rt = runtime(context)
    parts = callback_parts(update)
    action, value = (parts[1] if len(parts) > 1 else ""), (parts[2] if len(parts) > 2 else "")
    pause_days = {str(days) for days, _ in texts.PAUSE_CHOICES}
    reminder_values = {str(h) for h in checkin_plans.REMINDER_CHOICES} | {"off", "stop"}
    known = (action == "p" and value in pause_days | {"date"}) or (action in ("resume", "change") and not value) or (
        action == "rem" and value in reminder_values
    )
    if not known or len(parts) > 3:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    async with rt.db.session() as session:
        found = await _member_with_plan(session, update, rt)
        if found is None:
            return
        person, plan = found
        today = local_date(rt.clock.now(), _zone(rt, person))
        if action == "p" and value == "date":
            person.awaiting = PAUSE_AWAITING
            await answer_callback(update)
            await edit_or_reply(update, texts.PAUSE_ASK_DATE.format(example=f"{today + timedelta(days=7):%d/%m/%Y}"))
        elif action == "p":
            await answer_callback(update)
            await _pause(session, update, rt, person, today + timedelta(days=int(value)))
        elif action == "change":
            await answer_callback(update)
            await edit_or_reply(update, texts.PAUSE_ASK, _pause_choices())
        elif action == "resume":
            await answer_callback(update)
            await _resume(session, update, rt, person, plan)
        else:
            hours = None if value in ("off", "stop") else int(value)
            checkin_plans.set_reminder(plan, hours, rt.clock.now())
            text = texts.REMINDER_SET.format(hours=hours) if hours else texts.REMINDER_OFF
            if value == "stop":  # pressed on a reminder: keep its check-in buttons, say it below
                await answer_callback(update, texts.SAVED)
                await reply(update, text)
            else:
                await answer_callback(update)
                await edit_or_reply(update, text)
