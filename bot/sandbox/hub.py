"""Fan-out of live events to every open sandbox page (one queue per page).

The stand-in publishes what happens in chats; the sandbox adds clock moves, new people and
the stand-in's up/down state. Each page's event stream reads its own queue, so a slow or
vanished browser tab never holds up the bot or the other tabs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

Event = dict[str, Any]
# Far more than a page falls behind in normal use; past it the page is told to resync.
QUEUE_LIMIT = 2000
RESYNC: Event = {"event": "resync", "chat_id": None, "data": {}}
CLOSED: Event = {"event": "closed", "chat_id": None, "data": {}}


class Hub:
    """Publish once, deliver to every listener; never blocks the publisher."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[Event]] = set()

    def publish(self, event: Event) -> None:
        for queue in list(self._queues):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # Drop what it missed and have the page fetch a fresh snapshot instead.
                while not queue.empty():
                    queue.get_nowait()
                queue.put_nowait(RESYNC)

    def close(self) -> None:
        """End every stream (the sandbox is stopping), so the web server can shut down."""
        for queue in list(self._queues):
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait(CLOSED)

    @asynccontextmanager
    async def listen(self) -> AsyncIterator[asyncio.Queue[Event]]:
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)
