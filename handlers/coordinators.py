"""Coordinators: decide role requests, list coordinators, invite another coordinator."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import callback, inline
from bot.models import Invitation, Person, RoleGrant, RoleRequest
from bot.services.people import invitations, people, role_changes, roles
from bot.services.support import alerts
from handlers.alerts import duty_button
from handlers.common import (
    answer_callback,
    callback_parts,
    edit_or_reply,
    numbered_choice,
    presser,
    reply,
    runtime,
    sender,
    user_id,
)
from handlers.deeplinks import invitation_button, sealed_invitation_id

INVITE_KIND = "co"


async def _coordinator(session: AsyncSession, update: Update, context: ContextTypes.DEFAULT_TYPE) -> Person | None:
    person = await sender(session, update, runtime(context))
    if person is None or person.id is None or not await people.is_coordinator(session, person.id):
        return None
    return person


async def coordinators_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    async with rt.db.session() as session:
        me = await _coordinator(session, update, context)
        if me is None:
            await reply(update, texts.UNKNOWN_COMMAND.format(command="/coordinators"))
            return
        names = "\n".join(f"• {texts.h(c.pseudonym)}" for c in await people.coordinators(session))
        waiting = (
            await session.execute(select(RoleRequest.id).where(RoleRequest.status == "pending"))
        ).all()
        on_call = await alerts.is_on_call(session, me.id or 0)  # issue 6: alerts supporters passed on
    rows = [[("➕ Add a coordinator", callback("co", "invite"))]]
    rows.append([(f"📝 Requests waiting ({len(waiting)})", callback("co", "requests"))])
    rows.append([(texts.ROLES_BUTTON, callback("co", "roles"))])
    rows.append([duty_button(on_call)])
    await reply(update, texts.COORDINATORS_HEADER.format(names=names), inline(rows))


async def on_coordinator_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:co:invite`, `v1:co:requests`, `v1:co:accept`, `v1:co:decline`."""
    rt = runtime(context)
    parts = callback_parts(update)
    action = parts[1] if len(parts) > 1 else ""
    async with rt.db.session() as session:
        if action in ("accept", "decline"):
            await _answer_invitation(update, context, session, action == "accept", parts[2:])
            return
        me = await _coordinator(session, update, context)
        if me is None:
            await answer_callback(update, texts.NOT_FOR_YOU, alert=True)
            return
        await answer_callback(update)
        if action == "invite":
            payload = invitations.create(session, INVITE_KIND, created_by=me.id, now=rt.clock.now())
            await reply(update, texts.COORDINATOR_INVITE.format(link=rt.deep_link(payload)))
        elif action == "roles" and len(parts) == 2:
            await _people_with_roles(update, session)
        elif action == "who" and len(parts) == 3 and parts[2].isdigit():
            await _role_card(update, session, int(parts[2]))
        elif action == "rm" and len(parts) == 3 and parts[2].isdigit():
            await _ask_reason(update, session, int(parts[2]))
        elif action == "rmr" and len(parts) == 4 and parts[2].isdigit():
            outcome = await role_changes.remove(session, me, int(parts[2]), parts[3], now=rt.clock.now())
            await edit_or_reply(update, outcome.message)
        elif action == "requests":
            pending = (
                await session.execute(select(RoleRequest, Person).join(Person, Person.id == RoleRequest.person_id)
                                      .where(RoleRequest.status == "pending").order_by(RoleRequest.id))
            ).all()
            if not pending:
                await reply(update, texts.PENDING_REQUESTS_NONE)
            for request, person in pending:
                view = await roles.request_view(session, request, person)
                await reply(update, view.text, view.markup)


async def _people_with_roles(update: Update, session: AsyncSession) -> None:
    holders = await role_changes.holders(session)
    if not holders:
        await edit_or_reply(update, texts.ROLES_NONE)
        return
    lines = [texts.ROLE_HOLDER_LINE.format(name=texts.h(p.pseudonym), roles=", ".join(texts.ROLE_NAMES[g.role] for g in grants))
             for p, grants in holders[:40]]
    rows = [[(f"{p.pseudonym}", callback("co", "who", p.id))] for p, _ in holders[:40]]
    await edit_or_reply(update, texts.ROLES_HEADER + "\n\n" + "\n".join(lines), inline(rows))


async def _role_card(update: Update, session: AsyncSession, person_id: int) -> None:
    """One person's roles and their history (who gave or ended each, when, why)."""
    holder = await session.get(Person, person_id)
    if holder is None or holder.id is None:
        await edit_or_reply(update, texts.ROLE_NOT_HELD)
        return
    grants = await role_changes.grants_of(session, holder.id)
    changes = await role_changes.history(session, holder.id)
    actors = await people.pseudonyms(session, *(c.actor_id for c in changes))
    roles = "\n".join(
        texts.ROLE_CARD_LINE.format(role=texts.ROLE_NAMES[g.role], since=f"{g.granted_at:%d %b %Y}",
                                    source=texts.ROLE_FROM_SETTINGS if g.source == "settings" else "")
        for g in grants
    ) or texts.ROLE_NOT_HELD
    past = "\n".join(
        texts.ROLE_HISTORY_LINE.format(
            at=f"{c.at:%d %b %Y}", role=texts.ROLE_NAMES.get(c.role, c.role), change=texts.ROLE_CHANGES.get(c.change, c.change),
            by=f" by {texts.h(actors[c.actor_id])}" if c.actor_id in actors and c.actor_id != holder.id else "",
            reason=f" ({texts.REMOVAL_REASONS[c.reason]})" if c.reason in texts.REMOVAL_REASONS else "",
        )
        for c in changes
    ) or texts.ROLE_HISTORY_EMPTY
    rows = [[(texts.ROLE_REMOVE_BUTTON.format(role=texts.ROLE_NAMES[g.role]), callback("co", "rm", g.id))]
            for g in grants if g.source != "settings"]
    rows.append([(texts.BACK_BUTTON, callback("co", "roles"))])
    await edit_or_reply(update, texts.ROLE_CARD.format(name=texts.h(holder.pseudonym), roles=roles, history=past), inline(rows))


async def _ask_reason(update: Update, session: AsyncSession, grant_id: int) -> None:
    grant = await session.get(RoleGrant, grant_id)
    holder = await session.get(Person, grant.person_id) if grant is not None else None
    if grant is None or holder is None:
        await edit_or_reply(update, texts.ROLE_NOT_HELD)
        return
    rows = [[(label, callback("co", "rmr", grant_id, code))] for code, label in texts.REMOVAL_REASONS.items()]
    rows.append([(texts.BACK_BUTTON, callback("co", "who", holder.id))])
    await edit_or_reply(update, texts.ROLE_REMOVE_ASK.format(name=texts.h(holder.pseudonym), role=texts.ROLE_NAMES[grant.role]),
                        inline(rows))


async def on_decision_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:rr:<request id>:a|d` — the id is looked up and the presser's role checked."""
    rt = runtime(context)
    choice = numbered_choice(update, ("a", "d"))
    if choice is None:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    async with rt.db.session() as session:
        me = await presser(session, update, rt)
        if me is None:
            return
        outcome = await roles.decide(session, me, choice[0], choice[1] == "a", now=rt.clock.now())
    if outcome.ok:
        await answer_callback(update)
        await edit_or_reply(update, outcome.message)
    else:
        await answer_callback(update, outcome.message, alert=True)


async def open_invitation(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, invitation: Invitation
) -> None:
    """`/start co_<token>`: show who invited them and ask to accept (the link is not used yet).
    The buttons carry the invitation's id sealed to this person and to the coordinator kind."""
    rt = runtime(context)
    checked = await invitations.check(session, invitation.id, INVITE_KIND, rt.clock.now())
    tg_id = user_id(update)
    if checked.problem or checked.invitation is None or tg_id is None:
        await reply(update, _problem_text(checked.problem))
        return
    inviter = await session.get(Person, checked.invitation.created_by_id) if checked.invitation.created_by_id else None
    await reply(
        update,
        texts.COORDINATOR_INVITE_PROMPT.format(name=texts.h(inviter.pseudonym if inviter else "a coordinator")),
        inline([[("✅ Accept", invitation_button(rt, "co", "accept", checked.invitation, tg_id)),
                 ("No thanks", invitation_button(rt, "co", "decline", checked.invitation, tg_id))]]),
    )


async def _answer_invitation(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, accept: bool, args: list[str]
) -> None:
    rt = runtime(context)
    invitation_id = sealed_invitation_id(rt, INVITE_KIND, args, user_id(update))
    if invitation_id is None:  # forged, copied from another person or another kind of link
        await answer_callback(update, texts.STALE_BUTTON, alert=True)
        return
    person = await sender(session, update, rt)
    if person is None or person.id is None or person.onboarded_at is None:
        await answer_callback(update, texts.NEED_START, alert=True)
        return
    if not accept:
        await answer_callback(update)
        await edit_or_reply(update, texts.COORDINATOR_DECLINED_INVITE)
        return
    redeemed = await invitations.redeem(session, invitation_id, INVITE_KIND, person_id=person.id, now=rt.clock.now())
    if redeemed.problem or redeemed.invitation is None:
        await answer_callback(update, _problem_text(redeemed.problem), alert=True)
        return
    outcome = await roles.accept_coordinator_invitation(session, person, redeemed.invitation.created_by_id, now=rt.clock.now())
    await answer_callback(update)
    await edit_or_reply(update, outcome.message)


def _problem_text(problem: str | None) -> str:
    return invitations.problem_text(problem)
