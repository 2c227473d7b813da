"""How a release request is put into words, for each person who may see it.

There are three views, because who sees what is the privacy rule of this feature:
- an offer (companions deciding): area, date, time, fellowship and needs, no identity;
- the details (the assigned companion and coordinators): prison, destination, needs,
  probation and notes, decrypted;
- the person's own view, with who will meet them and the note meant for them: never the
  notes for the companion (a coordinator may write there what the person must not read).
"""

from __future__ import annotations

from datetime import date

from bot import texts
from bot.crypto import (
    RELEASE_NOTES,
    RELEASE_PERSON_NOTE,
    RELEASE_PROBATION,
    EncryptedField,
    Undecryptable,
    Vault,
)
from bot.models import ReleaseRequest
from bot.services.release import prisons
from bot.services.release.states import RequestStatus

PROBATION_CONTEXT = RELEASE_PROBATION
NOTES_CONTEXT = RELEASE_NOTES
PERSON_NOTE_CONTEXT = RELEASE_PERSON_NOTE


def need_codes(request: ReleaseRequest) -> list[str]:
    return [code for code in (request.needs or "").split(",") if code in texts.RELEASE_NEEDS]


def when(request: ReleaseRequest) -> str:
    """"Tue 1 Dec, morning (time not known yet)" or "Tue 1 Dec at 09:30"."""
    return when_of(request.release_date, request.release_time)


def when_of(release_date: date | None, release_time: str | None) -> str:
    """`when` for a date and time kept aside (the old ones, to say what changed)."""
    if release_date is None:
        return texts.NOT_SET
    day = texts.day_label(release_date)
    return texts.RELEASE_WHEN_AT.format(day=day, time=release_time) if release_time else texts.RELEASE_WHEN_MORNING.format(day=day)


def prison_name(request: ReleaseRequest) -> str:
    prison = prisons.by_code(request.prison_code or "")
    return prison.name if prison else texts.NOT_SET


def area(request: ReleaseRequest) -> str:
    """Where the prison is, without naming it (what an offer shows)."""
    prison = prisons.by_code(request.prison_code or "")
    return prison.area if prison else texts.NOT_SET


def _needs(request: ReleaseRequest) -> str:
    return ", ".join(texts.RELEASE_NEEDS[code] for code in need_codes(request)) or texts.RELEASE_NO_NEEDS


def _fellowship(request: ReleaseRequest) -> str:
    return texts.FELLOWSHIP_NAMES.get(request.fellowship or "", texts.RELEASE_FELLOWSHIP_UNSURE)


def offer(request: ReleaseRequest) -> str:
    return texts.RELEASE_OFFER.format(
        area=texts.h(area(request)),
        destination=texts.h(request.destination_label or texts.NOT_SET),
        when=when(request),
        fellowship=_fellowship(request),
        needs=_needs(request),
    )


def private_text(vault: Vault, request: ReleaseRequest, field: EncryptedField) -> str:
    """The request's decrypted probation details or notes; "" when none, or when the stored
    text doesn't decrypt for this request (copied in from another)."""
    value = getattr(request, field.column)
    if not value:
        return ""
    try:
        return vault.decrypt(value, field=field, row=request.id)
    except Undecryptable:
        return ""


def _common(request: ReleaseRequest) -> list[str]:
    return [
        texts.RELEASE_DETAIL_PRISON.format(prison=texts.h(prison_name(request))),
        texts.RELEASE_DETAIL_WHEN.format(when=when(request)),
        texts.RELEASE_DETAIL_DESTINATION.format(destination=texts.h(request.destination_label or texts.NOT_SET)),
        texts.RELEASE_DETAIL_FELLOWSHIP.format(fellowship=_fellowship(request)),
        texts.RELEASE_DETAIL_GENDER.format(gender=texts.RELEASE_GENDER_PREFERENCES.get(request.gender_preference or "any", "")),
        texts.RELEASE_DETAIL_NEEDS.format(needs=_needs(request)),
    ]


def details(request: ReleaseRequest, vault: Vault, *, companion: str | None = None, connected: bool | None = None,
            person_note: bool = False) -> str:
    """Everything about the release, for the assigned companion and coordinators only (the
    note for the person with `person_note`: for whoever wrote it, to check it)."""
    lines = _common(request)
    probation = private_text(vault, request, PROBATION_CONTEXT)
    if probation:
        lines.append(texts.RELEASE_DETAIL_PROBATION.format(probation=texts.h(probation)))
    notes = private_text(vault, request, NOTES_CONTEXT)
    if notes:
        lines.append(texts.RELEASE_DETAIL_NOTES.format(notes=texts.h(notes)))
    note = private_text(vault, request, PERSON_NOTE_CONTEXT) if person_note else ""
    if note:
        lines.append(texts.RELEASE_DETAIL_PERSON_NOTE.format(note=texts.h(note)))
    if companion is not None:
        lines.append(texts.RELEASE_DETAIL_COMPANION.format(companion=texts.h(companion)))
    if connected is not None:
        lines.append(texts.RELEASE_DETAIL_CONNECTED if connected else texts.RELEASE_DETAIL_NOT_CONNECTED)
    return "\n".join(lines)


def for_person(request: ReleaseRequest, vault: Vault, *, companion: str) -> str:
    """The person's own view: their release, their probation appointment, the note meant
    for them (labelled), who will meet them. Never the notes for the companion."""
    lines = _common(request)
    probation = private_text(vault, request, PROBATION_CONTEXT)
    if probation:
        lines.append(texts.RELEASE_DETAIL_PROBATION.format(probation=texts.h(probation)))
    note = private_text(vault, request, PERSON_NOTE_CONTEXT)
    if note:
        lines.append(texts.RELEASE_DETAIL_NOTE_FOR_YOU.format(note=texts.h(note)))
    lines.append(texts.RELEASE_DETAIL_COMPANION.format(companion=texts.h(companion)))
    return "\n".join(lines)


def state(request: ReleaseRequest, companion: str | None) -> str:
    """A few words on where the request stands, for a coordinator's list."""
    if request.status == RequestStatus.ASSIGNED:
        status = texts.RELEASE_STATUS_WORDS.get(request.day_status or "", "")
        return texts.RELEASE_STATE_ASSIGNED.format(companion=texts.h(companion or "?")) + (f" · {status}" if status else "")
    if request.status == RequestStatus.CLOSED:
        return texts.RELEASE_OUTCOMES.get(request.outcome or "", request.outcome or "")
    return texts.RELEASE_STATE_OPEN
