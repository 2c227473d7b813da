"""Small helpers every handler module uses: the runtime, the person, replies, markup."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    ForceReply,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import texts
from bot.db import defer_until_commit
from bot.models import Person
from bot.runtime import Runtime
from bot.services.people import people

log = logging.getLogger("fellowship.handlers")
T = TypeVar("T")

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply


def runtime(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    rt: Runtime = context.bot_data["runtime"]
    return rt


def to_markup(data: dict[str, Any] | None) -> Markup | None:
    """Turn a Bot API markup dict (from `bot.buttons`) into PTB's object."""
    if data is None:
        return None
    if "inline_keyboard" in data:
        return InlineKeyboardMarkup.de_json(data, None)
    if "keyboard" in data:
        return ReplyKeyboardMarkup.de_json(data, None)
    if data.get("remove_keyboard"):
        return ReplyKeyboardRemove()
    return ForceReply()


async def reply(update: Update, text: str, markup: dict[str, Any] | None = None) -> None:
    """Answer in the chat the update came from (after the open session commits, if any)."""
    chat = update.effective_chat
    if chat is None:
        return
    bot = update.get_bot()

    async def send() -> None:
        await bot.send_message(chat.id, text, reply_markup=to_markup(markup))

    if not defer_until_commit(send):
        await send()


async def reply_document(update: Update, data: bytes, filename: str, caption: str) -> None:
    """Send a file (a printable card, say) in the chat the update came from, after the
    open session commits, like `reply`."""
    chat = update.effective_chat
    if chat is None:
        return
    bot = update.get_bot()

    async def send() -> None:
        await bot.send_document(chat.id, InputFile(data, filename=filename), caption=caption)

    if not defer_until_commit(send):
        await send()


async def answer_callback(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Stop the button's spinner; a short text shows as a toast (or a pop-up when `alert`)."""
    query = update.callback_query
    if query is None:
        return

    async def answer() -> None:
        try:
            await query.answer(text[:200] if text else None, show_alert=alert)
        except BadRequest as exc:
            # Too late (the update waited out a worker's restart, or was handed over after its
            # first answer): the spinner has stopped by itself; what the press does still counts.
            if "query is too old" not in str(exc).lower() and "query id is invalid" not in str(exc).lower():
                raise
            log.info("a button's answer came too late to show")

    if not defer_until_commit(answer):
        await answer()


async def edit_or_reply(update: Update, text: str, markup: dict[str, Any] | None = None) -> None:
    """Replace the pressed message's text (so old buttons can't be pressed twice), else reply.
    Like `reply`, it waits for the open session to commit."""
    if not defer_until_commit(lambda: _edit_or_reply_now(update, text, markup)):
        await _edit_or_reply_now(update, text, markup)


async def _edit_or_reply_now(update: Update, text: str, markup: dict[str, Any] | None) -> None:
    query = update.callback_query
    if query is not None and query.message is not None and isinstance(query.message, Message):
        markup_obj = to_markup(markup)
        try:
            await query.message.edit_text(
                text, reply_markup=markup_obj if isinstance(markup_obj, InlineKeyboardMarkup) else None
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():  # a double tap: already shows this
                raise
        if markup_obj is not None and not isinstance(markup_obj, InlineKeyboardMarkup):
            await reply(update, "👇", markup)
        return
    await reply(update, text, markup)


async def sender(session: AsyncSession, update: Update, rt: Runtime) -> Person | None:
    """The person behind the update, if we know them (nothing is said either way)."""
    tg_id = user_id(update)
    return await people.find(session, rt, tg_id) if tg_id is not None else None


async def presser(session: AsyncSession, update: Update, rt: Runtime) -> Person | None:
    """The person who pressed a button, or None after a "not for you" pop-up."""
    person = await sender(session, update, rt)
    if person is None:
        await answer_callback(update, texts.NOT_FOR_YOU, alert=True)
    return person


async def onboarded_person(session: AsyncSession, update: Update, rt: Runtime) -> Person | None:
    """The set-up person behind the update, or None after telling them what to do first
    (as a pop-up for a button, a reply for a message)."""
    person = await sender(session, update, rt)
    if person is None or person.onboarded_at is None:
        await tell(update, texts.NEED_START if person is None else texts.FINISH_ONBOARDING)
        return None
    return person


async def tell(update: Update, problem: str) -> None:
    """Say why nothing happened: a pop-up on the pressed button, or a reply to a message."""
    if update.callback_query is not None:
        await answer_callback(update, problem, alert=True)
    else:
        await reply(update, problem)


def callback_data(update: Update) -> str | None:
    """The pressed button's data, for a feature's `parse_*` helper (which trusts none of it)."""
    data = update.callback_query.data if update.callback_query else None
    return data if isinstance(data, str) else None


async def parsed_press(update: Update, parse: Callable[[str | None], T | None]) -> T | None:
    """The pressed button as its family reads it, or None after the kind "that button no
    longer works" (forged, old, or another family's data)."""
    pressed = parse(callback_data(update))
    if pressed is None:
        await answer_callback(update, texts.STALE_BUTTON)
    return pressed


def user_id(update: Update) -> int | None:
    return update.effective_user.id if update.effective_user else None
