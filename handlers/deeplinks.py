"""`/start <payload>` routing: the payload's two-letter prefix names the feature."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot.models import Person

# (update, context, session, onboarded person, payload) -> None
DeepLink = Callable[[Update, ContextTypes.DEFAULT_TYPE, AsyncSession, Person, str], Awaitable[None]]
_routes: dict[str, DeepLink] = {}

# What Telegram itself allows in a `start` parameter, short enough to ride on the "I agree"
# button (`v1:ob:agree:<payload>` must fit callback data's 64 bytes). Anyone can type
# `/start <anything>`, so everything else is simply not one of our links.
MAX_PAYLOAD = 64 - len("v1:ob:agree:")
_PAYLOAD_RE = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_PAYLOAD}}}")


def register_deep_link(kind: str, handler: DeepLink) -> None:
    _routes[kind] = handler


def route_for(payload: str) -> DeepLink | None:
    """The handler for a link's payload; None for anything that can't be one of ours
    (too long, odd characters, unknown kind), so it is never put in a button or stored."""
    if not _PAYLOAD_RE.fullmatch(payload) or "_" not in payload:
        return None
    return _routes.get(payload.split("_", 1)[0])
