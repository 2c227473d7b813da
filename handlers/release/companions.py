"""Companions: apply (/companion, or from set-up and /settings), a coordinator records vetting
and approves, and a companion pauses or changes their areas.

The application is four questions; each answer is saved as it is given, and the typed one
(areas) is routed by `Person.awaiting`, so a restart loses nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.buttons import Button, inline
from bot.models import CompanionProfile, Person
from bot.services import places
from bot.services.release import buttons, companions
from bot.services.release import records as release_records
from bot.services.release import requests as releases
from bot.services.release import text as release_text
from bot.services.release.asking import asked, expect
from bot.services.release.buttons import ApplicationAction, DayAction
from bot.services.validation import InvalidInput, is_digits
from handlers.common import (
    answer_callback,
    edit_or_reply,
    log,
    onboarded_person,
    parsed_press,
    reply,
    runtime,
)

AREAS = "companion_areas"
VETTING = "vetting"
# Each question's field and its answers' words (the texts by name: read in the person's language).
_CHOICES = {
    ApplicationAction.FELLOWSHIP: ("fellowship", "FELLOWSHIP_NAMES"),
    ApplicationAction.GENDER: ("gender", "COMPANION_GENDERS"),
    ApplicationAction.CLEAN_TIME: ("clean_time", "COMPANION_CLEAN_TIMES"),
}


def _labels(action: ApplicationAction) -> dict[str, str]:
    labels: dict[str, str] = getattr(texts, _CHOICES[action][1])
    return labels


async def companion_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/companion`: your profile if you are one, where your application is, or how to apply."""
    rt = runtime(context)
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None or person.id is None:
            return
        expect(person, None)
        profile = await companions.profile_for(session, person.id)
        if await companions.is_companion(session, person.id) and profile is not None:
            await _show_profile(update, session, profile)
        elif profile is not None and await companions.application_pending(session, person.id):
            await reply(update, texts.COMPANION_PENDING)
        else:
            await reply(update, texts.COMPANION_INTRO,
                        inline([[(texts.COMPANION_APPLY_BUTTON, buttons.application(ApplicationAction.APPLY))]]))


async def start_application(update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person) -> None:
    """From set-up ("I volunteer as a companion") or /settings: the first open question."""
    profile = await companions.start_application(session, person, now=runtime(context).clock.now())
    await _ask_next(update, session, person, profile, intro=texts.COMPANION_INTRO)


async def _ask_next(update: Update, session: AsyncSession, person: Person, profile: CompanionProfile, *, intro: str = "") -> None:
    """Ask the first unanswered question, or show the finished application."""
    lead = f"{intro}\n\n" if intro else ""
    areas = await companions.areas_of(session, profile)
    step = companions.next_question(profile, areas)
    if step == "areas":
        expect(person, AREAS)
        await reply(update, lead + texts.COMPANION_ASK_AREAS)
        return
    expect(person, None)
    if step is not None:
        code = next(c for c, (field, _) in _CHOICES.items() if field == step)
        choices: list[Button] = [(label, buttons.application(code, value)) for value, label in _labels(code).items()]
        await reply(update, lead + texts.COMPANION_ASK[step], inline([choices[i : i + 3] for i in range(0, len(choices), 3)]))
    elif person.id is not None and await companions.is_companion(session, person.id):
        await _show_profile(update, session, profile)
    else:
        summary = companions.describe(profile, areas)
        await reply(update, texts.COMPANION_REVIEW.format(summary=summary), inline([
            [(texts.COMPANION_SEND_BUTTON, buttons.application(ApplicationAction.SEND))],
            [(texts.COMPANION_CHANGE_AREAS_BUTTON, buttons.application(ApplicationAction.CHANGE_AREAS))],
        ]))


async def _show_profile(update: Update, session: AsyncSession, profile: CompanionProfile) -> None:
    """An approved companion's profile, pause switch and the releases they're meeting."""
    summary = companions.describe(profile, await companions.areas_of(session, profile))
    vetted = texts.long_date(profile.vetted_on) if profile.vetted_on else texts.NOT_SET
    state = texts.COMPANION_PAUSED_STATE if profile.paused else texts.COMPANION_TAKING
    toggle = ((texts.COMPANION_RESUME_BUTTON, buttons.application(ApplicationAction.RESUME)) if profile.paused
              else (texts.COMPANION_PAUSE_BUTTON, buttons.application(ApplicationAction.PAUSE)))
    rows = [[toggle], [(texts.COMPANION_CHANGE_AREAS_BUTTON, buttons.application(ApplicationAction.CHANGE_AREAS))]]
    meeting = await releases.live_requests(session, companion_id=profile.person_id)
    lines = [texts.COMPANION_PROFILE.format(summary=summary, vetted=vetted, state=state), ""]
    lines.append(texts.COMPANION_RELEASES if meeting else texts.COMPANION_NO_RELEASES)
    for request in meeting:
        lines.append(texts.COMPANION_RELEASE_LINE.format(id=request.id, when=release_text.when(request),
                                                         prison=texts.h(release_text.prison_name(request))))
        rows.append([(f"📄 #{request.id}", buttons.day(request.id, DayAction.VIEW))])
    await reply(update, "\n".join(lines), inline(rows))


# --- the application's answers --------------------------------------------------------------


async def answer_areas(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    """One or more places, comma-separated: each is added if it is clear, offered as
    choices if several places share the name, and named back if unknown."""
    rt = runtime(context)
    profile = await companions.start_application(session, person, now=rt.clock.now())
    missed: list[str] = []
    unclear: tuple[str, places.Lookup] | None = None  # the first name to ask about, with its options
    for part in [p.strip() for p in text.split(",") if p.strip()][: companions.MAX_AREAS]:
        found = places.resolve(part)
        if found.place is not None:
            await companions.add_area(session, profile, found.place, now=rt.clock.now())
        elif unclear is None and (found.choices or found.suggestions):
            unclear = (part, found)
        else:
            missed.append(part)
    await _show_areas(update, session, profile, missed=missed)
    if unclear is not None:
        part, found = unclear
        prompt = texts.MEETINGS_PLACE_CHOICES if found.choices else texts.MEETINGS_PLACE_SUGGEST
        rows = [[(place.label, buttons.application(ApplicationAction.ADD_AREA, place.key))]
                for place in found.choices or found.suggestions]
        await reply(update, prompt.format(text=texts.clip(part, texts.ECHO_MAX)), inline(rows))


async def _show_areas(update: Update, session: AsyncSession, profile: CompanionProfile, *, missed: list[str] | None = None) -> None:
    areas = await companions.areas_of(session, profile)
    lines = [texts.COMPANION_AREAS_NOW.format(areas=texts.h(", ".join(a.label for a in areas)) or texts.NOT_SET)]
    if missed:
        lines.append(texts.COMPANION_AREAS_MISSED.format(missed=texts.clip(", ".join(missed), texts.ECHO_MAX)))
    if len(areas) >= companions.MAX_AREAS:
        lines.append(texts.COMPANION_AREAS_FULL.format(max=companions.MAX_AREAS))
    await reply(update, "\n".join(lines), inline([[
        (texts.COMPANION_AREAS_DONE_BUTTON, buttons.application(ApplicationAction.AREAS_DONE)),
        (texts.COMPANION_AREAS_CLEAR_BUTTON, buttons.application(ApplicationAction.CLEAR_AREAS)),
    ]]))


async def answer_vetting_date(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: AsyncSession, person: Person, text: str
) -> None:
    """A coordinator types the day vetting was completed."""
    rt = runtime(context)
    raw_id = (asked(person, VETTING) or [""])[0]
    try:
        vetted_on = companions.parse_vetting_date(text, today=release_records.today(rt.clock.now()))
    except InvalidInput as exc:
        await reply(update, str(exc))
        return
    expect(person, None)
    request_id = int(raw_id) if is_digits(raw_id) else 0
    outcome = await companions.approve(session, person, request_id, vetted_on, now=rt.clock.now())
    await reply(update, outcome.message)




# --- buttons --------------------------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:cm:<action>[:<value>]`: the person's own application and profile only."""
    rt = runtime(context)
    pressed = await parsed_press(update, buttons.parse_application)
    if pressed is None:
        return
    action, value = pressed.action, pressed.value
    now = rt.clock.now()
    async with rt.db.session() as session:
        person = await onboarded_person(session, update, rt)
        if person is None or person.id is None:
            return
        is_companion = await companions.is_companion(session, person.id)
        if action == ApplicationAction.APPLY and not is_companion:
            await answer_callback(update)
            await start_application(update, context, session, person)
            return
        profile = await companions.profile_for(session, person.id)
        if profile is None:
            await answer_callback(update, texts.STALE_BUTTON)
        elif action in _CHOICES and companions.choose(profile, _CHOICES[action][0], value, now=now):
            await answer_callback(update)
            await edit_or_reply(update, f"{texts.COMPANION_ASK[_CHOICES[action][0]]}\n<b>{_labels(action)[value]}</b>")
            await _ask_next(update, session, person, profile)
        elif action == ApplicationAction.ADD_AREA and person.awaiting == AREAS and (place := places.by_key(value)) is not None:
            await answer_callback(update)
            await companions.add_area(session, profile, place, now=now)
            await _show_areas(update, session, profile)
        elif action == ApplicationAction.AREAS_DONE and person.awaiting == AREAS:
            if not await companions.areas_of(session, profile):
                await answer_callback(update, texts.COMPANION_AREAS_NONE, alert=True)
                return
            await answer_callback(update)
            expect(person, None)
            await _ask_next(update, session, person, profile)
        elif action == ApplicationAction.CLEAR_AREAS and person.awaiting == AREAS:
            await answer_callback(update)
            await companions.clear_areas(session, profile, now=now)
            await _show_areas(update, session, profile)
        elif action == ApplicationAction.CHANGE_AREAS:
            await answer_callback(update)
            expect(person, AREAS)
            await _show_areas(update, session, profile)
        elif action == ApplicationAction.SEND and not is_companion:
            outcome = await companions.submit(session, person, profile, now=now)
            await answer_callback(update)
            await edit_or_reply(update, outcome.message)
            log.info("person %s applied to be a companion", person.id)
        elif action in (ApplicationAction.PAUSE, ApplicationAction.RESUME) and is_companion:
            pausing = action == ApplicationAction.PAUSE
            companions.set_paused(profile, pausing, now=now)
            await answer_callback(update)
            await edit_or_reply(update, texts.COMPANION_PAUSED if pausing else texts.COMPANION_RESUMED)
        else:
            await answer_callback(update, texts.STALE_BUTTON)


async def on_vetting_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`v1:cv:<request id>[:today]`: a coordinator approves a companion, recording vetting."""
    rt = runtime(context)
    pressed = await parsed_press(update, buttons.parse_vetting)
    if pressed is None:
        return
    request_id = pressed.role_request_id
    async with rt.db.session() as session:
        me = await onboarded_person(session, update, rt)
        if me is None or me.id is None:
            return
        vetting = await companions.to_vet(session, me, request_id)
        if vetting.request is None:
            await answer_callback(update, vetting.problem, alert=True)
            return
        await answer_callback(update)
        if pressed.today:
            expect(me, None)
            outcome = await companions.approve(session, me, request_id, release_records.today(rt.clock.now()), now=rt.clock.now())
            await edit_or_reply(update, outcome.message)
            return
        expect(me, f"{VETTING}:{request_id}")
        example = f"{release_records.today(rt.clock.now()):%d/%m/%Y}"
        await reply(update, texts.VETTING_ASK.format(name=texts.h(vetting.applicant), example=example),
                    inline([[(texts.VETTING_TODAY_BUTTON, buttons.vetting(request_id, today=True))]]))
