"""The stand-in's webhook delivery: once the bot calls setWebhook, updates are POSTed to its
URL as Telegram does, instead of waiting for getUpdates.

As Telegram: JSON body, the `secret_token` given to setWebhook in
`X-Telegram-Bot-Api-Secret-Token`, at most `max_connections` requests at once, and an update
stays pending (and is posted again, after a short pause) until it is answered 200: a
timeout, a refused connection, 403, 5xx all mean "again". One chat's next update is posted
only after its previous one was answered, so a chat's updates arrive in order; different
chats' go in parallel.

Each request in flight has a client of its own (one connection each, kept open and reused):
httpx re-checks every idle connection of a shared pool whenever a request starts or ends,
which at a hundred connections cost the benchmark's process more than the posting itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Any

import httpx

from bot.standin.core import BotApiStandin

RETRY_SECONDS = 0.5


class WebhookPoster:
    """Posts the stand-in's pending updates to its webhook until `stop()`."""

    def __init__(self, standin: BotApiStandin, *, timeout: float = 10.0) -> None:
        self.standin = standin
        self.timeout = timeout
        self._tls = ssl.create_default_context()  # shared: making one costs ~0.1 s, per client
        self._clients: list[httpx.AsyncClient] = []
        self._idle: list[httpx.AsyncClient] = []
        self.delivered = 0
        self.attempts = 0
        self.failures: dict[int, int] = {}  # status (0: no answer) -> count
        self._inflight: dict[int, asyncio.Task[None]] = {}  # update_id -> its delivery
        self._chats: dict[int, Any] = {}  # update_id under way -> its chat
        self._retry_at: dict[int, float] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="standin-webhook-poster")

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._inflight.values()):
            task.cancel()
        await asyncio.gather(*self._inflight.values(), return_exceptions=True)
        await asyncio.gather(*(client.aclose() for client in self._clients))

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            if not self.standin.webhook_url:
                await self.standin.wait_for_updates(timeout=0.2)
                continue
            pending = self.standin.take_updates(limit=100)
            now = loop.time()
            busy = set(self._chats.values())  # chats with a delivery under way
            for update in pending:
                update_id, chat = update["update_id"], _chat(update)
                if update_id in self._inflight or (chat is not None and chat in busy):
                    continue
                busy.add(chat)  # this chat's later updates wait for this one
                if self._retry_at.get(update_id, 0) > now or len(self._inflight) >= self.standin.webhook_max_connections:
                    continue
                self._chats[update_id] = chat
                self._inflight[update_id] = asyncio.create_task(self._post(update))
            await asyncio.sleep(0.005 if pending else 0.05)

    async def _post(self, update: dict[str, Any]) -> None:
        headers = {"content-type": "application/json"}
        if self.standin.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.standin.webhook_secret
        update_id = update["update_id"]
        self.attempts += 1
        client = self._idle.pop() if self._idle else self._new_client()
        try:
            response = await client.post(self.standin.webhook_url, json=update, headers=headers)
            status = response.status_code
        except httpx.HTTPError:
            status = 0
        finally:
            self._idle.append(client)
        if status == 200:
            self.standin.confirm_update(update_id)
            self.delivered += 1
            self._retry_at.pop(update_id, None)
        else:
            self.failures[status] = self.failures.get(status, 0) + 1
            self._retry_at[update_id] = asyncio.get_running_loop().time() + RETRY_SECONDS
        self._inflight.pop(update_id, None)
        self._chats.pop(update_id, None)

    def _new_client(self) -> httpx.AsyncClient:
        client = httpx.AsyncClient(timeout=self.timeout, limits=httpx.Limits(max_connections=1), verify=self._tls)
        self._clients.append(client)
        return client


def _chat(update: dict[str, Any]) -> Any:
    """The chat an update belongs to, for ordering (None: no chat)."""
    body = next((v for k, v in update.items() if k != "update_id"), None)
    if not isinstance(body, dict):
        return None
    for holder in (body, body.get("message")):
        if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
            return holder["chat"].get("id")
    sender = body.get("from")
    return sender.get("id") if isinstance(sender, dict) else None
