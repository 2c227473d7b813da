"""Coordinators: decide role requests, list coordinators, invite another coordinator."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import callback, inline
from bot.models import Invitation, Person, RoleRequest
from bot.services import alerts, invitations, people, roles
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
from handlers.deeplinks import invitation_button, register_deep_link, sealed_invitation_id

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


register_deep_link(INVITE_KIND, open_invitation)
