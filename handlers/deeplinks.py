"""`/start <payload>` routing: the payload's two-letter prefix names the feature; a payload
without one may be a short code typed by hand (`/start ABC2345`), routed by its shape."""

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
_typed: list[tuple[re.Pattern[str], DeepLink]] = []


def register_deep_link(kind: str, handler: DeepLink) -> None:
    _routes[kind] = handler


def register_typed_code(shape: re.Pattern[str], handler: DeepLink) -> None:
    _typed.append((shape, handler))


def route_for(payload: str) -> DeepLink | None:
    if "_" in payload:
        return _routes.get(payload.split("_", 1)[0])
    return next((handler for shape, handler in _typed if shape.match(payload)), None)
