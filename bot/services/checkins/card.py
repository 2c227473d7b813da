"""The check-in message: what it says and which buttons it shows at each step.

A check-in is one message edited in place as the member answers, so a cheap phone's chat
doesn't fill up and old buttons disappear. Buttons carry the step and the local day
(`buttons.CARD`); `flow.press` checks both against the database, so forged data,
yesterday's buttons and double taps change nothing they shouldn't. Built as
plain Bot API dicts because the prompt tick writes the first card into the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot import texts
from bot.buttons import Button, inline
from bot.models import Checkin
from bot.services.checkins.buttons import CLEAN_CODES, NO, YES, CardAction, card_button, stop_reminders_button
from bot.services.checkins.milestones import Reached
from bot.services.checkins.states import Clean, Step
from bot.services.support import buttons as support_buttons


@dataclass(frozen=True)
class Card:
    text: str
    markup: dict[str, object] | None


def sos_row(source: str) -> list[Button]:
    """The "I need support now" button that every prompt carries."""
    return [(texts.SOS_BUTTON, support_buttons.sos_data(source))]


def _summary(checkin: Checkin | None) -> list[str]:
    if checkin is None:
        return []
    lines = []
    if checkin.mood is not None:
        lines.append(texts.CARD_MOOD.format(face=texts.MOOD_FACES[checkin.mood], word=texts.MOOD_WORDS[checkin.mood]))
    if checkin.clean is not None:
        lines.append(texts.CARD_CLEAN.format(answer=texts.CLEAN_WORDS[checkin.clean]))
    if checkin.went_to_meeting:
        lines.append(texts.CARD_MEETING)
    if checkin.note_enc:
        lines.append(texts.CARD_NOTE)
    return lines


def _mood_buttons(day: date) -> list[list[Button]]:
    """Each face carries its word ("😟 low"): a face alone is easy to misread on a small
    screen. Two rows, so the words fit a narrow phone."""
    buttons = [
        card_button(texts.MOOD_BUTTON.format(face=face, word=texts.MOOD_WORDS[mood]), CardAction.MOOD, day, str(mood))
        for mood, face in texts.MOOD_FACES.items()
    ]
    return [buttons[:3], buttons[3:]]


def next_step(action: CardAction, checkin: Checkin) -> Step:
    """The step shown after an answer. A slip asks its two questions once per day."""
    if action is CardAction.MOOD:
        return Step.CLEAN
    if action is CardAction.NOTE:
        return Step.NOTE
    if action is CardAction.DONE:
        return Step.DONE
    if action in (CardAction.CLEAN, CardAction.RESET) and checkin.clean == Clean.SLIP:
        if checkin.slip_reset_clean_date is None:
            return Step.RESET
        if checkin.slip_tell_supporters is None:
            return Step.TELL
    return Step.EXTRAS


def render(step: Step, day: date, name: str | None, checkin: Checkin | None, *, clean_date: date | None = None,
           streak: int = 0, intro: str = "", source: str = "checkin", more: list[list[Button]] | None = None) -> Card:
    """The card for `step`: a header, what is saved so far, the question and its buttons.

    `source` says where an "I need support now" press came from; `more` adds rows above it."""
    name = texts.h(name)
    lines = [intro, ""] if intro else []
    lines.append(texts.CHECKIN_DONE.format(day=texts.day_label(day), name=name) if step is Step.DONE
                 else texts.CARD_HEADER.format(day=texts.day_label(day)))
    lines += _summary(checkin)
    rows: list[list[Button]] = []
    if step is Step.MOOD:
        lines += ["", texts.ASK_MOOD]
        rows += _mood_buttons(day)
    elif step is Step.CLEAN:
        lines += ["", texts.ASK_CLEAN]
        rows.append([card_button(texts.CLEAN_BUTTONS[answer], CardAction.CLEAN, day, code) for code, answer in CLEAN_CODES.items()])
    elif step is Step.RESET:
        ask = texts.ASK_RESET.format(date=texts.long_date(clean_date)) if clean_date else texts.ASK_RESET_NO_DATE
        lines += ["", texts.SLIP_KIND.format(name=name), "", ask]
        rows.append([card_button(texts.RESET_YES, CardAction.RESET, day, YES), card_button(texts.RESET_NO, CardAction.RESET, day, NO)])
    elif step is Step.TELL:
        if checkin is not None and checkin.slip_reset_clean_date:
            lines += ["", texts.RESET_DONE]
        lines += ["", texts.ASK_TELL]
        rows.append([card_button(texts.TELL_YES, CardAction.TELL, day, YES), card_button(texts.TELL_NO, CardAction.TELL, day, NO)])
    elif step is Step.EXTRAS:
        lines += ["", texts.ASK_EXTRAS]
        if checkin is None or not checkin.went_to_meeting:
            rows.append([card_button(texts.MEETING_BUTTON, CardAction.MEETING, day)])
        has_note = checkin is not None and checkin.note_enc
        rows.append([card_button(texts.NOTE_CHANGE_BUTTON if has_note else texts.NOTE_BUTTON, CardAction.NOTE, day)])
        rows.append([card_button(texts.DONE_BUTTON, CardAction.DONE, day)])
    elif step is Step.NOTE:
        lines += ["", texts.ASK_NOTE]
        rows.append([card_button(texts.SKIP_NOTE_BUTTON, CardAction.SKIP_NOTE, day)])
    elif step is Step.DONE:
        if streak:
            lines.append(texts.STREAK.format(days=texts.plural(streak, "day")))
        lines += ["", texts.PROGRESS_HINT]
    rows += [*(more or []), sos_row(source)]
    return Card("\n".join(lines), inline(rows))


def prompt(name: str | None, day: date, local_hour: int, *, milestone: Reached | None = None,
           welcome_back: bool = False, ask: bool = True) -> Card:
    """The daily prompt (written to the outbox by the tick), with a milestone if one is due.

    Without `ask` (already checked in today) only the congratulation is sent."""
    lines = []
    if milestone is not None:
        template = texts.MILESTONE_TODAY if milestone.on == day else texts.MILESTONE_BELATED
        lines.append(template.format(label=milestone.label, name=texts.h(name), day=texts.day_label(milestone.on)))
    if not ask:
        return Card("\n".join(lines), None)
    if welcome_back:
        lines.append(texts.PROMPT_WELCOME_BACK.format(name=texts.h(name)))
    else:
        greeting = next(word for until, word in texts.GREETINGS if local_hour < until)
        lines.append(texts.PROMPT.format(greeting=greeting, name=texts.h(name)))
    return render(Step.MOOD, day, name, None, intro="\n\n".join(lines), source="prompt")


def reminder(name: str | None, day: date) -> Card:
    """The gentle reminder of an unanswered prompt, with a way to stop reminders."""
    stop = [[stop_reminders_button()]]
    return render(Step.MOOD, day, name, None, intro=texts.REMINDER.format(name=texts.h(name)), source="reminder", more=stop)
