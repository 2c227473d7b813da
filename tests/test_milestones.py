"""Clean time and milestones, counted the way people in recovery count them."""

from __future__ import annotations

from datetime import date
from itertools import islice

from bot.services.checkins.milestones import CleanTime, candidate, clean_time, milestones, next_after


def test_milestones_run_from_24_hours_to_18_months_then_every_year() -> None:
    found = [(m.label, m.on) for m in islice(milestones(date(2025, 1, 10)), 11)]
    assert found == [
        ("24 hours", date(2025, 1, 11)),
        ("1 week", date(2025, 1, 17)),
        ("30 days", date(2025, 2, 9)),
        ("60 days", date(2025, 3, 11)),
        ("90 days", date(2025, 4, 10)),
        ("6 months", date(2025, 7, 10)),
        ("9 months", date(2025, 10, 10)),
        ("1 year", date(2026, 1, 10)),
        ("18 months", date(2026, 7, 10)),
        ("2 years", date(2027, 1, 10)),
        ("3 years", date(2028, 1, 10)),
    ]


def test_a_month_milestone_from_the_31st_falls_on_the_last_day_of_a_shorter_month() -> None:
    six_months = next(m for m in milestones(date(2025, 8, 31)) if m.key == "6m")
    assert six_months.on == date(2026, 2, 28)


def test_clean_time_is_given_in_days_and_in_years_months_and_days() -> None:
    assert clean_time(date(2025, 8, 31), date(2026, 11, 24)) == CleanTime(450, 1, 2, 24)
    assert clean_time(date(2026, 11, 24), date(2026, 11, 24)) == CleanTime(0, 0, 0, 0)
    assert clean_time(date(2026, 10, 30), date(2026, 11, 24)) == CleanTime(25, 0, 0, 25)


def test_only_a_milestone_reached_since_the_last_prompt_is_congratulated() -> None:
    clean = date(2025, 11, 24)
    assert candidate(clean, date(2026, 11, 23), date(2026, 11, 24)).label == "1 year"  # type: ignore[union-attr]
    assert candidate(clean, date(2026, 11, 24), date(2026, 11, 25)) is None
    # Back from a pause: the one reached while away is still congratulated, belatedly.
    assert candidate(clean, date(2026, 11, 20), date(2026, 11, 27)).on == date(2026, 11, 24)  # type: ignore[union-attr]
    # A clean date entered today doesn't bring congratulations for milestones long past.
    assert candidate(date(2026, 11, 10), None, date(2026, 11, 24)) is None
    assert candidate(None, None, date(2026, 11, 24)) is None
    assert next_after(clean, date(2026, 11, 24)).label == "18 months"
