"""Everything nobody else handled: unknown commands, media, edits, old buttons, huge text.

Each gets a short, kind reply that says what to do next, and nothing is stored.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import i18n, texts
from bot.services.support import distress
from bot.services.validation import MAX_TEXT
from handlers.common import answer_callback, reply
from handlers.support.crisis import crisis_reply

# The kinds of message we can't read, in the order checked (their words: texts.MEDIA_NAMES).
_MEDIA_KINDS = ("sticker", "photo", "voice", "video", "video_note", "audio", "animation", "document", "contact", "poll", "dice")


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs first (group -1): private chats only, no edits, no over-long text (an edit or
    over-long text with crisis words still gets the helplines). It also picks the update's
    language from Telegram's `language_code`; finding the person then uses theirs."""
    user = update.effective_user
    i18n.use(i18n.from_telegram(user.language_code if user is not None else None))
    chat = update.effective_chat
    if chat is not None and chat.type != "private":
        raise ApplicationHandlerStop  # we never act in groups: other members would see
    if update.edited_message is not None:
        if distress.is_distress(update.edited_message.text or ""):  # unread, but not unheard
            await crisis_reply(update, context, None)
        else:
            await reply(update, texts.EDITED)
        raise ApplicationHandlerStop
    message = update.message
    if message is not None and message.text is not None and len(message.text) > MAX_TEXT:
        await reply(update, texts.TOO_LONG.format(length=len(message.text)))
        if distress.is_distress(message.text):
            await crisis_reply(update, context, None)
        raise ApplicationHandlerStop


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = update.effective_message.text if update.effective_message else ""
    command = (text or "/").split()[0].split("@")[0]
    await reply(update, texts.UNKNOWN_COMMAND.format(command=texts.clip(command, 40)))


async def media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    kind = next((attr for attr in _MEDIA_KINDS if message is not None and getattr(message, attr, None)), "other")
    await reply(update, texts.MEDIA.format(kind=texts.MEDIA_NAMES[kind]))


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer_callback(update, texts.STALE_BUTTON)
