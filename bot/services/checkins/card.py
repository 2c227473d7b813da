"""The check-in message: what it says and which buttons it shows at each step.

A check-in is one message edited in place as the member answers, so a cheap phone's chat
doesn't fill up and old buttons disappear. Buttons carry the step and the local day
(`v1:ci:<action>:<yyyymmdd>[:<value>]`); the handler checks both against the database, so
forged data, yesterday's buttons and double taps change nothing they shouldn't. Built as
plain Bot API dicts because the prompt tick writes the first card into the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot import texts
from bot.buttons import Button, callback, inline
from bot.models import Checkin
from bot.services.checkins.milestones import Reached

FEATURE = "ci"
# action code -> (value codes it accepts, or None for no value)
ACTIONS: dict[str, tuple[str, ...] | None] = {
    "m": tuple(str(m) for m in texts.MOOD_FACES),  # mood
    "c": ("y", "s", "p"),  # clean: yes / slip / rather not say
    "r": ("y", "n"),  # slip: restart the clean date?
    "t": ("y", "n"),  # slip: tell supporters?
    "g": None,  # went to a meeting
    "n": None,  # add a note (then typed)
    "k": None,  # skip the note
    "d": None,  # done
}
CLEAN_CODES = {"y": "yes", "s": "slip", "p": "private"}


@dataclass(frozen=True)
class Card:
    text: str
    markup: dict[str, object] | None


def day_code(day: date) -> str:
    return f"{day:%Y%m%d}"


def parse_day(code: str) -> date | None:
    try:
        return datetime.strptime(code, "%Y%m%d").date() if len(code) == 8 else None
    except ValueError:
        return None


def _button(label: str, action: str, day: date, value: str | None = None) -> Button:
    parts = (FEATURE, action, day_code(day)) if value is None else (FEATURE, action, day_code(day), value)
    return label, callback(*parts)


def sos_row(source: str) -> list[Button]:
    """The "I need support now" button that every prompt carries."""
    return [(texts.SOS_BUTTON, callback("sos", source))]


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
        _button(texts.MOOD_BUTTON.format(face=face, word=texts.MOOD_WORDS[mood]), "m", day, str(mood))
        for mood, face in texts.MOOD_FACES.items()
    ]
    return [buttons[:3], buttons[3:]]


def next_step(action: str, checkin: Checkin) -> str:
    """The step shown after an answer. A slip asks its two questions once per day."""
    if action == "m":
        return "clean"
    if action == "n":
        return "note"
    if action == "d":
        return "done"
    if action in ("c", "r") and checkin.clean == "slip":
        if checkin.slip_reset_clean_date is None:
            return "reset"
        if checkin.slip_tell_supporters is None:
            return "tell"
    return "extras"


def render(step: str, day: date, name: str | None, checkin: Checkin | None, *, clean_date: date | None = None,
           streak: int = 0, intro: str = "", source: str = "checkin", more: list[list[Button]] | None = None) -> Card:
    """The card for `step`: a header, what is saved so far, the question and its buttons.

    `source` says where an "I need support now" press came from; `more` adds rows above it."""
    name = texts.h(name)
    lines = [intro, ""] if intro else []
    lines.append(texts.CHECKIN_DONE.format(day=texts.day_label(day), name=name) if step == "done"
                 else texts.CARD_HEADER.format(day=texts.day_label(day)))
    lines += _summary(checkin)
    rows: list[list[Button]] = []
    if step == "mood":
        lines += ["", texts.ASK_MOOD]
        rows += _mood_buttons(day)
    elif step == "clean":
        lines += ["", texts.ASK_CLEAN]
        rows.append([_button(texts.CLEAN_BUTTONS[answer], "c", day, code) for code, answer in CLEAN_CODES.items()])
    elif step == "reset":
        ask = texts.ASK_RESET.format(date=texts.long_date(clean_date)) if clean_date else texts.ASK_RESET_NO_DATE
        lines += ["", texts.SLIP_KIND.format(name=name), "", ask]
        rows.append([_button(texts.RESET_YES, "r", day, "y"), _button(texts.RESET_NO, "r", day, "n")])
    elif step == "tell":
        if checkin is not None and checkin.slip_reset_clean_date:
            lines += ["", texts.RESET_DONE]
        lines += ["", texts.ASK_TELL]
        rows.append([_button(texts.TELL_YES, "t", day, "y"), _button(texts.TELL_NO, "t", day, "n")])
    elif step == "extras":
        lines += ["", texts.ASK_EXTRAS]
        if checkin is None or not checkin.went_to_meeting:
            rows.append([_button(texts.MEETING_BUTTON, "g", day)])
        has_note = checkin is not None and checkin.note_enc
        rows.append([_button(texts.NOTE_CHANGE_BUTTON if has_note else texts.NOTE_BUTTON, "n", day)])
        rows.append([_button(texts.DONE_BUTTON, "d", day)])
    elif step == "note":
        lines += ["", texts.ASK_NOTE]
        rows.append([_button(texts.SKIP_NOTE_BUTTON, "k", day)])
    elif step == "done":
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
    return render("mood", day, name, None, intro="\n\n".join(lines), source="prompt")


def reminder(name: str | None, day: date) -> Card:
    stop = [[(texts.REMINDER_STOP_BUTTON, callback("cp", "rem", "stop"))]]
    return render("mood", day, name, None, intro=texts.REMINDER.format(name=texts.h(name)), source="reminder", more=stop)
