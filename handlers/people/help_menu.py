"""`/help`: what this person can do, for the roles they hold."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.services.people import people
from handlers.common import reply, runtime, user_id


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    tg_id = user_id(update)
    held: set[str] = set()
    if tg_id is not None:
        async with rt.db.session() as session:
            person = await people.find(session, rt, tg_id)
            if person is not None and person.id is not None:
                held = await people.roles_of(session, person.id)
    if not held:
        await reply(update, texts.NEED_START)
        return
    lines = [texts.HELP_HEADER]
    listed: set[str] = set()  # a command shared by two of someone's roles is listed once
    for group, commands in texts.HELP_COMMANDS.items():
        if group == "everyone" or group in held:
            lines += [f"/{name} — {what}" for name, what in commands if name not in listed]
            listed.update(name for name, _ in commands)
    await reply(update, "\n".join(lines) + "\n" + texts.HELP_FOOTER)
