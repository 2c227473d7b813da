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

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import texts
from bot.buttons import inline
from bot.models import Outbox, Person, RelaySession, RoleRequest, SupportLink
from bot.runtime import Runtime
from bot.services import outbox
from bot.services.caps import Caps, next_allowed, refusal
from bot.services.people import people
from bot.services.people.roles import Outcome
from bot.services.support import alerts, buttons
from bot.services.support.buttons import RelayAction
from bot.services.support.states import OutboxKind, RelayStatus
from bot.services.validation import is_digits

log = logging.getLogger("fellowship.relay")

MAX_LENGTH = 3500  # leaves room for the header inside Telegram's 4,096
# A coordinator may write to a member they were alerted about this recently.
COORDINATOR_WINDOW = timedelta(days=7)
# After a message goes through, plain text from either side goes to the other this long.
CONVERSATION_WINDOW = timedelta(days=1)
# How long after tapping "Message" typed text is still taken as the message.
WRITING_WINDOW = timedelta(minutes=30)
# What is awaited, stored on the person: `relay:<relay id>:<minute asked>`.
AWAITING = "relay"
MESSAGE = OutboxKind.RELAY_MESSAGE
NEWS = OutboxKind.RELAY_NEWS
# A role request waiting for a coordinator (the people package's status; stored as text).
_PENDING_REQUEST = "pending"


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
        select(RoleRequest.id).where(RoleRequest.person_id == applicant_id, RoleRequest.status == _PENDING_REQUEST).limit(1)
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
    if relay.status == RelayStatus.STOPPED and relay.stopped_by_id not in (None, writer.id):
        return Opened(None, other, texts.RELAY_STOPPED_BY_OTHER.format(name=texts.h(other.pseudonym)))
    relay.status, relay.stopped_by_id, relay.updated_at = RelayStatus.OPEN, None, now
    return Opened(relay, other)


async def resume(session: AsyncSession, writer: Person, relay_id: int, now: datetime) -> Opened:
    """"Reply" on a passed-on message: only a side of that relay, while it is open."""
    relay = await session.get(RelaySession, relay_id)
    if relay is None or writer.id not in (relay.member_id, relay.helper_id):
        return Opened(None, None, texts.NOT_FOR_YOU)
    other = await session.get(Person, relay.helper_id if writer.id == relay.member_id else relay.member_id)
    if other is None:
        return Opened(None, None, texts.RELAY_ENDED)
    if relay.status == RelayStatus.STOPPED:
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


async def _over_daily_cap(session: AsyncSession, writer: Person, caps: Caps, now: datetime) -> str | None:
    """The refusal when the writer has passed on their day's share of messages (across all
    their conversations, counted from the outbox rows that carried them), or None."""
    where = [col(Outbox.author_id) == writer.id, col(Outbox.kind) == MESSAGE]
    when = await next_allowed(session, col(Outbox.created_at), where, caps.relay_messages, now)
    if when is None:
        return None
    log.info("relay: a writer reached the daily cap")
    return refusal(texts.CAP_RELAY, caps.relay_messages, when, now, writer.timezone, caps.default_zone)


async def send(session: AsyncSession, relay: RelaySession, writer: Person, text: str, now: datetime, caps: Caps) -> Outcome:
    """Pass one typed message on (through the outbox, so it is never lost)."""
    problem = problem_with(text)
    if problem is not None:
        return Outcome(False, problem)
    words = text.strip()
    opened = await resume(session, writer, relay.id or 0, now)
    if opened.relay is None or opened.other is None or opened.other.id is None:
        return Outcome(False, opened.problem or texts.RELAY_ENDED)
    capped = await _over_daily_cap(session, writer, caps, now)
    if capped is not None:
        return Outcome(False, capped)
    other, other_id = opened.other, opened.other.id
    name = texts.h(writer.pseudonym)
    if writer.id == relay.member_id:
        header = "RELAY_FROM_MEMBER"
    elif await _is_supporter(session, relay.helper_id, relay.member_id):
        header = "RELAY_FROM_SUPPORTER"
    else:
        header = "RELAY_FROM_COORDINATOR"
    await outbox.enqueue_for(session, other_id, MESSAGE, lambda: f"{getattr(texts, header).format(name=name)}\n\n{texts.h(words)}", now=now, reply_markup=lambda: message_markup(relay.id or 0),
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
            (col(RelaySession.member_id) == person.id) | (col(RelaySession.helper_id) == person.id),
            RelaySession.status == RelayStatus.OPEN,
            col(RelaySession.last_message_at) >= now - CONVERSATION_WINDOW,
        )
        .order_by(col(RelaySession.last_message_at).desc(), col(RelaySession.id).desc())
        .limit(1)
    )
    relay = found.scalar_one_or_none()
    if relay is None or not await may_write(session, relay.helper_id, relay.member_id, now):
        return None
    return relay


def message_markup(relay_id: int) -> dict[str, object]:
    return inline([[(texts.RELAY_REPLY, buttons.relay_data(RelayAction.WRITE, relay_id)), stop_button(relay_id)]])


def stop_button(relay_id: int | None) -> tuple[str, str]:
    return texts.RELAY_STOP, buttons.relay_data(RelayAction.STOP, relay_id or 0)


def again_markup(relay_id: int | None) -> dict[str, object]:
    """Under "Sent to Alex" after a tapped message: write again, or stop."""
    return inline([[(texts.RELAY_AGAIN, buttons.relay_data(RelayAction.WRITE, relay_id or 0)), stop_button(relay_id)]])


def cancel_markup() -> dict[str, object]:
    """The Cancel button under "type your message", in the current language."""
    return inline([[(texts.RELAY_CANCEL, buttons.relay_data(RelayAction.CANCEL))]])


async def stop(session: AsyncSession, relay: RelaySession, person: Person, now: datetime) -> Outcome:
    """Either side stops it; the other is told. Only the one who stopped can reopen it."""
    if person.id not in (relay.member_id, relay.helper_id):
        return Outcome(False, texts.NOT_FOR_YOU)
    other_id = relay.helper_id if person.id == relay.member_id else relay.member_id
    other = await session.get(Person, other_id)
    if relay.status == RelayStatus.STOPPED:
        return Outcome(True, texts.RELAY_STOPPED_DONE.format(name=texts.h(other.pseudonym if other else "")))
    relay.status, relay.stopped_by_id, relay.updated_at = RelayStatus.STOPPED, person.id, now
    if other is not None and other.unreachable_at is None:
        await outbox.enqueue_for(session, other_id, NEWS, lambda: texts.RELAY_STOPPED_NOTICE.format(name=texts.h(person.pseudonym)), now=now)
    return Outcome(True, texts.RELAY_STOPPED_DONE.format(name=texts.h(other.pseudonym if other else "")))


async def _between(session: AsyncSession, member_id: int, helper_id: int) -> RelaySession | None:
    found = await session.execute(
        select(RelaySession).where(RelaySession.member_id == member_id, RelaySession.helper_id == helper_id)
    )
    return found.scalar_one_or_none()


# --- the person writing -------------------------------------------------------------------


def _minute(now: datetime) -> int:
    return int(now.timestamp() // 60)


def is_writing(person: Person) -> bool:
    """Whether a typed relay message is awaited from the person."""
    return (person.awaiting or "").startswith(AWAITING + ":")


def _asked(awaiting: str | None) -> tuple[int, int] | None:
    """(relay id, minute asked) from what the person is awaited for, or None."""
    parts = (awaiting or "").split(":")
    if len(parts) != 3 or parts[0] != AWAITING or not is_digits(parts[1]) or not is_digits(parts[2]):
        return None
    return int(parts[1]), int(parts[2])


def stop_writing(person: Person, relay_id: int | None = None) -> None:
    """Stop waiting for the person's typed message (only for `relay_id`, when given)."""
    asked = _asked(person.awaiting)
    if is_writing(person) and (relay_id is None or (asked is not None and asked[0] == relay_id)):
        person.awaiting = None


async def begin_writing(session: AsyncSession, writer: Person, action: RelayAction, target: int, now: datetime) -> Opened:
    """"Message Sam" (`target` a person) or "Reply" (`target` a relay): open the relay and
    wait for one typed message, stored on the person so a restart loses nothing."""
    opened = await (start(session, writer, target, now) if action is RelayAction.NEW else resume(session, writer, target, now))
    if opened.relay is not None and opened.other is not None:
        await session.flush()
        writer.awaiting = f"{AWAITING}:{opened.relay.id or 0}:{_minute(now)}"
    return opened


async def stop_by_id(session: AsyncSession, relay_id: int, person: Person, now: datetime) -> Outcome:
    """The Stop button: stop that relay (either side) and any message being written to it."""
    found = await session.get(RelaySession, relay_id)
    if found is None:
        return Outcome(False, texts.STALE_BUTTON)
    outcome = await stop(session, found, person, now)
    if outcome.ok:
        stop_writing(person, relay_id)
    return outcome


@dataclass(frozen=True)
class Passed:
    """What the writer is told, and the relay (for Again / Stop) when the words went on.
    `by_member`: the writer is the member of the relay written to, sent or not (crisis
    words get the helplines even when the message could not go on)."""

    message: str
    relay: RelaySession | None = None
    by_member: bool = False


async def send_written(session: AsyncSession, person: Person, text: str, now: datetime, caps: Caps) -> Passed:
    """The typed message after "Message" or "Reply": passed on once, then the question
    closes (one message per tap). Too late, and it is not sent; empty or too long, and the
    question stays open for another try."""
    asked = _asked(person.awaiting)
    if asked is None or _minute(now) - asked[1] > WRITING_WINDOW.total_seconds() // 60:
        person.awaiting = None
        return Passed(texts.RELAY_EXPIRED)
    problem = problem_with(text)
    if problem is not None:
        return Passed(problem)  # still waiting for the message
    person.awaiting = None
    found = await session.get(RelaySession, asked[0])
    if found is None:
        return Passed(texts.RELAY_ENDED)
    outcome = await send(session, found, person, text, now, caps)
    return Passed(outcome.message, found if outcome.ok else None, from_member(found, person))


async def send_in_conversation(session: AsyncSession, person: Person, text: str, now: datetime, caps: Caps) -> Passed | None:
    """Plain text while a conversation is open goes to the other side ("Sent to Alex");
    None when there is no open conversation (the text is someone else's business)."""
    found = await open_conversation(session, person, now)
    if found is None:
        return None
    outcome = await send(session, found, person, text, now, caps)
    if not outcome.ok:
        return Passed(outcome.message, None, from_member(found, person))
    other = await session.get(Person, found.helper_id if person.id == found.member_id else found.member_id)
    return Passed(texts.RELAY_SENT_PLAIN.format(name=texts.h(other.pseudonym if other is not None else "")), found,
                  from_member(found, person))


def from_member(relay: RelaySession, person: Person) -> bool:
    """Whether `person` writes as the member of this relay (crisis words get the helplines)."""
    return person.id == relay.member_id


async def reroute(session: AsyncSession, row: Outbox, now: datetime) -> None:
    """A message couldn't be delivered: its words are dropped from the row at once (they
    are not kept), and the writer is told."""
    await session.execute(update(Outbox).where(col(Outbox.id) == row.id).values(payload="{}"))
    pressed = (buttons.parse_relay(data) for data in alerts.callbacks_in(outbox.params_of(outbox.vault_of(session), row)))
    relay_id = next((p[1] for p in pressed if p is not None and p[0] is RelayAction.WRITE), None)
    relay = await session.get(RelaySession, relay_id) if relay_id is not None else None
    if relay is None or row.person_id not in (relay.member_id, relay.helper_id):
        return
    writer_id = relay.helper_id if row.person_id == relay.member_id else relay.member_id
    reader = await session.get(Person, row.person_id)
    await outbox.enqueue_for(session, writer_id, NEWS, lambda: texts.RELAY_UNDELIVERED.format(name=texts.h(reader.pseudonym if reader else "")), now=now)


async def export(session: AsyncSession, rt: Runtime, person: Person) -> dict[str, Any]:
    rows = (
        await session.execute(
            select(RelaySession).where((col(RelaySession.member_id) == person.id) | (col(RelaySession.helper_id) == person.id))
        )
    ).scalars()
    names: dict[int, str | None] = {}
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
    await session.execute(update(RelaySession).where(col(RelaySession.stopped_by_id) == person.id).values(stopped_by_id=None))
    await session.execute(
        delete(RelaySession).where((col(RelaySession.member_id) == person.id) | (col(RelaySession.helper_id) == person.id))
    )
