"""Per-person flood limits: how many updates one chat may have handled in a short window.

A script (or a stuck phone) that sends hundreds of updates should not make the bot write
hundreds of rows or send hundreds of cards. A real person never comes near the limit (the
default is 20 in 10 seconds; typing fast or double-tapping is a handful).

The counter is a sliding window per chat, in this process's memory only: with several
processes each applies the limit to the updates it receives, which is fine for now. It
forgets chats that have been quiet for a whole window, so memory follows the number of
chats active in the last few seconds, and each chat keeps at most `max_updates` times.

No `telegram` here: the update processor (bot/update_order.py) decides what an update is
and whether it may never be dropped (SOS, alert answers, crisis words).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    """What to do with one update."""

    RUN = "run"  # handle it as usual
    WARN = "warn"  # drop it, and say "slow down" once
    DROP = "drop"  # drop it silently: the person has been told already


class _Chat:
    """One chat's recent handled updates (times, oldest first) and whether it was told."""

    __slots__ = ("times", "warned")

    def __init__(self, max_updates: int) -> None:
        self.times: deque[float] = deque(maxlen=max_updates)
        self.warned = False


class FloodGate:
    """Counts each chat's handled updates in the last `window_seconds` and turns away any
    beyond `max_updates`: the first turned away gets a warning, the rest nothing."""

    def __init__(self, max_updates: int, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        if max_updates < 1 or window_seconds <= 0:
            raise ValueError("a flood limit needs at least one update and a window longer than 0 s")
        self.max_updates = max_updates
        self.window = window_seconds
        self.clock = clock
        self._chats: dict[int, _Chat] = {}
        self._last_sweep = clock()

    def check(self, key: int, *, urgent: Callable[[], bool] = lambda: False) -> Verdict:
        """Count one update from chat `key` and say whether to run it.

        `urgent` is asked only when the chat is over its limit (matching crisis words costs
        more than counting): an urgent update always runs, and counts like any other.
        """
        now = self.clock()
        self._sweep(now)
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = _Chat(self.max_updates)
        while chat.times and chat.times[0] <= now - self.window:
            chat.times.popleft()
        if len(chat.times) < self.max_updates:
            chat.times.append(now)
            chat.warned = False  # served again: a later flood earns a new warning
            return Verdict.RUN
        if urgent():
            chat.times.append(now)  # the deque is full: the oldest falls off, the count stays at the limit
            return Verdict.RUN
        if chat.warned:
            return Verdict.DROP
        chat.warned = True
        return Verdict.WARN

    def tracked(self) -> int:
        """How many chats are remembered (for tests of the memory bound)."""
        return len(self._chats)

    def _sweep(self, now: float) -> None:
        """At most once a window, forget chats whose newest handled update is a window old."""
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        idle = [key for key, chat in self._chats.items() if not chat.times or chat.times[-1] <= now - self.window]
        for key in idle:
            del self._chats[key]
