"""The monthly wellbeing check: the BARC-10, ten statements answered 1-6 with buttons.

Optional and never nagging: offered at most once in a member's local calendar month, after
a completed check-in and only once they've used the bot a week; "Not this month" and "Don't
ask me again" are always there; /wellbeing takes it any time (once a month). Answers are
saved one by one on the month's row, so a check left half-way can be finished later that
month; the total is written when all ten are in. The statements come from
`bot/data/barc10.json` (source and terms: `bot/data/SOURCES.md`); with none there, nothing is
offered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot import i18n, texts
from bot.buttons import inline
from bot.data_files import DATA_DIR
from bot.models import Person, WellbeingCheck
from bot.runtime import Runtime
from bot.services.reports.buttons import WellbeingAction, WellbeingPress, wellbeing

SETTLE_IN = timedelta(days=7)  # not offered in a member's first week


class Status:
    OFFERED, STARTED, DONE, SKIPPED, STOPPED = "offered", "started", "done", "skipped", "stopped"


@cache
def statements() -> tuple[str, ...]:
    """The ten statements, or none if the data file has none (then nothing is offered)."""
    data = json.loads((DATA_DIR / "barc10.json").read_text(encoding="utf-8"))
    return tuple(data.get("statements") or ())


@dataclass(frozen=True)
class Screen:
    """What to show: a text and its buttons (None: none)."""

    text: str
    markup: dict[str, Any] | None = None


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


async def _row(session: AsyncSession, person_id: int, month: str) -> WellbeingCheck | None:
    found = await session.execute(
        select(WellbeingCheck).where(col(WellbeingCheck.person_id) == person_id, col(WellbeingCheck.month) == month)
    )
    return found.scalar_one_or_none()


async def offer(session: AsyncSession, person: Person, today: date, now: datetime) -> Screen | None:
    """After a completed check-in: this month's offer, or None (asked already this month,
    stopped, in their first week, or no statements shipped)."""
    assert person.id is not None
    if not statements() or person.created_at > now - SETTLE_IN:
        return None
    month = month_of(today)
    stopped = await session.execute(
        select(col(WellbeingCheck.id)).where(col(WellbeingCheck.person_id) == person.id, col(WellbeingCheck.status) == Status.STOPPED).limit(1)
    )
    if stopped.first() is not None or await _row(session, person.id, month) is not None:
        return None
    session.add(WellbeingCheck(person_id=person.id, month=month, status=Status.OFFERED, offered_at=now))
    return Screen(texts.WELLBEING_OFFER, inline([
        [(texts.WELLBEING_START, wellbeing(WellbeingAction.START, month))],
        [(texts.WELLBEING_NOT_NOW, wellbeing(WellbeingAction.NOT_NOW, month))],
        [(texts.WELLBEING_STOP, wellbeing(WellbeingAction.STOP, month))],
    ]))


async def begin(session: AsyncSession, person: Person, today: date, now: datetime) -> Screen:
    """/wellbeing: this month's check from where it was left, or thanks if it's done."""
    assert person.id is not None
    if not statements():
        return Screen(texts.WELLBEING_UNAVAILABLE)
    month = month_of(today)
    row = await _row(session, person.id, month)
    if row is None:
        row = WellbeingCheck(person_id=person.id, month=month, status=Status.STARTED, offered_at=now)
        session.add(row)
    if row.status == Status.DONE:
        return Screen(texts.WELLBEING_ALREADY.format(month=_next_month(month)))
    row.status = Status.STARTED
    return _statement(month, len(row.answers))


def _statement(month: str, index: int) -> Screen:
    items = statements()
    scale = [(f"{n} {label}", wellbeing(WellbeingAction.ANSWER, month, index, n)) for n, label in enumerate(texts.WELLBEING_SCALE, 1)]
    rows = [[button] for button in scale]
    rows.append([(texts.WELLBEING_NOT_NOW, wellbeing(WellbeingAction.NOT_NOW, month))])
    text = texts.WELLBEING_STATEMENT.format(number=index + 1, count=len(items), statement=texts.h(items[index]))
    if i18n.current() != i18n.SOURCE:  # the validated English wording, said so in their language (docs/translation.md)
        text += "\n\n" + texts.WELLBEING_ENGLISH_NOTE
    return Screen(text, inline(rows))


async def press(session: AsyncSession, person: Person, pressed: WellbeingPress, today: date, now: datetime) -> Screen | None:
    """One press on the offer or a statement; None when it is stale (another month, a
    statement already answered, a check that was never offered to this person)."""
    assert person.id is not None
    if pressed.month != month_of(today) or not statements():
        return None
    row = await _row(session, person.id, pressed.month)
    if row is None or row.status in (Status.DONE,):
        return None
    if pressed.action is WellbeingAction.NOT_NOW:
        row.status, row.answers = Status.SKIPPED, ""
        return Screen(texts.WELLBEING_SKIPPED)
    if pressed.action is WellbeingAction.STOP:
        row.status, row.answers = Status.STOPPED, ""
        return Screen(texts.WELLBEING_STOPPED)
    if pressed.action is WellbeingAction.START:
        if row.status != Status.OFFERED:
            return None
        row.status = Status.STARTED
        return _statement(pressed.month, 0)
    return _answer(row, pressed, now)


def _answer(row: WellbeingCheck, pressed: WellbeingPress, now: datetime) -> Screen | None:
    """Save one answer if it is the one the check waits for (a double tap changes nothing)."""
    if row.status != Status.STARTED or pressed.statement != len(row.answers) or not 1 <= pressed.answer <= 6:
        return None
    row.answers += str(pressed.answer)
    if len(row.answers) < len(statements()):
        return _statement(pressed.month, len(row.answers))
    row.total = sum(int(ch) for ch in row.answers)
    row.status, row.completed_at = Status.DONE, now
    return Screen(texts.WELLBEING_DONE.format(total=row.total))


async def export(session: AsyncSession, rt: Runtime, person: Person) -> dict[str, Any]:
    """/mydata: every month's check, with the answers given."""
    found = await session.execute(
        select(WellbeingCheck).where(col(WellbeingCheck.person_id) == person.id).order_by(col(WellbeingCheck.month))
    )
    return {
        "about": texts.WELLBEING_EXPORT_NOTE,
        "checks": [{"month": r.month, "status": r.status, "answers": [int(ch) for ch in r.answers], "total": r.total}
                   for r in found.scalars()],
    }


async def erase(session: AsyncSession, person: Person) -> None:
    """/forget: every check of the person (SQLite may not cascade)."""
    await session.execute(delete(WellbeingCheck).where(col(WellbeingCheck.person_id) == person.id))
