"""A PTB request that talks to a :class:`BotApiStandin` in-process, with no sockets.

Application tests want the real PTB stack (serialisation, ``Message.de_json``, error
mapping to ``BadRequest``/``Forbidden``/``RetryAfter``) without starting a server, so this
plugs in where ``HTTPXRequest`` would and hands the call to ``BotApiStandin.handle``.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from telegram.request import BaseRequest, RequestData

from bot.standin.core import NOT_FOUND, UNAUTHORIZED, BotApiStandin, FileUpload

_METHOD_URL = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[^/]+)$")
_FILE_URL = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)$")


def _json(status: int, body: dict[str, Any]) -> tuple[int, bytes]:
    return status, json.dumps(body).encode()


def _read_uploads(request_data: RequestData | None) -> dict[str, FileUpload]:
    """PTB's multipart tuples may carry file handles; the stand-in wants bytes."""
    uploads: dict[str, FileUpload] = {}
    if request_data is None:
        return uploads
    for name, (file_name, content, mime_type) in request_data.multipart_data.items():
        data = content if isinstance(content, bytes) else content.read()
        uploads[name] = (file_name, data, mime_type)
    return uploads


class StandinRequest(BaseRequest):
    """PTB ``BaseRequest`` backed by a stand-in.

    getUpdates returns whatever is pending without waiting, which suits tests that drive
    ``Application.process_update`` themselves. Pass ``long_poll=True`` when running PTB's
    own polling loop against it, so an idle loop waits instead of spinning.
    """

    def __init__(self, standin: BotApiStandin, *, long_poll: bool = False, read_timeout: float | None = 5.0):
        self.standin = standin
        self.long_poll = long_poll
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open: there is no connection pool."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        path = unquote(urlsplit(url).path)  # PTB percent-encodes file paths, and with them the token
        file_match = _FILE_URL.search(path)
        if file_match:
            return self._download(file_match["token"], file_match["path"])
        match = _METHOD_URL.search(path)
        if match is None:
            return _json(404, NOT_FOUND)
        if not self.standin.accepts_token(match["token"]):
            return _json(401, UNAUTHORIZED)
        params = dict(request_data.json_parameters) if request_data else {}
        uploads = _read_uploads(request_data)
        if self.long_poll:
            status, body = await self.standin.handle_async(match["method"], params, uploads)
        else:
            status, body = self.standin.handle(match["method"], params, uploads)
            await asyncio.sleep(0)  # let other tasks run, as a real network round trip would
        return _json(status, body)

    def _download(self, token: str, file_path: str) -> tuple[int, bytes]:
        if not self.standin.accepts_token(token):
            return _json(401, UNAUTHORIZED)
        stored = self.standin.file_by_path(file_path)
        if stored is None:
            return _json(404, NOT_FOUND)
        return 200, stored.data
