"""The one factory that builds the PTB Application, for production, the sandbox and tests."""

from __future__ import annotations

import logging
from datetime import UTC

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, Defaults
from telegram.request import BaseRequest

import handlers
import schedules
from bot import i18n, texts, web
from bot.api_connections import ApiConnections
from bot.clock import Clock, SystemClock
from bot.config import Settings, SettingsError
from bot.db import Database
from bot.flood import FloodGate
from bot.metrics import CountingRequest
from bot.rate_limit import RateLimiter
from bot.runtime import Runtime
from bot.services.people import role_changes
from bot.update_order import PerChatUpdateProcessor

log = logging.getLogger("fellowship")


# Connections to the Bot API kept open for sends (see bot.api_connections). Replies and the
# outbox share them; with a round trip to Telegram of ~100 ms, 8 carry ~80 calls a second,
# well above the ~30 messages a second Telegram allows a bot. A call waits for its budget
# turn before it asks for a connection, and waits for a connection in turn (first come,
# first served).
HTTP_CONNECTIONS = 8


def build_application(
    settings: Settings,
    *,
    token: str | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    clock: Clock | None = None,
    database: Database | None = None,
) -> Application:
    """Wire settings, database, handlers and schedules into an Application.

    Tests pass a fake `request`; the sandbox passes its own clock and database. Nothing
    else differs between production, sandbox and tests.
    """
    rt = Runtime.build(settings, clock=clock or SystemClock(), db=database)
    builder = (
        Application.builder()
        .token(token or settings.bot_token())
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=UTC, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        # Replies to a person who is using the bot take their turn from the send budget
        # shared with the outbox and every other process (replies first), and one that
        # gets a 429 is tried again after retry_after without holding back the others.
        .rate_limiter(RateLimiter(rt.budget, max_retries=2))
        .concurrent_updates(PerChatUpdateProcessor(flood=flood_gate(rt)))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    # Every send and every 429 is counted for /metrics on its way (bot/metrics.py).
    builder = builder.request(CountingRequest(request if request is not None else ApiConnections(HTTP_CONNECTIONS)))
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    app = builder.build()
    app.bot_data["runtime"] = rt
    handlers.register(app)
    schedules.register(app)
    return app


def flood_gate(rt: Runtime) -> FloodGate:
    """The per-person flood limit from settings, on the runtime's clock (so tests and the
    sandbox can move past a window)."""
    settings = rt.settings
    return FloodGate(settings.flood_max_updates, settings.flood_window_seconds, clock=lambda: rt.clock.now().timestamp())


async def publish_command_menu(app: Application) -> None:
    """The `/` menu: English for everyone, and each other language for people whose
    Telegram is set to it (`language_code`, e.g. "cy")."""
    await app.bot.set_my_commands([BotCommand(name, description) for name, description in texts.COMMAND_MENU])
    for code in i18n.LANGUAGES:
        if code != i18n.SOURCE:
            with i18n.speaking(code):
                menu = [BotCommand(name, description) for name, description in texts.COMMAND_MENU]
            await app.bot.set_my_commands(menu, language_code=code)


async def _post_init(app: Application) -> None:
    """Startup I/O: refuse an old schema, learn our username, publish the command menu."""
    rt: Runtime = app.bot_data["runtime"]
    current, head = await rt.db.schema_status()
    if current != head:
        raise SettingsError(f"The database is at migration {current or 'none'}, the bot needs {head}. Run: fellowship migrate")
    rt.bot_username = app.bot.username
    async with rt.db.session() as session:  # COORDINATOR_TELEGRAM_IDS is the bootstrap set
        await role_changes.sync_configured_coordinators(session, rt.coordinator_hashes, now=rt.clock.now())
    await publish_command_menu(app)
    await web.start(app)  # /meetings.json and /healthz, when WEB_PORT is set
    log.info("bot @%s ready", rt.bot_username)


async def _post_shutdown(app: Application) -> None:
    rt: Runtime = app.bot_data["runtime"]
    await web.stop(app)
    await rt.db.dispose()


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # A tick still running when its next run is due is skipped on purpose (max_instances=1);
    # APScheduler reports each skip as a warning.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    # At DEBUG, python-telegram-bot logs whole API payloads: message text and names.
    for name in ("telegram", "telegram.ext"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().level))
