"""The report's files: a CSV per table, PNG charts and a two-page PDF summary.

Everything drawn or written comes from `suppression.render` (the strings a reader may see),
never from the true counts. Charts are for printing in black and white: grey fills,
hatches, labels on the bars. An empty period writes its tables (zeros) and a one-page PDF
that says so, without charts.
"""

from __future__ import annotations

import csv
import io
import textwrap
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.image import imread

from bot import texts
from bot.services.reports.figures import Figures
from bot.services.reports.suppression import HIDDEN, render, rule_text

GREYS = ("0.35", "0.65", "0.88", "white")
HATCHES = ("", "//", "..", "xx")
A4 = (8.27, 11.69)
PDF_NAME = "report.pdf"


@dataclass
class Shown:
    """One table as it may be seen: name, title, header and rendered rows."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[str]]

    def column(self, name: str) -> list[str]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


def shown_tables(figures: Figures, threshold: int) -> list[Shown]:
    return [Shown(t.name, t.title, t.columns, render(t, threshold)) for t in figures.tables]


def write_all(figures: Figures, threshold: int, out: Path, made_on: date) -> list[Path]:
    """Every file of the report into `out` (created if needed); returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    tables = shown_tables(figures, threshold)
    written = [_write_csv(t, out) for t in tables]
    charts = [] if figures.empty else _charts(tables)
    for name, png in charts:
        path = out / f"{name}.png"
        path.write_bytes(png)
        written.append(path)
    pdf = out / PDF_NAME
    _write_pdf(figures, tables, charts, threshold, made_on, pdf)
    written.append(pdf)
    return written


def zip_of(paths: list[Path]) -> bytes:
    """The CSVs and charts in one ZIP, for sending in a chat."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            if path.suffix in (".csv", ".png"):
                archive.write(path, path.name)
    return buffer.getvalue()


def _write_csv(table: Shown, out: Path) -> Path:
    path = out / f"{table.name}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.columns)
        writer.writerows(table.rows)
    return path


# --- Charts -------------------------------------------------------------------------------


def _number(value: str) -> float:
    """A rendered cell as a bar height: hidden and not-shown cells draw nothing."""
    try:
        return float(value.rstrip("%"))
    except ValueError:
        return 0.0


def _bars(ax: Axes, labels: list[str], series: list[tuple[str, list[str]]], *, horizontal: bool = False) -> None:
    """Grouped bars in greys with hatches, each labelled with its shown value (`*` for hidden)."""
    width = 0.8 / max(1, len(series))
    for s, (name, values) in enumerate(series):
        positions = [i + (s - (len(series) - 1) / 2) * width for i in range(len(labels))]
        heights = [_number(v) for v in values]
        style: dict[str, Any] = {"color": GREYS[s % len(GREYS)], "hatch": HATCHES[s % len(HATCHES)], "edgecolor": "black", "label": name}
        drawn = (ax.barh(positions, heights, height=width, **style) if horizontal
                 else ax.bar(positions, heights, width=width, **style))
        ax.bar_label(drawn, labels=values, padding=2, fontsize=7)
    ticks = list(range(len(labels)))
    if horizontal:
        ax.set_yticks(ticks, ["\n".join(textwrap.wrap(label, 20)) for label in labels], fontsize=8)  # Welsh runs longer
        ax.invert_yaxis()
    else:
        ax.set_xticks(ticks, labels, fontsize=7, rotation=45 if len(labels) > 6 else 0, ha="right" if len(labels) > 6 else "center")
    if len(series) > 1:
        ax.legend(fontsize=7, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(y=0.15) if not horizontal else ax.margins(x=0.15)


def _chart(name: str, draw: object) -> tuple[str, bytes]:
    """One chart, drawn once into PNG bytes (the file and the PDF use the same picture)."""
    fig = Figure(figsize=(7, 3.2))  # no pyplot: safe to draw off the event loop's thread
    ax = fig.subplots()
    assert callable(draw)
    draw(ax)
    fig.subplots_adjust(left=0.2 if name == "chart_alerts" else 0.08, right=0.97, top=0.88, bottom=0.2)
    ax.set_title(texts.REPORT_CHART_TITLES[name], fontsize=10, loc="left")
    fig.text(0.99, 0.01, texts.REPORT_CHART_HIDDEN, ha="right", fontsize=6, color="0.3")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=140)
    return name, buffer.getvalue()


def _charts(tables: list[Shown]) -> list[tuple[str, bytes]]:
    by = {t.name: t for t in tables}
    active, share, keep, clean = by["active_per_week"], by["checkin_share"], by["still_checking_in"], by["self_reported_clean"]
    alerts, release = by["alerts"], by["release_by_month"]
    series = texts.REPORT_SERIES
    charts = [
        _chart("chart_active_per_week", lambda ax: _bars(
            ax, [w[5:] for w in active.column("week_starting")], [(series["people"], active.column("people_checking_in"))])),
        _chart("chart_checkin_share", lambda ax: _bars(
            ax, share.column("share_of_days")[:-1], [(series["people"], share.column("people")[:-1])])),
        _chart("chart_follow_up", lambda ax: _bars(
            ax, [texts.REPORT_CHART_DAYS.format(count=int(d)) for d in keep.column("days_after_joining")],
            [(series["followed"], keep.column("people_followed")), (series["still"], keep.column("still_checking_in")),
             (series["clean"], clean.column("reporting_clean"))])),
        _chart("chart_alerts", lambda ax: _bars(
            ax, alerts.column("alert")[:-1], [(series["raised"], alerts.column("raised")[:-1]),
                                             (series["acknowledged"], alerts.column("acknowledged")[:-1]),
                                             (series["never"], alerts.column("never_acknowledged")[:-1])],
            horizontal=True)),
    ]
    if len(release.rows) > 1:
        months = release.column("month_of_release")[:-1]
        charts.append(_chart("chart_release_by_month", lambda ax: _bars(
            ax, months, [(series["requests"], release.column("requests")[:-1]),
                         (series["matched"], release.column("matched_with_a_companion")[:-1]),
                         (series["met"], release.column("met_at_the_gate")[:-1])])))
    return charts


# --- PDF ----------------------------------------------------------------------------------


def _headlines(tables: list[Shown]) -> list[str]:
    """The figures a commissioner reads first, as they may be shown."""
    by = {t.name: t for t in tables}
    lines = [f"{label}: {value}" for label, value in by["engagement"].rows]
    for days, followed, still, percent in by["still_checking_in"].rows:
        lines.append(texts.REPORT_HEADLINE_STILL.format(days=days, still=still, followed=followed, percent=percent))
    for days, followed, clean, percent in by["self_reported_clean"].rows:
        lines.append(texts.REPORT_HEADLINE_CLEAN.format(days=days, clean=clean, followed=followed, percent=percent))
    everything = by["alerts"].rows[-1]
    a = dict(zip(by["alerts"].columns, everything, strict=True))
    lines.append(texts.REPORT_HEADLINE_ALERTS.format(
        raised=a["raised"], never=a["never_acknowledged"], percent=a["percent_never_acknowledged"],
        median=a["median_minutes_to_acknowledge"], p90=a["p90_minutes_to_acknowledge"]))
    release = dict(zip(by["release_by_month"].columns, by["release_by_month"].rows[-1], strict=True))
    lines.append(texts.REPORT_HEADLINE_RELEASE.format(
        requests=release["requests"], matched=release["matched_with_a_companion"],
        met=release["met_at_the_gate"], enrolled=release["enrolled_in_check_ins"]))
    wellbeing = by["wellbeing_by_cohort"].rows
    if wellbeing:
        lines.append(texts.REPORT_HEADLINE_WELLBEING.format(
            cohorts="; ".join(f"{row[0]}: {row[5]} (n={row[2]})" for row in wellbeing)))
    return lines


def _text_block(fig: Figure, top: float, title: str, body: list[str] | str, *, width: int = 110, size: float = 8) -> float:
    """Write a titled block of wrapped text from `top` down; returns where it ended."""
    fig.text(0.06, top, title, fontsize=11, weight="bold", va="top")
    y = top - 0.025
    paragraphs = [body] if isinstance(body, str) else body
    for paragraph in paragraphs:
        for line in textwrap.wrap(paragraph, width) or [""]:
            fig.text(0.06, y, line, fontsize=size, va="top")
            y -= 0.0165 * size / 8
    return y - 0.012


def _image(fig: Figure, png: bytes, rect: tuple[float, float, float, float]) -> None:
    """Place a rendered chart on a PDF page."""
    ax = fig.add_axes(rect)
    ax.imshow(imread(io.BytesIO(png)))
    ax.axis("off")


def _page(title_lines: list[str]) -> tuple[Figure, float]:
    fig = Figure(figsize=A4)
    fig.text(0.06, 0.965, title_lines[0], fontsize=16, weight="bold", va="top")
    fig.text(0.06, 0.935, title_lines[1], fontsize=9, va="top", color="0.2")
    return fig, 0.905


def _write_pdf(figures: Figures, tables: list[Shown], charts: list[tuple[str, bytes]], threshold: int,
               made_on: date, path: Path) -> None:
    period = texts.REPORT_PERIOD.format(start=figures.start.isoformat(), end=figures.end.isoformat(), made=made_on.isoformat())
    with PdfPages(path, metadata={"Title": texts.REPORT_TITLE, "Subject": period}) as pdf:
        fig, y = _page([texts.REPORT_TITLE, period])
        if figures.empty:
            y = _text_block(fig, y, texts.REPORT_HEADLINES, texts.REPORT_EMPTY)
            y = _text_block(fig, y, texts.REPORT_SUPPRESSION_TITLE, rule_text(threshold))
            _text_block(fig, y, texts.REPORT_NOTES_TITLE, texts.REPORT_NOTES)
            pdf.savefig(fig)
            return
        y = _text_block(fig, y, texts.REPORT_HEADLINES, ["• " + line for line in _headlines(tables)], width=120)
        y = _text_block(fig, y, texts.REPORT_SUPPRESSION_TITLE, rule_text(threshold), width=120)
        chart = dict(charts)
        space = (y - 0.03) / 2
        _image(fig, chart["chart_active_per_week"], (0.05, y - space, 0.9, space - 0.01))
        _image(fig, chart["chart_follow_up"], (0.05, y - 2 * space, 0.9, space - 0.01))
        pdf.savefig(fig)

        fig, y = _page([texts.REPORT_CONTINUED.format(title=texts.REPORT_TITLE), period])
        second = [name for name in ("chart_alerts", "chart_release_by_month", "chart_checkin_share") if name in chart]
        height = 0.21
        for name in second:
            _image(fig, chart[name], (0.05, y - height, 0.9, height - 0.01))
            y -= height
        y = _text_block(fig, y - 0.01, texts.REPORT_DEFINITIONS_TITLE, texts.REPORT_DEFINITIONS, width=125, size=7)
        _text_block(fig, y, texts.REPORT_NOTES_TITLE, texts.REPORT_NOTES, width=125, size=7)
        pdf.savefig(fig)


__all__ = ["HIDDEN", "PDF_NAME", "Shown", "shown_tables", "write_all", "zip_of"]
