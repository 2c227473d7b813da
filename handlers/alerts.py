"""Alert buttons ("I'll reach out", "I can't right now") and coordinators going on or off call.

The button carries only the id of the alert as sent to one person (`v1:al:<id>:y|n`); the
service checks that the presser is that person and what the incident allows now, so forged
or replayed data changes nothing.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import Button, callback
from bot.services.people import people
from bot.services.support import alerts
from handlers.common import (
    answer_callback,
    callback_parts,
    edit_or_reply,
    numbered_choice,
    presser,
    reply,
    runtime,
)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:al:<recipient id>:y` (I'll reach out) or `:n` (I can't right now)."""
    rt = runtime(context)
    choice = numbered_choice(update, ("y", "n"))
    if choice is None:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    async with rt.db.session() as session:
        me = await presser(session, update, rt)
        if me is None:
            return
        answer = await alerts.respond(session, me, choice[0], choice[1] == "y", rt.clock.now())
        await answer_callback(update, answer.toast, alert=not answer.ok)
        if answer.text is not None:
            await edit_or_reply(update, answer.text, answer.markup)


def duty_button(on_call: bool) -> Button:
    """For /coordinators: the coordinator's own on-call switch."""
    return (texts.ON_CALL_BUTTON, callback("oc", "off")) if on_call else (texts.OFF_CALL_BUTTON, callback("oc", "on"))


async def on_duty_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:oc:on|off`: only a coordinator may, and only for themselves."""
    rt = runtime(context)
    parts = callback_parts(update)
    if len(parts) != 2 or parts[1] not in ("on", "off"):
        await answer_callback(update, texts.STALE_BUTTON)
        return
    async with rt.db.session() as session:
        me = await presser(session, update, rt)
        if me is None:
            return
        if me.id is None or not await people.is_coordinator(session, me.id):
            await answer_callback(update, texts.NOT_FOR_YOU, alert=True)
            return
        on_call = parts[1] == "on"
        await alerts.set_on_call(session, me.id, on_call, rt.clock.now())
        await answer_callback(update, texts.SAVED)
        await reply(update, texts.ON_CALL_SET if on_call else texts.OFF_CALL_SET)
