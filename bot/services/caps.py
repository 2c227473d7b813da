"""Daily caps (issue 18): invitations, relay messages, announcements and release requests
each have a per-person limit, so no one can use the bot to spam someone else.

A "day" is the last 24 hours, rolling: fair whatever the person's time zone, and the
refusal can say exactly when the next one is allowed (when the oldest counted one is 24
hours old). Each feature counts rows it keeps anyway (invitations by creator, outbox rows
by author, release requests by creator), so no schema is needed and a restart forgets
nothing. The limits come from Settings (`DAILY_*`) through the caller: `Caps.of(rt.settings)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot import texts
from bot.services.schedule_times import local_date, zone_named

WINDOW = timedelta(hours=24)


class CapSettings(Protocol):
    """The Settings fields the caps come from."""

    daily_invitations: int
    daily_relay_messages: int
    daily_announcements: int
    daily_release_requests: int
    daily_release_requests_coordinator: int
    default_timezone: str


@dataclass(frozen=True)
class Caps:
    """How many of each a person may do in 24 hours, and the zone "after 14:30" is told in
    for someone who hasn't chosen theirs."""

    invitations: int
    relay_messages: int
    announcements: int
    release_requests: int
    release_requests_coordinator: int
    default_zone: str

    @classmethod
    def of(cls, settings: CapSettings) -> Caps:
        return cls(
            settings.daily_invitations,
            settings.daily_relay_messages,
            settings.daily_announcements,
            settings.daily_release_requests,
            settings.daily_release_requests_coordinator,
            settings.default_timezone,
        )


async def next_allowed(
    session: AsyncSession, moment: Any, where: Sequence[ColumnElement[bool]], limit: int, now: datetime,
    *, each_moment_once: bool = False,
) -> datetime | None:
    """None while fewer than `limit` rows matching `where` have `moment` in the last 24
    hours; else when the next one is allowed (the `limit`-th newest turns 24 hours old).
    `each_moment_once`: rows written together (one announcement to many followers) count once."""
    query = select(moment).where(*where, moment > now - WINDOW)
    if each_moment_once:
        query = query.distinct()
    found = await session.execute(query.order_by(moment.desc()).limit(limit))
    moments = list(found.scalars())
    return moments[-1] + WINDOW if len(moments) >= limit else None


def when_text(when: datetime, now: datetime, zone_name: str | None, default_zone: str) -> str:
    """"after 14:30" today, or "tomorrow after 14:30", in the person's own time zone."""
    zone = zone_named(zone_name, default_zone)
    time = when.astimezone(zone).strftime("%H:%M")
    same_day = local_date(when, zone) == local_date(now, zone)
    return (texts.CAP_WHEN_TODAY if same_day else texts.CAP_WHEN_TOMORROW).format(time=time)


def refusal(template: str, limit: int, when: datetime, now: datetime, zone_name: str | None, default_zone: str) -> str:
    """The kind "not now" for a reached cap: how many, and when they can again."""
    return template.format(count=limit, when=when_text(when, now, zone_name, default_zone))
