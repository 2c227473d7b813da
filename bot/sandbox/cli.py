"""Start the sandbox, print where it is, run until Ctrl+C or SIGTERM, stop cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot import http_server
from bot.app import configure_logging
from bot.config import SettingsError
from bot.sandbox.engine import Sandbox, SandboxOptions
from bot.sandbox.web import bind, create_page_app

DEFAULT_DATA_DIR = Path("sandbox-data")


def main(
    *, port: int = 8080, database_url: str | None = None, data_dir: Path = DEFAULT_DATA_DIR, demo_meetings: bool = True
) -> int:
    """Exit code 0 after a clean stop, 2 when it could not start (the reason is printed)."""
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    configure_logging(level if level in ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG") else "INFO")
    options = SandboxOptions(port=port, database_url=database_url, data_dir=data_dir, demo_meetings=demo_meetings)
    try:
        sock = bind(options.host, options.port)
    except OSError as exc:
        print(
            f"Can't listen on {options.host}:{options.port} ({exc.strerror}). Is a sandbox already running?\n"
            f"Use another port: fellowship sandbox --port {options.port + 1}",
            file=sys.stderr,
        )
        return 2
    try:
        return asyncio.run(_serve(options, sock))
    except (SettingsError, ValueError, OSError) as exc:
        print(f"The sandbox could not start: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


@asynccontextmanager
async def running(
    options: SandboxOptions, sock: socket.socket
) -> AsyncIterator[tuple[Sandbox, http_server.RunningServer]]:
    """The sandbox and its page, started and (whatever happens) stopped: open pages first,
    so their event streams end, then the bot, then the stand-in."""
    sandbox = Sandbox(options)
    page: http_server.RunningServer | None = None
    try:
        await sandbox.start()
        page = await http_server.start(create_page_app(sandbox), sock, name="sandbox-page")
        yield sandbox, page
    finally:
        sandbox.hub.close()
        if page is not None:
            await page.stop()
        await sandbox.stop()


async def _serve(options: SandboxOptions, sock: socket.socket) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(options, sock) as (_, page):
        print(
            f"Fellowship sandbox is running: {page.url}\n"
            "Open it in a browser to use the bot as several people at once. Press Ctrl+C to stop.",
            flush=True,
        )
        await stop.wait()
        print("Stopping the sandbox...", flush=True)
    return 0
