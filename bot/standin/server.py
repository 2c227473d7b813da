"""HTTP front of the stand-in: Telegram's URL layout plus a small JSON simulator API.

``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` behave like api.telegram.org, so a
real ``fellowship run`` process can be pointed at it with a base URL and poll it. ``/sim/...``
lets end-to-end tests and the sandbox page act as users and read what happened.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot import http_server
from bot.standin.core import NOT_FOUND, UNAUTHORIZED, BotApiStandin, FileUpload, UnknownUserError

Endpoint = Callable[[Request], Awaitable[Response]]
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class _InvalidInput(ValueError):
    """A simulator request the stand-in cannot act on; answered 422 with the reason."""


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _read_call(request: Request) -> tuple[dict[str, Any], dict[str, FileUpload]]:
    """Parameters and uploads from a query string, a JSON body or a form, as Telegram accepts."""
    params: dict[str, Any] = dict(request.query_params)
    uploads: dict[str, FileUpload] = {}
    content_type = request.headers.get("content-type", "")
    if request.method != "POST":
        return params, uploads
    if content_type.startswith("application/json"):
        body = json.loads(await request.body() or b"{}")
        if not isinstance(body, dict):
            raise ValueError("the JSON body must be an object")
        params.update(body)
    elif content_type.startswith(_FORM_TYPES):
        form = await request.form()
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                uploads[name] = (
                    value.filename or name,
                    data,
                    value.content_type or "application/octet-stream",
                )
            else:
                params[name] = value
    return params, uploads


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise _InvalidInput(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise _InvalidInput("the body must be a JSON object")
    return body


def _number(body: dict[str, Any], key: str, low: float, high: float) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _InvalidInput(f"{key} must be a number between {low:g} and {high:g}")
    if not low <= value <= high:
        raise _InvalidInput(f"{key} must be between {low:g} and {high:g}, not {value}")
    return float(value)


def _string(body: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise _InvalidInput(f"{key} must be a non-empty string")
    return value


def _integer(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _InvalidInput(f"{key} must be an integer")
    return value


def _simulator(action: Callable[[Request], Awaitable[Any]]) -> Endpoint:
    """Wrap a simulator action: JSON out, unknown users 404, bad input 422."""

    async def endpoint(request: Request) -> Response:
        try:
            result = await action(request)
        except UnknownUserError as exc:
            return _problem(404, str(exc.args[0]))
        except (ValueError, LookupError) as exc:
            return _problem(422, str(exc))
        status = 201 if request.method == "POST" and request.url.path == "/sim/users" else 200
        return JSONResponse(result, status_code=status)

    return endpoint


class _Endpoints:
    """Route handlers bound to one stand-in."""

    def __init__(self, standin: BotApiStandin) -> None:
        self.standin = standin

    # -- Telegram's API

    async def api(self, request: Request) -> Response:
        if not self.standin.accepts_token(request.path_params["token"]):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        try:
            params, uploads = await _read_call(request)
        except ValueError:
            body = {"ok": False, "error_code": 400, "description": "Bad Request: can't parse JSON body"}
            return JSONResponse(body, status_code=400)
        method = request.path_params["method"]
        stall = self.standin.stall(method, params) if self.standin.stall is not None else None
        if stall:
            await asyncio.sleep(stall)
            return JSONResponse({"ok": False, "error_code": 504, "description": "Gateway Timeout"}, status_code=504)
        status, body = await self.standin.handle_async(method, params, uploads)
        return JSONResponse(body, status_code=status)

    async def download(self, request: Request) -> Response:
        if not self.standin.accepts_token(request.path_params["token"]):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        stored = self.standin.file_by_path(request.path_params["file_path"])
        if stored is None:
            return JSONResponse(NOT_FOUND, status_code=404)
        return Response(stored.data, media_type=stored.mime_type or "application/octet-stream")

    # -- simulator

    async def list_users(self, request: Request) -> Any:
        return [user.to_dict() for user in self.standin.users]

    async def add_user(self, request: Request) -> Any:
        body = await _json_object(request)
        user = self.standin.add_user(
            _string(body, "first_name") or "",
            username=_string(body, "username", required=False),
            user_id=_integer(body, "id") if "id" in body else None,
            language_code=_string(body, "language_code", required=False) or "en",
        )
        return user.to_dict()

    async def text(self, request: Request) -> Any:
        body = await _json_object(request)
        return self.standin.send_text(request.path_params["user_id"], _string(body, "text") or "")

    async def location(self, request: Request) -> Any:
        body = await _json_object(request)
        latitude = _number(body, "latitude", -90, 90)
        longitude = _number(body, "longitude", -180, 180)
        return self.standin.send_location(request.path_params["user_id"], latitude, longitude)

    async def press(self, request: Request) -> Any:
        body = await _json_object(request)
        user_id = request.path_params["user_id"]
        if "label" in body:
            return self.standin.press(user_id, _string(body, "label") or "")
        callback_data = body.get("callback_data")
        if not isinstance(callback_data, str):
            raise _InvalidInput("callback_data must be a string (or pass label instead)")
        return self.standin.press_button(user_id, _integer(body, "message_id"), callback_data)

    async def sticker(self, request: Request) -> Any:
        return self.standin.send_sticker(request.path_params["user_id"])

    async def block(self, request: Request) -> Any:
        self.standin.block(request.path_params["user_id"])
        return self.standin.user(request.path_params["user_id"]).to_dict()

    async def unblock(self, request: Request) -> Any:
        self.standin.unblock(request.path_params["user_id"])
        return self.standin.user(request.path_params["user_id"]).to_dict()

    async def chat(self, request: Request) -> Any:
        return [entry.to_dict() for entry in self.standin.transcript(request.path_params["chat_id"])]

    async def calls(self, request: Request) -> Any:
        return [call.to_dict() for call in self.standin.calls]

    async def violations(self, request: Request) -> Any:
        return [violation.to_dict() for violation in self.standin.violations]


def create_standin_app(standin: BotApiStandin) -> Starlette:
    """The ASGI app: Telegram's URL layout plus ``/sim/`` for acting as users."""
    e = _Endpoints(standin)
    user = "/sim/users/{user_id:int}"
    routes = [
        Route("/bot{token}/{method}", e.api, methods=["GET", "POST"]),
        Route("/file/bot{token}/{file_path:path}", e.download, methods=["GET"]),
        Route("/sim/users", _simulator(e.list_users), methods=["GET"]),
        Route("/sim/users", _simulator(e.add_user), methods=["POST"]),
        Route(f"{user}/text", _simulator(e.text), methods=["POST"]),
        Route(f"{user}/location", _simulator(e.location), methods=["POST"]),
        Route(f"{user}/press", _simulator(e.press), methods=["POST"]),
        Route(f"{user}/sticker", _simulator(e.sticker), methods=["POST"]),
        Route(f"{user}/block", _simulator(e.block), methods=["POST"]),
        Route(f"{user}/unblock", _simulator(e.unblock), methods=["POST"]),
        Route("/sim/chats/{chat_id:int}", _simulator(e.chat), methods=["GET"]),
        Route("/sim/calls", _simulator(e.calls), methods=["GET"]),
        Route("/sim/violations", _simulator(e.violations), methods=["GET"]),
    ]
    return Starlette(routes=routes)


@dataclass
class RunningServer:
    """A stand-in served over HTTP on the current event loop."""

    standin: BotApiStandin
    http: http_server.RunningServer
    _stopped: bool = field(default=False, repr=False)

    @property
    def host(self) -> str:
        return self.http.host

    @property
    def port(self) -> int:
        return self.http.port

    @property
    def url(self) -> str:
        return self.http.url

    @property
    def base_url(self) -> str:
        """For ``Bot(token, base_url=...)``: PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def stop(self) -> None:
        """End pending long polls (and refuse to start new ones), then stop serving."""
        if self._stopped:
            return
        self._stopped = True
        self.standin.release_waiters(closing=True)
        await self.http.stop()

    async def __aenter__(self) -> RunningServer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


async def serve_standin(standin: BotApiStandin, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Serve ``standin`` on ``host:port`` (0 picks a free port) until ``stop()``."""
    sock = http_server.bind(host, port)
    running = await http_server.start(create_standin_app(standin), sock, name="bot-api-standin")
    return RunningServer(standin, running)
