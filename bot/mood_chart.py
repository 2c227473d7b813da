"""The last 30 days' mood as a PNG, sized and lettered to be read on a small phone.

Drawn with matplotlib's object API (no pyplot: no global state, safe in a worker thread).
Words label the scale because the chart fonts have no emoji.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from io import BytesIO

from bot import texts

DAYS = 30
_GREEN = "#2e7d32"


def render_png(moods: list[tuple[date, int]], today: date, days: int = DAYS) -> bytes:
    """A line of the moods by day; days without a check-in leave a gap rather than a guess."""
    # Imported here: matplotlib takes a while to import and only /progress needs it.
    from matplotlib.figure import Figure

    start = today - timedelta(days=days - 1)
    by_day = dict(moods)
    series = [by_day.get(start + timedelta(days=i), math.nan) for i in range(days)]
    figure = Figure(figsize=(5, 3.6), dpi=192)
    axes = figure.add_subplot()
    axes.plot(range(days), series, color=_GREEN, linewidth=2.5, marker="o", markersize=6)
    axes.set_ylim(0.5, 5.5)
    axes.set_yticks(list(texts.MOOD_WORDS), labels=list(texts.MOOD_WORDS.values()), fontsize=12)
    ticks = list(range(days - 1, -1, -7))[::-1]
    axes.set_xticks(ticks, labels=[texts.format_date(start + timedelta(days=i), "d MMM") for i in ticks], fontsize=11)
    axes.set_xlim(-0.8, days - 0.2)
    axes.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(texts.MOOD_CHART_TITLE, fontsize=14)
    figure.tight_layout()
    buffer = BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
