"""Alert buttons ("I'll reach out", "I can't right now"), coordinators going on or off call,
and their on-call days (the rota).

The button carries only the id of the alert as sent to one person (`v1:al:<id>:y|n`); the
service checks that the presser is that person and what the incident allows now, so forged
or replayed data changes nothing.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.services.people import coordination
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


async def on_duty_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:oc:on|off` (the switch), `v1:oc:days` (my rota) and `v1:oc:day:<0-6>` (change one
    day): only a coordinator may, and only for themselves."""
    rt = runtime(context)
    pressed = await parsed_press(update, buttons.parse_duty)
    if pressed is None:
        return
    async with rt.db.session() as session:
        me = await presser(session, update, rt)
        if me is None:
            return
        now = rt.clock.now()
        if pressed.on_call is not None:
            if not await alerts.switch_on_call(session, me, pressed.on_call, now):
                await answer_callback(update, texts.NOT_FOR_YOU, alert=True)
                return
            await answer_callback(update, texts.SAVED)
            await reply(update, texts.ON_CALL_SET if pressed.on_call else texts.OFF_CALL_SET)
            return
        if pressed.weekday is not None:
            screen = await coordination.toggle_rota_day(session, me, pressed.weekday, now)
        else:
            screen = await coordination.rota_screen(session, me)
        if screen is None:
            await answer_callback(update, texts.NOT_FOR_YOU, alert=True)
            return
        await answer_callback(update, texts.ROTA_SAVED if pressed.weekday is not None else None)
        await edit_or_reply(update, screen.text, screen.markup)
