"""Shared steps for the supporters and alerts tests: link people the way they would, and
run the ticks the way the JobQueue would."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.models import Incident, Person
from schedules import checkin_prompts, lapse_alerts
from tests.harness import Harness
from tests.harness import Person as User
from tests.test_onboarding import onboard


async def invite_link(member: User) -> str:
    """The member taps Add a supporter; returns the deep-link payload they'd forward."""
    await member.send("/supporters")
    await member.press("➕ Add a supporter")
    link = member.last().text.split()[-1]
    assert link.startswith("https://t.me/fellowship_sandbox_bot?start=su_"), link
    return link.split("start=")[1]


async def add_supporter(h: Harness, member: User, supporter: User) -> None:
    """The whole invitation, as two people would do it."""
    payload = await invite_link(member)
    await supporter.send(f"/start {payload}")
    await supporter.press(supporter.last().buttons()[0])  # "✅ Yes, I'll support <name>"
    assert "You're now one of" in supporter.last().text, supporter.last().text
    await h.deliver()


async def supporter(h: Harness, name: str) -> User:
    return await onboard(h, name, purpose="I support someone")


async def coordinator(h: Harness, name: str) -> User:
    h.user(name, coordinator=True)
    return await onboard(h, name, purpose="I support someone")


async def tick(h: Harness) -> None:
    """Prompts, then lapses and escalations, then the outbox: one round of every duty."""
    await checkin_prompts.run_once(h.runtime)
    await lapse_alerts.run_once(h.runtime)
    await h.deliver()


async def tick_at(h: Harness, moment: datetime) -> None:
    h.clock.set(moment)
    await tick(h)


async def incidents(h: Harness) -> list[Incident]:
    async with h.db.session() as session:
        return list((await session.execute(select(Incident).order_by(Incident.id))).scalars())


async def person_id(h: Harness, pseudonym: str) -> int:
    async with h.db.session() as session:
        found = (await session.execute(select(Person.id).where(Person.pseudonym == pseudonym))).scalar_one()
        return int(found)


def alerts_about(user: User, name: str) -> list[str]:
    """Alert messages (with buttons) this person got about `name`."""
    return [m.text for m in user.messages() if "🤝 I'll reach out" in m.buttons() and name in m.text]
