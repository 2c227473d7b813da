"""`/checkin`, the check-in card's buttons and private note, `/progress`, `/pause`, `/resume`
and `/reminder`.

Thin: each parses (`bot.services.checkins.buttons`), calls one service (`flow` for the
card, `plans` for pause and reminders, `checkins.progress`) and shows what it gets back.
Presses are checked there against the presser's own data (their local day, their plan), so
forged data, yesterday's buttons and double taps can't change anything they shouldn't.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InputFile, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import mood_chart, texts
from bot.db import defer_until_commit
from bot.models import CheckinPlan, Person
from bot.runtime import Runtime
from bot.services.checkins import buttons, checkins, flow
from bot.services.checkins import card as checkin_card
from bot.services.checkins import plans as checkin_plans
from bot.services.checkins.buttons import PlanAction
from bot.services.checkins.states import Awaiting
from bot.services.schedule_times import local_date, zone_named
from bot.services.support.escalation import Windows
from bot.services.validation import InvalidInput
from handlers import reports
from handlers.common import (
    answer_callback,
    edit_or_reply,
    log,
    onboarded_person,
    parsed_press,
    reply,
    runtime,
    to_markup,
)

NOTE_AWAITING = Awaiting.NOTE
PAUSE_AWAITING = Awaiting.PAUSE_DATE


def _zone(rt: Runtime, person: Person) -> ZoneInfo:
    return zone_named(person.timezone, rt.settings.default_timezone)


def _today(rt: Runtime, person: Person) -> date:
    """The person's local day now."""
    return local_date(rt.clock.now(), _zone(rt, person))


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
        card = await flow.start(session, person, _today(rt, person))
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
            await flow.remember_card(session, person_id, sent.message_id)

    if not defer_until_commit(send):
        await send()


async def on_checkin_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:ci:*`: one step of the card. Only today's card can be answered."""
    rt = runtime(context)
    pressed = await parsed_press(update, buttons.parse_card)
    if pressed is None:
        return
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None:
            return
        outcome = await flow.press(session, person, pressed, _today(rt, person), rt.clock.now(), windows=Windows.of(rt.settings))
        if outcome is None:
            await answer_callback(update, texts.STALE_BUTTON)
            return
        await answer_callback(update, outcome.toast)
        if outcome.closed_day is None:
            await edit_or_reply(update, outcome.card.text, outcome.card.markup)
            finished = pressed.action is buttons.CardAction.DONE
        else:  # yesterday's card: close it and offer today's below
            await edit_or_reply(update, texts.CHECKIN_CLOSED.format(day=texts.day_label(outcome.closed_day)))
            await reply(update, outcome.card.text, outcome.card.markup)
            finished = False
    if finished:  # issue 16: the monthly wellbeing check, offered at most once a month
        await reports.offer_after_checkin(update, context)


async def answer_note(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    """The typed private note: encrypted, then the card continues below it."""
    rt = runtime(context)
    try:
        card = await flow.take_note(session, rt.vault, person, text, rt.clock.now())
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    await reply(update, card.text, card.markup)


# --- progress -------------------------------------------------------------------------------


def _progress_text(person: Person, report: checkins.Progress) -> str:
    lines = [texts.PROGRESS_HEADER.format(name=texts.h(person.pseudonym))]
    if report.clean is None or person.clean_date is None:
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
        today = _today(rt, person)
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


async def _plan_or_explain(session: AsyncSession, update: Update, person: Person) -> CheckinPlan | None:
    """The person's plan, or None after saying they need a check-in time first."""
    assert person.id is not None
    plan = await checkin_plans.plan_for(session, person.id)
    if plan is None or person.checkin_time is None:
        await _explain_no_checkin_time(update)
        return None
    return plan


async def _explain_no_checkin_time(update: Update) -> None:
    if update.callback_query is not None:
        await answer_callback(update)
    await edit_or_reply(update, texts.NO_CHECKIN_TIME)


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
        if plan.paused_until is not None and checkin_plans.is_paused(plan, _today(rt, person)):
            text = texts.PAUSED_ALREADY.format(date=texts.long_date(plan.paused_until))
            await reply(update, text, buttons.resume_markup(buttons.change_date_button()))
        else:
            await reply(update, texts.PAUSE_ASK, buttons.pause_choices())


async def resume_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    async with rt.db.session() as session:
        found = await _member_with_plan(session, update, rt)
        if found is None:
            return
        await _resume(session, update, rt, found[0])


async def _resume(session: AsyncSession, update: Update, rt: Runtime, person: Person) -> None:
    was_paused, when = await checkin_plans.resume(
        session, person, now=rt.clock.now(), default_zone=rt.settings.default_timezone
    )
    text = (texts.RESUMED if was_paused else texts.NOT_PAUSED).format(when=when)
    await edit_or_reply(update, _with_zone_note(rt, person, text))


async def _show_paused(update: Update, rt: Runtime, person: Person, until: date) -> None:
    log.info("person %s paused check-ins", person.id)
    text = _with_zone_note(rt, person, texts.PAUSED.format(date=texts.long_date(until)))
    await edit_or_reply(update, text, buttons.resume_markup())


async def answer_pause_date(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    rt = runtime(context)
    try:
        until = await checkin_plans.pause_until_typed(
            session, person, text, now=rt.clock.now(), default_zone=rt.settings.default_timezone
        )
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    if until is None:
        await _explain_no_checkin_time(update)
    else:
        await _show_paused(update, rt, person, until)


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
        await reply(update, texts.REMINDER_ASK.format(current=current), buttons.reminder_choices())


async def on_plan_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:cp:*`: pause for N days / until a typed date, resume, change the date, reminders."""
    rt = runtime(context)
    pressed = await parsed_press(update, buttons.parse_plan)
    if pressed is None:
        return
    async with rt.db.session() as session:
        found = await _member_with_plan(session, update, rt)
        if found is None:
            return
        person, plan = found
        today, now = _today(rt, person), rt.clock.now()
        if pressed.action is PlanAction.REMINDER:
            checkin_plans.set_reminder(plan, pressed.hours, now)
            text = texts.REMINDER_SET.format(hours=pressed.hours) if pressed.hours else texts.REMINDER_OFF
            if pressed.stop:  # pressed on a reminder: keep its check-in buttons, say it below
                await answer_callback(update, texts.SAVED)
                await reply(update, text)
                return
            await answer_callback(update)
            await edit_or_reply(update, text)
            return
        await answer_callback(update)
        if pressed.action is PlanAction.PAUSE and pressed.days is None:
            checkin_plans.expect_pause_date(person)
            await edit_or_reply(update, texts.PAUSE_ASK_DATE.format(example=f"{today + timedelta(days=7):%d/%m/%Y}"))
        elif pressed.action is PlanAction.PAUSE and pressed.days is not None:
            until = today + timedelta(days=pressed.days)
            await checkin_plans.pause(session, person, until, now=now, default_zone=rt.settings.default_timezone)
            await _show_paused(update, rt, person, until)
        elif pressed.action is PlanAction.CHANGE_DATE:
            await edit_or_reply(update, texts.PAUSE_ASK, buttons.pause_choices())
        else:
            await _resume(session, update, rt, person)

