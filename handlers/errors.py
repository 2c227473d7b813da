"""The one error handler: log without personal data, then tell the person kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden
from telegram.ext import ContextTypes

from bot import metrics, texts
from bot.inbox import LeaseLost
from handlers.common import answer_callback, reply

log = logging.getLogger("fellowship.errors")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    # The exception's type and our own frames, never message text or ids: tracebacks of
    # Telegram errors can carry text, so only the class and location are logged.
    tb = error.__traceback__ if error else None
    where = ""
    while tb is not None:
        where = f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}"
        tb = tb.tb_next
    if isinstance(error, LeaseLost):  # another worker took this update over and answers it
        log.info("update handed to another worker; this worker's changes were rolled back")
        return
    metrics.HANDLER_ERRORS.inc()
    log.error("update failed: %s at %s", type(error).__name__, where)
    if not isinstance(update, Update) or isinstance(error, Forbidden):
        return
    try:
        await answer_callback(update)
    except Exception:  # the query may be too old to answer; telling them matters more
        pass
    try:
        await reply(update, texts.ERROR)
    except Exception as exc:
        log.warning("could not tell the person about an error: %s", type(exc).__name__)
