"""The report's figures for a period, as tables of true counts (`suppression.Table`).

Each `_section` runs a few set-based queries (`queries`) and builds its tables; nothing
here is shown as it is: `suppression.render` decides what may be seen.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.services.reports.queries import Sql, bounds, histogram_quantile, rows, sql_for
from bot.services.reports.suppression import Cell, Count, Percent, Stat, Sum, Table

FOLLOW_UP_DAYS = (30, 90, 180)
RELEASE_FOLLOW_UP_DAYS = (14, 30, 90)
WINDOW_DAYS = 7  # "still checking in at N days": a check-in on day N to N+6
SHARE_BANDS = ((0, 24, "0–24%"), (25, 49, "25–49%"), (50, 74, "50–74%"), (75, 100, "75–100%"))
ALERT_KINDS = ("lapse", "sos", "slip", "low_mood")  # labels: texts.REPORT_ROWS
MEETINGS_IN_90 = 90


@dataclass
class Figures:
    """Every table of one report, and whether anything happened at all."""

    start: date
    end: date
    tables: list[Table] = field(default_factory=list)
    empty: bool = True

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


async def compute(session: AsyncSession, start: date, end: date) -> Figures:
    """All figures for `start`..`end` (whole UTC days, inclusive)."""
    sql, params = sql_for(session), bounds(start, end)
    figures = Figures(start, end)
    activity = 0
    for section in (_engagement, _abstinence, _support, _release, _wellbeing):
        tables, seen = await section(session, sql, params)
        figures.tables.extend(tables)
        activity += seen
    figures.empty = activity == 0
    return figures


def _title(name: str) -> str:
    """A table's title in the current language (read when the report is made, never at import)."""
    return str(texts.REPORT_TABLE_TITLES[name])


# --- Engagement and continuity ------------------------------------------------------------


async def _engagement(session: AsyncSession, sql: Sql, p: dict[str, Any]) -> tuple[list[Table], int]:
    joined = (await rows(session, "SELECT count(*) FROM person WHERE created_at >= :t_from AND created_at < :t_to", p))[0][0]
    weekly = await _active_per_week(session, p)
    # Counted per person first (100,000 rows), then joined to when they joined: the join
    # and the date arithmetic run once a person, not once a check-in.
    shares = await rows(session, f"""
        SELECT pct, count(*) FROM (
            SELECT (100 * c.days) / (:n_to - {sql.greatest(':n_from', sql.day_of('p.created_at'))} + 1) AS pct
            FROM (SELECT person_id, count(*) AS days FROM checkin
                  WHERE local_date >= :d_from AND local_date <= :d_to GROUP BY person_id) AS c
            JOIN person p ON p.id = c.person_id) AS per_person
        GROUP BY pct""", p)
    meetings = (await rows(session, """
        SELECT count(*), count(DISTINCT person_id) FROM (
            SELECT person_id, attended_on AS d FROM meetingattendance WHERE attended_on >= :d_from AND attended_on <= :d_to
            UNION SELECT person_id, local_date AS d FROM checkin
                  WHERE went_to_meeting AND local_date >= :d_from AND local_date <= :d_to) AS went""", p))[0]
    ninety = (await rows(session, """
        SELECT count(*) FROM (
            SELECT person_id FROM (
                SELECT person_id, attended_on AS d FROM meetingattendance WHERE attended_on > :d_ninety AND attended_on <= :d_to
                UNION SELECT person_id, local_date AS d FROM checkin
                      WHERE went_to_meeting AND local_date > :d_ninety AND local_date <= :d_to) AS went
            GROUP BY person_id HAVING count(*) >= 90) AS ninety""", {**p, "d_ninety": p["d_to"] - timedelta(days=90)}))[0][0]
    retention = [await _still_checking_in(session, sql, p, days) for days in FOLLOW_UP_DAYS]

    checked_in = sum(n for _, n in shares)
    label = texts.REPORT_ROWS
    headline = Table("engagement", _title("engagement"), ["measure", "value"], [
        [label["joined"], Count(joined)],
        [label["checked_in"], Count(checked_in)],
        [label["median_share"], Stat(histogram_quantile(shares, 0.5), checked_in)],
        [label["meetings"], Count(int(meetings[0] or 0))],
        [label["meeting_people"], Count(int(meetings[1] or 0))],
        [texts.REPORT_ROW_NINETY.format(meetings=MEETINGS_IN_90), Count(int(ninety or 0))],
    ])
    active = Table("active_per_week", _title("active_per_week"), ["week_starting", "people_checking_in"],
                   [[start.isoformat(), Count(n)] for start, n in weekly])
    band_rows: list[list[Any]] = [[label, Count(sum(n for v, n in shares if lo <= min(int(v), 100) <= hi))]
                                  for lo, hi, label in SHARE_BANDS]
    band_rows.append([label["all_checked_in"], Count(checked_in)])
    share = Table("checkin_share", _title("checkin_share"), ["share_of_days", "people"],
                  band_rows, [Sum((len(SHARE_BANDS), 1), tuple((i, 1) for i in range(len(SHARE_BANDS))))])
    keep = Table("still_checking_in", _title("still_checking_in"),
                 ["days_after_joining", "people_followed", "still_checking_in", "percent"],
                 [[str(days), Count(eligible), Count(still), Percent((i, 2), (i, 1))]
                  for i, (days, (eligible, still)) in enumerate(zip(FOLLOW_UP_DAYS, retention, strict=True))])
    return [headline, active, share, keep], int(joined) + checked_in + int(meetings[0] or 0)


async def _active_per_week(session: AsyncSession, p: dict[str, Any]) -> list[tuple[date, int]]:
    """People with a check-in in each week of the period (weeks start on its first day; the
    last may be short). One indexed range count per week: no date arithmetic per check-in."""
    found = []
    start = p["d_from"]
    while start <= p["d_to"]:
        end = min(start + timedelta(days=6), p["d_to"])
        n = (await rows(session, """
            SELECT count(DISTINCT person_id) FROM checkin WHERE local_date >= :a AND local_date <= :b""",
                        {"a": start, "b": end}))[0][0]
        found.append((start, int(n)))
        start += timedelta(days=7)
    return found


async def _still_checking_in(session: AsyncSession, sql: Sql, p: dict[str, Any], days: int) -> tuple[int, int]:
    """People who joined in the period with day N+6 inside it, and how many checked in on day N to N+6."""
    row = (await rows(session, f"""
        SELECT count(*), coalesce(sum(CASE WHEN EXISTS (
            SELECT 1 FROM checkin c WHERE c.person_id = p.id
              AND c.local_date >= {sql.date_of_plus('p.created_at', days)}
              AND c.local_date <= {sql.date_of_plus('p.created_at', days + WINDOW_DAYS - 1)}) THEN 1 ELSE 0 END), 0)
        FROM person p
        WHERE p.created_at >= :t_from AND p.created_at < :t_to
          AND {sql.day_of('p.created_at')} + {days + WINDOW_DAYS - 1} <= :n_to""", p))[0]
    return int(row[0]), int(row[1])


# --- Self-reported abstinence -------------------------------------------------------------


async def _abstinence(session: AsyncSession, sql: Sql, p: dict[str, Any]) -> tuple[list[Table], int]:
    at_rows: list[list[Cell]] = []
    for i, days in enumerate(FOLLOW_UP_DAYS):
        followed, clean = await _clean_at(session, sql, p, days)
        at_rows.append([str(days), Count(followed), Count(clean), Percent((i, 2), (i, 1))])
    answered, slipped, slippers = (await rows(session, """
        SELECT count(*), coalesce(sum(CASE WHEN clean = 'slip' THEN 1 ELSE 0 END), 0),
               count(DISTINCT CASE WHEN clean = 'slip' THEN person_id END)
        FROM checkin WHERE clean IN ('yes', 'slip') AND local_date >= :d_from AND local_date <= :d_to""", p))[0]
    restarted = (await rows(session, """
        SELECT count(*) FROM checkin
        WHERE clean = 'slip' AND slip_reset_clean_date AND local_date >= :d_from AND local_date <= :d_to""", p))[0][0]
    milestones = await rows(session, """
        SELECT key, count(*) FROM milestone WHERE reached_on >= :d_from AND reached_on <= :d_to GROUP BY key""", p)
    clean_table = Table("self_reported_clean", _title("self_reported_clean"),
                  ["days_after_joining", "people_followed", "reporting_clean", "percent"], at_rows)
    label = texts.REPORT_ROWS
    event_rows: list[list[Cell]] = [
        [label["answered_clean"], Count(int(answered))],
        [label["slips"], Count(int(slipped))],
        [label["slip_people"], Count(int(slippers))],
        [label["restarted"], Count(int(restarted))],
    ]
    event_rows += [[texts.REPORT_ROW_MILESTONE.format(key=key), Count(int(n))] for key, n in sorted(milestones, key=lambda m: _milestone_order(m[0]))]
    events = Table("slips_and_milestones", _title("slips_and_milestones"), ["measure", "value"], event_rows)
    return [clean_table, events], int(answered) + sum(int(n) for _, n in milestones)


def _milestone_order(key: str) -> tuple[int, int]:
    """'1d' < '7d' < '30d' < '6m' < '1y' < '18m' < '2y' (by days)."""
    number, unit = int("".join(ch for ch in key if ch.isdigit()) or 0), key[-1:]
    return ({"d": 1, "m": 30, "y": 365}.get(unit, 10_000) * number, 0)


async def _clean_at(session: AsyncSession, sql: Sql, p: dict[str, Any], days: int) -> tuple[int, int]:
    """People who joined in the period, with day N+6 inside it and a check-in by then; and
    those of them who checked in on day N to N+6 and reported no slip from joining to then."""
    last = days + WINDOW_DAYS - 1
    row = (await rows(session, f"""
        SELECT count(*), coalesce(sum(CASE WHEN EXISTS (
                SELECT 1 FROM checkin c WHERE c.person_id = p.id
                  AND c.local_date >= {sql.date_of_plus('p.created_at', days)}
                  AND c.local_date <= {sql.date_of_plus('p.created_at', last)})
            AND NOT EXISTS (
                SELECT 1 FROM checkin c WHERE c.person_id = p.id AND c.clean = 'slip'
                  AND c.local_date >= {sql.date_of_plus('p.created_at', 0)}
                  AND c.local_date <= {sql.date_of_plus('p.created_at', last)}) THEN 1 ELSE 0 END), 0)
        FROM person p
        WHERE p.created_at >= :t_from AND p.created_at < :t_to
          AND {sql.day_of('p.created_at')} + {last} <= :n_to
          AND EXISTS (SELECT 1 FROM checkin c WHERE c.person_id = p.id
                        AND c.local_date >= {sql.date_of_plus('p.created_at', 0)}
                        AND c.local_date <= {sql.date_of_plus('p.created_at', last)})""", p))[0]
    return int(row[0]), int(row[1])


# --- Support ------------------------------------------------------------------------------


async def _support(session: AsyncSession, sql: Sql, p: dict[str, Any]) -> tuple[list[Table], int]:
    counts = await rows(session, """
        SELECT i.kind, count(*),
               sum(CASE WHEN i.acknowledged_at IS NOT NULL THEN 1 ELSE 0 END),
               sum(CASE WHEN i.acknowledged_at IS NULL THEN 1 ELSE 0 END),
               sum(CASE WHEN (SELECT count(*) FROM alertrecipient r
                              WHERE r.incident_id = i.id AND r.role = 'supporter') >= 2 THEN 1 ELSE 0 END),
               sum(CASE WHEN EXISTS (SELECT 1 FROM alertrecipient r
                                     WHERE r.incident_id = i.id AND r.role = 'coordinator') THEN 1 ELSE 0 END)
        FROM incident i WHERE i.opened_at >= :t_from AND i.opened_at < :t_to GROUP BY i.kind""", p)
    waits = await rows(session, f"""
        SELECT kind, {sql.minutes_between('acknowledged_at', 'opened_at')} AS minutes, count(*)
        FROM incident WHERE opened_at >= :t_from AND opened_at < :t_to AND acknowledged_at IS NOT NULL
        GROUP BY kind, minutes""", p)
    by_kind = {kind: [int(v or 0) for v in values] for kind, *values in counts}
    wait_hist: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for kind, minutes, n in waits:
        wait_hist[kind].append((max(0, int(minutes)), int(n)))
        wait_hist["*all"].append((max(0, int(minutes)), int(n)))
    names = texts.REPORT_ROWS
    kinds = [*[(k, names[k]) for k in ALERT_KINDS], *[(k, k) for k in sorted(by_kind) if k not in ALERT_KINDS]]
    table_rows: list[list[Any]] = []
    for r, (kind, label) in enumerate([*kinds, ("*all", names["all_alerts"])]):
        values = ([sum(v[i] for v in by_kind.values()) for i in range(5)] if kind == "*all"
                  else by_kind.get(kind, [0, 0, 0, 0, 0]))
        acknowledged = values[1]
        table_rows.append([
            label, Count(values[0]), Count(values[1]), Count(values[2]), Count(values[3]), Count(values[4]),
            Percent((r, 4), (r, 1)), Percent((r, 5), (r, 1)), Percent((r, 3), (r, 1)),
            Stat(histogram_quantile(wait_hist[kind], 0.5), acknowledged),
            Stat(histogram_quantile(wait_hist[kind], 0.9), acknowledged),
        ])
    total_row, n_kinds = len(kinds), len(kinds)
    sums = [Sum((r, 1), ((r, 2), (r, 3))) for r in range(n_kinds + 1)]  # raised = acknowledged + never
    sums += [Sum((total_row, c), tuple((r, c) for r in range(n_kinds))) for c in range(1, 6)]  # the "All" row
    alerts = Table("alerts", _title("alerts"), [
        "alert", "raised", "acknowledged", "never_acknowledged", "passed_to_a_second_supporter", "passed_to_coordinators",
        "percent_to_second_supporter", "percent_to_coordinators", "percent_never_acknowledged",
        "median_minutes_to_acknowledge", "p90_minutes_to_acknowledge",
    ], table_rows, sums)
    return [alerts], sum(v[0] for v in by_kind.values())


# --- Release day --------------------------------------------------------------------------


async def _release(session: AsyncSession, sql: Sql, p: dict[str, Any]) -> tuple[list[Table], int]:
    follow = ", ".join(
        f"""sum(CASE WHEN r.person_id IS NOT NULL AND {sql.day('r.release_date')} + {d + WINDOW_DAYS - 1} <= :n_to
                 AND EXISTS (SELECT 1 FROM checkin c WHERE c.person_id = r.person_id
                             AND c.local_date >= {sql.date_plus('r.release_date', d)}
                             AND c.local_date <= {sql.date_plus('r.release_date', d + WINDOW_DAYS - 1)})
                 THEN 1 ELSE 0 END)""" for d in RELEASE_FOLLOW_UP_DAYS)
    found = await rows(session, f"""
        SELECT {sql.month('r.release_date')} AS month, count(*),
               sum(CASE WHEN r.assigned_at IS NOT NULL THEN 1 ELSE 0 END),
               sum(CASE WHEN r.outcome = 'met' OR r.day_status = 'met' THEN 1 ELSE 0 END),
               sum(CASE WHEN r.outcome = 'not_released' OR r.day_status = 'not_released' THEN 1 ELSE 0 END),
               sum(CASE WHEN EXISTS (SELECT 1 FROM releaseevent e WHERE e.request_id = r.id AND e.kind = 'meeting')
                        THEN 1 ELSE 0 END),
               sum(CASE WHEN r.aftercare IN ('yes', 'handover', 'done') THEN 1 ELSE 0 END),
               {follow}
        FROM releaserequest r
        WHERE r.status <> 'draft' AND r.release_date >= :d_from AND r.release_date <= :d_to
        GROUP BY month ORDER BY month""", p)
    columns = ["month_of_release", "requests", "matched_with_a_companion", "met_at_the_gate", "not_released_on_the_day",
               "went_to_a_meeting_that_day", "enrolled_in_check_ins",
               *[f"checking_in_{d}_days_after" for d in RELEASE_FOLLOW_UP_DAYS]]
    months = [[month, *[Count(int(v or 0)) for v in values]] for month, *values in found]
    n_values = len(columns) - 1
    totals = [sum(row[c].value for row in months) for c in range(1, n_values + 1)]
    by_month = Table("release_by_month", _title("release_by_month"), columns,
                     [*months, [texts.REPORT_ROWS["all_months"], *[Count(v) for v in totals]]],
                     [Sum((len(months), c), tuple((r, c) for r in range(len(months)))) for c in range(1, n_values + 1)]
                     if months else [])
    tally = await rows(session, """
        SELECT month, outcome, count FROM releasetally WHERE month >= :m_from AND month <= :m_to ORDER BY month, outcome""", p)
    outcomes = texts.REPORT_CLOSED_OUTCOMES
    erased = Table("release_closed_and_erased", _title("release_closed_and_erased"),
                   ["month_closed", "outcome", "requests"],
                   [[month, outcomes.get(outcome) or outcome.replace("_", " "), Count(int(n))] for month, outcome, n in tally])
    return [by_month, erased], (totals[0] if months else 0) + sum(int(n) for *_, n in tally)


# --- Monthly wellbeing check (BARC-10) ----------------------------------------------------


async def _wellbeing(session: AsyncSession, sql: Sql, p: dict[str, Any]) -> tuple[list[Table], int]:
    answered = await rows(session, f"""
        SELECT {sql.month('p.created_at', timestamp=True)} AS cohort, count(DISTINCT w.person_id)
        FROM wellbeingcheck w JOIN person p ON p.id = w.person_id
        WHERE w.total IS NOT NULL AND w.month >= :m_from AND w.month <= :m_to GROUP BY cohort""", p)
    pairs = await rows(session, f"""
        SELECT {sql.month('p.created_at', timestamp=True)} AS cohort, f.total, l.total, count(*)
        FROM (SELECT person_id, min(month) AS first_month, max(month) AS last_month FROM wellbeingcheck
              WHERE total IS NOT NULL AND month >= :m_from AND month <= :m_to
              GROUP BY person_id HAVING count(*) >= 2) AS w
        JOIN person p ON p.id = w.person_id
        JOIN wellbeingcheck f ON f.person_id = w.person_id AND f.month = w.first_month
        JOIN wellbeingcheck l ON l.person_id = w.person_id AND l.month = w.last_month
        GROUP BY cohort, f.total, l.total""", p)
    once = {cohort: int(n) for cohort, n in answered}
    first: dict[str, list[tuple[float, int]]] = defaultdict(list)
    last: dict[str, list[tuple[float, int]]] = defaultdict(list)
    change: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for cohort, f, lt, n in pairs:
        first[cohort].append((f, int(n)))
        last[cohort].append((lt, int(n)))
        change[cohort].append((lt - f, int(n)))
    table_rows = []
    for cohort in sorted(once):
        twice = sum(n for _, n in first[cohort])
        table_rows.append([cohort, Count(once[cohort]), Count(twice),
                           Stat(histogram_quantile(first[cohort], 0.5), twice, 1),
                           Stat(histogram_quantile(last[cohort], 0.5), twice, 1),
                           Stat(histogram_quantile(change[cohort], 0.5), twice, 1)])
    table = Table("wellbeing_by_cohort", _title("wellbeing_by_cohort"),
                  ["month_joined", "people_answering", "people_answering_twice_or_more",
                   "median_first_score", "median_latest_score", "median_change"], table_rows)
    return [table], sum(once.values())
