"""The check-in card as a conversation: what `/checkin`, each press and a typed note do.

One function per thing the member does, so the handler only parses, calls one of these and
shows the card it gets back. Presses are judged against the member's own local day: a
card from an earlier day is closed (and today's offered), a day in the future is forged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot import texts
from bot.crypto import Vault
from bot.models import Checkin, Person
from bot.services.checkins import checkins, plans
from bot.services.checkins.buttons import (
    CLEAN_CODES,
    CardAction,
    CardPress,
    day_code,
    parse_day,
    resume_button,
)
from bot.services.checkins.card import Card, next_step, render
from bot.services.checkins.states import Awaiting, Clean, Step
from bot.services.support import alerts
from bot.services.support.escalation import Windows
from bot.services.validation import InvalidInput


def _note_awaited(day: date) -> str:
    """`Person.awaiting` while the note for `day`'s card is being typed."""
    return f"{Awaiting.NOTE}:{day_code(day)}"


def _awaits_a_note(person: Person) -> bool:
    return (person.awaiting or "").partition(":")[0] == Awaiting.NOTE


async def start(session: AsyncSession, person: Person, today: date) -> Card:
    """`/checkin`: today's card (to start or update), at any time, paused or not. A fresh
    card replaces an unanswered note question."""
    assert person.id is not None
    if _awaits_a_note(person):
        person.awaiting = None
    plan = await plans.plan_for(session, person.id)
    intro: list[str] = []
    more = []
    if plans.is_paused(plan, today):
        assert plan is not None and plan.paused_until is not None
        intro.append(texts.CHECKIN_PAUSED.format(date=texts.long_date(plan.paused_until)))
        more.append([resume_button()])
    existing = await checkins.for_day(session, person.id, today)
    if existing is not None:
        intro.append(texts.CHECKIN_UPDATE)
    return render(Step.MOOD, today, person.pseudonym, existing, intro="\n".join(intro), more=more)


async def remember_card(session: AsyncSession, person_id: int, message_id: int) -> None:
    """Keep the id of the card `/checkin` just sent, so the next one can retire it."""
    await session.execute(
        update(Person).where(col(Person.id) == person_id).values(checkin_card_message_id=message_id)
    )


@dataclass(frozen=True)
class Pressed:
    """What a press leads to: the card to show and a toast (None: nothing to say).
    `closed_day` is set when the pressed card was from an earlier day: it is closed and
    `card` is a fresh one for today, sent below it."""

    card: Card
    toast: str | None = None
    closed_day: date | None = None


async def press(session: AsyncSession, person: Person, pressed: CardPress, today: date, now: datetime, *,
                windows: Windows) -> Pressed | None:
    """One step of the card. Only today's card can be answered; None for a day in the
    future (no real card is dated there), answered as a stale button."""
    assert person.id is not None
    if pressed.day > today:
        return None
    if pressed.day < today:
        stale = texts.CHECKIN_STALE.format(day=texts.day_label(pressed.day))
        fresh = render(Step.MOOD, today, person.pseudonym, await checkins.for_day(session, person.id, today), intro=stale)
        return Pressed(fresh, toast=stale, closed_day=pressed.day)
    checkin, toast = await _apply(session, person, pressed, now, windows)
    step = next_step(pressed.action, checkin)
    streak = await checkins.streak(session, person.id, today) if step is Step.DONE else 0
    card = render(step, pressed.day, person.pseudonym, checkin, clean_date=person.clean_date, streak=streak)
    return Pressed(card, toast)


async def _apply(session: AsyncSession, person: Person, pressed: CardPress, now: datetime,
                 windows: Windows) -> tuple[Checkin, str | None]:
    """Save one answer; returns the check-in and a toast. A slip's two choices stand once
    made, so a double tap says "already saved" instead of changing them."""
    assert person.id is not None
    action, day = pressed.action, pressed.day
    if action is CardAction.MOOD:
        return await checkins.answer(session, person.id, day, now, windows=windows, mood=int(pressed.value or 0)), None
    if action is CardAction.CLEAN:
        return await checkins.answer(session, person.id, day, now, windows=windows, clean=CLEAN_CODES[pressed.value or ""]), None
    if action is CardAction.MEETING:
        return await checkins.answer(session, person.id, day, now, windows=windows, went_to_meeting=True), None
    checkin = await checkins.open_day(session, person.id, day, now)
    toast = None
    if action is CardAction.RESET and checkin.clean == Clean.SLIP:
        toast = None if checkins.choose_slip_reset(person, checkin, pressed.yes, now) else texts.ALREADY_SAVED
    elif action is CardAction.TELL and checkin.clean == Clean.SLIP:
        toast = None if checkins.choose_tell_supporters(checkin, pressed.yes, now) else texts.ALREADY_SAVED
        if toast is None and pressed.yes:  # Supporters (issue 6): a slip they chose to share alerts them now
            await alerts.slip_shared(session, person, now, windows=windows)
    elif action is CardAction.NOTE:
        person.awaiting = _note_awaited(day)
    elif action is CardAction.SKIP_NOTE and person.awaiting == _note_awaited(day):
        person.awaiting = None
    elif action is CardAction.DONE:
        checkins.complete(checkin, now)
    return checkin, toast


async def take_note(session: AsyncSession, vault: Vault, person: Person, text: str, now: datetime) -> Card:
    """The typed private note: encrypted and saved, then the card continues below it.
    Raises InvalidInput for an empty note (still waiting for it). A note question whose
    day can't be read is dropped, and the text is answered as if nobody had asked."""
    assert person.id is not None
    day = parse_day((person.awaiting or "").partition(":")[2])
    if day is None:
        person.awaiting = None
        return Card(texts.FREE_TEXT, None)
    if not text.strip():
        raise InvalidInput(texts.NOTE_EMPTY)
    checkin = await checkins.open_day(session, person.id, day, now)
    checkins.save_note(vault, checkin, text.strip(), now)
    person.awaiting = None
    return render(Step.EXTRAS, day, person.pseudonym, checkin, intro=texts.NOTE_SAVED)
