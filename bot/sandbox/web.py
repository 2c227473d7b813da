"""The sandbox page and its JSON API, on Starlette (the project's one web stack).

The page is static HTML/CSS/JS from `static/`, so there is no build step and nothing is
fetched from the internet. It learns everything through `/api/events` (server-sent events:
a full snapshot first, then live changes) and acts through small JSON POSTs.

The server listens on loopback only. It still refuses other Host headers (a web page
elsewhere can't reach it by DNS rebinding) and accepts actions only as JSON (a cross-site
form can't send that without a CORS preflight, which is never answered).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot import http_server
from bot.sandbox import places
from bot.sandbox.engine import Sandbox, SandboxInputError
from bot.sandbox.hub import CLOSED

STATIC_DIR = Path(__file__).resolve().parent / "static"
KEEPALIVE_SECONDS = 15.0
SECURITY_HEADERS = {
    # Everything the page needs comes from this server; nothing inline, nothing remote.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
Action = Callable[[Request, dict[str, Any]], Awaitable[Any]]


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=SECURITY_HEADERS)


async def _json_body(request: Request) -> dict[str, Any]:
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise SandboxInputError("Send the request as JSON.")
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise SandboxInputError("The request is not valid JSON.") from None
    if not isinstance(body, dict):
        raise SandboxInputError("The request must be a JSON object.")
    return body


def _action(handler: Action) -> Callable[[Request], Awaitable[Response]]:
    """JSON in, JSON out; a person's mistake is a 422 with a sentence, never a 500."""

    async def endpoint(request: Request) -> Response:
        try:
            body = await _json_body(request) if request.method == "POST" else {}
            result = await handler(request, body)
        except SandboxInputError as exc:
            return _problem(422, str(exc))
        except LookupError as exc:
            return _problem(404, str(exc.args[0]) if exc.args else "Not found.")
        return JSONResponse(result if result is not None else {"ok": True}, headers=SECURITY_HEADERS)

    return endpoint


def _user_id(request: Request) -> int:
    value: int = request.path_params["user_id"]
    return value


async def _clock_move(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, Any]:
    """`{"hours": n}`, `{"days": n}`, `{"to": "2026-12-01T09:00"}` (local time of the sandbox's
    zone; the page also sends "01/12/2026 09:00", the UK way it shows dates) or
    `{"next": "checkin"}` (the next daily prompt of anyone)."""
    if body.get("next") == "checkin":
        return await sandbox.next_checkin()
    if "to" in body:
        raw = body["to"]
        moment = _moment(raw) if isinstance(raw, str) else None
        if moment is None:
            raise SandboxInputError("Give the date and time like 01/12/2026 09:00 (day/month/year, 24-hour).")
        return await sandbox.move_clock(to=moment)
    for unit in ("hours", "days", "minutes"):
        if unit in body:
            amount = body[unit]
            if isinstance(amount, bool) or not isinstance(amount, int | float):
                raise SandboxInputError(f"{unit} must be a number.")
            try:
                delta = timedelta(**{unit: amount})
            except OverflowError:
                raise SandboxInputError("That is too far ahead.") from None
            return await sandbox.move_clock(by=delta)
    raise SandboxInputError("Say how far to move the clock: hours, days, or a date and time ('to').")


def _moment(raw: str) -> datetime | None:
    """A typed local date and time: "01/12/2026 09:00" (UK order, as the page shows it) or ISO."""
    text = raw.strip()[:40]
    for parse in (lambda t: datetime.strptime(t, "%d/%m/%Y %H:%M"), datetime.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def create_page_app(sandbox: Sandbox) -> Starlette:
    """Routes for the page. Every action goes through `Sandbox`, never straight to the stand-in."""

    async def index(request: Request) -> Response:
        return FileResponse(STATIC_DIR / "index.html", headers=SECURITY_HEADERS)

    async def events(request: Request) -> Response:
        async def stream() -> AsyncIterator[str]:
            async with sandbox.hub.listen() as queue:
                yield "retry: 1000\n\n"  # after a restart, reconnect within a second
                yield _sse({"event": "state", "chat_id": None, "data": sandbox.snapshot()})
                while True:
                    try:
                        event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if event is CLOSED:
                        return
                    if event["event"] == "resync":
                        event = {"event": "state", "chat_id": None, "data": sandbox.snapshot()}
                    yield _sse(event)

        headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    async def state(request: Request, body: dict[str, Any]) -> Any:
        return sandbox.snapshot()

    async def add_person(request: Request, body: dict[str, Any]) -> Any:
        member = sandbox.add_person(body.get("name"), body.get("role", "person"), body.get("language", "en"))
        return sandbox.person_view(member)

    async def text(request: Request, body: dict[str, Any]) -> Any:
        sandbox.send_text(_user_id(request), body.get("text"))

    async def location(request: Request, body: dict[str, Any]) -> Any:
        sandbox.share_location(_user_id(request), body.get("latitude"), body.get("longitude"))

    async def press(request: Request, body: dict[str, Any]) -> Any:
        sandbox.press(_user_id(request), body.get("message_id"), body.get("callback_data"))

    async def clock(request: Request, body: dict[str, Any]) -> Any:
        return await _clock_move(sandbox, body) if request.method == "POST" else sandbox.clock_view()

    async def restart(request: Request, body: dict[str, Any]) -> Any:
        await sandbox.restart_standin()

    async def place_list(request: Request, body: dict[str, Any]) -> Any:
        kind = request.query_params.get("kind") or None
        if kind is not None and kind not in places.KINDS:
            raise SandboxInputError(f"kind must be one of: {', '.join(places.KINDS)}.")
        found = places.search(request.query_params.get("q", "")[:64], kind, limit=60)
        return {"places": [place.to_dict() for place in found]}

    async def file(request: Request) -> Response:
        stored = sandbox.file(request.path_params["file_id"])
        if stored is None:
            return _problem(404, "That file is no longer held by the stand-in.")
        if stored.source_url:  # the bot sent a link, not bytes: let the browser fetch it
            if stored.source_url.startswith(("http://", "https://")):
                return RedirectResponse(stored.source_url)
            return _problem(404, "That file was sent by a link the sandbox can't open.")
        headers = dict(SECURITY_HEADERS)
        if request.query_params.get("download"):
            name = (stored.file_name or "file").replace('"', "")
            headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return Response(stored.data, media_type=stored.mime_type or "application/octet-stream", headers=headers)

    user = "/api/people/{user_id:int}"
    routes = [
        Route("/", index),
        Route("/api/events", events),
        Route("/api/state", _action(state)),
        Route("/api/people", _action(add_person), methods=["POST"]),
        Route(f"{user}/text", _action(text), methods=["POST"]),
        Route(f"{user}/location", _action(location), methods=["POST"]),
        Route(f"{user}/press", _action(press), methods=["POST"]),
        Route("/api/clock", _action(clock), methods=["GET", "POST"]),
        Route("/api/standin/restart", _action(restart), methods=["POST"]),
        Route("/api/places", _action(place_list)),
        Route("/api/files/{file_id}", file),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost", "[::1]"])]
    return Starlette(routes=routes, middleware=middleware)


def _sse(event: dict[str, Any]) -> str:
    return f"data: {json.dumps(event, separators=(',', ':'))}\n\n"


# Re-exported for the CLI and tests: the project's one way to bind a port.
bind = http_server.bind
