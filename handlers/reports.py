"""`/report` (coordinators: an anonymous outcome report as files) and `/wellbeing` with the
monthly check's buttons.

Thin: the period comes from `bot.services.reports.period`, the files from
`bot.services.reports.make`, the check from `bot.services.reports.wellbeing`. Every press is
checked again here (a coordinator for `rp`, the presser's own month for `wb`), so a forged,
copied or old button does nothing but say it no longer works.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import inline
from bot.services import reports
from bot.services.people import people
from bot.services.reports import buttons, outputs, period, wellbeing
from handlers.common import (
    answer_callback,
    edit_or_reply,
    onboarded_person,
    parsed_press,
    reply,
    reply_document,
    runtime,
    sender,
    tell,
)

log = logging.getLogger("fellowship.reports")


async def _is_coordinator(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    rt = runtime(context)
    async with rt.db.session() as session:
        person = await sender(session, update, rt)
        return person is not None and person.id is not None and await people.is_coordinator(session, person.id)


def _choices() -> dict[str, object]:
    labels = {1: texts.REPORT_LAST_MONTH}
    return inline([[(labels.get(m) or texts.REPORT_LAST_MONTHS.format(months=m), buttons.report_period(m))]
                   for m in period.CHOICES])


async def report_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await _is_coordinator(update, context):
        await reply(update, texts.REPORT_COORDINATORS_ONLY)
        return
    await reply(update, texts.REPORT_CHOOSE, _choices())


async def on_report_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:rp:<months>`: make the report for the last N whole months and send it as files."""
    if not await _is_coordinator(update, context):
        await answer_callback(update, texts.REPORT_COORDINATORS_ONLY, alert=True)
        return
    months = await parsed_press(update, buttons.parse_report_period)
    if months is None:
        return
    rt = runtime(context)
    today = rt.clock.now().date()
    start, end = period.last_months(months, today)
    await answer_callback(update)
    await edit_or_reply(update, texts.REPORT_MAKING.format(start=start.isoformat(), end=end.isoformat()))
    with tempfile.TemporaryDirectory(prefix="report-") as folder:
        try:
            files = await reports.make(rt.db, start, end, Path(folder), threshold=rt.settings.report_suppression_threshold,
                                       made_on=today)
        except Exception:
            log.exception("report for %s months failed", months)
            await reply(update, texts.REPORT_FAILED)
            return
        pdf = next(p for p in files if p.name == outputs.PDF_NAME)
        span = {"start": start.isoformat(), "end": end.isoformat()}
        await reply_document(update, pdf.read_bytes(), f"report-{start}-{end}.pdf", texts.REPORT_CAPTION_PDF.format(**span))
        await reply_document(update, outputs.zip_of(files), f"report-{start}-{end}.zip", texts.REPORT_CAPTION_ZIP.format(**span))


# --- the monthly wellbeing check -------------------------------------------------------------


async def wellbeing_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None:
            return
        today = people.local_today(person, rt.clock.now(), rt.settings.default_timezone)
        screen = await wellbeing.begin(session, person, today, rt.clock.now())
        await reply(update, screen.text, screen.markup)


async def on_wellbeing_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:wb:*`: start, an answer, not now, don't ask again; checked against the presser's own month."""
    rt = runtime(context)
    pressed = await parsed_press(update, buttons.parse_wellbeing)
    if pressed is None:
        return
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None:
            return
        today = people.local_today(person, rt.clock.now(), rt.settings.default_timezone)
        screen = await wellbeing.press(session, person, pressed, today, rt.clock.now())
        if screen is None:
            await tell(update, texts.STALE_BUTTON)
            return
        await answer_callback(update)
        await edit_or_reply(update, screen.text, screen.markup)


async def offer_after_checkin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """After a completed check-in: this month's wellbeing offer, if it is due (see `wellbeing.offer`)."""
    rt = runtime(context)
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None:
            return
        today = people.local_today(person, rt.clock.now(), rt.settings.default_timezone)
        screen = await wellbeing.offer(session, person, today, rt.clock.now())
        if screen is not None:
            await reply(update, screen.text, screen.markup)
