"""The bot's small web face, on the project's one web stack (Starlette on uvicorn):

- `/meetings.json`: every published meeting as a Meeting Guide feed (code4recovery spec), so
  meeting apps and websites can list them. ETag + 304 and a short cache keep it cheap; CORS
  is open because it is public information meant to be embedded.
- `/healthz`: 200 when the database answers, 503 when it doesn't (for a process monitor and
  the proxy), with how far behind the ticks, the outbox and the inbox are.
- `/metrics`: Prometheus text format (bot/metrics.py); no personal data in any label.
- with `fellowship serve`, the webhook path (bot/webhook.py), passed in as extra routes.

`fellowship run` serves it alongside polling when WEB_PORT is set (see `start`/`stop`, called
from the application's post_init/post_shutdown).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram.ext import Application

from bot import http_server, metrics
from bot.config import SettingsError
from bot.runtime import Runtime
from bot.services.meetings import feeds as meeting_feeds

log = logging.getLogger("fellowship.web")
FEED_MAX_AGE_SECONDS = 300
# Connections and requests served at once; more get 503 straight away (Telegram retries),
# so a flood costs little. Above WEBHOOK_MAX_CONNECTIONS (at most 100) plus monitoring.
MAX_CONCURRENT = 256


def create_web_app(rt: Runtime, extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    async def healthz(request: Request) -> Response:
        try:
            state = await metrics.health(rt.db, now=rt.clock.now())
        except Exception as exc:  # any failure means "not healthy"; the type is enough to log
            log.warning("health check failed: %s", type(exc).__name__)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", **state})

    async def metrics_page(request: Request) -> Response:
        body, content_type = await metrics.exposition(rt.db, now=rt.clock.now())
        return Response(body, media_type=content_type)

    async def meetings_json(request: Request) -> Response:
        async with rt.db.session() as session:
            body = meeting_feeds.feed_bytes(await meeting_feeds.export(session))
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        headers = {
            "ETag": etag,
            "Cache-Control": f"public, max-age={FEED_MAX_AGE_SECONDS}",
            "Access-Control-Allow-Origin": "*",
        }
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/json; charset=utf-8", headers=headers)

    routes: list[BaseRoute] = [Route("/healthz", healthz), Route("/meetings.json", meetings_json), Route("/metrics", metrics_page)]
    return Starlette(routes=[*routes, *extra_routes])


async def serve(asgi: Starlette, host: str, port: int) -> http_server.RunningServer:
    """Serve on the current event loop until `stop()`; port 0 picks a free one."""
    return await http_server.start(asgi, http_server.bind(host, port), name="fellowship-web", limit_concurrency=MAX_CONCURRENT)


async def start(app: Application) -> None:
    """Start serving if WEB_PORT is set (called from post_init)."""
    rt: Runtime = app.bot_data["runtime"]
    if rt.settings.web_port is None:
        return
    try:
        asgi = create_web_app(rt, app.bot_data.get("web_routes", ()))
        app.bot_data["web"] = await serve(asgi, rt.settings.web_host, rt.settings.web_port)
    except OSError as exc:  # port taken, or no such address: say which setting to change
        raise SettingsError(
            f"The web server can't listen on {rt.settings.web_host}:{rt.settings.web_port} ({exc.strerror or exc}). "
            "Change WEB_PORT (or WEB_HOST), or leave WEB_PORT empty to run without it."
        ) from None
    log.info("web server on %s:%d (/meetings.json, /healthz, /metrics)", rt.settings.web_host, rt.settings.web_port)


async def stop(app: Application) -> None:
    running: http_server.RunningServer | None = app.bot_data.pop("web", None)
    if running is not None:
        await running.stop()
