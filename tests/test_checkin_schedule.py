"""Daily prompts at each member's local time, through the real tick, outbox and stand-in:
daylight saving, restarts, pauses, reminders, milestones, and two processes racing."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from bot.clock import ManualClock, SystemClock
from bot.config import Settings
from bot.crypto import Vault
from bot.db import Database
from bot.models import Checkin, CheckinPlan, Outbox, Person
from bot.runtime import Runtime
from bot.services.checkins import plans as checkin_plans
from bot.standin import BotApiStandin, SentMessage
from schedules import JOB_KWARGS
from schedules.checkin_prompts import run_once
from tests.conftest import TEST_SECRET
from tests.harness import Harness, Shown, plain
from tests.harness import Person as User
from tests.test_end_to_end import bot_env, served, start_bot, stop_bot, wait_for  # noqa: F401  (served: a fixture)
from tests.test_onboarding import onboard

_PROMPT = re.compile(r"^(🎉.*\n\n)?(Good (morning|afternoon|evening)|Welcome back), ", re.S)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def prompts(user: User) -> list[Shown]:
    """The daily prompts this person received (not cards they opened with /checkin)."""
    return [m for m in user.messages() if _PROMPT.match(m.text) and "How are you feeling today?" in m.text]


async def tick(h: Harness) -> None:
    """One run of the check-in tick, then the outbox sender, as the JobQueue would do."""
    await run_once(h.runtime)
    await h.deliver()


async def tick_at(h: Harness, moment: datetime) -> None:
    h.clock.set(moment)
    await tick(h)


async def tick_through(h: Harness, until: datetime, step: timedelta = timedelta(minutes=5)) -> None:
    """Tick every `step` until `until`, as a bot that stays up would."""
    while h.clock.now() < until:
        h.clock.advance(min(step, until - h.clock.now()))
        await tick(h)


async def set_checkin_time(user: User, typed: str) -> None:
    await user.send("/settings")
    await user.press("Check-in time")
    await user.send(typed)


# --- daylight saving --------------------------------------------------------------------------


async def test_nine_in_london_comes_at_nine_utc_in_winter_and_eight_utc_in_summer(h: Harness) -> None:
    sam = await onboard(h, "Sam")  # 09:00, UK & Ireland; set up on 24 Nov 2026 at 10:00 UTC
    await tick_at(h, utc(2026, 11, 25, 8, 59))
    assert prompts(sam) == []
    await tick_at(h, utc(2026, 11, 25, 9, 0))
    assert len(prompts(sam)) == 1
    await tick_at(h, utc(2027, 7, 1, 7, 59))
    assert len(prompts(sam)) == 1
    await tick_at(h, utc(2027, 7, 1, 8, 0))
    assert len(prompts(sam)) == 2
    assert "Thu 1 Jul" in prompts(sam)[-1].text


async def test_a_time_skipped_when_the_clocks_go_forward_is_sent_at_the_next_valid_minute(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await set_checkin_time(sam, "1:30")
    await tick_at(h, utc(2027, 3, 27, 1, 30))  # Saturday, still GMT
    assert len(prompts(sam)) == 1
    await tick_at(h, utc(2027, 3, 28, 0, 59))  # 00:59 GMT on the night London skips 01:00-02:00
    assert len(prompts(sam)) == 1
    await tick_at(h, utc(2027, 3, 28, 1, 0))  # 02:00 BST, the first minute after the gap
    assert len(prompts(sam)) == 2
    assert "Sun 28 Mar" in prompts(sam)[-1].text


async def test_a_time_that_happens_twice_when_the_clocks_go_back_is_sent_once(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await set_checkin_time(sam, "01:30")
    h.clock.set(utc(2027, 10, 30, 23, 0))
    await tick(h)
    before = len(prompts(sam))
    await tick_through(h, utc(2027, 10, 31, 3, 0))  # 01:30 BST (00:30 UTC) and 01:30 GMT (01:30 UTC)
    assert len(prompts(sam)) == before + 1


# --- restarts ---------------------------------------------------------------------------------


async def test_a_prompt_due_while_the_bot_was_down_is_sent_once_when_it_is_back_the_same_day(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await h.stop()
    h.clock.set(utc(2026, 11, 25, 11, 30))  # down through 09:00
    await h.start()
    await tick(h)
    await tick(h)
    assert len(prompts(sam)) == 1
    await tick_through(h, utc(2026, 11, 25, 23, 59), step=timedelta(hours=1))
    assert len(prompts(sam)) == 1


async def test_a_prompt_from_an_earlier_day_is_skipped_rather_than_sent_late(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await h.stop()
    h.clock.set(utc(2026, 11, 26, 7, 0))  # down through the 25th's 09:00
    await h.start()
    await tick(h)
    assert prompts(sam) == []
    await tick_at(h, utc(2026, 11, 26, 9, 0))
    assert len(prompts(sam)) == 1
    assert "Thu 26 Nov" in prompts(sam)[0].text


async def test_changing_the_time_after_todays_prompt_never_brings_a_second_one_that_day(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await tick_at(h, utc(2026, 11, 25, 9, 0))
    await set_checkin_time(sam, "21:30")
    await tick_through(h, utc(2026, 11, 25, 23, 59), step=timedelta(minutes=30))
    assert len(prompts(sam)) == 1
    await tick_at(h, utc(2026, 11, 26, 21, 30))
    assert len(prompts(sam)) == 2


async def test_someone_who_already_checked_in_today_gets_no_prompt(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    h.clock.set(utc(2026, 11, 25, 7, 30))
    await sam.send("/checkin")
    await sam.press("🙂 good")
    await tick_at(h, utc(2026, 11, 25, 9, 0))
    assert prompts(sam) == []
    await tick_at(h, utc(2026, 11, 26, 9, 0))
    assert len(prompts(sam)) == 1


async def test_two_bot_processes_racing_on_one_database_never_send_a_prompt_twice(
    db: Database, settings: Settings, clock: ManualClock
) -> None:
    people = 250  # more than one batch, so the two processes overlap again and again
    async with db.session() as session:
        for n in range(people):
            person = Person(
                telegram_hash=f"hash-{n}", chat_id_enc="x", pseudonym=f"P{n}", timezone="Europe/London",
                checkin_time="09:00", consented_at=clock.now(), created_at=clock.now(), onboarded_at=clock.now(),
            )
            session.add(person)
            await session.flush()
            await checkin_plans.schedule(session, person, now=clock.now(), default_zone="Europe/London")
    processes = [Runtime.build(settings, clock=clock, db=Database(db.url)) for _ in range(2)]
    try:
        for day in (25, 26, 27):
            clock.set(utc(2026, 11, day, 9, 0))
            results = await asyncio.gather(*(run_once(rt) for rt in processes), run_once(processes[0]))
            assert sum(claimed for claimed, _ in results) == people
    finally:
        for rt in processes:
            await rt.db.dispose()
    async with db.session() as session:
        per_person = (
            await session.execute(
                select(Outbox.person_id, func.count()).where(Outbox.kind == "checkin_prompt").group_by(Outbox.person_id)
            )
        ).all()
    assert len(per_person) == people
    assert {count for _, count in per_person} == {3}


# --- pause, reminders, milestones -------------------------------------------------------------


async def test_no_prompts_while_paused_and_they_come_back_by_themselves_on_the_day(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/pause")
    await sam.press("3 days")
    assert "start again on 27 Nov 2026" in sam.last().text
    await tick_through(h, utc(2026, 11, 27, 8, 59), step=timedelta(hours=1))
    assert prompts(sam) == []
    await tick_at(h, utc(2026, 11, 27, 9, 0))
    assert len(prompts(sam)) == 1
    assert prompts(sam)[0].text.startswith("Welcome back, Sam. Your daily check-ins are on again.")
    async with h.db.session() as session:
        assert (await session.execute(select(CheckinPlan.paused_until))).scalar_one() is None


async def test_resuming_early_brings_the_next_prompt_back(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await sam.send("/pause")
    await sam.press("2 weeks")
    await sam.press("▶️ Resume now")
    assert "Check-ins are back on. Your next one comes tomorrow at 09:00." in sam.last().text
    await tick_at(h, utc(2026, 11, 25, 9, 0))
    assert len(prompts(sam)) == 1


async def test_an_unanswered_prompt_gets_one_gentle_reminder_a_few_hours_later(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await tick_at(h, utc(2026, 11, 25, 9, 0))
    await tick_at(h, utc(2026, 11, 25, 11, 59))
    assert not any("gentle reminder" in t for t in sam.texts())
    await tick_at(h, utc(2026, 11, 25, 12, 0))
    reminder = sam.last()
    assert reminder.text.startswith("Just a gentle reminder, Sam")
    assert "😊 great" in reminder.buttons() and "🆘 I need support now" in reminder.buttons()
    await tick_through(h, utc(2026, 11, 25, 23, 0), step=timedelta(hours=1))
    assert sum("gentle reminder" in t for t in sam.texts()) == 1
    # Answered the next day: no reminder.
    await tick_at(h, utc(2026, 11, 26, 9, 0))
    await sam.press("😐 okay")
    await tick_through(h, utc(2026, 11, 26, 15, 0), step=timedelta(hours=1))
    assert sum("gentle reminder" in t for t in sam.texts()) == 1


async def test_reminders_can_be_switched_off_from_the_reminder_or_changed_with_a_command(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await tick_at(h, utc(2026, 11, 25, 9, 0))
    await tick_at(h, utc(2026, 11, 25, 12, 0))
    await sam.press("🔕 No more reminders")
    assert "Reminders are off" in sam.last().text
    assert "😊 great" in sam.last(1).buttons()  # the reminder itself can still be answered
    await tick_at(h, utc(2026, 11, 26, 9, 0))
    await tick_through(h, utc(2026, 11, 26, 16, 0), step=timedelta(hours=1))
    assert sum("gentle reminder" in t for t in sam.texts()) == 1
    await sam.send("/reminder")
    assert "Right now: no reminders" in sam.last().text
    await sam.press("After 2 hours")
    assert "2 hours after your check-in" in sam.last().text
    await tick_at(h, utc(2026, 11, 27, 9, 0))
    await tick_at(h, utc(2026, 11, 27, 11, 0))
    assert sam.last().text.startswith("Just a gentle reminder")


async def test_a_reminder_never_comes_after_midnight(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await set_checkin_time(sam, "22:30")
    await tick_at(h, utc(2026, 11, 25, 22, 30))
    await tick_through(h, utc(2026, 11, 26, 6, 0), step=timedelta(hours=1))
    assert len(prompts(sam)) == 1
    assert not any("gentle reminder" in t for t in sam.texts())


async def test_a_milestone_is_congratulated_on_the_day_at_prompt_time_and_only_once(h: Harness) -> None:
    sam = h.user("Sam")
    await sam.send("/start")
    await sam.press("✅ I agree")
    await sam.send("Sam")
    await sam.press("I'm in recovery")
    await sam.send("UK & Ireland")
    await sam.press("09:00")
    await sam.send("26/11/2025")
    await tick_at(h, utc(2026, 11, 25, 9, 0))
    assert "clean and sober today" not in prompts(sam)[-1].text
    await tick_at(h, utc(2026, 11, 26, 8, 59))
    assert len(prompts(sam)) == 1  # congratulated at the prompt time, not at midnight
    await tick_at(h, utc(2026, 11, 26, 9, 0))
    assert prompts(sam)[-1].text.startswith("🎉 1 year clean and sober today! Well done, Sam.")
    assert "How are you feeling today?" in prompts(sam)[-1].text
    await tick_through(h, utc(2026, 11, 28, 10, 0), step=timedelta(hours=6))
    assert sum("clean and sober today" in t for t in sam.texts()) == 1


async def test_a_milestone_still_comes_when_the_member_already_checked_in(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    async with h.db.session() as session:
        await session.execute(update(Person).values(clean_date=date(2026, 8, 27)))  # 90 days on 25 Nov
    h.clock.set(utc(2026, 11, 25, 8, 0))
    await sam.send("/checkin")
    await sam.press("😊 great")
    await tick_at(h, utc(2026, 11, 25, 9, 0))
    assert sam.last().text.startswith("🎉 90 days clean and sober today!")
    assert sam.last().buttons() == []
    assert prompts(sam) == []


async def test_a_member_without_a_time_zone_is_prompted_in_the_default_zone_and_told_so(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    async with h.db.session() as session:
        person = (await session.execute(select(Person))).scalar_one()
        person.timezone = None
        await checkin_plans.schedule(session, person, now=h.clock.now(), default_zone=h.settings.default_timezone)
    await tick_at(h, utc(2027, 6, 1, 7, 59))
    assert prompts(sam) == []
    await tick_at(h, utc(2027, 6, 1, 8, 0))  # 09:00 in Europe/London, the default
    assert len(prompts(sam)) == 1
    await sam.send("/progress")
    assert "Times are in Europe/London time because you haven't chosen a time zone" in sam.last().text


async def test_people_who_have_not_finished_set_up_get_no_prompt(h: Harness) -> None:
    jo = h.user("Jo")
    await jo.send("/start")
    await jo.press("✅ I agree")
    await jo.send("Jo")
    await jo.press("I'm in recovery")
    await jo.send("UK & Ireland")
    await jo.press("09:00")  # the clean date question is still open
    await tick_at(h, utc(2026, 11, 25, 9, 0))
    assert prompts(jo) == []


async def test_no_prompts_are_tried_while_a_member_has_blocked_the_bot_and_they_return_with_start(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    await h.feed(h.standin.block(sam.id))
    await tick_at(h, utc(2026, 11, 25, 9, 0))  # refused with 403: the member is marked unreachable
    await tick_at(h, utc(2026, 11, 26, 9, 0))
    attempts = [c for c in h.standin.calls_to("sendMessage") if c.params.get("chat_id") == sam.id and c.status == 403]
    assert len(attempts) == 1  # the 26th was not even tried
    await h.feed(h.standin.unblock(sam.id))
    await sam.send("/start")
    await tick_at(h, utc(2026, 11, 27, 9, 0))
    assert len(prompts(sam)) == 1


# --- the real scheduler -------------------------------------------------------------------------


async def test_the_prompt_tick_runs_on_the_job_queue_with_a_misfire_grace_time(h: Harness) -> None:
    sam = await onboard(h, "Sam")
    assert h.app is not None and h.app.job_queue is not None
    (job,) = h.app.job_queue.get_jobs_by_name("checkin_prompts")
    assert job.job.misfire_grace_time == JOB_KWARGS["misfire_grace_time"] > 1
    assert job.job.coalesce is True
    h.clock.set(utc(2026, 11, 25, 9, 0))
    await job.run(h.app)
    await h.deliver()
    assert len(prompts(sam)) == 1


async def test_the_running_bot_prompts_a_due_member_from_its_own_scheduler_and_takes_the_answer(
    served: tuple[BotApiStandin, str], db: Database, tmp_path: Path  # noqa: F811  (the fixture, imported above)
) -> None:
    """`fellowship run` as in production: real clock, JobQueue, outbox sender, HTTP to the stand-in."""
    standin, url = served
    user = standin.add_user("Samantha", username="samantha_tg")
    standin.send_text(user.id, "/start")  # Telegram lets a bot write only to people who wrote first
    vault, now = Vault(TEST_SECRET), SystemClock().now()
    async with db.session() as session:
        person = Person(
            telegram_hash=vault.hash_telegram_id(user.id), chat_id_enc="", pseudonym="Sam",
            purpose="recovery", timezone="Europe/London", checkin_time="00:00", consented_at=now, created_at=now, onboarded_at=now,
        )
        session.add(person)
        await session.flush()
        person.chat_id_enc = vault.encrypt_chat_id(user.id, person_id=person.id)  # bound to the row
        session.add(CheckinPlan(person_id=person.id, next_prompt_at=now - timedelta(minutes=1), updated_at=now))
    process, log_path = start_bot(bot_env(url, db.url), tmp_path)
    try:
        def prompt() -> SentMessage | None:
            return next((m for m in standin.messages(user.id) if "How are you feeling today?" in plain(m.source or "")), None)

        await wait_for(lambda: prompt() is not None, what="the daily prompt")
        shown = prompt()
        assert shown is not None
        standin.press_button(user.id, shown.message_id, shown.button(label="😊 great")["callback_data"])  # type: ignore[index]
        await wait_for(lambda: "Did you stay clean" in plain(standin.messages(user.id)[-1].source or ""), what="the next step")
        assert "Sam" not in log_path.read_text() and "samantha" not in log_path.read_text()
    finally:
        code = await stop_bot(process)
    assert code == 0, log_path.read_text()[-2000:]
    async with db.session() as session:
        assert (await session.execute(select(Checkin.mood))).scalar_one() == 5
