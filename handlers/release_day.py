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
from bot.crypto import Vault
from bot.models import Person, ReleaseRequest
from bot.services.release import aftercare as release_aftercare
from bot.services.release import day as release_day
from bot.services.release import matching as release_matching
from bot.services.release import records as release_records
from bot.services.release import text as release_text
from bot.services.validation import InvalidInput, parse_time_of_day
from handlers.common import (
    answer_callback,
    callback_parts,
    edit_or_reply,
    log,
    onboarded_person,
    reply,
    runtime,
)

DELAY = "release_delay"  # awaiting "release_delay:<id>"


def _ids(update: Update) -> tuple[int, str] | None:
    """(id, code) from `v1:<feature>:<id>:<code>`; None for anything malformed."""
    parts = callback_parts(update)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    return int(parts[1]), parts[2]


async def on_offer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:ro:<offer id>:<a|d>`: yes (the first yes wins) or not this time."""
    rt = runtime(context)
    found = _ids(update)
    if found is None or found[1] not in ("a", "d"):
        await answer_callback(update, texts.STALE_BUTTON)
        return
    offer_id, code = found
    async with rt.db.session() as session:
        companion = await onboarded_person(session, update, rt)
        if companion is None:
            return
        if code == "a":
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
    found = _ids(update)
    if found is None:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    request_id, code = found
    async with rt.db.session() as session:
        companion = await onboarded_person(session, update, rt)
        if companion is None:
            return
        if code == "v":
            await _show(update, session, rt.vault, request_id, companion)
            return
        reported = await release_day.report(session, request_id, code, companion, rt.vault, now=rt.clock.now())
        if not reported.ok:
            await answer_callback(update, reported.message, alert=True)
            return
        await answer_callback(update)
        if reported.edit:  # the tapped message changes: never a second live set of buttons
            await edit_or_reply(update, reported.message, reported.markup)
        if reported.ask_time:
            companion.awaiting = f"{DELAY}:{request_id}"
            await reply(update, texts.RELEASE_DELAY_ASK)
            return
        log.info("release request %s: status %s", request_id, code)
        if not reported.edit:
            await reply(update, reported.message, reported.markup)


async def _show(update: Update, session: AsyncSession, vault: Vault, request_id: int, companion: Person) -> None:
    """The companion's own view of a release they are meeting, with the status buttons."""
    request = await session.get(ReleaseRequest, request_id)
    if request is None or request.companion_id != companion.id or request.status not in release_records.LIVE:
        await answer_callback(update, texts.NOT_FOR_YOU, alert=True)
        return
    await answer_callback(update)
    text = texts.RELEASE_VIEW_FOR_COMPANION.format(id=request.id, details=release_text.details(request, vault))
    await reply(update, text, release_day.status_buttons(request))


async def answer_delay(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    """The new expected time after "Delayed"."""
    rt = runtime(context)
    raw_id = (person.awaiting or "").split(":")[-1]
    try:
        new_time = parse_time_of_day(text)
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    person.awaiting = None
    reported = await release_day.delay(session, int(raw_id) if raw_id.isdigit() else 0, new_time, person, rt.vault, now=rt.clock.now())
    await reply(update, reported.message, reported.markup)




async def on_aftercare_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:ra:<request id>:<y|n>`: the person's answer about daily check-ins;
    `v1:ra:<request id>:h`: the companion hands over to a sponsor."""
    rt = runtime(context)
    found = _ids(update)
    if found is None or found[1] not in ("y", "n", "h"):
        await answer_callback(update, texts.STALE_BUTTON)
        return
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None:
            return
        if found[1] == "h":
            answer = await release_aftercare.hand_over(session, found[0], person, link_for=rt.deep_link, now=rt.clock.now())
        else:
            answer = await release_aftercare.answer(
                session, found[0], person, found[1] == "y", now=rt.clock.now(), default_zone=rt.settings.default_timezone
            )
        if not answer.ok:
            await answer_callback(update, answer.message, alert=True)
            return
        await answer_callback(update)
        await edit_or_reply(update, answer.message, answer.markup)
