"""Alert buttons ("I'll reach out", "I can't right now") and coordinators going on or off call.

The button carries only the id of the alert as sent to one person (`v1:al:<id>:y|n`); the
service checks that the presser is that person and what the incident allows now, so forged
or replayed data changes nothing.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import Button
from bot.services.support import alerts, buttons
from handlers.common import answer_callback, edit_or_reply, parsed_press, presser, reply, runtime


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:al:<recipient id>:y` (I'll reach out) or `:n` (I can't right now)."""
    rt = runtime(context)
    choice = await parsed_press(update, buttons.parse_alert)
    if choice is None:
        return
    async with rt.db.session() as session:
        me = await presser(session, update, rt)
        if me is None:
            return
        recipient_id, reaching_out = choice
        answer = await alerts.respond(session, me, recipient_id, reaching_out, rt.clock.now())
        await answer_callback(update, answer.toast, alert=not answer.ok)
        if answer.text is not None:
            await edit_or_reply(update, answer.text, answer.markup)


def duty_button(on_call: bool) -> Button:
    """For /coordinators: the coordinator's own on-call switch."""
    return (texts.ON_CALL_BUTTON, buttons.on_call_data(False)) if on_call else (texts.OFF_CALL_BUTTON, buttons.on_call_data(True))


async def on_duty_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:oc:on|off`: only a coordinator may, and only for themselves."""
    rt = runtime(context)
    on_call = await parsed_press(update, buttons.parse_on_call)
    if on_call is None:
        return
    async with rt.db.session() as session:
        me = await presser(session, update, rt)
        if me is None:
            return
        if not await alerts.switch_on_call(session, me, on_call, rt.clock.now()):
            await answer_callback(update, texts.NOT_FOR_YOU, alert=True)
            return
        await answer_callback(update, texts.SAVED)
        await reply(update, texts.ON_CALL_SET if on_call else texts.OFF_CALL_SET)
