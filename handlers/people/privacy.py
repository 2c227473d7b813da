"""`/privacy`, `/mydata` (everything held, as a JSON file) and `/forget` (erase it all)."""

from __future__ import annotations

import json

from telegram import InputFile, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import inline
from bot.services.people import buttons, people, privacy
from bot.services.people.buttons import ForgetAction
from handlers.common import answer_callback, callback_data, edit_or_reply, log, reply, runtime, user_id


async def privacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, texts.PRIVACY)


async def mydata_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    tg_id = user_id(update)
    if tg_id is None or update.effective_chat is None:
        return
    async with rt.db.session() as session:
        person = await people.find(session, rt, tg_id)
        if person is None:
            await reply(update, texts.NOTHING_HELD)
            return
        data = await privacy.export(session, rt, person)
    document = InputFile(json.dumps(data, indent=2, ensure_ascii=False).encode(), filename="my-data.json")
    await update.get_bot().send_document(
        update.effective_chat.id, document, caption=texts.MYDATA_CAPTION.format(name=texts.h(person.pseudonym))
    )


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    tg_id = user_id(update)
    if tg_id is None:
        return
    async with rt.db.session() as session:
        person = await people.find(session, rt, tg_id)
    if person is None:
        await reply(update, texts.NOTHING_HELD)
        return
    await reply(
        update,
        texts.FORGET_CONFIRM,
        inline([[(texts.FORGET_YES_BUTTON, buttons.forget(ForgetAction.ERASE))],
                [(texts.FORGET_NO_BUTTON, buttons.forget(ForgetAction.KEEP))]]),
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:fg:yes|no`: erase everything now, or keep it."""
    rt = runtime(context)
    pressed = buttons.parse_forget(callback_data(update))
    tg_id = user_id(update)
    if tg_id is None:
        return
    if pressed is not None and pressed.action == ForgetAction.KEEP:
        await answer_callback(update)
        await edit_or_reply(update, texts.FORGET_CANCELLED)
        return
    if pressed is None or pressed.action != ForgetAction.ERASE:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    async with rt.db.session() as session:
        person = await people.find(session, rt, tg_id)
        if person is None:
            await answer_callback(update, texts.NOTHING_HELD)
            return
        log.info("person %s asked to be forgotten", person.id)
        await privacy.forget(session, person, now=rt.clock.now())
    await answer_callback(update)
    await edit_or_reply(update, texts.FORGET_DONE)
