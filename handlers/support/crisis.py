"""`/sos` and the "I need support now" button: help numbers at once, for anyone.

The numbers are shown even to someone who never pressed /start and even if the database
is unavailable; the request is recorded (for supporters to be alerted) when it can be.
"""

from __future__ import annotations

import html
import re

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import inline
from bot.services.checkins import card as checkin_card
from bot.services.support import alerts, buttons, crisis, distress
from bot.services.support.escalation import Windows
from bot.services.support.states import CrisisSource
from handlers.common import answer_callback, log, reply, runtime, sender


async def _help_now(update: Update, context: ContextTypes.DEFAULT_TYPE, source: CrisisSource) -> None:
    """The numbers, then who knows (supporters told, someone reaching out, or nobody). A
    second tap moments later is answered with who knows, never ignored."""
    rt = runtime(context)
    zone, repeat, news = None, False, None
    try:
        async with rt.db.session() as session:
            person = await sender(session, update, rt)
            if person is not None:
                zone = person.timezone
                known = await alerts.support_now(session, person, source, rt.clock.now(), windows=Windows.of(rt.settings))
                repeat, news = known.double_tap, known.news
    except Exception as exc:  # the numbers matter more than the record
        log.error("could not record a support request: %s", type(exc).__name__)
    if update.callback_query is not None:
        if repeat and source != CrisisSource.COMMAND:  # the numbers are just above
            await answer_callback(update, plain(news) if news else None, alert=news is not None)
            return
        await answer_callback(update)
    text = crisis.message(zone, rt.settings.default_timezone)
    await reply(update, f"{text}\n\n{news}" if news else text)


def plain(text: str) -> str:
    """A message line without its HTML, for a pop-up (which shows no formatting)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def sos_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _help_now(update, context, CrisisSource.COMMAND)


# Where a button may say it was (never "command"); anything else counts as a check-in's.
_BUTTON_SOURCES = tuple(s.value for s in CrisisSource if s is not CrisisSource.COMMAND)


async def on_sos_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:sos:<where the button was>`: never refused, whatever the data says."""
    data = update.callback_query.data if update.callback_query else None
    source = buttons.parse_sos(data, _BUTTON_SOURCES, CrisisSource.CHECKIN)
    await _help_now(update, context, CrisisSource(source))


def sos_markup() -> dict[str, object]:
    """The "I need support now" button under a reply to typed words."""
    return inline([checkin_card.sos_row(CrisisSource.TYPED)])


async def crisis_reply(update: Update, context: ContextTypes.DEFAULT_TYPE, zone: str | None) -> None:
    """The helplines at once, and the button that alerts the person's supporters."""
    text = crisis.message(zone, runtime(context).settings.default_timezone) + "\n\n" + texts.CRISIS_TYPED_FOOTER
    await reply(update, text, sos_markup())


async def unexpected_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, *, zone: str | None, known: bool
) -> None:
    """Text the bot did not ask for: crisis words get the helplines at once; anything else a
    pointer to /help that still carries the crisis line and the support button."""
    if distress.is_distress(text):
        log.info("typed words matched the crisis list")  # never the words themselves
        await crisis_reply(update, context, zone)
        return
    await reply(update, texts.FREE_TEXT if known else texts.NEED_START_FREE_TEXT, sos_markup())
