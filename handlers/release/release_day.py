"""Around the day itself: a companion answers an offer, reports how the day is going, and
the person answers whether they'd like check-ins afterwards.

Every button carries an id that is looked up and checked against the presser: an offer
only by the companion it was made to, status only by the companion assigned, the
check-in question only by the person released. Anyone else is told the button isn't for
them and learns nothing about the request.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.models import Person
from bot.services.release import aftercare as release_aftercare
from bot.services.release import buttons
from bot.services.release import day as release_day
from bot.services.release import matching as release_matching
from bot.services.release.asking import asked, expect
from bot.services.release.buttons import AftercareAnswer, DayAction, OfferAnswer
from bot.services.validation import InvalidInput, is_digits, parse_time_of_day
from handlers.common import (
    answer_callback,
    edit_or_reply,
    log,
    onboarded_person,
    parsed_press,
    reply,
    runtime,
)

DELAY = "release_delay"  # awaiting "release_delay:<id>"



async def on_offer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:ro:<offer id>:<a|d>`: yes (the first yes wins) or not this time."""
    rt = runtime(context)
    pressed = await parsed_press(update, buttons.parse_offer)
    if pressed is None:
        return
    offer_id, code = pressed.id, pressed.action
    async with rt.db.session() as session:
        companion = await onboarded_person(session, update, rt)
        if companion is None:
            return
        if code == OfferAnswer.ACCEPT:
            answer = await release_matching.accept(session, offer_id, companion, rt.vault, now=rt.clock.now())
        else:
            answer = await release_matching.decline(session, offer_id, companion, now=rt.clock.now())
        if not answer.ok:
            await answer_callback(update, answer.message, alert=True)
            if answer.message in (texts.RELEASE_TAKEN, texts.RELEASE_OFFER_GONE):
                await edit_or_reply(update, answer.message)  # the offer's buttons go
            return
        log.info("offer %s answered (%s) by person %s", offer_id, code, companion.id)
        await answer_callback(update)
        await edit_or_reply(update, answer.message)


async def on_status_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:rs:<request id>:<code>`: the assigned companion's report, or `v` to see it."""
    rt = runtime(context)
    pressed = await parsed_press(update, buttons.parse_day)
    if pressed is None:
        return
    request_id, code = pressed.id, pressed.action
    async with rt.db.session() as session:
        companion = await onboarded_person(session, update, rt)
        if companion is None:
            return
        if code == DayAction.VIEW:
            shown = await release_day.view(session, request_id, companion, rt.vault, now=rt.clock.now())
            await answer_callback(update, None if shown.ok else shown.message, alert=not shown.ok)
            if shown.ok:
                await reply(update, shown.message, shown.markup)
            return
        reported = await release_day.report(session, request_id, code, companion, rt.vault, now=rt.clock.now())
        if not reported.ok:
            await answer_callback(update, reported.message, alert=True)
            return
        await answer_callback(update)
        if reported.edit:  # the tapped message changes: never a second live set of buttons
            await edit_or_reply(update, reported.message, reported.markup)
        if reported.ask_time:
            expect(companion, f"{DELAY}:{request_id}")
            await reply(update, texts.RELEASE_DELAY_ASK)
            return
        log.info("release request %s: status %s", request_id, code)
        if not reported.edit:
            await reply(update, reported.message, reported.markup)


async def answer_delay(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    """The new expected time after "Delayed"."""
    rt = runtime(context)
    raw_id = (asked(person, DELAY) or [""])[-1]
    try:
        new_time = parse_time_of_day(text)
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    expect(person, None)
    reported = await release_day.delay(session, int(raw_id) if is_digits(raw_id) else 0, new_time, person, rt.vault, now=rt.clock.now())
    await reply(update, reported.message, reported.markup)




async def on_aftercare_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:ra:<request id>:<y|n>`: the person's answer about daily check-ins;
    `v1:ra:<request id>:h`: the companion hands over to a sponsor."""
    rt = runtime(context)
    pressed = await parsed_press(update, buttons.parse_aftercare)
    if pressed is None:
        return
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None:
            return
        if pressed.action == AftercareAnswer.HAND_OVER:
            answer = await release_aftercare.hand_over(session, pressed.id, person, link_for=rt.deep_link, now=rt.clock.now())
        else:
            answer = await release_aftercare.answer(session, pressed.id, person, pressed.action == AftercareAnswer.YES,
                                                    now=rt.clock.now(), default_zone=rt.settings.default_timezone)
        if not answer.ok:
            await answer_callback(update, answer.message, alert=True)
            return
        await answer_callback(update)
        await edit_or_reply(update, answer.message, answer.markup)
