"""Release requests: `/release` (your own, or a coordinator's for someone else), `/releases`
(a coordinator's list), the questions, the review, and changing or closing a request.

The questions are asked one at a time; every answer is saved to the draft as it is given
and the question being asked is stored on the person (`release:<id>:<step>[:e]`, `e` when
changing one answer from the review), so a restart continues where it stopped. Buttons
carry the request id and are checked against the database: only the draft's creator may
answer it, only coordinators (or the person, for their own) may change a sent request.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import Button, inline
from bot.models import Invitation, Person, ReleaseRequest
from bot.runtime import Runtime
from bot.services import audit, places
from bot.services.caps import Caps
from bot.services.people import buttons as people_buttons
from bot.services.people import people
from bot.services.people.buttons import TrailOf
from bot.services.release import buttons, companions, prisons
from bot.services.release import card as release_card
from bot.services.release import connect as release_connect
from bot.services.release import matching as release_matching
from bot.services.release import records as release_records
from bot.services.release import requests as releases
from bot.services.release import retention as release_retention
from bot.services.release import text as release_text
from bot.services.release.asking import asked, expect
from bot.services.release.buttons import DraftAction, DraftPress, ManageAction, NewFor, NewRequest
from bot.services.release.states import ClaimProblem, Outcome, RequestStatus
from bot.services.validation import InvalidInput, is_digits, parse_time_of_day
from handlers.common import (
    answer_callback,
    edit_or_reply,
    log,
    onboarded_person,
    parsed_press,
    reply,
    reply_document,
    runtime,
)
from handlers.release.companions import companion_command

DRAFT = "release"  # awaiting "release:<id>:<step>[:e]"
MOVE = "release_move"  # awaiting "release_move:<id>:<date|time>"
LIST_MAX = 40


# --- starting -------------------------------------------------------------------------------


async def release_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/release`: your request if you have one; otherwise start one (coordinators choose
    whether it is for them or for someone else)."""
    rt = runtime(context)
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None or person.id is None:
            return
        expect(person, None)
        own = await releases.own_request(session, person.id)
        if own is not None:
            await _show_own(update, session, rt, own)
        elif await release_connect.waiting(session, person.id):
            await reply(update, texts.RELEASE_CLAIM_WAITING)
        elif await people.is_coordinator(session, person.id):
            await reply(update, texts.RELEASE_WHO, inline([[(texts.RELEASE_FOR_ME_BUTTON, buttons.new_request(NewFor.ME)),
                                                            (texts.RELEASE_FOR_SOMEONE_BUTTON, buttons.new_request(NewFor.SOMEONE_ELSE))]]))
        else:
            await _start(update, session, rt, person, on_behalf=False)


async def releases_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/releases`: every open request for a coordinator; a companion's own; else your own."""
    rt = runtime(context)
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None or person.id is None:
            return
        expect(person, None)
        if await people.is_coordinator(session, person.id):
            await _coordinator_list(update, session, rt)
            return
        if not await companions.is_companion(session, person.id):
            own = await releases.own_request(session, person.id)
            if own is not None:
                await _show_own(update, session, rt, own)
            else:
                await reply(update, texts.RELEASE_AFTER_SETUP, _start_button())
            return
    await companion_command(update, context)  # a companion's releases are listed with their profile


async def _coordinator_list(update: Update, session: AsyncSession, rt: Runtime) -> None:
    everything = await releases.live_requests(session)
    live = everything[:LIST_MAX]  # soonest first; one message and its buttons stay within Telegram's limits
    names = await people.pseudonyms(session, *(r.companion_id for r in live))
    lines = [texts.RELEASE_LIST_HEADER]
    lines += [texts.RELEASE_LIST_LINE.format(id=r.id, when=release_text.when(r), prison=texts.h(release_text.prison_name(r)),
                                             state=release_text.state(r, names.get(r.companion_id or 0))) for r in live]
    if len(everything) > len(live):
        lines.append(texts.RELEASE_LIST_MORE.format(count=len(everything) - len(live)))
    if not live:
        lines.append(texts.RELEASE_LIST_EMPTY)
    since, counts = await release_retention.recent_counts(session, rt.clock.now())
    if counts:
        summary = ", ".join(f"{texts.RELEASE_OUTCOMES.get(k, k)} {n}" for k, n in sorted(counts.items()))
        lines += ["", texts.RELEASE_COUNTS.format(since=texts.format_date(since, "MMM y"), counts=summary)]
    rows: list[list[Button]] = [[(f"📄 #{r.id}", buttons.manage(r.id, ManageAction.OPEN)) for r in live[i : i + 4]]
                                for i in range(0, len(live), 4)]
    rows.append([(texts.RELEASE_NEW_BUTTON, buttons.new_request(NewFor.SOMEONE_ELSE))])
    await reply(update, "\n".join(lines), inline(rows))


async def _start(update: Update, session: AsyncSession, rt: Runtime, person: Person, *, on_behalf: bool) -> None:
    request = await releases.start_draft(session, person, on_behalf=on_behalf, now=rt.clock.now())
    intro = texts.RELEASE_INTRO_BEHALF if on_behalf else texts.RELEASE_INTRO_OWN
    await _ask(update, rt, person, request, "prison", intro=intro)


async def offer_after_setup(update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person) -> None:
    """"I'm leaving prison soon": offer a companion on release day straight after set-up
    (not to someone arriving with their release card: they are connected next)."""
    if await releases.arrived_with_card(session, person):
        return
    await reply(update, texts.RELEASE_AFTER_SETUP, _start_button())


def _start_button() -> dict[str, object]:
    return inline([[(texts.RELEASE_START_BUTTON, buttons.new_request(NewFor.ME))]])


async def card_setup(session: AsyncSession, person: Person, done: str) -> bool:
    """Someone opening their card gets the shortest set-up (see `releases.card_setup_done`)."""
    return await releases.card_setup_done(session, person, done)




# --- the questions --------------------------------------------------------------------------


async def _ask(update: Update, rt: Runtime, person: Person, request: ReleaseRequest, step: str, *, intro: str = "",
               editing: bool = False) -> None:
    """Ask one question (its buttons, if any) and remember that it was asked."""
    expect(person, f"{DRAFT}:{request.id}:{step}" + (":e" if editing else ""))
    question = texts.RELEASE_ASK[step]
    if step == "date":
        question = question.format(example=_example_date(rt.clock.now()))
    rows: list[list[Button]] = []
    if step == "time":
        rows = [[(texts.RELEASE_MORNING_BUTTON, buttons.draft(request.id, DraftAction.MORNING, buttons.MORNING_VALUE))]]
    elif step == "gender":
        rows = [[(label, buttons.draft(request.id, DraftAction.GENDER, key)) for key, label in texts.RELEASE_GENDER_PREFERENCES.items()]]
    elif step == "fellowship":
        choices = [*texts.FELLOWSHIP_NAMES.items(), ("unsure", texts.RELEASE_FELLOWSHIP_UNSURE)]
        fellowships = [(label, buttons.draft(request.id, DraftAction.FELLOWSHIP, key)) for key, label in choices]
        rows = [fellowships[:3], fellowships[3:]]
    elif step == "needs":
        rows = _needs_rows(request)
    elif step in releases.PRIVATE_FIELDS:
        rows = [[(texts.RELEASE_SKIP_BUTTON, buttons.draft(request.id, DraftAction.SKIP))]]
    await reply(update, (f"{intro}\n\n" if intro else "") + question, inline(rows) if rows else None)


def _needs_rows(request: ReleaseRequest) -> list[list[Button]]:
    chosen = set(release_text.need_codes(request))
    rows = [[(("✅ " if code in chosen else "") + label[0].upper() + label[1:], buttons.draft(request.id, DraftAction.NEED, code))]
            for code, label in texts.RELEASE_NEEDS.items()]
    rows.append([(texts.RELEASE_DONE_BUTTON, buttons.draft(request.id, DraftAction.NEED, buttons.NEEDS_DONE))])
    return rows


def _example_date(now: datetime) -> str:
    return releases.example_date(release_records.today(now))


def _asked(person: Person) -> tuple[int, str, bool] | None:
    """(request id, step, editing) from `release:<id>:<step>[:e]`."""
    parts = asked(person, DRAFT)
    if parts is None or len(parts) < 2 or not is_digits(parts[0]):
        return None
    return int(parts[0]), parts[1], parts[2:] == ["e"]


async def _advance(update: Update, rt: Runtime, person: Person, request: ReleaseRequest, step: str, editing: bool,
                   *, note: str = "") -> None:
    """After an answer: the next question, or the review once everything is answered."""
    following = None if editing else releases.next_step(request, step)
    if following is not None:
        await _ask(update, rt, person, request, following, intro=note)
        return
    expect(person, None)
    await _review(update, rt, request, note=note)


async def _review(update: Update, rt: Runtime, request: ReleaseRequest, *, note: str = "") -> None:
    text = texts.RELEASE_REVIEW.format(details=release_text.details(request, rt.vault, person_note=True))
    await reply(update, (f"{note}\n\n" if note else "") + text, inline([
        [(texts.RELEASE_SEND_BUTTON, buttons.draft(request.id, DraftAction.SEND))],
        [(texts.RELEASE_CHANGE_BUTTON, buttons.draft(request.id, DraftAction.CHANGE)),
         (texts.RELEASE_DISCARD_BUTTON, buttons.draft(request.id, DraftAction.DISCARD))],
    ]))


async def answer_draft(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    """A typed answer to the question being asked about a draft."""
    rt = runtime(context)
    asked = _asked(person)
    request = await releases.draft_for(session, person.id or 0, asked[0]) if asked else None
    if asked is None or request is None:
        expect(person, None)
        await reply(update, texts.RELEASE_DRAFT_GONE)
        return
    _, step, editing = asked
    now = rt.clock.now()
    note = ""
    try:
        if step == "prison":
            found = prisons.search(text)
            if found.prison is None:
                await _prison_choices(update, request, text, found)
                return
            releases.set_prison(request, found.prison, now=now)
        elif step == "date":
            note = texts.RELEASE_FRIDAY_NOTE if releases.set_date(request, text, now=now) else ""
        elif step == "time":
            releases.set_time(request, parse_time_of_day(text), now=now)
        elif step == "destination":
            found_place = places.resolve(text)
            if found_place.place is None:
                await _place_choices(update, request, text, found_place)
                return
            releases.set_destination(request, found_place.place, now=now)
        elif step in releases.PRIVATE_FIELDS:
            if not text.strip():
                raise InvalidInput(texts.RELEASE_TEXT_EMPTY)
            releases.set_private_text(request, rt.vault, step, text, now=now)
        else:  # a step answered with buttons
            await reply(update, texts.LISTING_TAP_A_BUTTON)
            return
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    await _advance(update, rt, person, request, step, editing, note=note)


async def _prison_choices(update: Update, request: ReleaseRequest, text: str, found: prisons.Search) -> None:
    options = found.choices or found.suggestions
    if not options:
        await reply(update, texts.RELEASE_PRISON_UNKNOWN.format(text=texts.clip(text, texts.ECHO_MAX)))
        return
    template = texts.RELEASE_PRISON_CHOICES if found.choices else texts.RELEASE_PRISON_SUGGEST
    rows = [[(p.name, buttons.draft(request.id, DraftAction.PRISON, p.code))] for p in options]
    await reply(update, template.format(text=texts.clip(text, texts.ECHO_MAX)), inline(rows))


async def _place_choices(update: Update, request: ReleaseRequest, text: str, found: places.Lookup) -> None:
    options = found.choices or found.suggestions
    if not options:
        await reply(update, texts.MEETINGS_PLACE_UNKNOWN.format(text=texts.clip(text, texts.ECHO_MAX)))
        return
    template = texts.MEETINGS_PLACE_CHOICES if found.choices else texts.MEETINGS_PLACE_SUGGEST
    rows = [[(p.label, buttons.draft(request.id, DraftAction.DESTINATION, p.key))] for p in options]
    await reply(update, template.format(text=texts.clip(text, texts.ECHO_MAX)), inline(rows))




# --- buttons on a draft ---------------------------------------------------------------------

# button action -> the step it answers ("": whichever private text is being asked)
_STEP_OF = {DraftAction.PRISON: "prison", DraftAction.MORNING: "time", DraftAction.DESTINATION: "destination",
            DraftAction.GENDER: "gender", DraftAction.FELLOWSHIP: "fellowship", DraftAction.NEED: "needs", DraftAction.SKIP: ""}


async def on_draft_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:rq:new:<me|other>` and `v1:rq:<id>:<code>[:<value>]` on the presser's own draft."""
    rt = runtime(context)
    pressed: NewRequest | DraftPress | None = await parsed_press(update, buttons.parse_draft)
    if pressed is None:
        return
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None or person.id is None:
            return
        if not isinstance(pressed, DraftPress):
            await _new_from_button(update, session, rt, person, pressed.who)
            return
        request = await releases.draft_for(session, person.id, pressed.request_id)
        if request is None:
            await answer_callback(update, texts.RELEASE_DRAFT_GONE, alert=True)
            return
        await _draft_action(update, session, rt, person, request, pressed.action, pressed.value)


async def _new_from_button(update: Update, session: AsyncSession, rt: Runtime, person: Person, who: NewFor) -> None:
    assert person.id is not None
    if who == NewFor.SOMEONE_ELSE and not await people.is_coordinator(session, person.id):
        await answer_callback(update, texts.RELEASE_NOT_COORDINATOR, alert=True)
        return
    own = await releases.own_request(session, person.id) if who == NewFor.ME else None
    await answer_callback(update)
    if own is not None:
        await _show_own(update, session, rt, own)
        return
    await _start(update, session, rt, person, on_behalf=who == NewFor.SOMEONE_ELSE)


async def _draft_action(update: Update, session: AsyncSession, rt: Runtime, person: Person, request: ReleaseRequest,
                        code: DraftAction, value: str) -> None:
    now = rt.clock.now()
    if code == DraftAction.SEND:
        await _send(update, session, rt, person, request)
        return
    if code == DraftAction.DISCARD:
        await releases.discard(session, request)
        expect(person, None)
        await answer_callback(update)
        await edit_or_reply(update, texts.RELEASE_DISCARDED)
        return
    if code == DraftAction.CHANGE:
        await answer_callback(update)
        rows = [[(texts.RELEASE_FIELD_NAMES[s], buttons.draft(request.id, DraftAction.EDIT_STEP, s))] for s in releases.STEPS]
        await reply(update, texts.RELEASE_PICK_FIELD, inline([[b for row in rows[i : i + 3] for b in row] for i in range(0, len(rows), 3)]))
        return
    if code == DraftAction.EDIT_STEP and value in releases.STEPS:
        await answer_callback(update)
        await _ask(update, rt, person, request, value, editing=True)
        return
    asked = _asked(person)
    step = _STEP_OF.get(code)
    if asked is None or asked[0] != request.id or step is None or (step and asked[1] != step):
        await answer_callback(update, texts.STALE_BUTTON)
        return
    step, editing = asked[1], asked[2]
    if code == DraftAction.PRISON and (prison := prisons.by_code(value)) is not None:
        releases.set_prison(request, prison, now=now)
    elif code == DraftAction.MORNING and value == buttons.MORNING_VALUE:
        releases.set_time(request, None, now=now)
    elif code == DraftAction.DESTINATION and (place := places.by_key(value)) is not None:
        releases.set_destination(request, place, now=now)
    elif code in (DraftAction.GENDER, DraftAction.FELLOWSHIP) and releases.choose(request, step, value, now=now):
        pass
    elif code == DraftAction.NEED and value in releases.NEEDS:
        releases.toggle_need(request, value, now=now)
        await answer_callback(update)
        await edit_or_reply(update, texts.RELEASE_ASK["needs"], inline(_needs_rows(request)))
        return
    elif code == DraftAction.NEED and value == buttons.NEEDS_DONE:
        releases.confirm_needs(request, now=now)
    elif code == DraftAction.SKIP and step in releases.PRIVATE_FIELDS:
        releases.set_private_text(request, rt.vault, step, None, now=now)
    else:
        await answer_callback(update, texts.STALE_BUTTON)
        return
    await answer_callback(update)
    await _advance(update, rt, person, request, step, editing)


async def _send(update: Update, session: AsyncSession, rt: Runtime, person: Person, request: ReleaseRequest) -> None:
    missing = releases.missing(request)
    if missing:
        await answer_callback(update, texts.RELEASE_INCOMPLETE.format(missing=texts.RELEASE_FIELD_NAMES[missing[0]]), alert=True)
        return
    now = rt.clock.now()
    sent = await releases.submit(session, request, person, rt.vault, now=now, caps=Caps.of(rt.settings))
    if sent.refused is not None:
        await answer_callback(update)
        await reply(update, sent.refused)
        return
    expect(person, None)
    log.info("release request %s sent by person %s", request.id, person.id)
    offered = texts.plural(sent.offered, "companion")
    await answer_callback(update)
    if sent.card is None:
        await edit_or_reply(update, texts.RELEASE_SENT_OWN.format(offered=offered))
        return
    link = rt.deep_link(sent.card.payload)
    expires = texts.long_date(releases.card_expires(request).astimezone(release_records.ZONE).date())
    await edit_or_reply(update, texts.RELEASE_SENT_BEHALF.format(offered=offered, expires=expires, code=sent.card.code, link=link))
    await _send_card(update, session, rt, request, sent.card, person)


async def _send_card(update: Update, session: AsyncSession, rt: Runtime, request: ReleaseRequest, card: releases.Card,
                     coordinator: Person) -> None:
    """The printable card, saying only what is true now: a companion only once one said yes."""
    assert request.id is not None
    companion = await release_records.companion_name(session, request) if request.status == RequestStatus.ASSIGNED else None
    words = release_card.Words(when=release_text.when(request), companion=companion, code=card.code, bot=rt.bot_username,
                               coordinator=coordinator.pseudonym or "", number=request.id)
    png = await asyncio.to_thread(release_card.render_png, rt.deep_link(card.payload), words)
    await reply_document(update, png, f"release-card-{request.id}.png", texts.RELEASE_CARD_CAPTION.format(id=request.id))


# --- a sent request: seeing, moving, assigning, closing ---------------------------------------


async def _show_own(update: Update, session: AsyncSession, rt: Runtime, request: ReleaseRequest) -> None:
    rows = [
        [(texts.RELEASE_MANAGE_BUTTONS["date"], buttons.manage(request.id, ManageAction.DATE)),
         (texts.RELEASE_MANAGE_BUTTONS["time"], buttons.manage(request.id, ManageAction.TIME))],
        [(texts.RELEASE_CANCEL_OWN_BUTTON, buttons.manage(request.id, ManageAction.OUTCOME, Outcome.CANCELLED))],
    ]
    await reply(update, await release_connect.person_view(session, request, rt.vault), inline(rows))


async def _show_for_coordinator(update: Update, session: AsyncSession, rt: Runtime, request: ReleaseRequest) -> None:
    labels = texts.RELEASE_MANAGE_BUTTONS
    rows: list[list[Button]] = [
        [(labels["date"], buttons.manage(request.id, ManageAction.DATE)), (labels["time"], buttons.manage(request.id, ManageAction.TIME))],
        [(labels["assign"], buttons.manage(request.id, ManageAction.PICK_COMPANION))],
    ]
    if request.on_behalf and request.person_id is None:
        rows[1].append((labels["card"], buttons.manage(request.id, ManageAction.NEW_CARD)))
    rows.append([(labels["close"], buttons.manage(request.id, ManageAction.CLOSE))])
    if request.claimed_by_id is not None and request.person_id is None:
        rows.append(release_connect.confirm_row(request.id, request.claimed_by_id))
    rows.append([(texts.TRAIL_BUTTON, people_buttons.desk_trail(TrailOf.RELEASE, request.id))])
    await reply(update, await release_records.coordinator_view(session, request, rt.vault), inline(rows))


async def on_manage_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:rx:<id>:<action>[:<value>]`. Coordinators may do everything; the person may move
    or cancel their own request. Anyone else learns nothing, not even that it exists."""
    rt = runtime(context)
    pressed = await parsed_press(update, buttons.parse_manage)
    if pressed is None:
        return
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None or person.id is None:
            return
        managed = await releases.to_manage(session, pressed.request_id, person, pressed.action, pressed.value)
        if managed.request is None:
            await answer_callback(update, managed.problem, alert=True)
            return
        await answer_callback(update)
        await _manage(update, session, rt, person, managed.request, pressed.action, pressed.value)


async def _manage(update: Update, session: AsyncSession, rt: Runtime, person: Person, request: ReleaseRequest,
                  action: ManageAction, value: str) -> None:
    now = rt.clock.now()
    if action == ManageAction.OPEN:
        audit.record_release(session, request, person.id, audit.Action.VIEWED, now)
        await _show_for_coordinator(update, session, rt, request)
    elif action == ManageAction.DATE:
        expect(person, f"{MOVE}:{request.id}:date")
        await reply(update, texts.RELEASE_ASK_NEW_DATE.format(example=_example_date(now)))
    elif action == ManageAction.TIME:
        expect(person, f"{MOVE}:{request.id}:time")
        await reply(update, texts.RELEASE_ASK["time"],
                    inline([[(texts.RELEASE_MORNING_BUTTON, buttons.manage(request.id, ManageAction.MORNING))]]))
    elif action == ManageAction.MORNING:
        expect(person, None)
        when = await releases.move(session, request, person, now=now, morning=True)
        await edit_or_reply(update, texts.RELEASE_MOVED.format(when=when))
    elif action == ManageAction.PICK_COMPANION:
        await _pick_companion(update, session, request)
    elif action == ManageAction.ASSIGN_TO and is_digits(value):
        answer = await release_matching.assign(session, request, int(value), person, rt.vault, now=now)
        await edit_or_reply(update, answer.message)
    elif action == ManageAction.NEW_CARD and request.on_behalf and request.person_id is None:
        card = await releases.new_card(session, request, person, rt.vault, now=now)
        await reply(update, texts.RELEASE_NEW_CARD.format(code=card.code, link=rt.deep_link(card.payload)))
        await _send_card(update, session, rt, request, card, person)
    elif action == ManageAction.CLOSE:
        rows = [[(texts.RELEASE_OUTCOMES[o], buttons.manage(request.id, ManageAction.OUTCOME, o))] for o in texts.RELEASE_CLOSE_CHOICES]
        await reply(update, texts.RELEASE_CLOSE_ASK.format(id=request.id), inline(rows))
    elif action == ManageAction.OUTCOME and value in texts.RELEASE_CLOSE_CHOICES:
        erase_on = await releases.close_and_tell(session, request, Outcome(value), person, now=now)
        await edit_or_reply(update, texts.RELEASE_CLOSED.format(outcome=texts.RELEASE_OUTCOMES[value], date=texts.long_date(erase_on)))
    else:
        await reply(update, texts.STALE_BUTTON)


async def _pick_companion(update: Update, session: AsyncSession, request: ReleaseRequest) -> None:
    everyone = (await companions.approved_companions(session))[:LIST_MAX]
    if not everyone:
        await reply(update, texts.RELEASE_NO_COMPANIONS)
        return
    rows = [[(("⏸ " if profile.paused else "") + (person.pseudonym or "?"), buttons.manage(request.id, ManageAction.ASSIGN_TO, person.id))]
            for person, profile in everyone if person.id != request.companion_id]
    await reply(update, texts.RELEASE_PICK_COMPANION.format(id=request.id), inline(rows))


async def answer_move(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    """A typed new date or time for a sent request (`release_move:<id>:<date|time>`)."""
    rt = runtime(context)
    parts = asked(person, MOVE) or []
    request = await releases.to_move(session, int(parts[0]), person) if len(parts) == 2 and is_digits(parts[0]) else None
    if request is None:
        expect(person, None)
        await reply(update, texts.RELEASE_STATUS_CLOSED)
        return
    now = rt.clock.now()
    try:
        if parts[1] == "date":
            when = await releases.move(session, request, person, now=now,
                                       new_date=releases.parse_release_date(text, today=release_records.today(now)))
        else:
            when = await releases.move(session, request, person, now=now, new_time=parse_time_of_day(text))
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    expect(person, None)
    await reply(update, texts.RELEASE_MOVED.format(when=when))




# --- the card: its link, its typed code, and the coordinator's confirmation -------------------

CODE = "release_code"  # awaiting the code typed after /card

# The texts by name (read when said, in the person's language).
_CLAIM_PROBLEMS = {
    ClaimProblem.USED: "RELEASE_CARD_USED", ClaimProblem.EXPIRED: "RELEASE_CARD_EXPIRED",
    ClaimProblem.REPLACED: "RELEASE_CARD_REPLACED", ClaimProblem.WAITING: "RELEASE_CLAIM_WAITING",
    ClaimProblem.LOCKED: "RELEASE_CODE_LOCKED",
}


async def open_card(update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person,
                    invitation: Invitation) -> None:
    """`/start rc_<token>` after release: claim the card; a coordinator confirms who it is."""
    rt = runtime(context)
    await _claimed(update, session, rt, person, await release_connect.claim_by_link(session, invitation, person, now=rt.clock.now()))


async def open_code(update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, typed: str) -> None:
    """`/start ABC2345`: the card's code typed by hand."""
    rt = runtime(context)
    claimed = await release_connect.claim_by_code(session, rt.vault, typed, person, now=rt.clock.now())
    if claimed.problem == ClaimProblem.UNKNOWN:
        expect(person, CODE)  # the next message is another try, no command needed
    await _claimed(update, session, rt, person, claimed)


async def card_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/card`: asks for the code on a release card, for someone who can't scan it."""
    rt = runtime(context)
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None:
            return
        if context.args:
            await open_code(update, context, session, person, " ".join(context.args))
            return
        expect(person, CODE)
        await reply(update, texts.RELEASE_CODE_ASK)


async def answer_code(update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str) -> None:
    """A typed code after /card (or after a wrong one)."""
    expect(person, None)
    await open_code(update, context, session, person, text)


async def _claimed(update: Update, session: AsyncSession, rt: Runtime, person: Person, claimed: release_connect.Claimed) -> None:
    """What the person hears: a greeting and no details until confirmed, or why not."""
    if claimed.problem == ClaimProblem.CONNECTED and claimed.request is not None:
        await _show_own(update, session, rt, claimed.request)
        return
    if claimed.problem == ClaimProblem.UNKNOWN:
        await reply(update, texts.RELEASE_CODE_WRONG.format(left=claimed.tries_left) if person.awaiting == CODE else texts.INVITE_UNKNOWN)
        return
    if claimed.problem is not None:
        await reply(update, getattr(texts, _CLAIM_PROBLEMS.get(claimed.problem, "INVITE_UNKNOWN")))
        return
    assert claimed.request is not None
    log.info("release request %s: card opened by person %s", claimed.request.id, person.id)
    await reply(update, texts.RELEASE_CLAIM_GREETING.format(name=texts.h(person.pseudonym)))


async def on_confirm_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:rk:<request id>:<claimant id>:<y|n>`: a coordinator says whether it's them."""
    rt = runtime(context)
    pressed = await parsed_press(update, buttons.parse_confirm)
    if pressed is None:
        return
    async with rt.db.session() as session:
        coordinator = await onboarded_person(session, update, rt)
        if coordinator is None:
            return
        decided = await release_connect.decide(session, pressed.request_id, pressed.claimant_id, pressed.yes, coordinator, rt.vault,
                                               now=rt.clock.now(), default_zone=rt.settings.default_timezone)
        if not decided.ok:
            await answer_callback(update, decided.message, alert=True)
            return
        log.info("release request %s: card %s by person %s", pressed.request_id, "confirmed" if pressed.yes else "rejected",
                 coordinator.id)
        await answer_callback(update)
        await edit_or_reply(update, decided.message, decided.markup)
