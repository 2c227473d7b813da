"""Which periods a report may cover: whole days, not reversed, not ending after today,
at most five years. Typed dates (the command line) and the bot's period buttons both end here."""

from __future__ import annotations

from datetime import date, timedelta

from bot import texts
from bot.services.validation import InvalidInput

MAX_YEARS = 5
CHOICES = (1, 3, 6, 12)  # the /report buttons: the last N whole months


def parse_day(value: str) -> date:
    """A YYYY-MM-DD date, or InvalidInput with a kind message (the value echoed, truncated)."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(texts.REPORT_BAD_DATE.format(value=texts.h(value.strip()[:20]))) from None


def check(start: date, end: date, today: date) -> None:
    """Refuse periods that are reversed, end after today, or run longer than five years."""
    if end < start:
        raise InvalidInput(texts.REPORT_REVERSED)
    if end > today:
        raise InvalidInput(texts.REPORT_FUTURE.format(today=today.isoformat()))
    if end - start > timedelta(days=365 * MAX_YEARS + 1):
        raise InvalidInput(texts.REPORT_TOO_LONG.format(years=MAX_YEARS))


def last_months(months: int, today: date) -> tuple[date, date]:
    """The last `months` whole calendar months before today's month."""
    end = today.replace(day=1) - timedelta(days=1)
    year, month = end.year, end.month - months + 1
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1), end
