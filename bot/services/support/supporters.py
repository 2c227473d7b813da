"""Supporters: the people a member asks to be alerted, in what order, and what each sees.

A member invites a supporter with a single-use deep link (`su_<token>`, made and redeemed
by `services.invitations`) and has at most five, in an order they set (sponsor first).
Every supporter sees whether check-ins are happening; the member chooses for each whether
they also see mood and slips. Never notes. Either side can end the link at any time: the
other is told, and an alert that was waiting on that supporter moves on to the next person.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import texts
from bot.models import AlertPlan, Checkin, CheckinPlan, Invitation, Person, SupportLink
from bot.runtime import Runtime
from bot.services import outbox
from bot.services.caps import Caps
from bot.services.people import invitations
from bot.services.people.roles import Outcome
from bot.services.schedule_times import local_date, zone_named
from bot.services.support import alerts, lapses
from bot.services.support.states import OutboxKind

MAX_SUPPORTERS = 5
INVITE_KIND = "su"
# Links not yet used: enough to ask a few people at once, not enough to flood anyone.
MAX_OPEN_INVITATIONS = 5
SHARES = {"mood": "share_mood", "slips": "share_slips"}
NEWS = OutboxKind.LINK_NEWS  # accepted, declined, ended

# Told when someone becomes a supporter, in the same transaction: (session, member,
# supporter, now). Release aftercare uses it so a companion steps back once the sponsor
# they handed over to says yes.
LinkListener = Callable[[AsyncSession, Person, Person, datetime], Awaitable[None]]
_link_listeners: list[LinkListener] = []


def on_linked(listener: LinkListener) -> None:
    if listener not in _link_listeners:
        _link_listeners.append(listener)


async def supporters_of(session: AsyncSession, member_id: int) -> list[tuple[SupportLink, Person]]:
    """The member's supporters, first to be alerted first."""
    rows = await session.execute(
        select(SupportLink, Person)
        .join(Person, col(Person.id) == col(SupportLink.supporter_id))
        .where(SupportLink.member_id == member_id)
        .order_by(col(SupportLink.position), col(SupportLink.id))
    )
    return [(link, person) for link, person in rows.all()]


async def supported_by(session: AsyncSession, supporter_id: int) -> list[tuple[SupportLink, Person]]:
    """The members someone supports, oldest link first."""
    rows = await session.execute(
        select(SupportLink, Person)
        .join(Person, col(Person.id) == col(SupportLink.member_id))
        .where(SupportLink.supporter_id == supporter_id)
        .order_by(col(SupportLink.id))
    )
    return [(link, person) for link, person in rows.all()]


async def link_between(session: AsyncSession, member_id: int, supporter_id: int) -> SupportLink | None:
    found = await session.execute(
        select(SupportLink).where(SupportLink.member_id == member_id, SupportLink.supporter_id == supporter_id)
    )
    return found.scalar_one_or_none()


async def _count(session: AsyncSession, member_id: int) -> int:
    return (await session.execute(select(func.count()).where(SupportLink.member_id == member_id))).scalar_one()


async def _close_up(session: AsyncSession, member_id: int) -> None:
    """Number the member's remaining supporters 1, 2, 3... again after one left."""
    for position, (link, _) in enumerate(await supporters_of(session, member_id), start=1):
        link.position = position


# --- invitations --------------------------------------------------------------------------


async def invite(session: AsyncSession, member: Person, now: datetime, *, caps: Caps | None) -> Outcome:
    """A new invitation: Outcome(True, payload), or Outcome(False, why not). `caps`: the
    daily cap when the member asks for a link; None when the bot makes one on their behalf
    (release aftercare), which is bounded by the open-invitation limit anyway."""
    assert member.id is not None
    if await _count(session, member.id) >= MAX_SUPPORTERS:
        return Outcome(False, texts.SUPPORTERS_FULL.format(limit=MAX_SUPPORTERS))
    if caps is not None:
        capped = await invitations.daily_cap_problem(session, member, caps, now)
        if capped is not None:
            return Outcome(False, capped)
    waiting = await session.execute(
        select(func.count()).where(
            Invitation.kind == INVITE_KIND,
            Invitation.created_by_id == member.id,
            col(Invitation.used_at).is_(None),
            col(Invitation.expires_at) > now,
        )
    )
    if waiting.scalar_one() >= MAX_OPEN_INVITATIONS:
        return Outcome(False, texts.SUPPORT_TOO_MANY_INVITES.format(limit=MAX_OPEN_INVITATIONS))
    return Outcome(True, invitations.create(session, INVITE_KIND, created_by=member.id, now=now))


@dataclass(frozen=True)
class Invited:
    """An invitation as the invitee sees it: who asks, or why it can't be used."""

    member: Person | None
    problem: str | None


async def check_invitation(session: AsyncSession, invitation_id: int | None, invitee: Person, now: datetime) -> Invited:
    """Whether `invitee` may accept this supporter invitation (without using it up); an
    invitation of any other kind is unknown here."""
    checked = await invitations.check(session, invitation_id, INVITE_KIND, now)
    if checked.problem or checked.invitation is None:
        return Invited(None, invitations.problem_text(checked.problem))
    member = await session.get(Person, checked.invitation.created_by_id) if checked.invitation.created_by_id else None
    if member is None or member.id is None:
        return Invited(None, texts.INVITE_UNKNOWN)  # the member has since left
    if member.id == invitee.id:
        return Invited(member, texts.SUPPORT_OWN_LINK)
    if await link_between(session, member.id, invitee.id or 0) is not None:
        return Invited(member, texts.SUPPORT_ALREADY.format(name=texts.h(member.pseudonym)))
    if await _count(session, member.id) >= MAX_SUPPORTERS:
        return Invited(member, texts.SUPPORT_MEMBER_FULL.format(name=texts.h(member.pseudonym)))
    return Invited(member, None)


async def accept(session: AsyncSession, invitation_id: int, supporter: Person, now: datetime, *, announce: bool = True) -> Outcome:
    """Use the link and become the member's last supporter; the member is told (unless the
    bot made the link for them, `announce=False`: the supporter did nothing to say yes to)."""
    assert supporter.id is not None
    invited = await check_invitation(session, invitation_id, supporter, now)
    member = invited.member
    if invited.problem or member is None or member.id is None:
        return Outcome(False, invited.problem or texts.INVITE_UNKNOWN)
    member_id = member.id
    # One accept at a time per member, so two invitees can't both become the fifth (a row
    # lock on PostgreSQL; SQLite has one writer anyway).
    await session.execute(select(Person.id).where(Person.id == member_id).with_for_update())
    if await _count(session, member_id) >= MAX_SUPPORTERS:
        return Outcome(False, texts.SUPPORT_MEMBER_FULL.format(name=texts.h(member.pseudonym)))
    redeemed = await invitations.redeem(session, invitation_id, INVITE_KIND, person_id=supporter.id, now=now)
    if redeemed.problem:
        return Outcome(False, invitations.problem_text(redeemed.problem))
    last = (await session.execute(select(func.max(col(SupportLink.position))).where(SupportLink.member_id == member_id))).scalar()
    link = SupportLink(member_id=member_id, supporter_id=supporter.id, position=(last or 0) + 1, created_at=now)
    try:
        async with session.begin_nested():
            session.add(link)
    except IntegrityError:  # the same person accepted another of the member's links meanwhile
        return Outcome(False, texts.SUPPORT_ALREADY.format(name=texts.h(member.pseudonym)))
    await lapses.watch_next_prompt(session, member, now, after_day=await alerts.last_checkin(session, member_id), start=True)
    if announce:
        place = await _count(session, member_id)
        await outbox.enqueue_for(
            session, member_id, NEWS,
            lambda: texts.SUPPORTER_ACCEPTED.format(name=texts.h(supporter.pseudonym), place=texts.ORDINALS[place]),
            now=now,
        )
    for listener in _link_listeners:
        await listener(session, member, supporter, now)
    return Outcome(True, texts.SUPPORTING_WELCOME.format(name=texts.h(member.pseudonym)))


async def decline(session: AsyncSession, invitation_id: int, invitee: Person, now: datetime) -> Outcome:
    """Say no: the link is used up and the member is told, kindly."""
    assert invitee.id is not None
    invited = await check_invitation(session, invitation_id, invitee, now)
    if invited.member is None or invited.member.id is None:
        return Outcome(False, invited.problem or texts.INVITE_UNKNOWN)
    if invited.member.id == invitee.id:
        return Outcome(False, texts.SUPPORT_OWN_LINK)
    redeemed = await invitations.redeem(session, invitation_id, INVITE_KIND, person_id=invitee.id, now=now)
    if redeemed.problem:
        return Outcome(False, invitations.problem_text(redeemed.problem))
    await outbox.enqueue_for(session, invited.member.id, NEWS, lambda: texts.SUPPORTER_DECLINED.format(name=texts.h(invitee.pseudonym)), now=now)
    return Outcome(True, texts.SUPPORT_DECLINED_DONE.format(name=texts.h(invited.member.pseudonym)))


# --- the member's choices -----------------------------------------------------------------


def set_sharing(link: SupportLink, what: str, on: bool) -> None:
    setattr(link, SHARES[what], on)


@dataclass(frozen=True)
class Seen:
    """A link as the presser of one of its buttons sees it: the person on the other side,
    and whether the presser is the link's member (who may change it) or its supporter."""

    link: SupportLink
    other: Person
    as_member: bool


async def link_seen_by(session: AsyncSession, link_id: int, me: Person, *, supporter_may: bool) -> Seen | None:
    """The link if `me` may act on it: its member always, its supporter only when
    `supporter_may` (look and end, never change). None: gone, or someone else's."""
    link = await session.get(SupportLink, link_id)
    if link is None or me.id is None:
        return None
    as_member = link.member_id == me.id
    if not (as_member or (supporter_may and link.supporter_id == me.id)):
        return None
    other = await session.get(Person, link.supporter_id if as_member else link.member_id)
    return Seen(link, other, as_member) if other is not None else None


async def place_of(session: AsyncSession, link: SupportLink) -> int:
    """The supporter's place in the member's order (1 is asked first)."""
    return [each.id for each, _ in await supporters_of(session, link.member_id)].index(link.id) + 1


async def move_up(session: AsyncSession, link: SupportLink) -> bool:
    """Swap with the supporter above; False if already first."""
    links = [each for each, _ in await supporters_of(session, link.member_id)]
    index = next(i for i, each in enumerate(links) if each.id == link.id)
    if index == 0:
        return False
    above = links[index - 1]
    above.position, link.position = link.position, above.position
    return True


async def threshold_of(session: AsyncSession, member_id: int) -> int:
    plan = await lapses.plan_for(session, member_id)
    return plan.threshold_hours if plan is not None else lapses.DEFAULT_THRESHOLD


async def set_threshold(session: AsyncSession, member_id: int, hours: int, now: datetime) -> None:
    """A new alert threshold; the watch is judged again with it at the next lapse tick."""
    if hours not in lapses.THRESHOLD_CHOICES:
        raise ValueError("not a threshold choice")
    plan = await lapses.ensure_plan(session, member_id, now)
    plan.threshold_hours = hours
    if plan.lapse_due_at is not None:
        await lapses.look_again(session, member_id, now)


async def end_link(session: AsyncSession, link: SupportLink, by: Person, now: datetime) -> None:
    """End a link from either side. The other side is told; alerts waiting on the
    supporter move on; the remaining supporters close up the order."""
    member = await session.get(Person, link.member_id)
    supporter = await session.get(Person, link.supporter_id)
    assert member is not None and supporter is not None and member.id is not None and supporter.id is not None
    await session.execute(delete(SupportLink).where(col(SupportLink.id) == link.id))
    await _close_up(session, member.id)
    await alerts.stop_waiting_on(session, supporter.id, now, member_id=member.id)
    if by.id == member.id:
        await outbox.enqueue_for(session, supporter.id, NEWS, lambda: texts.SUPPORT_ENDED_BY_MEMBER.format(name=texts.h(member.pseudonym)), now=now)
    else:
        left = await _count(session, member.id)
        await outbox.enqueue_for(
            session, member.id, NEWS,
            lambda: texts.SUPPORT_ENDED_BY_SUPPORTER.format(name=texts.h(supporter.pseudonym))
            + "\n" + (texts.SUPPORTERS_LEFT.format(count=left) if left else texts.SUPPORTERS_NONE_LEFT),
            now=now,
        )


# --- what supporters see ------------------------------------------------------------------


async def status_of(session: AsyncSession, link: SupportLink, member: Person, now: datetime, default_zone: str) -> str:
    """One member as their supporter sees them: whether check-ins are happening, an open
    alert, and only the mood and slips the member chose to share. Never notes."""
    assert member.id is not None
    zone = zone_named(member.timezone, default_zone)
    today = local_date(now, zone)
    last = (
        await session.execute(
            select(Checkin).where(Checkin.person_id == member.id).order_by(col(Checkin.local_date).desc()).limit(1)
        )
    ).scalar_one_or_none()
    paused = (
        await session.execute(select(col(CheckinPlan.paused_until)).where(CheckinPlan.person_id == member.id))
    ).scalar()
    lines = [f"<b>{texts.h(member.pseudonym)}</b>"]
    if paused is not None and paused > today:
        lines.append(texts.STATUS_PAUSED.format(day=texts.day_label(paused)))
    if last is None:
        lines.append(texts.STATUS_NO_CHECKIN)
    elif last.local_date == today:
        lines.append(texts.STATUS_CHECKED_IN_TODAY)
    else:
        lines.append(texts.STATUS_LAST_CHECKIN.format(day=texts.day_label(last.local_date)))
    if last is not None and link.share_mood and last.mood is not None:
        lines.append(texts.STATUS_MOOD.format(face=texts.MOOD_FACES[last.mood], word=texts.MOOD_WORDS[last.mood]))
    if last is not None and link.share_slips and last.clean in ("yes", "slip"):
        lines.append(texts.STATUS_CLEAN.format(answer=texts.CLEAN_WORDS[last.clean]))
    incident = (await alerts.live_incidents(session, [member.id])).get(member.id)
    if incident is not None:
        helper = await session.get(Person, incident.acknowledged_by_id) if incident.acknowledged_by_id else None
        lines.append(
            texts.STATUS_REACHING_OUT.format(helper=texts.h(helper.pseudonym)) if helper else texts.STATUS_ALERT_OPEN
        )
    return "\n".join(lines)


def sees(link: SupportLink) -> str:
    """What a supporter sees, in a few words, for the member's list."""
    shown = [texts.SEES_CHECKINS]
    shown += [texts.SEES[what] for what, column in SHARES.items() if getattr(link, column)]
    return ", ".join(shown)


# --- /mydata and /forget ------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export(session: AsyncSession, rt: Runtime, person: Person) -> dict[str, Any]:
    assert person.id is not None
    mine = await supporters_of(session, person.id)
    theirs = await supported_by(session, person.id)
    plan = await lapses.plan_for(session, person.id)
    return {
        "your_supporters": [
            {"name": p.pseudonym, "order": link.position, "sees_mood": link.share_mood, "sees_slips": link.share_slips,
             "since": _iso(link.created_at)}
            for link, p in mine
        ],
        "people_you_support": [{"name": p.pseudonym, "since": _iso(link.created_at)} for link, p in theirs],
        "alert_after_hours_without_a_check_in": plan.threshold_hours if plan else None,
    }


async def end_every_link(session: AsyncSession, person: Person, now: datetime) -> None:
    """Before erasure: each person linked is told only that the link ended, and alerts
    waiting on the person move on."""
    assert person.id is not None
    for _, supporter in await supporters_of(session, person.id):
        assert supporter.id is not None
        await outbox.enqueue_for(session, supporter.id, NEWS, lambda: texts.LINK_ENDED.format(name=texts.h(person.pseudonym)), now=now)
    members = [member for _, member in await supported_by(session, person.id)]
    for member in members:
        assert member.id is not None
        await outbox.enqueue_for(session, member.id, NEWS, lambda: texts.LINK_ENDED.format(name=texts.h(person.pseudonym)), now=now)
    await session.execute(delete(SupportLink).where(col(SupportLink.supporter_id) == person.id))
    for member in members:
        await _close_up(session, member.id or 0)
    await alerts.stop_waiting_on(session, person.id, now)


async def erase(session: AsyncSession, person: Person) -> None:
    await session.execute(
        delete(SupportLink).where((col(SupportLink.member_id) == person.id) | (col(SupportLink.supporter_id) == person.id))
    )
    await session.execute(delete(AlertPlan).where(col(AlertPlan.person_id) == person.id))
