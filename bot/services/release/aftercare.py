"""After release: daily check-ins, with the companion as a supporter for the first weeks.

The first 48 hours decide many relapses, so once the person has met their companion (and
is connected to the bot) they are asked, once, whether they would like check-ins. If yes:
for the first TWICE_DAILY_DAYS days from release they are prompted twice a day (their daily
check-in in the morning plus an evening one), then once a day; and the companion becomes
one of their supporters (the supporters feature), so a silence or a call for help reaches
someone who has met them. The companion can hand over to a sponsor with a supporter
invitation; when the sponsor accepts, the companion steps back.

The evening prompt is a `ReleaseDuty` (`Duty.EVENING`) re-armed each day until the taper;
the prompt itself comes from `checkin_plans.send_extra_prompt`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot import texts
from bot.buttons import inline
from bot.models import Person, ReleaseRequest
from bot.services.checkins import plans as checkin_plans
from bot.services.people import invitations, people
from bot.services.release import buttons
from bot.services.release import records as release_records
from bot.services.release.buttons import AftercareAnswer
from bot.services.release.records import record, tell
from bot.services.release.states import Aftercare, Duty, Event, Notice, Outcome
from bot.services.schedule_times import next_occurrence, zone_named
from bot.services.support import supporters

TWICE_DAILY_DAYS = 14
DEFAULT_CHECKIN_TIME = "09:00"  # the daily (morning) check-in for someone who hasn't chosen one
EVENING = time(19, 0)
CHECKING_IN = (Aftercare.YES, Aftercare.HANDOVER, Aftercare.DONE)  # said yes, evening prompts go on


@dataclass(frozen=True)
class Answer:
    ok: bool
    message: str
    markup: dict[str, object] | None = None


def twice_daily_period() -> str:
    """TWICE_DAILY_DAYS in words, so what people are told follows the rule."""
    return texts.RELEASE_TWICE_DAILY_PERIODS.get(TWICE_DAILY_DAYS, f"{TWICE_DAILY_DAYS} days")


def twice_daily_until(request: ReleaseRequest) -> date:
    """The last day with an evening prompt: day one is the release day."""
    assert request.release_date is not None
    return request.release_date + timedelta(days=TWICE_DAILY_DAYS - 1)


def next_evening(request: ReleaseRequest, person: Person, now: datetime, default_zone: str) -> datetime | None:
    """The next evening prompt after `now`, or None once the twice-daily weeks are over."""
    day, at = next_occurrence(now, EVENING, zone_named(person.timezone, default_zone))
    return at if day <= twice_daily_until(request) else None


async def ask(session: AsyncSession, request: ReleaseRequest, *, now: datetime) -> bool:
    """Ask the person once, after they have met their companion and are connected."""
    if request.person_id is None or request.aftercare is not None or request.outcome != Outcome.MET:
        return False
    request.aftercare = Aftercare.ASKED
    names = await people.pseudonyms(session, request.person_id, request.companion_id)

    def text() -> str:
        return texts.RELEASE_AFTERCARE_ASK.format(
            period=twice_daily_period(), name=texts.h(names.get(request.person_id or 0, "")),
            companion=texts.h(names.get(request.companion_id or 0, "")),
        )

    def markup() -> dict[str, object]:
        return inline([[(texts.RELEASE_AFTERCARE_YES_BUTTON, buttons.aftercare(request.id, AftercareAnswer.YES)),
                        (texts.RELEASE_AFTERCARE_NO_BUTTON, buttons.aftercare(request.id, AftercareAnswer.NO))]])

    await tell(session, request.person_id, Notice.PERSON, text, now, markup)
    return True


async def answer(session: AsyncSession, request_id: int, person: Person, yes: bool, *, now: datetime,
                 default_zone: str) -> Answer:
    """The person's answer. Only they may give it, and only once."""
    request = await session.get(ReleaseRequest, request_id)
    if request is None or person.id is None or request.person_id != person.id:
        return Answer(False, texts.NOT_FOR_YOU)
    if request.aftercare != Aftercare.ASKED:
        return Answer(False, texts.RELEASE_AFTERCARE_ANSWERED)
    if not yes:
        request.aftercare = Aftercare.NO
        record(session, request, Event.AFTERCARE_DECLINED, now, person.id)
        return Answer(True, texts.RELEASE_AFTERCARE_NO)
    return await _enrol(session, request, person, now=now, default_zone=default_zone)


async def _enrol(session: AsyncSession, request: ReleaseRequest, person: Person, *, now: datetime, default_zone: str) -> Answer:
    assert request.id is not None
    request.aftercare = Aftercare.YES
    person.timezone = person.timezone or release_records.ZONE.key
    person.checkin_time = person.checkin_time or DEFAULT_CHECKIN_TIME
    await checkin_plans.schedule(session, person, now=now, default_zone=default_zone)
    await release_records.arm(session, request.id, Duty.EVENING, next_evening(request, person, now, default_zone))
    record(session, request, Event.AFTERCARE, now, person.id)
    supporter = ""
    if await _companion_supports(session, request, person, now):
        await tell(session, request.companion_id, Notice.COMPANION,
             lambda: texts.RELEASE_AFTERCARE_FOR_COMPANION.format(name=texts.h(person.pseudonym)), now,
             lambda: inline([[(texts.RELEASE_HANDOVER_BUTTON, buttons.aftercare(request.id, AftercareAnswer.HAND_OVER))]]))
        companion = await release_records.companion_name(session, request)
        supporter = texts.RELEASE_AFTERCARE_SUPPORTER.format(companion=texts.h(companion))
    return Answer(True, texts.RELEASE_AFTERCARE_ON.format(period=twice_daily_period(), morning=person.checkin_time,
                                                          evening=people.format_time(EVENING), supporter=supporter))


async def _companion_supports(session: AsyncSession, request: ReleaseRequest, person: Person, now: datetime) -> bool:
    """Make the companion one of the person's supporters, the way anyone becomes one (an
    invitation from the person, accepted), so every rule of the supporters feature holds.
    The person said yes to exactly this, so they are told it in the reply, not "<companion>
    said yes" as if the companion had done something; False if it couldn't be done."""
    companion = await session.get(Person, request.companion_id) if request.companion_id else None
    if companion is None:
        return False
    invited = await supporters.invite(session, person, now, caps=None)
    if not invited.ok:
        return False
    await session.flush()
    invitation = await invitations.lookup(session, invited.message)
    return invitation is not None and (await supporters.accept(session, invitation.id or 0, companion, now, announce=False)).ok


async def hand_over(session: AsyncSession, request_id: int, companion: Person, *, link_for: Callable[[str], str],
                    now: datetime) -> Answer:
    """The companion asks a sponsor to take over: a supporter invitation from the person,
    for the companion to pass on. When the sponsor says yes, the companion steps back."""
    request = await session.get(ReleaseRequest, request_id)
    if request is None or companion.id is None or request.companion_id != companion.id or request.person_id is None:
        return Answer(False, texts.NOT_FOR_YOU)
    if request.aftercare not in (Aftercare.YES, Aftercare.HANDOVER):
        return Answer(False, texts.RELEASE_HANDOVER_DONE)
    person = await session.get(Person, request.person_id)
    assert person is not None
    invited = await supporters.invite(session, person, now, caps=None)
    if not invited.ok:
        return Answer(False, invited.message)
    request.aftercare = Aftercare.HANDOVER
    record(session, request, Event.HANDOVER, now, companion.id)
    return Answer(True, texts.RELEASE_HANDOVER_LINK.format(name=texts.h(person.pseudonym), link=link_for(invited.message)))


async def _step_back(session: AsyncSession, member: Person, supporter: Person, now: datetime) -> None:
    """A new supporter joined: if the member's companion was handing over, they step back."""
    result = await session.execute(
        select(ReleaseRequest).where(col(ReleaseRequest.person_id) == member.id, col(ReleaseRequest.aftercare) == Aftercare.HANDOVER)
    )
    for request in result.scalars():
        if request.companion_id is None or request.companion_id == supporter.id:
            continue
        companion = await session.get(Person, request.companion_id)
        link = await supporters.link_between(session, member.id or 0, request.companion_id)
        if companion is not None and link is not None:
            await supporters.end_link(session, link, companion, now)
        request.aftercare = Aftercare.DONE
        record(session, request, Event.HANDED_OVER, now)
        await tell(session, request.companion_id, Notice.COMPANION, lambda: texts.RELEASE_HANDED_OVER.format(name=texts.h(member.pseudonym)), now)




async def evening_prompt(
    session: AsyncSession, request: ReleaseRequest, *, now: datetime, default_zone: str, due_at: datetime | None = None
) -> bool:
    """The evening check-in, while the person still wants them, and only on the local day
    it was due (`due_at`): one missed while the bot was down is skipped, not sent after
    midnight as a third prompt for the next day."""
    if request.person_id is None or request.aftercare not in CHECKING_IN:
        return False
    return await checkin_plans.send_extra_prompt(session, request.person_id, now, default_zone=default_zone, due_at=due_at)
