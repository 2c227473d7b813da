"""Command line: `fellowship run | serve | migrate | check | sandbox | meetings | backup | restore | report` (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from pathlib import Path

from bot import backup, meetings_cli
from bot.config import Settings, SettingsError, load_settings, secret_key_hint
from bot.db import Database, exposure_warnings

USAGE_EPILOG = (
    "First time? Put these in a .env file (see .env.example):\n"
    "  TELEGRAM_BOT_TOKEN   from @BotFather in Telegram (/newbot)\n"
    "  FELLOWSHIP_SECRET_KEY  " + secret_key_hint().replace("\n", "\n  ") + "\n"
    "Try the bot without Telegram: fellowship sandbox"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fellowship",
        description="Telegram bot for 12-step fellowships and prison-release aftercare.",
        epilog=USAGE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="apply migrations, then serve Telegram by long polling until Ctrl+C (one process)")
    run.add_argument(
        "--drop-webhook", action="store_true",
        help="remove a webhook set by `fellowship serve` workers first (otherwise run refuses to start)",
    )
    serve = commands.add_parser(
        "serve", help="a webhook worker: receive updates at WEBHOOK_URL on WEB_HOST:WEB_PORT (run several behind a proxy)"
    )
    serve.add_argument("--no-migrate", dest="migrate", action="store_false", help="don't apply migrations (run `fellowship migrate` first)")
    commands.add_parser("migrate", help="apply pending database migrations")
    commands.add_parser("check", help="validate settings and database, and say what was found")
    sandbox = commands.add_parser("sandbox", help="try the bot in a browser as several people, with no token or setup")
    sandbox.add_argument("--port", type=int, default=8080, help="port of the page on 127.0.0.1 (default 8080)")
    sandbox.add_argument("--database-url", help="database to use (default: sandbox-data/sandbox.sqlite3)")
    sandbox.add_argument("--data-dir", type=Path, default=Path("sandbox-data"), help="where the key and state are kept")
    sandbox.add_argument(
        "--no-demo-meetings",
        dest="demo_meetings",
        action="store_false",
        help="don't add the ~150 fictional demo meetings a new sandbox database otherwise gets",
    )
    rotate = commands.add_parser("rotate-key", help="re-encrypt everything under a new FELLOWSHIP_SECRET_KEY (bot stopped)")
    rotate.add_argument("--old-key-file", type=Path, required=True, help="file holding the current key")
    rotate.add_argument("--new-key-file", type=Path, required=True, help="file holding the new key")
    report = commands.add_parser("report", help="write the anonymous outcome report (CSV, charts, PDF) for a period")
    report.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD (not after today)")
    report.add_argument("--out", type=Path, required=True, help="folder to write the files into (created if needed)")
    report.add_argument("--language", choices=("en", "cy"), default="en",
                        help="language of the titles, row labels, charts and PDF (CSV column names stay the same)")
    meetings_cli.add_commands(commands)
    backup.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    if args.command == "sandbox":  # needs no settings: must work on a fresh machine
        from bot.sandbox import main as sandbox_main

        return sandbox_main(
            port=args.port, database_url=args.database_url, data_dir=args.data_dir, demo_meetings=args.demo_meetings
        )
    try:
        settings = load_settings()
        if args.command == "run":
            return _run(settings, drop_webhook=args.drop_webhook)
        if args.command == "serve":
            return _serve(settings, migrate=args.migrate)
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        if args.command == "check":
            return asyncio.run(_check(settings))
        if args.command == "meetings":
            return meetings_cli.run(args, settings)
        if args.command == "rotate-key":
            return asyncio.run(_rotate_key(settings, args.old_key_file, args.new_key_file))
        if args.command == "report":
            return asyncio.run(_report(settings, args.start, args.end, args.out, args.language))
        if args.command in ("backup", "restore"):
            return backup.run(args, settings)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 1


async def _rotate_key(settings: Settings, old_file: Path, new_file: Path) -> int:
    """Re-encrypt every field under the new key (see bot.rotation); rerun it if interrupted."""
    from bot import rotation
    from bot.crypto import Vault

    old_key, new_key = rotation.read_key_file(old_file), rotation.read_key_file(new_file)
    rotation.check_new_key(new_key)
    db = Database(settings.database_url)
    try:
        done = await rotation.rotate(db, Vault(old_key), Vault(new_key))
    finally:
        await db.dispose()
    for name, count in sorted(done.rewritten.items()):
        print(f"{name}: {count} re-encrypted")
    for name, count in sorted(done.unreadable.items()):
        print(f"{name}: {count} opened with neither key (left as they were)")
    print("Done. Now set FELLOWSHIP_SECRET_KEY to the new key and OLD_FELLOWSHIP_SECRET_KEY to the old one\n"
          "(people are found by their old hash until they next write), then start the bot.")
    return 0


async def _report(settings: Settings, start_text: str, end_text: str, out: Path, language: str = "en") -> int:
    """`fellowship report`: check the period, then write the files; a bad period is said plainly."""
    from datetime import UTC, datetime

    from bot import i18n
    from bot.services import reports
    from bot.services.reports import period
    from bot.services.validation import InvalidInput

    today = datetime.now(UTC).date()
    try:
        start, end = period.parse_day(start_text), period.parse_day(end_text)
        period.check(start, end, today)
    except InvalidInput as exc:
        print(str(exc), file=sys.stderr)
        return 2
    db = Database(settings.database_url)
    try:
        with i18n.speaking(language):  # the files' words; asyncio.to_thread carries the language along
            written = await reports.make(db, start, end, out, threshold=settings.report_suppression_threshold, made_on=today)
    finally:
        await db.dispose()
    print(f"Report for {start} to {end}: {len(written)} files in {out}")
    for path in written:
        print(f"  {path.name}")
    return 0


async def _migrate(settings: Settings, *, quiet: bool = False) -> int:
    settings.secret_key()  # refuse to create data we could never decrypt
    db = Database(settings.database_url)
    try:
        before, after = await db.migrate()
    finally:
        await db.dispose()
    if not quiet:
        print(f"Database {_describe(settings)}: migrations {before or 'none'} -> {after}")
    return 0


async def _check(settings: Settings) -> int:
    from sqlalchemy import func, select

    from bot.models import Person

    problems = []
    print(f"Bot API: {settings.telegram_api_url}")
    try:
        settings.bot_token()
        print("Bot token: set")
    except SettingsError as exc:
        problems.append(str(exc))
    try:
        settings.secret_key()
        print("Secret key: set and strong enough")
    except SettingsError as exc:
        problems.append(str(exc))
    print(f"Coordinators from settings: {len(settings.coordinator_telegram_ids)}")
    print(f"Default time zone: {settings.default_timezone}")
    db = Database(settings.database_url)
    try:
        current, head = await db.schema_status()
        state = "up to date" if current == head else f"at {current or 'no migrations'}, needs {head} (run: fellowship migrate)"
        print(f"Database {_describe(settings)}: reachable, schema {state}")
        if current == head:
            async with db.session() as session:
                count = (await session.execute(select(func.count()).select_from(Person))).scalar_one()
            print(f"People: {count}")
        else:
            problems.append("The database schema is not up to date.")
    except Exception as exc:
        problems.append(f"Database {_describe(settings)} could not be used: {type(exc).__name__}: {exc}")
    finally:
        await db.dispose()
    for warning in exposure_warnings(settings.database_url):
        print(f"\nWARNING: {warning}", file=sys.stderr)
    for problem in problems:
        print(f"\nPROBLEM: {problem}", file=sys.stderr)
    print("All good." if not problems else "")
    return 1 if problems else 0


def _describe(settings: Settings) -> str:
    """The database without its password."""
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def _run(settings: Settings, *, drop_webhook: bool = False) -> int:
    from telegram import Update

    from bot.app import build_application, configure_logging

    token = settings.bot_token()
    configure_logging(settings.log_level)
    asyncio.run(_migrate(settings))
    asyncio.run(_check_no_webhook(settings, token, drop=drop_webhook))
    app = build_application(settings, token=token)
    _freeze_startup_objects()
    # run_polling handles SIGINT/SIGTERM: stops polling, finishes the current update,
    # runs post_shutdown (closes the database) and returns.
    app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    return 0


def _freeze_startup_objects() -> None:
    """What is built at start (modules, data files, SQLAlchemy's mappings, the translations:
    some 230,000 objects) lives as long as the process, so it is moved out of the garbage
    collector's sight (`gc.freeze`). Otherwise every full collection walks it: 0.13 s on an
    idle machine, more on a busy one, during which no reply or send goes, and the sends
    held up then reach Telegram bunched together."""
    gc.collect()
    gc.freeze()


async def _check_no_webhook(settings: Settings, token: str, *, drop: bool) -> None:
    """Long polling and webhook workers must not both serve the bot: polling would delete
    the workers' webhook. Refuse while one is set, unless told to remove it."""
    from telegram import Bot

    async with Bot(token, base_url=f"{settings.telegram_api_url}/bot") as bot:
        url = (await bot.get_webhook_info()).url
        if url and not drop:
            raise SettingsError(
                "A webhook is set for this bot, so `fellowship serve` workers are receiving its updates.\n"
                "Stop them and run `fellowship run --drop-webhook` to switch to long polling (nothing is lost:\n"
                "Telegram keeps the updates until they are fetched)."
            )
        if url:
            await bot.delete_webhook(drop_pending_updates=False)


def _serve(settings: Settings, *, migrate: bool) -> int:
    """One webhook worker until SIGTERM or Ctrl+C (see bot/webhook.py)."""
    import signal

    from bot.app import build_application, configure_logging
    from bot.webhook import InboxWorker, serve_forever, webhook_route

    token = settings.bot_token()
    _url, path, secret = settings.webhook()
    configure_logging(settings.log_level)
    if migrate:  # several workers may start at once: migrations take a lock (Database.migrate)
        asyncio.run(_migrate(settings, quiet=True))

    async def main() -> None:
        app = build_application(settings, token=token)
        _freeze_startup_objects()
        worker = InboxWorker(app)
        app.bot_data["inbox_worker"] = worker
        app.bot_data["web_routes"] = [webhook_route(app.bot_data["runtime"], path, secret, worker.wake.set)]
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await serve_forever(app, stop)

    asyncio.run(main())
    return 0


if __name__ == "__main__":
    sys.exit(main())
