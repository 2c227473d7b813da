"""Bot API calls over a few kept-open connections, handed out one per call.

python-telegram-bot's `HTTPXRequest` shares one httpx pool between concurrent calls, and
httpx re-checks every idle connection in that pool (a `poll` and a `getpeername` each)
whenever a call starts or ends. With replies, answers and the outbox all sending at once
that bookkeeping cost more than the calls themselves. Here each connection is its own
`HTTPXRequest` with a pool of one, and a call borrows a free one: the cost per call stays
the same however many connections are open.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.rate_limit import LATE_TURN

# How long a call waits for a free connection when the caller doesn't say. Long: a reply
# waits its turn in the send budget before it asks for a connection, so what it waits for
# here is only other calls' round trips; an error after a second (HTTPXRequest's default)
# told a person "something went wrong" merely because the bot was busy.
POOL_TIMEOUT = 30.0


class ApiConnections(BaseRequest):
    """`size` connections, each an `HTTPXRequest`; the rest of the arguments go to each.
    Callers waiting for a connection are served first come, first served."""

    def __init__(self, size: int, **httpx_request_args: Any) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self._members = [HTTPXRequest(connection_pool_size=1, **httpx_request_args) for _ in range(size)]
        # Last in, first out: under light load one warm connection does the work and the
        # others expire quietly (httpx closes idle connections after 5 s).
        self._idle: list[HTTPXRequest] = list(reversed(self._members))
        self._waiting: deque[asyncio.Future[HTTPXRequest]] = deque()

    @property
    def read_timeout(self) -> float | None:
        return self._members[0].read_timeout

    async def initialize(self) -> None:
        await asyncio.gather(*(member.initialize() for member in self._members))

    async def shutdown(self) -> None:
        await asyncio.gather(*(member.shutdown() for member in self._members))

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
        member = await self._borrow(
            POOL_TIMEOUT if pool_timeout is BaseRequest.DEFAULT_NONE else pool_timeout
        )
        try:
            late_turn = LATE_TURN.get()
            if late_turn is not None:  # a reply's budget turn may have passed while it waited here
                await late_turn()
            return await member.do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
            )
        finally:
            self._give_back(member)

    async def _borrow(self, wait: float | None) -> HTTPXRequest:
        """A free connection, or the next one given back once everyone who asked earlier
        has theirs (a free one is never taken past a caller already waiting)."""
        if self._idle and not self._waiting:
            return self._idle.pop()
        turn: asyncio.Future[HTTPXRequest] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            async with asyncio.timeout(wait):
                return await turn
        except BaseException as exc:
            if turn.done() and not turn.cancelled():
                self._give_back(turn.result())  # handed to us just as we gave up
            else:
                turn.cancel()
            with contextlib.suppress(ValueError):
                self._waiting.remove(turn)
            if isinstance(exc, TimeoutError):
                # What HTTPXRequest raises when its pool is exhausted, so callers retry alike.
                raise TimedOut(
                    "Pool timeout: All connections in the connection pool are occupied. "
                    "Request was *not* sent to Telegram."
                ) from exc
            raise

    def _give_back(self, member: HTTPXRequest) -> None:
        """Hand the connection to the longest-waiting caller, else keep it idle."""
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(member)
                return
        self._idle.append(member)
