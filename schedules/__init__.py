"""Periodic duties on PTB's JobQueue. Each tick claims due rows from the database, so
restarts lose nothing and two processes never double-send."""

from __future__ import annotations

from telegram.ext import Application

from schedules import (
    checkin_prompts,
    feed_sync,
    lapse_alerts,
    listing_checks,
    meeting_reminders,
    outbox_sender,
    release_reminders,
    storage_hygiene,
)

# APScheduler skips a run that starts more than `misfire_grace_time` late (default 1 s,
# easily missed on a busy event loop). Coalesce collapses a backlog into one run.
JOB_KWARGS = {"misfire_grace_time": 30, "coalesce": True, "max_instances": 1}


def register(app: Application) -> None:
    """Every periodic duty, in one place."""
    assert app.job_queue is not None, "python-telegram-bot[job-queue] is required"
    # Outbox: deliver alerts, notices and reminders, paced under Telegram's limits.
    app.job_queue.run_repeating(
        outbox_sender.tick, interval=outbox_sender.TICK_SECONDS, first=1, name="outbox", job_kwargs=JOB_KWARGS
    )
    # Check-ins: each member's daily prompt at their local time, milestones, reminders.
    app.job_queue.run_repeating(
        checkin_prompts.tick, interval=checkin_prompts.TICK_SECONDS, first=5, name="checkin_prompts", job_kwargs=JOB_KWARGS
    )
    # Supporters: alerts for members who went quiet, and alerts passed on when nobody answered.
    app.job_queue.run_repeating(
        lapse_alerts.tick, interval=lapse_alerts.TICK_SECONDS, first=3, name="lapse_alerts", job_kwargs=JOB_KWARGS
    )
    # Meetings: "Remind me" an hour before, the monthly "Is this listing still right?", and
    # feeds from MEETING_FEEDS re-imported on schedule (each claims its rows, see the modules).
    app.job_queue.run_repeating(
        meeting_reminders.tick, interval=meeting_reminders.TICK_SECONDS, first=10, name="meeting_reminders", job_kwargs=JOB_KWARGS
    )
    app.job_queue.run_repeating(
        listing_checks.tick, interval=listing_checks.TICK_SECONDS, first=20, name="listing_checks", job_kwargs=JOB_KWARGS
    )
    app.job_queue.run_repeating(feed_sync.tick, interval=feed_sync.TICK_SECONDS, first=30, name="feed_sync", job_kwargs=JOB_KWARGS)
    # Release day: reminders the day before and on the morning, the 72-hour escalation,
    # aftercare evening check-ins, and erasing closed requests after 30 days.
    app.job_queue.run_repeating(
        release_reminders.tick, interval=release_reminders.TICK_SECONDS, first=15, name="release_reminders", job_kwargs=JOB_KWARGS
    )
    # Storage: on SQLite, truncate the write-ahead log so cleared texts don't linger on disk.
    app.job_queue.run_repeating(
        storage_hygiene.tick, interval=storage_hygiene.INTERVAL_SECONDS, first=60, name="storage_hygiene", job_kwargs=JOB_KWARGS
    )
