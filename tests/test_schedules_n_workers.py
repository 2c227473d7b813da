"""Every schedule is safe with three workers (issue 15): three runtimes, each with its own
connection pool on the one database (PostgreSQL in CI's second run), run every tick at the
same moments, twice each, racing. No prompt, reminder, alert, escalation or release duty is
queued twice or skipped, and the meeting feeds are imported once per interval, not once per
worker."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.crypto import Vault
from bot.db import Database
from bot.models import Incident, Meeting, Outbox
from bot.runtime import Runtime
from bot.services import outbox
from schedules import checkin_prompts, feed_sync, lapse_alerts, meeting_reminders, release_reminders
from tests.harness import Harness
from tests.release_steps import coordinator, request_for_someone
from tests.supporters_helpers import add_supporter, supporter
from tests.test_onboarding import onboard

WED_PROMPT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # everyone `onboard`s with 09:00
FEED = Path(__file__).parent / "fixtures" / "meetings" / "tsml_feed_sussexaa.json"
WORKERS = 3


async def workers(h: Harness, database_url: str, clock: ManualClock) -> list[Runtime]:
    return [Runtime.build(h.settings, clock=clock, db=Database(database_url)) for _ in range(WORKERS)]


async def every_tick_everywhere(runtimes: list[Runtime]) -> None:
    """Each worker's JobQueue fires every schedule at the same moment, twice."""
    await asyncio.gather(*(
        tick(rt)
        for rt in runtimes
        for tick in (checkin_prompts.run_once, lapse_alerts.run_once, release_reminders.run_once, meeting_reminders.run) * 2
    ))


async def queued(db: Database, vault: Vault, *, after: int = 0) -> list[tuple[int, str, str, str]]:
    """(recipient, kind, words, when) of every message queued after row `after`, decrypted
    (nothing is delivered meanwhile, so the words are still there)."""
    async with db.session() as session:
        rows = list((await session.execute(select(Outbox).where(Outbox.id > after))).scalars())  # type: ignore[operator]
    return [(r.person_id, r.kind, json.dumps(outbox.params_of(vault, r), sort_keys=True), r.created_at.isoformat()) for r in rows]


async def test_three_workers_queue_each_prompt_reminder_alert_escalation_and_release_duty_once(
    h: Harness, database_url: str
) -> None:
    members = [await onboard(h, f"M{n}") for n in range(6)]
    helpers = [await supporter(h, f"S{n}") for n in range(2)]
    for member in members:
        for each in helpers:
            await add_supporter(h, member, each)
    casey = await coordinator(h)
    await request_for_someone(h, casey, date="27/11/2026")  # Friday: nobody offers to go
    await h.deliver()
    async with h.db.session() as session:
        last = (await session.execute(select(func.max(Outbox.id)))).scalar_one() or 0

    clock = ManualClock(WED_PROMPT - timedelta(minutes=1))
    runtimes = await workers(h, database_url, clock)
    try:
        # Wednesday's prompt, its reminder, Thursday's prompt with the lapse alerts, the
        # alerts passed on when nobody answered, and the release duties up to Saturday.
        moments = [WED_PROMPT, WED_PROMPT + timedelta(hours=3, minutes=1), WED_PROMPT + timedelta(days=1, minutes=1)]
        moments += [moments[-1] + timedelta(hours=4, minutes=1)]
        moments += [WED_PROMPT + timedelta(days=d, hours=h_) for d in (1, 2, 3) for h_ in (-2, 0, 3, 9)]
        for moment in sorted(set(moments)):
            if moment > clock.now():
                clock.set(moment)
            await every_tick_everywhere(runtimes)
    finally:
        for rt in runtimes:
            await rt.db.dispose()

    sent = await queued(h.db, h.runtime.vault, after=last)
    fresh = Counter((p, k) for p, k, _, _ in sent)
    twice = [key[:2] for key, n in Counter(sent).items() if n > 1]
    assert twice == [], f"queued twice: {twice[:3]}"
    member_ids = {p for (p, k) in fresh if k == "checkin_prompt"}
    assert len(member_ids) == len(members)  # nobody skipped
    for member in member_ids:
        assert fresh[(member, "checkin_prompt")] >= 3  # Wednesday, Thursday, Friday, ...: one each
    async with h.db.session() as session:
        incidents = (await session.execute(select(func.count()).select_from(Incident))).scalar_one()
    assert incidents == len(members)  # each lapse opened once
    alerts = Counter(p for p, k, _, _ in sent if k == "alert")
    assert len(alerts) >= len(helpers) and set(alerts.values()) == {len(members)}  # each alerted once per member
    release = sum(n for (p, k), n in fresh.items() if k.startswith("release"))
    assert release >= 1  # the unanswered request reached the coordinator


async def test_three_workers_import_the_meeting_feeds_once_per_interval(h: Harness, database_url: str) -> None:
    clock = ManualClock(h.clock.now())
    runtimes = await workers(h, database_url, clock)
    for rt in runtimes:
        rt.settings = rt.settings.model_copy(update={"meeting_feeds": (str(FEED),), "meeting_feed_sync_hours": 6.0})
    try:
        async def all_sync() -> int:
            results = await asyncio.gather(*(feed_sync.run(rt) for rt in runtimes for _ in range(2)))
            return sum(len(r) for r in results)

        assert await all_sync() == 1  # one worker imported it
        clock.advance(timedelta(hours=5))
        assert await all_sync() == 0  # not due again yet, whoever asks
        clock.advance(timedelta(hours=1, minutes=1))
        assert await all_sync() == 1
    finally:
        for rt in runtimes:
            await rt.db.dispose()
    async with h.db.session() as session:
        assert (await session.execute(select(func.count()).select_from(Meeting))).scalar_one() >= 1
