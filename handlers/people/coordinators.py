"""Coordinators: their view (what needs a coordinator now, the week's rota, audit trails),
decide role requests, list coordinators, invite another coordinator."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import inline
from bot.models import Invitation, Person
from bot.services.caps import Caps
from bot.services.people import buttons, coordination, invitations, people, role_changes, roles
from bot.services.people.buttons import CoordinatorAction, Decision, DeskAction, Section
from bot.services.people.states import GrantSource
from handlers.common import (
    answer_callback,
    callback_data,
    edit_or_reply,
    parsed_press,
    presser,
    reply,
    runtime,
    sender,
    user_id,
)
from handlers.deeplinks import invitation_button, sealed_invitation_id

INVITE_KIND = invitations.COORDINATOR_KIND


async def _coordinator(session: AsyncSession, update: Update, context: ContextTypes.DEFAULT_TYPE) -> Person | None:
    person = await sender(session, update, runtime(context))
    if person is None or person.id is None or not await people.is_coordinator(session, person.id):
        return None
    return person


async def coordinators_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The coordinator's view: what needs a coordinator now (counts, a button per section),
    who is on call this week, and their tools. Anyone else: as for an unknown command."""
    rt = runtime(context)
    async with rt.db.session() as session:
        me = await _coordinator(session, update, context)
        if me is None:
            await reply(update, texts.UNKNOWN_COMMAND.format(command="/coordinators"))
            return
        screen = await coordination.overview(session, me, rt.clock.now())
    await reply(update, screen.text, screen.markup)


async def on_desk_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:cd:*`: the view's sections, page by page, back to the counts, and a record's
    audit trail. Only coordinators; anyone else is refused and shown nothing."""
    rt = runtime(context)
    async with rt.db.session() as session:
        me = await _coordinator(session, update, context)
        if me is None:
            await answer_callback(update, texts.NOT_FOR_YOU, alert=True)
            return
        pressed = await parsed_press(update, buttons.parse_desk)
        if pressed is None:
            return
        now = rt.clock.now()
        if pressed.action == DeskAction.HOME:
            screen = await coordination.overview(session, me, now)
        elif pressed.action == DeskAction.SECTION and pressed.section is not None:
            screen = await coordination.section(session, me, pressed.section, pressed.page, now)
        else:
            assert pressed.trail_of is not None
            found = await coordination.trail_screen(session, me, pressed.trail_of, pressed.record_id, now=now,
                                                    keep_days=rt.settings.audit_retention_days)
            if found is None:
                await answer_callback(update, texts.TRAIL_GONE, alert=True)
                return
            screen = found
        await answer_callback(update)
        await edit_or_reply(update, screen.text, screen.markup)


async def on_coordinator_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:co:*`: invite, requests, people with roles (card, remove), answer an invitation."""
    rt = runtime(context)
    pressed = buttons.parse_coordinators(callback_data(update))
    async with rt.db.session() as session:
        if pressed is not None and pressed.action in (CoordinatorAction.ACCEPT_INVITATION, CoordinatorAction.DECLINE_INVITATION):
            accept = pressed.action == CoordinatorAction.ACCEPT_INVITATION
            await _answer_invitation(update, context, session, accept, pressed.args)
            return
        me = await _coordinator(session, update, context)
        if me is None:
            await answer_callback(update, texts.NOT_FOR_YOU, alert=True)
            return
        if pressed is None:
            await answer_callback(update, texts.STALE_BUTTON)
            return
        await answer_callback(update)
        action, args, number = pressed.action, pressed.args, pressed.number()
        if action == CoordinatorAction.INVITE:
            made = await roles.invite_coordinator(session, me, Caps.of(rt.settings), now=rt.clock.now())
            await reply(update, texts.COORDINATOR_INVITE.format(link=rt.deep_link(made.message)) if made.ok else made.message)
        elif action == CoordinatorAction.PEOPLE_WITH_ROLES and not args:
            await _people_with_roles(update, session)
        elif action == CoordinatorAction.ROLE_CARD and len(args) == 1 and number is not None:
            await _role_card(update, session, number)
        elif action == CoordinatorAction.REMOVE and len(args) == 1 and number is not None:
            await _ask_reason(update, session, number)
        elif action == CoordinatorAction.REMOVE_FOR and len(args) == 2 and number is not None:
            outcome = await role_changes.remove(session, me, number, args[1], now=rt.clock.now())
            await edit_or_reply(update, outcome.message)
        elif action == CoordinatorAction.REQUESTS:  # the applications, one a page, with their buttons
            screen = await coordination.section(session, me, Section.APPLICATIONS, 0, rt.clock.now())
            await edit_or_reply(update, screen.text, screen.markup)


async def _people_with_roles(update: Update, session: AsyncSession) -> None:
    holders = await role_changes.holders(session)
    if not holders:
        await edit_or_reply(update, texts.ROLES_NONE)
        return
    lines = [texts.ROLE_HOLDER_LINE.format(name=texts.h(p.pseudonym), roles=", ".join(texts.ROLE_NAMES[g.role] for g in grants))
             for p, grants in holders[:40]]
    rows = [[(f"{p.pseudonym}", buttons.coordinators(CoordinatorAction.ROLE_CARD, p.id))] for p, _ in holders[:40]]
    await edit_or_reply(update, texts.ROLES_HEADER + "\n\n" + "\n".join(lines), inline(rows))


async def _role_card(update: Update, session: AsyncSession, person_id: int) -> None:
    """One person's roles and their history (who gave or ended each, when, why)."""
    found = await role_changes.card(session, person_id)
    if found is None:
        await edit_or_reply(update, texts.ROLE_NOT_HELD)
        return
    holder, actors = found.holder, found.actors
    held = "\n".join(
        texts.ROLE_CARD_LINE.format(role=texts.ROLE_NAMES[g.role], since=texts.format_date(g.granted_at, "dd MMM y"),
                                    source=texts.ROLE_FROM_SETTINGS if g.source == GrantSource.SETTINGS else "")
        for g in found.grants
    ) or texts.ROLE_NOT_HELD
    past = "\n".join(
        texts.ROLE_HISTORY_LINE.format(
            at=texts.format_date(c.at, "dd MMM y"), role=texts.ROLE_NAMES.get(c.role, c.role), change=texts.ROLE_CHANGES.get(c.change, c.change),
            by=f" by {texts.h(actors[c.actor_id])}" if c.actor_id in actors and c.actor_id != holder.id else "",
            reason=f" ({texts.REMOVAL_REASONS[c.reason]})" if c.reason in texts.REMOVAL_REASONS else "",
        )
        for c in found.changes
    ) or texts.ROLE_HISTORY_EMPTY
    rows = [[(texts.ROLE_REMOVE_BUTTON.format(role=texts.ROLE_NAMES[g.role]), buttons.coordinators(CoordinatorAction.REMOVE, g.id))]
            for g in found.grants if g.source != GrantSource.SETTINGS]
    rows.append([(texts.BACK_BUTTON, buttons.coordinators(CoordinatorAction.PEOPLE_WITH_ROLES))])
    await edit_or_reply(update, texts.ROLE_CARD.format(name=texts.h(holder.pseudonym), roles=held, history=past), inline(rows))


async def _ask_reason(update: Update, session: AsyncSession, grant_id: int) -> None:
    found = await role_changes.grant_with_holder(session, grant_id)
    if found is None:
        await edit_or_reply(update, texts.ROLE_NOT_HELD)
        return
    grant, holder = found
    rows = [[(label, buttons.coordinators(CoordinatorAction.REMOVE_FOR, grant_id, code))]
            for code, label in texts.REMOVAL_REASONS.items()]
    rows.append([(texts.BACK_BUTTON, buttons.coordinators(CoordinatorAction.ROLE_CARD, holder.id))])
    await edit_or_reply(update, texts.ROLE_REMOVE_ASK.format(name=texts.h(holder.pseudonym), role=texts.ROLE_NAMES[grant.role]),
                        inline(rows))


async def on_decision_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:rr:<request id>:a|d` — the id is looked up and the presser's role checked."""
    rt = runtime(context)
    choice = await parsed_press(update, buttons.parse_decision)
    if choice is None:
        return
    async with rt.db.session() as session:
        me = await presser(session, update, rt)
        if me is None:
            return
        outcome = await roles.decide(session, me, choice[0], choice[1] == Decision.APPROVE, now=rt.clock.now())
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
    offer = await roles.coordinator_invitation(session, invitation.id, now=rt.clock.now())
    tg_id = user_id(update)
    if offer.invitation is None or tg_id is None:
        await reply(update, offer.problem or texts.INVITE_UNKNOWN)
        return
    family = buttons.COORDINATORS
    await reply(
        update,
        texts.COORDINATOR_INVITE_PROMPT.format(name=texts.h(offer.inviter_name)),
        inline([[(texts.ACCEPT_BUTTON, invitation_button(rt, family, CoordinatorAction.ACCEPT_INVITATION, offer.invitation, tg_id)),
                 (texts.NO_THANKS_BUTTON, invitation_button(rt, family, CoordinatorAction.DECLINE_INVITATION, offer.invitation, tg_id))]]),
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
    joined = await roles.join_as_coordinator(session, person, invitation_id, now=rt.clock.now())
    if joined.link_problem is not None:
        await answer_callback(update, joined.link_problem, alert=True)
        return
    await answer_callback(update)
    await edit_or_reply(update, joined.message)

