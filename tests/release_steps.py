"""Steps the release-day tests share, taken the way people take them: a coordinator, a
companion who applies and is approved, a request made in the chat, a tick of the clock.

The clock starts on Tuesday 24 Nov 2026, 10:00 (London = UTC in winter).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.models import ReleaseRequest
from schedules import checkin_prompts, release_reminders
from tests.harness import Harness
from tests.harness import Person as User
from tests.test_onboarding import onboard


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def coordinator(h: Harness, name: str = "Casey") -> User:
    h.user(name, coordinator=True)
    return await onboard(h, name, purpose="I support someone")


async def companion(h: Harness, casey: User, name: str, *, areas: str = "LS6", gender: str = "Man",
                    fellowship: str = "NA") -> User:
    """Someone who applies in the bot and whom the coordinator approves, vetting done today."""
    user = await onboard(h, name, purpose="I volunteer as a companion")
    await user.send(areas)
    await user.press("✅ Done")
    await user.press(fellowship)
    await user.press(gender)
    await user.press("2–5 years")
    await user.press("✅ Send to a coordinator")
    await h.deliver()
    await casey.press("✅ Vetted: approve", message=casey.find(f"{name} asks to be a release-day companion"))
    await casey.press("Today")
    await h.deliver()
    return user


async def request_for_someone(h: Harness, casey: User, *, prison: str = "Leeds", date: str = "04/12/2026",
                              time: str | None = None, home: str = "LS6", who: str = "Anyone",
                              needs: tuple[str, ...] = ("A meeting the same day", "Probation appointment"),
                              probation: str = "2pm, Leeds probation office", notes: str | None = None,
                              person_note: str | None = None) -> str:
    """A coordinator's request on someone's behalf, through every question; returns the card's link."""
    await casey.send("/release")
    await casey.press("For someone else")
    await casey.send(prison)
    await casey.send(date)
    if time is None:
        await casey.press("🌅 Morning (time not known)")
    else:
        await casey.send(time)
    await casey.send(home)
    await casey.press(who)
    await casey.press("NA")
    for need in needs:
        await casey.press(need)
    await casey.press("✅ Done")
    if "Probation appointment" in needs:
        await casey.send(probation)
    if notes is None:
        await casey.press("Skip")
    else:
        await casey.send(notes)
    if person_note is None:
        await casey.press("Skip")
    else:
        await casey.send(person_note)
    await casey.press("✅ Send")
    return casey.find("The card for the person").text.split()[-1]


def card_code(casey: User) -> str:
    """The short code of the newest card the coordinator was given."""
    return casey.find("Code to type:").text.split("Code to type:")[1].split()[0]


async def open_card(h: Harness, name: str, link: str) -> User:
    """Someone opens a card's link and sets up: consent, a name, done."""
    person = h.user(name)
    await person.send("/start " + link.split("start=")[1])
    await person.press("✅ I agree")
    await person.send(name)
    return person


async def confirm(h: Harness, casey: User, name: str, *, yes: bool = True) -> None:
    """The coordinator answers "is this them?" for the newest card opened by `name`."""
    await h.deliver()
    asked = casey.find(f"chose the name {name}")
    await casey.press("✅ Yes, it's them" if yes else "❌ Not them", message=asked)
    await h.deliver()


async def tick_at(h: Harness, moment: datetime) -> None:
    """The release and check-in ticks at `moment`, then the outbox, as the JobQueue would."""
    h.clock.set(moment)
    await release_reminders.run_once(h.runtime)
    await checkin_prompts.run_once(h.runtime)
    await h.deliver()


async def the_request(h: Harness) -> ReleaseRequest:
    async with h.db.session() as session:
        return (await session.execute(select(ReleaseRequest).where(ReleaseRequest.status != "draft"))).scalar_one()
