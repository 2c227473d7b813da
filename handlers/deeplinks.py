"""`/start <payload>` routing: the payload's two-letter prefix names the feature."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot.models import Person

# (update, context, session, onboarded person, payload) -> None
DeepLink = Callable[[Update, ContextTypes.DEFAULT_TYPE, AsyncSession, Person, str], Awaitable[None]]
_routes: dict[str, DeepLink] = {}


def register_deep_link(kind: str, handler: DeepLink) -> None:
    _routes[kind] = handler


def route_for(payload: str) -> DeepLink | None:
    return _routes.get(payload.split("_", 1)[0]) if "_" in payload else None
