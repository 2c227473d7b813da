"""Anonymous outcome reports for commissioners (issue 16), and the figures behind them.

Modules: `figures` (the tables of true counts for a period), `queries` (the set-based SQL
and the few spellings that differ between SQLite and PostgreSQL), `suppression` (what may be
shown), `outputs` (CSV, PNG charts, the PDF), `period` (which periods may be asked for),
`wellbeing` (the optional monthly BARC-10 check members answer in buttons), `buttons` (the
`v1:rp:` and `v1:wb:` families).

The rules, and where each lives:
- A report holds aggregates only, never a row per person: every query groups (counts by a
  label, or a histogram of values) and medians come from histograms — `queries`, `figures`.
  No query runs per person; per-person conditions are indexed `EXISTS` look-ups.
- Counts 1..REPORT_SUPPRESSION_THRESHOLD (default 7, never below 5: `bot.config`) show as
  `*`, other counts are rounded to the nearest 5, a second cell is hidden wherever a hidden
  one could be worked out from a total, percentages and medians only for groups of 10 or
  more — `suppression.render` (and nothing else) turns true counts into what is shown.
- Abstinence is self-reported (check-ins and clean-date resets) and is labelled so;
  reoffending is never claimed (Justice Data Lab, cohorts of 60 or more) — `texts.REPORT_NOTES`.
- No Telegram id, pseudonym, note, prison of an individual or free text in any output: the
  queries read none of those columns — `figures`.
- Periods: whole UTC days, not reversed, not after today, at most five years — `period.check`.
- An empty period says so, with no empty charts — `outputs.write_all`.
- Only coordinators get a report in the bot — `handlers/reports.py` checks the presser on
  every press; the CLI `fellowship report` is for whoever runs the server.
- The wellbeing check is offered at most once a calendar month (the member's local month),
  after a completed check-in, never again that month whatever they answer, never again at
  all after "Don't ask me again" (until they send /wellbeing) — `wellbeing.offer`; its
  statements come from `bot/data/barc10.json` (source and terms in `bot/data/SOURCES.md`).
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from bot.db import Database
from bot.services.reports import figures as report_figures
from bot.services.reports import outputs


async def make(db: Database, start: date, end: date, out: Path, *, threshold: int, made_on: date) -> list[Path]:
    """Compute the figures for the period (one read-only session) and write every file into `out`."""
    async with db.session() as session:
        found = await report_figures.compute(session, start, end)
    # Drawing takes seconds: off the event loop, so the bot keeps answering everyone else.
    return await asyncio.to_thread(outputs.write_all, found, threshold, out, made_on)
