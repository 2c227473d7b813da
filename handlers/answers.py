"""Typed answers and shared locations go to the feature that asked for them.

What is awaited is stored on the person (`Person.awaiting`, e.g. "pseudonym" or
"checkin_note:42"), so a restart or a second process continues the same conversation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Location, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.models import Person
from bot.services.people import people
from handlers.common import reply, runtime, user_id
from handlers.support.crisis import unexpected_text

# (update, context, session, person, text) -> None; runs inside the update's transaction.
TextAnswer = Callable[[Update, ContextTypes.DEFAULT_TYPE, AsyncSession, Person, str], Awaitable[None]]
LocationAnswer = Callable[[Update, ContextTypes.DEFAULT_TYPE, AsyncSession, Person, Location], Awaitable[None]]
_text_answers: dict[str, TextAnswer] = {}
_location_answers: dict[str, LocationAnswer] = {}
# Text nobody asked for may still belong to a feature (an open relay conversation): each
# returns whether it took the text. Runs inside the update's transaction.
FreeText = Callable[[Update, ContextTypes.DEFAULT_TYPE, AsyncSession, Person, str], Awaitable[bool]]
_free_text: list[FreeText] = []


def register_answer(kind: str, handler: TextAnswer) -> None:
    _text_answers[kind] = handler


def register_location_answer(kind: str, handler: LocationAnswer) -> None:
    _location_answers[kind] = handler


def register_free_text(handler: FreeText) -> None:
    """A feature that may take text typed outside any question (tried in order)."""
    if handler not in _free_text:
        _free_text.append(handler)


def _kind(person: Person) -> str:
    return (person.awaiting or "").split(":", 1)[0]


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text: an answer to our last question, a message in an open conversation, or
    else checked for crisis words (the helplines at once) before a gentle pointer to /help."""
    rt = runtime(context)
    message = update.effective_message
    tg_id = user_id(update)
    if message is None or message.text is None or tg_id is None:
        return
    async with rt.db.session() as session:
        person = await people.find(session, rt, tg_id)
        handler = _text_answers.get(_kind(person)) if person is not None else None
        if person is not None and handler is not None:
            await handler(update, context, session, person, message.text)
            return
        if person is not None:
            for taker in _free_text:
                if await taker(update, context, session, person, message.text):
                    return
        zone = person.timezone if person is not None else None
        await unexpected_text(update, context, message.text, zone=zone, known=person is not None)


async def on_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    message = update.effective_message
    tg_id = user_id(update)
    if message is None or message.location is None or tg_id is None:
        return
    async with rt.db.session() as session:
        person = await people.find(session, rt, tg_id)
        if person is None:
            await reply(update, texts.NEED_START)
            return
        handler = _location_answers.get(_kind(person))
        if handler is None:
            await reply(update, texts.LOCATION_NOT_ASKED)
            return
        await handler(update, context, session, person, message.location)
