"""Serving an ASGI app (Starlette) with uvicorn inside an event loop we already run.

The project's one web stack serves the Bot API stand-in, the sandbox page and the bot's
own `/meetings.json` and `/healthz`; all of them start and stop the same way, here.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.types import ASGIApp


def bind(host: str, port: int) -> socket.socket:
    """Bind now, so a busy port raises OSError here (uvicorn would exit the whole process).
    Port 0 picks a free port."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    sock = socket.create_server((host, port), family=family)
    # create_server leaves proto 0, and asyncio turns Nagle off only for sockets whose proto
    # is IPPROTO_TCP; without this every keep-alive response waits ~40 ms for a delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the process embedding it owns its signals
    (PTB's run_polling, or `fellowship sandbox`)."""

    def capture_signals(self) -> Any:
        return _NoSignals()


class _NoSignals:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


@dataclass
class RunningServer:
    server: uvicorn.Server
    task: asyncio.Task[None]
    host: str
    port: int

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    async def stop(self) -> None:
        if not self.task.done():
            self.server.should_exit = True
        await self.task


async def start(app: ASGIApp, sock: socket.socket, *, name: str, limit_concurrency: int | None = None) -> RunningServer:
    """Serve `app` on a bound socket until `stop()`; returns once it accepts connections.
    `limit_concurrency`: beyond this many connections and requests at once, answer 503 at
    once instead of queueing (a flood never exhausts the process)."""
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", access_log=False, timeout_graceful_shutdown=2,
        limit_concurrency=limit_concurrency,
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name=name)
    while not server.started:
        if task.done():
            sock.close()
            task.result()
            raise RuntimeError(f"{name} stopped before it started")
        await asyncio.sleep(0.01)
    host, port = sock.getsockname()[:2]
    return RunningServer(server, task, host, port)
