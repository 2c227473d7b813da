"""Updates from different people run concurrently; one person's updates run in order.

PTB's default processes every update one after another, so one slow database write holds
up everyone. Its plain concurrent mode would let one person's double tap or quick replies
race each other. This processor gives each chat a lock: parallel across people, serial
within a conversation, which is what a person expects.

A chat takes its own turn *before* one of the shared slots, so however many updates one
person (or a script) sends at once, their backlog waits on their own lock and holds at most
one slot: everyone else is served as before.

Before its turn, a person's update is counted against the flood limit (bot/flood.py): one
over the limit is dropped before any handler runs, so it writes and sends nothing, and the
first one dropped gets a kind "slow down" instead. An SOS, an answer to an alert and text
with crisis words are never dropped.

Every update is handled inside `inline_statements()`: its SQLite statements (indexed
lookups and small writes) run on the event loop instead of a worker thread, see
bot.sqlite_driver.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor

from bot import i18n, texts
from bot.flood import FloodGate, Verdict
from bot.services.support import buttons as support_buttons
from bot.services.support import distress
from bot.sqlite_driver import inline_statements

log = logging.getLogger("fellowship.flood")

# Buttons that are never dropped: "I need support now" and a supporter's answer to an alert.
URGENT_BUTTONS = (support_buttons.SOS.prefix, support_buttons.ALERTS.prefix)

# PTB's own semaphore is taken before `do_process_update` (its `process_update` is final),
# so it is made too large to matter and the shared slots are ours, taken after the chat's turn.
_UNBOUNDED = 1 << 20


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 32, *, flood: FloodGate | None = None) -> None:
        super().__init__(_UNBOUNDED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self.flood = flood  # None: no limit (tests of ordering alone)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """The chat's turn first, then a shared slot (PTB's order is the other way round).

        The flood limit is checked on arrival, before the turn, so a dropped update never
        waits behind the backlog it is part of; the "slow down" reply takes the turn instead
        of the update, so it arrives after the answers to what came before."""
        key = _chat_key(update)
        if key is None:
            await self._run(coroutine)
            return
        if self.flood is not None and isinstance(update, Update) and _limited(update):
            verdict = self.flood.check(key, urgent=lambda: is_urgent(update))
            if verdict is not Verdict.RUN:
                _discard(coroutine)
                if verdict is Verdict.DROP:
                    return
                log.info("a chat went over the flood limit; its excess updates are dropped")
                coroutine = slow_down(update)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await self._run(coroutine)
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # nobody else queued for this chat: forget the lock
                del self._users[key]
                del self._locks[key]

    async def _run(self, coroutine: Awaitable[Any]) -> None:
        async with self._slots:
            with inline_statements():
                await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _limited(update: Update) -> bool:
    """Only what a person sends (messages, edits, button presses) is counted and may be
    dropped; Telegram's own notices (the bot blocked, say) always run."""
    return update.message is not None or update.edited_message is not None or update.callback_query is not None


def is_urgent(update: Update) -> bool:
    """Never dropped: /sos, the support and alert buttons, and text with crisis words."""
    query = update.callback_query
    if query is not None:
        return isinstance(query.data, str) and query.data.startswith(URGENT_BUTTONS)
    message = update.message or update.edited_message
    if message is None:
        return False
    text = message.text or message.caption or ""
    if text.startswith("/"):  # a command is read as a command ("/help" is no cry for help)
        return text.split(maxsplit=1)[0].split("@", 1)[0].lower() == "/sos"
    return distress.is_distress(text)


async def slow_down(update: Update) -> None:
    """The one reply to the first dropped update: a kind message with the crisis line (private
    chats only: we never speak in groups), and for a button the same words as a toast so it
    stops spinning."""
    user = update.effective_user
    try:
        with i18n.speaking(i18n.from_telegram(user.language_code if user is not None else None)):
            toast, message = texts.SLOW_DOWN, texts.SLOW_DOWN_MESSAGE
        if update.callback_query is not None:
            await update.callback_query.answer(toast)
        chat = update.effective_chat
        if chat is not None and chat.type == ChatType.PRIVATE:
            await update.get_bot().send_message(chat.id, message)
    except TelegramError as exc:  # blocked, gone, or rate limited: nothing more to do
        log.info("could not ask a chat to slow down: %s", type(exc).__name__)


def _discard(coroutine: Awaitable[Any]) -> None:
    """Close a handler coroutine that will never run (no 'never awaited' warning)."""
    if inspect.iscoroutine(coroutine):
        coroutine.close()


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None
