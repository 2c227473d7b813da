"""The anonymous outcome report (issue 16): figures checked against a service counted by
hand (tests/report_seed.py), small numbers hidden so none can be worked out, the files a
coordinator forwards (CSV, PDF), the command line and /report in the bot."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot import __main__ as cli
from bot import i18n
from bot.config import SettingsError, load_settings
from bot.db import Database
from bot.services import reports
from bot.services.reports import figures, period
from bot.services.reports.suppression import HIDDEN, Count, Sum, Table, hidden_cells, render, round_to_5
from bot.services.validation import InvalidInput
from tests.conftest import TEST_SECRET
from tests.harness import Harness
from tests.release_steps import coordinator
from tests.report_seed import END, START, build
from tests.test_onboarding import onboard

THRESHOLD = 7


def counts(table: Table) -> list[list[object]]:
    """The true values of a table (labels as they are, medians as numbers, percents left out)."""
    return [[getattr(c, "value", c) for c in row if not type(c).__name__ == "Percent"] for row in table.rows]


@pytest.fixture
async def seeded(db: Database) -> figures.Figures:
    await build().write(db)
    async with db.session() as session:
        return await figures.compute(session, START, END)


# --- the figures, against numbers worked out by hand --------------------------------------


async def test_engagement_figures_match_the_service_counted_by_hand(seeded: figures.Figures) -> None:
    assert counts(seeded.table("engagement")) == [
        ["People who joined", 55],  # A1 20 + A2 12 + A3 8 + B 15 (C joined before the period)
        ["People who checked in at least once", 52],  # everyone but A3
        ["Median share of days with a check-in (%)", 50.0],  # 12 at 19%, 15 at 50%, 25 at 100%
        ["Meetings attended (recorded)", 905],  # 10 people × 90 days, and C's 5 ticks on 1 June
        ["People who recorded a meeting", 15],
        ["People with 90 meetings in the last 90 days of the period", 10],
    ]
    assert counts(seeded.table("checkin_share")) == [
        ["0–24%", 12], ["25–49%", 0], ["50–74%", 15], ["75–100%", 25], ["All who checked in", 52]]
    weeks = counts(seeded.table("active_per_week"))
    assert len(weeks) == 26 and weeks[0] == ["2026-01-01", 37] and weeks[5] == ["2026-02-05", 37]
    assert weeks[6] == ["2026-02-12", 25] and weeks[17] == ["2026-04-30", 40] and weeks[-1] == ["2026-06-25", 40]
    # 30 days: all 55 followed; A1, A2 (to day 34) and B checked in on day 30-36. 90 days: only
    # those who joined 5 Jan are followed, and only A1 still checks in. 180: nobody is followed yet.
    assert counts(seeded.table("still_checking_in")) == [["30", 55, 47], ["90", 40, 20], ["180", 0, 0]]


async def test_self_reported_abstinence_matches_the_service_counted_by_hand(seeded: figures.Figures) -> None:
    # 30 days: 47 with a check-in by then, less the 4 who reported a slip. 90: A1 and A2 (32), A1 clean.
    assert counts(seeded.table("self_reported_clean")) == [["30", 47, 43], ["90", 32, 20], ["180", 0, 0]]
    assert counts(seeded.table("slips_and_milestones")) == [
        ["Check-ins answering 'clean today?' (yes or slip)", 20 * 177 + 12 * 35 + 15 * 31 + 5 * 181],
        ["Slips reported", 4], ["People who reported a slip", 4], ["Clean dates restarted after a slip", 4],
        ["Milestone reached: 30d", 20], ["Milestone reached: 90d", 20],
    ]


async def test_support_figures_match_the_alerts_counted_by_hand(seeded: figures.Figures) -> None:
    table = counts(seeded.table("alerts"))
    assert table[0] == ["Went quiet (lapse)", 12, 9, 3, 4, 3, 150.0, 270.0]  # 30, 60 … 270 minutes
    assert table[1] == ["Asked for help (SOS)", 6, 6, 0, 0, 0, 5.0, 5.0]  # the July SOS is outside
    assert table[2] == ["Shared a slip", 4, 2, 2, 0, 0, 10.0, 10.0]
    assert table[3] == ["Three very low days", 0, 0, 0, 0, 0, None, None]
    # 17 waits: six of 5 min, two of 10, then 30 … 270: median the 9th (30), p90 the 16th (240).
    assert table[4] == ["All alerts", 22, 17, 5, 4, 3, 30.0, 240.0]


async def test_release_day_figures_match_the_requests_counted_by_hand(seeded: figures.Figures) -> None:
    assert counts(seeded.table("release_by_month")) == [
        ["2026-01", 10, 8, 6, 2, 3, 5, 10, 10, 10],
        ["2026-03", 8, 3, 2, 0, 0, 0, 0, 0, 0],  # never connected: nobody to follow
        ["All months", 18, 11, 8, 2, 3, 5, 10, 10, 10],  # the draft and the July release left out
    ]
    assert counts(seeded.table("release_closed_and_erased")) == [["2026-02", "met", 12], ["2026-02", "not recorded", 3]]


async def test_wellbeing_change_is_reported_per_cohort(seeded: figures.Figures) -> None:
    assert counts(seeded.table("wellbeing_by_cohort")) == [
        ["2025-12", 5, 5, 20.0, 26.0, 6.0],
        ["2026-01", 20, 12, 30.0, 40.0, 10.0],
    ]
    shown = render(seeded.table("wellbeing_by_cohort"), THRESHOLD)
    assert shown == [["2025-12", "*", "*", "–", "–", "–"], ["2026-01", "20", "10", "30.0", "40.0", "10.0"]]


# --- suppression ----------------------------------------------------------------------------


def test_counts_up_to_the_threshold_are_hidden_and_others_rounded_to_five() -> None:
    table = Table("t", "t", ["a", "n"], [["x", Count(0)], ["y", Count(1)], ["z", Count(7)], ["w", Count(8)], ["v", Count(12)], ["u", Count(13)]])
    assert [row[1] for row in render(table, 7)] == ["0", "*", "*", "10", "10", "15"]
    assert [round_to_5(n) for n in (0, 2, 3, 22, 23)] == [0, 0, 5, 20, 25]


def test_a_lone_hidden_cell_in_a_total_gets_a_second_one() -> None:
    table = Table("t", "t", ["a", "n"], [["x", Count(3)], ["y", Count(20)], ["z", Count(40)], ["all", Count(63)]],
                  [Sum((3, 1), ((0, 1), (1, 1), (2, 1)))])
    assert [row[1] for row in render(table, 7)] == ["*", "*", "40", "65"]  # the smallest other part goes too


def test_the_threshold_can_not_be_set_below_five() -> None:
    with pytest.raises(SettingsError):
        load_settings(_env_file=None, fellowship_secret_key=TEST_SECRET, report_suppression_threshold=4)
    assert load_settings(_env_file=None, fellowship_secret_key=TEST_SECRET).report_suppression_threshold == 7


def _feasible(table: Table, hidden: set[tuple[int, int]], fixed: dict[tuple[int, int], int], bound: int) -> bool:
    """Whether some values of the hidden cells (0..bound, with `fixed` ones pinned) satisfy every
    total of the table, when the shown cells are known exactly (a stronger attacker than
    anyone reading rounded figures). A group with one unknown left decides it."""
    known = {ref: table.cell(ref).value for ref in table_counts(table) if ref not in hidden}  # type: ignore[union-attr]
    return _search({**known, **fixed}, sorted(hidden - set(fixed)), table.sums, bound)


def _search(values: dict[tuple[int, int], int], cells: list[tuple[int, int]], sums: list[Sum], bound: int) -> bool:
    values = dict(values)
    changed = True
    while changed:
        changed = False
        for group in sums:
            refs = (group.total, *group.parts)
            unknown = [r for r in refs if r not in values]
            if not unknown:
                if values[group.total] != sum(values[r] for r in group.parts):
                    return False
            elif len(unknown) == 1:
                ref = unknown[0]
                rest = sum(values[r] for r in group.parts if r != ref)
                value = rest if ref == group.total else values[group.total] - rest if group.total in values else None
                if value is None:
                    continue
                if not 0 <= value <= bound:
                    return False
                values[ref], changed = value, True
    open_cells = [c for c in cells if c not in values]
    if not open_cells:
        return True
    return any(_search({**values, open_cells[0]: v}, open_cells[1:], sums, bound) for v in range(bound + 1))


def table_counts(table: Table) -> list[tuple[int, int]]:
    return [(r, c) for r, row in enumerate(table.rows) for c, cell in enumerate(row) if isinstance(cell, Count)]


async def test_no_hidden_number_can_be_worked_out_from_the_totals(seeded: figures.Figures) -> None:
    checked = 0
    for table in seeded.tables:
        hidden = hidden_cells(table, THRESHOLD)
        if not table.sums or not hidden:
            continue
        for group in table.sums:  # never a lone * in a group that adds up
            assert sum(ref in hidden for ref in (group.total, *group.parts)) != 1, (table.name, group)
        in_groups = {ref for g in table.sums for ref in (g.total, *g.parts)} & hidden
        bound = max(c.value for c in (table.cell(r) for r in table_counts(table)) if isinstance(c, Count)) + 1  # type: ignore[union-attr]
        for ref in sorted(in_groups):
            true = table.cell(ref).value  # type: ignore[union-attr]
            others = [v for v in (true - 1, true + 1) if 0 <= v <= bound]
            assert any(_feasible(table, hidden, {ref: v}, min(bound, 30)) for v in others), \
                f"{table.name}{ref} = {true} can be worked out from the totals"
            checked += 1
    assert checked >= 10  # the seeded service does hide cells inside totals


async def test_what_the_report_shows_of_the_seeded_service(seeded: figures.Figures) -> None:
    alerts = render(seeded.table("alerts"), THRESHOLD)
    assert alerts[0][:6] == ["Went quiet (lapse)", "10", HIDDEN, HIDDEN, HIDDEN, HIDDEN]
    assert alerts[0][9:] == ["–", "–"]  # 9 acknowledged: too few for a median
    assert alerts[4][1] == "20" and alerts[4][9:] == ["30", "240"]
    assert render(seeded.table("still_checking_in"), THRESHOLD) == [
        ["30", "55", "45", "85%"], ["90", "40", "20", "50%"], ["180", "0", "0", "–"]]
    assert render(seeded.table("self_reported_clean"), THRESHOLD)[1] == ["90", "30", "20", "63%"]


# --- the files ------------------------------------------------------------------------------


async def test_the_report_files_are_tidy_csvs_charts_and_a_two_page_pdf(db: Database, tmp_path: Path) -> None:
    seed = build()
    await seed.write(db)
    files = await reports.make(db, START, END, tmp_path, threshold=THRESHOLD, made_on=date(2026, 12, 4))
    names = {p.name for p in files}
    assert {"engagement.csv", "alerts.csv", "release_by_month.csv", "wellbeing_by_cohort.csv", "report.pdf",
            "chart_active_per_week.png", "chart_alerts.png", "chart_release_by_month.png"} <= names
    with (tmp_path / "alerts.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["alert", "raised", "acknowledged"] and len(rows) == 6
    assert all(len(row) == len(rows[0]) for row in rows)
    assert rows[1][:3] == ["Went quiet (lapse)", "10", "*"]

    pdf = PdfReader(tmp_path / "report.pdf")
    assert len(pdf.pages) == 2
    text = " ".join(page.extract_text() for page in pdf.pages)
    for needed in ("Outcome report", "2026-01-01", "2026-06-30", "Made on 2026-12-04", "Headline figures",
                   "shown as *", "self-reports", "Justice Data Lab", "Definitions", "People who joined: 55"):
        assert needed in " ".join(text.split()), needed
    everything = b"".join(p.read_bytes() for p in files if p.suffix == ".csv") + text.encode()
    for person in seed.people:  # no pseudonym, hash or prison of anyone, anywhere
        assert person["pseudonym"].encode() not in everything and person["telegram_hash"].encode() not in everything
    assert b"LEI" not in everything


async def test_a_welsh_report_has_welsh_titles_labels_and_charts_and_english_stays_english(
    db: Database, tmp_path: Path
) -> None:
    """Issue 17: the report follows the language it is made in (the coordinator's, or
    `fellowship report --language cy`); CSV column names are identifiers and stay the same."""
    await build().write(db)

    def read(folder: Path) -> tuple[str, list[list[str]], list[list[str]]]:
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(folder / "report.pdf").pages).split())
        with (folder / "alerts.csv").open(encoding="utf-8", newline="") as handle:
            alerts = list(csv.reader(handle))
        with (folder / "engagement.csv").open(encoding="utf-8", newline="") as handle:
            engagement = list(csv.reader(handle))
        return text, alerts, engagement

    with i18n.speaking("cy"):
        await reports.make(db, START, END, tmp_path / "cy", threshold=THRESHOLD, made_on=date(2026, 12, 4))
    await reports.make(db, START, END, tmp_path / "en", threshold=THRESHOLD, made_on=date(2026, 12, 4))

    text, alerts, engagement = read(tmp_path / "cy")
    for needed in ("Adroddiad canlyniadau: ffigurau dienw", "Gwnaed ar 2026-12-04", "Prif ffigurau", "Niferoedd bach",
                   "Diffiniadau", "Pobl a ymunodd: 55", "Yn dal i wirio i mewn 30 diwrnod ar ôl ymuno", "(parhad)"):
        assert needed in text, needed
    for english in ("Outcome report", "Headline figures", "People who joined", "Small numbers", "(continued)"):
        assert english not in text, english
    assert alerts[0][:3] == ["alert", "raised", "acknowledged"]  # column names: stable identifiers
    assert [row[0] for row in alerts[1:]] == ["Wedi mynd yn dawel (dim gwiriad)", "Wedi gofyn am help (SOS)",
                                              "Wedi rhannu llithriad", "Tri diwrnod isel iawn", "Pob rhybudd"]
    assert engagement[0] == ["measure", "value"] and engagement[1] == ["Pobl a ymunodd", "55"]

    text, alerts, engagement = read(tmp_path / "en")
    for needed in ("Outcome report: anonymous figures", "Headline figures", "People who joined: 55", "(continued)"):
        assert needed in text, needed
    assert "Adroddiad" not in text and "Prif ffigurau" not in text
    assert alerts[1][0] == "Went quiet (lapse)" and engagement[1] == ["People who joined", "55"]


async def test_an_empty_period_says_so_instead_of_drawing_empty_charts(db: Database, tmp_path: Path) -> None:
    files = await reports.make(db, START, END, tmp_path, threshold=THRESHOLD, made_on=date(2026, 12, 4))
    assert not [p for p in files if p.suffix == ".png"]
    pdf = PdfReader(tmp_path / "report.pdf")
    assert len(pdf.pages) == 1
    assert "No activity was recorded in this period" in " ".join(pdf.pages[0].extract_text().split())


# --- periods and the command line -----------------------------------------------------------


@pytest.mark.parametrize(("start", "end", "problem"), [
    ("2026-06-30", "2026-01-01", "ends before it starts"),
    ("2026-01-01", "2027-01-01", "can't end after today"),
    ("2020-01-01", "2026-06-30", "at most 5 years"),
])
def test_bad_periods_are_refused_kindly(start: str, end: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        period.check(date.fromisoformat(start), date.fromisoformat(end), today=date(2026, 12, 4))
    with pytest.raises(InvalidInput, match="isn't a date I can read"):
        period.parse_day("31/01/2026")
    assert period.last_months(3, date(2026, 12, 4)) == (date(2026, 9, 1), date(2026, 11, 30))
    assert period.last_months(12, date(2026, 1, 15)) == (date(2025, 1, 1), date(2025, 12, 31))


def test_fellowship_report_writes_the_files_and_refuses_a_reversed_period(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FELLOWSHIP_SECRET_KEY", TEST_SECRET)
    assert cli.main(["report", "--from", "2026-03-01", "--to", "2026-01-01", "--out", str(tmp_path / "bad")]) == 2
    assert "ends before it starts" in capsys.readouterr().err and not (tmp_path / "bad").exists()
    assert cli.main(["report", "--from", "2026-01-01", "--to", "2026-06-30", "--out", str(tmp_path / "ok")]) == 0
    assert (tmp_path / "ok" / "report.pdf").exists()
    assert cli.main(["report", "--from", "2026-01-01", "--to", "2026-06-30", "--out", str(tmp_path / "cy"), "--language", "cy"]) == 0
    first_page = PdfReader(tmp_path / "cy" / "report.pdf").pages[0].extract_text()
    assert "Adroddiad canlyniadau" in first_page and i18n.current() == "en"


# --- /report in the bot ---------------------------------------------------------------------


async def test_a_coordinator_chooses_a_period_and_gets_the_report_as_files(h: Harness) -> None:
    await build().write(h.db)
    casey = await coordinator(h)
    await casey.send("/report")
    assert casey.buttons() == ["Last month", "Last 3 months", "Last 6 months", "Last 12 months"]
    await casey.press("Last 12 months")
    pdf, archive = casey.last(1), casey.last()
    assert pdf.kind == "document" and pdf.raw.file.file_name == "report-2025-11-01-2026-10-31.pdf"
    assert len(PdfReader(io.BytesIO(pdf.raw.file.data)).pages) == 2
    names = zipfile.ZipFile(io.BytesIO(archive.raw.file.data)).namelist()
    assert "alerts.csv" in names and "chart_alerts.png" in names
    assert "2025-11-01 to 2026-10-31" in casey.find("Making the report").text


async def test_report_is_refused_to_someone_who_is_not_a_coordinator(h: Harness) -> None:
    casey = await coordinator(h)
    await casey.send("/report")
    button = casey.last().buttons_data()[0]
    sam = await onboard(h, "Sam")
    await sam.send("/report")
    assert sam.last().text == "Sorry, reports are for coordinators."
    await sam.press_data(button)  # a copied button does nothing either
    assert sam.last_answer() == "Sorry, reports are for coordinators."
    assert not [m for m in sam.messages() if m.kind == "document"]


async def test_a_forged_report_period_is_a_stale_button(h: Harness) -> None:
    casey = await coordinator(h)
    await casey.send("/report")
    for forged in ("v1:rp:2", "v1:rp:120", "v1:rp:x", "v1:rp:1:2"):
        await casey.press_data(forged)
        assert casey.last_answer() == "That button is from an earlier message and no longer works."
    assert not [m for m in casey.messages() if m.kind == "document"]
