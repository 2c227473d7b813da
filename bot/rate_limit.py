"""PTB's AIORateLimiter, with its retries switchable off per call.

Replies to a person who is using the bot should survive a 429: the limiter waits
`retry_after` and tries again. The outbox must not wait inside a call: it records the 429
in its row (durably, on the injectable clock) and moves on, so it asks for no retries.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, cast

from telegram.ext import AIORateLimiter

# Pass as `rate_limit_args` to get Telegram's answer, 429 included, at once. (Not 0: PTB
# drops falsy rate_limit_args before they reach the limiter.)
NO_RETRY = "no-retry"


class RateLimiter(AIORateLimiter):
    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | str | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if rate_limit_args == NO_RETRY:
            return await callback(*args, **kwargs)
        max_retries = cast(int | None, rate_limit_args)  # NO_RETRY is the only string we pass
        return await super().process_request(callback, args, kwargs, endpoint, data, max_retries)
