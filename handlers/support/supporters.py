"""`/supporters` (add a supporter, their order, what each sees, end a link), `/supporting`
(the people someone supports and how they are) and the `su_` invitation link.

Thin: the rules live in `bot.services.support.supporters`. Buttons name a link by its id and are
checked against the presser: only that link's member may change it, and only its member
or supporter may end it. Forged or old data gets "that button no longer works".
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import Button, inline
from bot.models import Invitation, Person, SupportLink
from bot.runtime import Runtime
from bot.services.caps import Caps
from bot.services.support import buttons, lapses, supporters
from bot.services.support.buttons import LINK_ACTIONS, SupportersAction, supporters_data
from bot.services.validation import is_digits
from handlers.common import (
    answer_callback,
    edit_or_reply,
    onboarded_person,
    reply,
    runtime,
    user_id,
)
from handlers.deeplinks import invitation_button, sealed_invitation_id

Action = SupportersAction


# --- the member's view ------------------------------------------------------------------------


async def _supporters_view(session: AsyncSession, member: Person) -> tuple[str, dict[str, object]]:
    assert member.id is not None
    links = await supporters.supporters_of(session, member.id)
    rows: list[list[Button]] = []
    hours = await supporters.threshold_of(session, member.id)
    if not links:
        text = texts.SUPPORTERS_NONE
    else:
        lines = [texts.SUPPORTERS_HEADER, texts.SUPPORTERS_EXPLAIN.format(hours=hours), ""]
        lines += [
            texts.SUPPORTER_LINE.format(n=n, name=texts.h(person.pseudonym), sees=supporters.sees(link))
            for n, (link, person) in enumerate(links, start=1)
        ]
        text = "\n".join(lines)
        rows += [[(f"{n}. {person.pseudonym}", supporters_data(Action.CARD, link.id))] for n, (link, person) in enumerate(links, start=1)]
    if len(links) < supporters.MAX_SUPPORTERS:
        rows.append([(texts.ADD_SUPPORTER_BUTTON, supporters_data(Action.ADD))])
    if links:
        rows.append([(texts.THRESHOLD_BUTTON.format(hours=hours), supporters_data(Action.THRESHOLD))])
    return text, inline(rows)


def _card(link: SupportLink, supporter: Person, place: int) -> tuple[str, dict[str, object]]:
    name = supporter.pseudonym or ""
    shared = [texts.SEES[what] for what, column in supporters.SHARES.items() if getattr(link, column)]
    extra = texts.SUPPORTER_CARD_EXTRA.format(what=" and ".join(shared)) if shared else texts.SUPPORTER_CARD_NOTHING_MORE
    text = texts.SUPPORTER_CARD.format(name=texts.h(name), place=texts.ORDINALS.get(place, str(place)), extra=extra)
    rows: list[list[Button]] = [
        [
            (texts.SHARE_BUTTONS[(what, not getattr(link, column))], supporters_data(Action.SHARE, link.id, what, int(not getattr(link, column))))
            for what, column in supporters.SHARES.items()
        ]
    ]
    if place > 1:
        rows.append([(texts.MOVE_UP_BUTTON.format(name=name), supporters_data(Action.MOVE_UP, link.id))])
    rows.append([(texts.RELAY_MESSAGE_BUTTON.format(name=name), buttons.message_to(supporter.id))])
    rows.append([(texts.END_LINK_BUTTON.format(name=name), supporters_data(Action.END, link.id))])
    rows.append([(texts.BACK_BUTTON, supporters_data(Action.LIST))])
    return text, inline(rows)


async def supporters_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    async with rt.db.session() as session:
        member = await onboarded_person(session, update, rt)
        if member is None:
            return
        text, markup = await _supporters_view(session, member)
        await reply(update, text, markup)


# --- the supporter's view ---------------------------------------------------------------------


async def supporting_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Each person supported, with how they are (only what they share) and what can be done."""
    rt = runtime(context)
    async with rt.db.session() as session:
        me = await onboarded_person(session, update, rt)
        if me is None or me.id is None:
            return
        linked = await supporters.supported_by(session, me.id)
        if not linked:
            await reply(update, texts.SUPPORTING_NONE)
            return
        now = rt.clock.now()
        blocks = [await supporters.status_of(session, link, member, now, rt.settings.default_timezone) for link, member in linked]
        await reply(update, "\n\n".join([texts.SUPPORTING_HEADER, *blocks]), inline([_supporting_row(link, m) for link, m in linked]))


def _supporting_row(link: SupportLink, member: Person) -> list[Button]:
    name = member.pseudonym or ""
    return [
        (texts.RELAY_MESSAGE_BUTTON.format(name=name), buttons.message_to(member.id)),
        (texts.STOP_SUPPORTING_BUTTON.format(name=name), supporters_data(Action.END, link.id)),
    ]


# --- buttons ------------------------------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:su:<action>[:...]`: add, list, card, share, up, end, endok, thr, yes, no."""
    rt = runtime(context)
    pressed = buttons.parse_supporters(update.callback_query.data if update.callback_query else None)
    action, args = pressed if pressed is not None else (None, [])
    async with rt.db.session() as session:
        me = await onboarded_person(session, update, rt)
        if me is None or me.id is None:
            return
        link_id = buttons.link_id(args)
        if action in (Action.ACCEPT, Action.DECLINE):
            await _answer_invitation(update, rt, session, me, args, accept=action is Action.ACCEPT)
        elif action is Action.ADD and not args:
            await _add(update, rt, session, me)
        elif action is Action.LIST and not args:
            await answer_callback(update)
            await edit_or_reply(update, *await _supporters_view(session, me))
        elif action is Action.THRESHOLD and len(args) <= 1:
            await _threshold(update, rt, session, me, args[0] if args else None)
        elif action in LINK_ACTIONS and link_id is not None:
            await _on_link(update, rt, session, me, Action(action), link_id, args[1:])
        else:
            await answer_callback(update, texts.STALE_BUTTON)


async def _add(update: Update, rt: Runtime, session: AsyncSession, member: Person) -> None:
    outcome = await supporters.invite(session, member, rt.clock.now(), caps=Caps.of(rt.settings))
    if not outcome.ok:
        await answer_callback(update, outcome.message, alert=True)
        return
    await answer_callback(update)
    await reply(update, texts.SUPPORT_INVITE.format(name=texts.h(member.pseudonym), link=rt.deep_link(outcome.message)))


async def _threshold(update: Update, rt: Runtime, session: AsyncSession, member: Person, value: str | None) -> None:
    assert member.id is not None
    if value is None:
        hours = await supporters.threshold_of(session, member.id)
        choices = [(texts.THRESHOLD_CHOICE.format(hours=h), supporters_data(Action.THRESHOLD, h)) for h in lapses.THRESHOLD_CHOICES]
        back = (texts.BACK_BUTTON, supporters_data(Action.LIST))
        await answer_callback(update)
        await edit_or_reply(update, texts.THRESHOLD_ASK.format(hours=hours), inline([choices[:3], choices[3:], [back]]))
        return
    hours_chosen = int(value) if is_digits(value) else None
    if hours_chosen not in lapses.THRESHOLD_CHOICES:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    await supporters.set_threshold(session, member.id, hours_chosen, rt.clock.now())
    await answer_callback(update, texts.SAVED)
    text, markup = await _supporters_view(session, member)
    await edit_or_reply(update, f"{texts.THRESHOLD_SET.format(hours=hours_chosen)}\n\n{text}", markup)


# What a supporter may do with a link (look at it, end it); changing it is the member's.
_SUPPORTER_MAY = (Action.CARD, Action.END, Action.END_CONFIRMED)


async def _on_link(
    update: Update, rt: Runtime, session: AsyncSession, me: Person, action: SupportersAction, link_id: int, args: list[str]
) -> None:
    """Buttons about one link. Changing it is the member's; ending it is either side's."""
    seen = await supporters.link_seen_by(session, link_id, me, supporter_may=action in _SUPPORTER_MAY)
    if seen is None:
        await answer_callback(update, texts.STALE_BUTTON)  # gone, or someone else's link
        return
    link, other, mine_as_member = seen.link, seen.other, seen.as_member
    name = texts.h(other.pseudonym)
    if action is Action.SHARE and len(args) == 2 and args[0] in supporters.SHARES and args[1] in ("0", "1"):
        supporters.set_sharing(link, args[0], args[1] == "1")
        await answer_callback(update, texts.SAVED)
    elif action is Action.MOVE_UP and not args:
        await supporters.move_up(session, link)
        await answer_callback(update, texts.SAVED)
    elif action is Action.END and not args:
        await answer_callback(update)
        confirm = inline([[(texts.END_LINK_YES, supporters_data(Action.END_CONFIRMED, link.id)),
                           (texts.END_LINK_NO, supporters_data(Action.CARD, link.id))]])
        await edit_or_reply(update, texts.END_LINK_CONFIRM.format(name=name), confirm)
        return
    elif action is Action.END_CONFIRMED and not args:
        await supporters.end_link(session, link, me, rt.clock.now())
        await answer_callback(update)
        await edit_or_reply(update, texts.LINK_ENDED_DONE.format(name=name))
        return
    elif action is not Action.CARD or args:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    else:
        await answer_callback(update)
    if not mine_as_member:  # a supporter's "No, keep it": how the member is, as in /supporting
        status = await supporters.status_of(session, link, other, rt.clock.now(), rt.settings.default_timezone)
        await edit_or_reply(update, f"{texts.SUPPORTING_HEADER}\n\n{status}", inline([_supporting_row(link, other)]))
        return
    await edit_or_reply(update, *_card(link, other, await supporters.place_of(session, link)))


# --- the invitation -----------------------------------------------------------------------------


async def open_invitation(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, invitation: Invitation
) -> None:
    """`/start su_<token>`: who asks, and Yes / No (the link is used only when answered).
    The buttons carry the invitation's id sealed to this person, never the token."""
    rt = runtime(context)
    invited = await supporters.check_invitation(session, invitation.id, person, rt.clock.now())
    tg_id = user_id(update)
    if invited.problem or invited.member is None or tg_id is None:
        await reply(update, invited.problem or texts.INVITE_UNKNOWN)
        return
    name = invited.member.pseudonym or ""
    await reply(
        update,
        texts.SUPPORT_INVITE_PROMPT.format(name=texts.h(name)),
        inline([[(texts.SUPPORT_ACCEPT_BUTTON.format(name=name), invitation_button(rt, buttons.SUPPORTERS, Action.ACCEPT, invitation, tg_id))],
                [(texts.SUPPORT_DECLINE_BUTTON, invitation_button(rt, buttons.SUPPORTERS, Action.DECLINE, invitation, tg_id))]]),
    )


async def _answer_invitation(
    update: Update, rt: Runtime, session: AsyncSession, person: Person, args: list[str], *, accept: bool
) -> None:
    invitation_id = sealed_invitation_id(rt, supporters.INVITE_KIND, args, user_id(update))
    if invitation_id is None:  # forged, or copied from someone else's or another kind of link
        await answer_callback(update, texts.STALE_BUTTON, alert=True)
        return
    now = rt.clock.now()
    outcome = await (supporters.accept if accept else supporters.decline)(session, invitation_id, person, now)
    if not outcome.ok:
        await answer_callback(update, outcome.message, alert=True)
        await edit_or_reply(update, outcome.message)
        return
    await answer_callback(update)
    await edit_or_reply(update, outcome.message)
