"""`fellowship meetings import <URL or file>` and `fellowship meetings export <file>`.

Import shows a progress bar on stderr and ends with a summary (added, updated, unchanged,
removed, skipped and why). A feed that can't be used changes nothing and exits 1 with the
reason. Export writes the same Meeting Guide JSON that the web server's /meetings.json serves.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import TextIO

from bot.clock import SystemClock
from bot.config import Settings, SettingsError
from bot.crypto import Vault
from bot.db import Database
from bot.services.meetings import feeds as meeting_feeds
from bot.services.meetings import times as meeting_times
from bot.services.meetings.search import FELLOWSHIPS


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("meetings", help="import or export meeting feeds (Meeting Guide JSON, BMLT)")
    sub = parser.add_subparsers(dest="meetings_command", required=True)
    imp = sub.add_parser(
        "import",
        help="add, update and remove meetings from a feed URL or a JSON file (idempotent; one transaction)",
    )
    imp.add_argument("source", help="a feed URL (http/https) or a JSON file")
    imp.add_argument("--fellowship", choices=FELLOWSHIPS, help="default: AA for Meeting Guide feeds, NA for BMLT")
    imp.add_argument("--timezone", help="zone for meetings the feed doesn't place (default: DEFAULT_TIMEZONE)")
    imp.add_argument("--force", action="store_true", help="read it again even if it hasn't changed since last time")
    exp = sub.add_parser("export", help="write every published meeting as a Meeting Guide JSON feed")
    exp.add_argument("file", help="where to write it ('-' for standard output)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.meetings_command == "import":
        return asyncio.run(_import(args, settings))
    return asyncio.run(_export(args, settings))


class ProgressBar:
    """A one-line bar on stderr, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream, self.width = stream or sys.stderr, width
        self._last, self._drawn = 0.0, False

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        finished = total is not None and done >= total
        if (now - self._last < 0.1 and not finished) or (not self.stream.isatty() and not finished):
            return  # a log file gets only the finished bar, not hundreds of redraws
        self._last, self._drawn = now, True
        if stage == "download":
            size = f"{done / 1_048_576:.1f} MB" + (f" of {total / 1_048_576:.1f} MB" if total else "")
            self.stream.write(f"\rDownloading  {size}\033[K")
        else:
            filled = int(self.width * done / total) if total else self.width
            self.stream.write(f"\rImporting    [{'#' * filled}{'.' * (self.width - filled)}]  {done:,}/{total or 0:,}\033[K")
        self.stream.flush()

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()


async def _ready_database(settings: Settings) -> Database:
    # Telling followers about changed meetings writes to the outbox, which encrypts.
    vault = Vault(settings.secret_key()) if settings.fellowship_secret_key is not None else None
    db = Database(settings.database_url, vault=vault)
    current, head = await db.schema_status()
    if current != head:
        await db.dispose()
        raise SettingsError(f"The database is at migration {current or 'none'}, this needs {head}. Run: fellowship migrate")
    return db


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    zone = args.timezone or settings.default_timezone
    if not meeting_times.valid_zone(zone):
        print(f"'{zone}' is not an IANA time zone; use e.g. Europe/London or America/Edmonton.", file=sys.stderr)
        return 2
    db = await _ready_database(settings)
    bar = ProgressBar()
    try:
        result = await meeting_feeds.sync(
            db,
            args.source,
            now=SystemClock().now(),
            default_zone=zone,
            fellowship=args.fellowship,
            force=args.force,
            progress=bar,
        )
    except meeting_feeds.FeedError as exc:
        bar.finish()
        print(f"Import failed: {exc}", file=sys.stderr)
        return 1
    finally:
        await db.dispose()
    bar.finish()
    print(result.summary())
    return 0


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    db = await _ready_database(settings)
    try:
        async with db.session() as session:
            entries = await meeting_feeds.export(session)
    finally:
        await db.dispose()
    body = meeting_feeds.feed_bytes(entries)
    if args.file == "-":
        sys.stdout.buffer.write(body + b"\n")
    else:
        await asyncio.to_thread(Path(args.file).write_bytes, body)
        print(f"{len(entries)} meetings written to {args.file}", file=sys.stderr)
    return 0
