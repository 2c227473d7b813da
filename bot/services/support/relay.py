"""Anonymous relay: a supporter (or a coordinator alerted about the member) and the member
write to each other through the bot, and neither sees the other's Telegram account.

A `RelaySession` records only who may write to whom. The words travel in an outbox row,
which the sender empties once Telegram has them (and this module empties when they can't
be delivered, telling the writer). Either side can stop the relay; only the one who stopped
it can open it again, so a member's "stop" holds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.buttons import callback, inline
from bot.models import Outbox, Person, RelaySession, RoleRequest, SupportLink
from bot.runtime import Runtime
from bot.services import outbox
from bot.services.people import people
from bot.services.people.roles import Outcome
from bot.services.support import alerts

log = logging.getLogger("fellowship.relay")

MAX_LENGTH = 3500  # leaves room for the header inside Telegram's 4,096
# A coordinator may write to a member they were alerted about this recently.
COORDINATOR_WINDOW = timedelta(days=7)
# After a message goes through, plain text from either side goes to the other this long.
CONVERSATION_WINDOW = timedelta(days=1)
MESSAGE = "relay"  # outbox kind of a passed-on message; re-routed when undeliverable
NEWS = "relay_news"
FEATURE = "rl"


async def _is_supporter(session: AsyncSession, helper_id: int, member_id: int) -> bool:
    found = await session.execute(
        select(SupportLink.id).where(SupportLink.member_id == member_id, SupportLink.supporter_id == helper_id)
    )
    return found.first() is not None


async def may_write(session: AsyncSession, helper_id: int, member_id: int, now: datetime) -> bool:
    """A helper may write to a member they support; while a coordinator, to one they were
    alerted about lately or whose role request is waiting (to arrange vetting). A
    coordinator whose role ended can no longer write."""
    if await _is_supporter(session, helper_id, member_id):
        return True
    if not await people.is_coordinator(session, helper_id):
        return False
    return (
        await alerts.was_alerted_about(session, helper_id, member_id, now - COORDINATOR_WINDOW)
        or await _vetting(session, helper_id, member_id)
    )


async def _vetting(session: AsyncSession, coordinator_id: int, applicant_id: int) -> bool:
    """The helper is a coordinator and the other person has a role request pending."""
    pending = await session.execute(
        select(RoleRequest.id).where(RoleRequest.person_id == applicant_id, RoleRequest.status == "pending").limit(1)
    )
    return pending.first() is not None and await people.is_coordinator(session, coordinator_id)


@dataclass(frozen=True)
class Opened:
    """A relay ready for the writer's next message, or why not."""

    relay: RelaySession | None
    other: Person | None
    problem: str | None = None


async def start(session: AsyncSession, writer: Person, other_id: int, now: datetime) -> Opened:
    """Open (or reopen) the relay between `writer` and `other_id`, in either direction."""
    assert writer.id is not None
    other = await session.get(Person, other_id)
    if other is None or other.id is None or other.id == writer.id:
        return Opened(None, None, texts.RELAY_NOT_LINKED)
    if await may_write(session, writer.id, other.id, now):
        member_id, helper_id = other.id, writer.id
    elif await may_write(session, other.id, writer.id, now):
        member_id, helper_id = writer.id, other.id
    else:
        return Opened(None, other, texts.RELAY_NOT_LINKED)
    relay = await _between(session, member_id, helper_id)
    if relay is None:
        relay = RelaySession(member_id=member_id, helper_id=helper_id, created_at=now, updated_at=now)
        try:
            async with session.begin_nested():
                session.add(relay)
        except IntegrityError:  # opened a moment ago from the other side
            relay = await _between(session, member_id, helper_id)
            assert relay is not None
    if relay.status == "stopped" and relay.stopped_by_id not in (None, writer.id):
        return Opened(None, other, texts.RELAY_STOPPED_BY_OTHER.format(name=texts.h(other.pseudonym)))
    relay.status, relay.stopped_by_id, relay.updated_at = "open", None, now
    return Opened(relay, other)


async def resume(session: AsyncSession, writer: Person, relay_id: int, now: datetime) -> Opened:
    """"Reply" on a passed-on message: only a side of that relay, while it is open."""
    relay = await session.get(RelaySession, relay_id)
    if relay is None or writer.id not in (relay.member_id, relay.helper_id):
        return Opened(None, None, texts.NOT_FOR_YOU)
    other = await session.get(Person, relay.helper_id if writer.id == relay.member_id else relay.member_id)
    if other is None:
        return Opened(None, None, texts.RELAY_ENDED)
    if relay.status == "stopped":
        return Opened(None, other, texts.RELAY_STOPPED.format(name=texts.h(other.pseudonym)))
    if not await may_write(session, relay.helper_id, relay.member_id, now):
        return Opened(None, other, texts.RELAY_ENDED)
    return Opened(relay, other)


def problem_with(text: str) -> str | None:
    """Why a typed message can't be passed on as it is (the writer may try again), or None."""
    words = text.strip()
    if not words:
        return texts.RELAY_EMPTY
    if len(words) > MAX_LENGTH:
        return texts.RELAY_TOO_LONG.format(limit=f"{MAX_LENGTH:,}")
    return None


async def send(session: AsyncSession, relay: RelaySession, writer: Person, text: str, now: datetime) -> Outcome:
    """Pass one typed message on (through the outbox, so it is never lost)."""
    problem = problem_with(text)
    if problem is not None:
        return Outcome(False, problem)
    words = text.strip()
    opened = await resume(session, writer, relay.id or 0, now)
    if opened.relay is None or opened.other is None or opened.other.id is None:
        return Outcome(False, opened.problem or texts.RELAY_ENDED)
    other, other_id = opened.other, opened.other.id
    name = texts.h(writer.pseudonym)
    if writer.id == relay.member_id:
        header = texts.RELAY_FROM_MEMBER.format(name=name)
    elif await _is_supporter(session, relay.helper_id, relay.member_id):
        header = texts.RELAY_FROM_SUPPORTER.format(name=name)
    else:
        header = texts.RELAY_FROM_COORDINATOR.format(name=name)
    outbox.enqueue(session, other_id, MESSAGE, f"{header}\n\n{texts.h(words)}", now=now, reply_markup=message_markup(relay.id or 0),
                   author_id=writer.id)
    relay.updated_at = relay.last_message_at = now
    log.info("relay %s: a message was passed on", relay.id)
    return Outcome(True, texts.RELAY_SENT.format(name=texts.h(other.pseudonym)))


async def open_conversation(session: AsyncSession, person: Person, now: datetime) -> RelaySession | None:
    """The person's conversation with a message through it in the last day, still open on
    both sides (the newest, if several): plain text they type goes there."""
    found = await session.execute(
        select(RelaySession)
        .where(
            (RelaySession.member_id == person.id) | (RelaySession.helper_id == person.id),
            RelaySession.status == "open",
            RelaySession.last_message_at >= now - CONVERSATION_WINDOW,  # type: ignore[operator]
        )
        .order_by(RelaySession.last_message_at.desc(), RelaySession.id.desc())  # type: ignore[union-attr]
        .limit(1)
    )
    relay = found.scalar_one_or_none()
    if relay is None or not await may_write(session, relay.helper_id, relay.member_id, now):
        return None
    return relay


def message_markup(relay_id: int) -> dict[str, object]:
    return inline([[(texts.RELAY_REPLY, callback(FEATURE, "w", relay_id)), (texts.RELAY_STOP, callback(FEATURE, "s", relay_id))]])


async def stop(session: AsyncSession, relay: RelaySession, person: Person, now: datetime) -> Outcome:
    """Either side stops it; the other is told. Only the one who stopped can reopen it."""
    if person.id not in (relay.member_id, relay.helper_id):
        return Outcome(False, texts.NOT_FOR_YOU)
    other_id = relay.helper_id if person.id == relay.member_id else relay.member_id
    other = await session.get(Person, other_id)
    if relay.status == "stopped":
        return Outcome(True, texts.RELAY_STOPPED_DONE.format(name=texts.h(other.pseudonym if other else "")))
    relay.status, relay.stopped_by_id, relay.updated_at = "stopped", person.id, now
    if other is not None and other.unreachable_at is None:
        outbox.enqueue(session, other_id, NEWS, texts.RELAY_STOPPED_NOTICE.format(name=texts.h(person.pseudonym)), now=now)
    return Outcome(True, texts.RELAY_STOPPED_DONE.format(name=texts.h(other.pseudonym if other else "")))


async def _between(session: AsyncSession, member_id: int, helper_id: int) -> RelaySession | None:
    found = await session.execute(
        select(RelaySession).where(RelaySession.member_id == member_id, RelaySession.helper_id == helper_id)
    )
    return found.scalar_one_or_none()


async def reroute(session: AsyncSession, row: Outbox, now: datetime) -> None:
    """A message couldn't be delivered: its words are dropped from the row at once (they
    are not kept), and the writer is told."""
    await session.execute(update(Outbox).where(Outbox.id == row.id).values(payload="{}"))
    relay_id = next(
        (int(p[3]) for p in (d.split(":") for d in alerts.callbacks_in(row.payload)) if len(p) == 4 and p[1:3] == [FEATURE, "w"] and p[3].isdigit()),
        None,
    )
    relay = await session.get(RelaySession, relay_id) if relay_id is not None else None
    if relay is None or row.person_id not in (relay.member_id, relay.helper_id):
        return
    writer_id = relay.helper_id if row.person_id == relay.member_id else relay.member_id
    reader = await session.get(Person, row.person_id)
    outbox.enqueue(session, writer_id, NEWS, texts.RELAY_UNDELIVERED.format(name=texts.h(reader.pseudonym if reader else "")), now=now)


async def export(session: AsyncSession, rt: Runtime, person: Person) -> dict[str, Any]:
    rows = (
        await session.execute(
            select(RelaySession).where((RelaySession.member_id == person.id) | (RelaySession.helper_id == person.id))
        )
    ).scalars()
    names = {}
    result = []
    for relay in rows:
        other_id = relay.helper_id if relay.member_id == person.id else relay.member_id
        if other_id not in names:
            other = await session.get(Person, other_id)
            names[other_id] = other.pseudonym if other else None
        last = relay.last_message_at.isoformat() if relay.last_message_at else None
        result.append({"with": names[other_id], "status": relay.status, "since": relay.created_at.isoformat(), "last_message_at": last})
    return {"about": texts.RELAY_EXPORT_NOTE, "conversations": result}


async def erase(session: AsyncSession, person: Person) -> None:
    await session.execute(update(RelaySession).where(RelaySession.stopped_by_id == person.id).values(stopped_by_id=None))
    await session.execute(delete(RelaySession).where((RelaySession.member_id == person.id) | (RelaySession.helper_id == person.id)))
