"""What people type: names, times and dates are read kindly and refused clearly."""

from datetime import date, time

import pytest

from bot.services.validation import InvalidInput, parse_clean_date, parse_pseudonym, parse_time_of_day

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("9", time(9)), ("9am", time(9)), ("9 pm", time(21)), ("21:30", time(21, 30)), ("0930", time(9, 30)),
     ("12am", time(0)), ("12pm", time(12)), ("noon", time(12)), ("7.45", time(7, 45))],
)
def test_common_ways_of_writing_a_time_are_understood(typed: str, expected: time) -> None:
    assert parse_time_of_day(typed) == expected


@pytest.mark.parametrize("typed", ["25:00", "24:00", "9:75", "13pm", "nonsense", "", "9:3"])
def test_impossible_times_are_refused_with_an_explanation(typed: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_time_of_day(typed)
    assert "21:30" in str(caught.value)


@pytest.mark.parametrize("typed", ["Sam", "  Jo  ", "Anne-Marie", "Łukasz", "x" * 32])
def test_a_first_name_or_nickname_is_accepted(typed: str) -> None:
    assert parse_pseudonym(typed) == typed.strip()


@pytest.mark.parametrize("typed", ["", "   ", "x" * 33, "@sam", "/start", "see https://example.com", "1234"])
def test_names_that_are_empty_too_long_or_links_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput):
        parse_pseudonym(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("14/02/2024", date(2024, 2, 14)), ("2024-02-14", date(2024, 2, 14)), ("14 February 2024", date(2024, 2, 14)),
     ("1st March 2020", date(2020, 3, 1)), ("24/11/2026", TODAY)],
)
def test_clean_dates_are_read_day_first(typed: str, expected: date) -> None:
    assert parse_clean_date(typed, today=TODAY) == expected


@pytest.mark.parametrize(("typed", "reason"), [("25/11/2026", "future"), ("31/02/2024", "couldn't"), ("01/01/1900", "too long ago")])
def test_future_impossible_and_absurdly_old_clean_dates_are_refused(typed: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_clean_date(typed, today=TODAY)
    assert reason in str(caught.value)
