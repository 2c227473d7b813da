"""Updates from different people run concurrently; one person's updates run in order.

PTB's default processes every update one after another, so one slow database write holds
up everyone. Its plain concurrent mode would let one person's double tap or quick replies
race each other. This processor gives each chat a lock: parallel across people, serial
within a conversation, which is what a person expects.

A chat takes its own turn *before* one of the shared slots, so however many updates one
person (or a script) sends at once, their backlog waits on their own lock and holds at most
one slot: everyone else is served as before.

Every update is handled inside `inline_statements()`: its SQLite statements (indexed
lookups and small writes) run on the event loop instead of a worker thread, see
bot.sqlite_driver.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.sqlite_driver import inline_statements

# PTB's own semaphore is taken before `do_process_update` (its `process_update` is final),
# so it is made too large to matter and the shared slots are ours, taken after the chat's turn.
_UNBOUNDED = 1 << 20


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 32) -> None:
        super().__init__(_UNBOUNDED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """The chat's turn first, then a shared slot (PTB's order is the other way round)."""
        key = _chat_key(update)
        if key is None:
            await self._run(coroutine)
            return
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


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None
