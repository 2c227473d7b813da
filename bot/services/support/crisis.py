"""Crisis help: what to show someone who needs support now, and a record of the request.

The record exists so that people the member chose (supporters, a later feature) can be
alerted at once: a feature registers a hook that runs in the same transaction and writes
its alerts to the outbox.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import texts
from bot.models import CrisisRequest, Person
from bot.services.support import helplines
from bot.services.support.escalation import Windows
from bot.services.support.states import CrisisSource

# Two taps on the button, or /sos right after it, are one request, not two alerts.
REPEAT_WINDOW = timedelta(minutes=2)
# A second tap this soon after the first is a double tap: the numbers are just above.
DOUBLE_TAP = timedelta(seconds=10)

# (session, person, the new request, now, the alert windows from Settings)
CrisisHook = Callable[[AsyncSession, Person, CrisisRequest, datetime, Windows], Awaitable[None]]
_hooks: list[CrisisHook] = []


def on_crisis(hook: CrisisHook) -> None:
    """Run `hook` whenever a new crisis request is recorded (same transaction)."""
    if hook not in _hooks:
        _hooks.append(hook)


async def record_request(
    session: AsyncSession, person: Person, source: CrisisSource, *, now: datetime, windows: Windows
) -> tuple[CrisisRequest, bool]:
    """Record that the person asked for help: (the request, whether it is new). A request
    moments after another is the same one: no second alert is raised."""
    assert person.id is not None
    recent = await session.execute(
        select(CrisisRequest)
        .where(CrisisRequest.person_id == person.id, col(CrisisRequest.created_at) > now - REPEAT_WINDOW)
        .order_by(col(CrisisRequest.created_at).desc())
        .limit(1)
    )
    existing = recent.scalar_one_or_none()
    if existing is not None:
        return existing, False
    request = CrisisRequest(person_id=person.id, source=source, created_at=now)
    session.add(request)
    await session.flush()
    for hook in _hooks:
        await hook(session, person, request, now, windows)
    return request, True


def _name(helpline: helplines.Helpline) -> str:
    service = texts.HELPLINE_NAMES.get(helpline.id, helpline.service)
    if not helpline.website:
        return texts.h(service)
    return f'<a href="{html.escape(helpline.website, quote=True)}">{texts.h(service)}</a>'


def _contact(helpline: helplines.Helpline) -> str:
    parts = [f"<b>{texts.h(helpline.phone)}</b>"] if helpline.phone else []
    if helpline.sms:
        sms = texts.HELPLINE_SMS.get(helpline.id, helpline.sms)
        parts.append(texts.h(sms[0].lower() + sms[1:] if parts else sms))
    when = {
        (True, True): texts.SOS_FREE_24_7,
        (True, False): texts.SOS_FREE,
        (False, True): texts.SOS_24_7,
    }.get((helpline.free, helpline.always_open), "")
    joined = texts.SOS_OR.format(first=parts[0], second=parts[1]) if len(parts) == 2 else "".join(parts)
    return joined + when


def message(zone_name: str | None, default_zone: str) -> str:
    """999 and Samaritans first, then the verified helplines for the person's region."""
    emergency, talk = helplines.by_id(helplines.EMERGENCY_ID), helplines.by_id(helplines.TALK_ID)
    lines = [texts.SOS_HEADER, ""]
    if emergency is None or talk is None:  # the data file lost a row: never show less than this
        lines.append(texts.CRISIS_LINE)
    else:
        lines.append(texts.SOS_EMERGENCY.format(phone=texts.h(emergency.phone)))
        lines.append(texts.SOS_TALK.format(service=_name(talk), contact=_contact(talk)))
    region = helplines.region_of(zone_name, default_zone)
    others = helplines.for_region(region)
    if others:
        lines += ["", texts.SOS_OTHERS, *(texts.SOS_LINE.format(service=_name(h), contact=_contact(h)) for h in others)]
    if region != "uk":
        lines += ["", texts.SOS_OUTSIDE_UK]
    lines += ["", texts.SOS_FOOTER]
    return "\n".join(lines)
