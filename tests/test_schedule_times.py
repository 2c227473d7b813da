"""Local check-in times become the right UTC instants, whatever daylight saving does."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.services.schedule_times import next_occurrence, occurrence, zone_named

LONDON = ZoneInfo("Europe/London")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_nine_in_london_is_eight_utc_in_summer_and_nine_utc_in_winter() -> None:
    assert occurrence(date(2026, 7, 1), time(9, 0), LONDON) == utc(2026, 7, 1, 8, 0)
    assert occurrence(date(2026, 12, 1), time(9, 0), LONDON) == utc(2026, 12, 1, 9, 0)


def test_a_time_skipped_when_clocks_go_forward_moves_to_the_next_valid_minute() -> None:
    # London jumps from 01:00 GMT to 02:00 BST on the last Sunday of March.
    assert occurrence(date(2026, 3, 29), time(1, 30), LONDON) == utc(2026, 3, 29, 1, 0)  # 02:00 BST
    assert occurrence(date(2026, 3, 29), time(0, 59), LONDON) == utc(2026, 3, 29, 0, 59)  # still GMT
    assert occurrence(date(2026, 3, 29), time(2, 0), LONDON) == utc(2026, 3, 29, 1, 0)
    # New York skips 02:00-03:00; Lord Howe Island skips only half an hour.
    assert occurrence(date(2026, 3, 8), time(2, 30), ZoneInfo("America/New_York")) == utc(2026, 3, 8, 7, 0)
    assert occurrence(date(2026, 10, 4), time(2, 15), ZoneInfo("Australia/Lord_Howe")) == utc(2026, 10, 3, 15, 30)


def test_a_time_that_happens_twice_when_clocks_go_back_counts_once_at_the_first() -> None:
    first = occurrence(date(2026, 10, 25), time(1, 30), LONDON)
    assert first == utc(2026, 10, 25, 0, 30)  # 01:30 BST, not 01:30 GMT an hour later
    assert next_occurrence(first, time(1, 30), LONDON) == (date(2026, 10, 26), utc(2026, 10, 26, 1, 30))
    # Ticking between the two 01:30s finds the next day, not the repeat.
    assert next_occurrence(utc(2026, 10, 25, 1, 0), time(1, 30), LONDON)[0] == date(2026, 10, 26)


def test_the_next_occurrence_is_today_if_still_ahead_and_respects_a_first_allowed_day() -> None:
    assert next_occurrence(utc(2026, 11, 24, 8, 0), time(9, 0), LONDON) == (date(2026, 11, 24), utc(2026, 11, 24, 9, 0))
    assert next_occurrence(utc(2026, 11, 24, 9, 0), time(9, 0), LONDON)[0] == date(2026, 11, 25)
    after_pause = next_occurrence(utc(2026, 11, 24, 8, 0), time(9, 0), LONDON, not_before=date(2026, 12, 1))
    assert after_pause == (date(2026, 12, 1), utc(2026, 12, 1, 9, 0))


def test_a_missing_or_unknown_zone_falls_back_to_the_default() -> None:
    assert zone_named(None, "Europe/London") == LONDON
    assert zone_named("Mars/Olympus_Mons", "Europe/London") == LONDON
    assert zone_named("Asia/Tokyo", "Europe/London") == ZoneInfo("Asia/Tokyo")
