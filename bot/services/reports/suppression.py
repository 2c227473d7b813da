"""Small numbers in a report: what is hidden, what is rounded, what is never shown.

The rule (stated in every report, `rule_text`):
- a count from 1 up to the threshold (REPORT_SUPPRESSION_THRESHOLD, default 7, never below 5)
  is shown as `*`;
- every other count is rounded to the nearest 5 (0 stays 0);
- secondary suppression: wherever cells add up to a total shown in the same table (a row of
  parts and their total, a column and its "All" row), a group holding exactly one `*` gets a
  second one (the smallest other part, else the total), repeated until no group has a lone
  `*`, so no hidden count can be worked out by subtraction;
- a percentage is shown only when its group has at least 10 people and neither its numerator
  nor its denominator is hidden; a median or 90th percentile only for groups of 10 or more.

Tables are built from typed cells (`Count`, `Percent`, `Stat`, plain labels) and `Sum`
groups; `render` turns one into the strings that go into every CSV, chart and PDF. Nothing
outside this module ever shows a true count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bot import texts

Ref = tuple[int, int]  # (row, column) in a table
MIN_GROUP_FOR_PERCENT = 10
HIDDEN = "*"
NOT_SHOWN = "–"  # a group too small for a percentage or median


@dataclass(frozen=True)
class Count:
    """A count of people or events (the true number; only `render` shows it, changed)."""

    value: int


@dataclass(frozen=True)
class Percent:
    """`num` out of `den`, where both refer to Count cells of the same table."""

    num: Ref
    den: Ref


@dataclass(frozen=True)
class Stat:
    """A median or percentile over `n` values; shown only for groups of 10 or more."""

    value: float | None
    n: int
    decimals: int = 0


Cell = str | Count | Percent | Stat


@dataclass(frozen=True)
class Sum:
    """`total` is the sum of `parts`: a group for secondary suppression."""

    total: Ref
    parts: tuple[Ref, ...]


@dataclass
class Table:
    """One tidy table: a name (its CSV file), a title, a header and rows of cells."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    sums: list[Sum] = field(default_factory=list)

    def cell(self, ref: Ref) -> Cell:
        return self.rows[ref[0]][ref[1]]


def round_to_5(value: int) -> int:
    """Nearest multiple of 5, halves up (0 stays 0, 3 → 5, 12 → 10, 13 → 15)."""
    return 5 * ((value + 2) // 5)


def _count(table: Table, ref: Ref) -> int:
    cell = table.cell(ref)
    assert isinstance(cell, Count), f"{table.name}{ref} is not a count"
    return cell.value


def hidden_cells(table: Table, threshold: int) -> set[Ref]:
    """Every count shown as `*`: the small ones, then enough others that none can be
    worked out from a total in the same table."""
    hidden = {
        (r, c) for r, row in enumerate(table.rows) for c, cell in enumerate(row)
        if isinstance(cell, Count) and 1 <= cell.value <= threshold
    }
    changed = True
    while changed:
        changed = False
        for group in table.sums:
            members = (group.total, *group.parts)
            if sum(ref in hidden for ref in members) != 1:
                continue
            hidden.add(_second_cell(table, group, hidden))
            changed = True
    return hidden


def _second_cell(table: Table, group: Sum, hidden: set[Ref]) -> Ref:
    """The cell hidden alongside a lone `*`: the smallest other part (non-zero first), else the total."""
    others = [ref for ref in group.parts if ref not in hidden]
    if not others:
        return group.total
    return min(others, key=lambda ref: (_count(table, ref) == 0, _count(table, ref)))


def render(table: Table, threshold: int) -> list[list[str]]:
    """The table as it may be shown: `*`, rounded counts, guarded percentages and medians."""
    hidden = hidden_cells(table, threshold)
    shown: list[list[str]] = []
    for r, row in enumerate(table.rows):
        out = []
        for c, cell in enumerate(row):
            if isinstance(cell, Count):
                out.append(HIDDEN if (r, c) in hidden else str(round_to_5(cell.value)))
            elif isinstance(cell, Percent):
                out.append(_percent(table, cell, hidden))
            elif isinstance(cell, Stat):
                out.append(_stat(cell))
            else:
                out.append(cell)
        shown.append(out)
    return shown


def _percent(table: Table, cell: Percent, hidden: set[Ref]) -> str:
    if cell.num in hidden or cell.den in hidden:
        return HIDDEN
    num, den = _count(table, cell.num), _count(table, cell.den)
    if den < MIN_GROUP_FOR_PERCENT:
        return NOT_SHOWN
    return f"{int(100 * num / den + 0.5)}%"  # halves up, as people expect


def _stat(cell: Stat) -> str:
    if cell.n < MIN_GROUP_FOR_PERCENT or cell.value is None:
        return NOT_SHOWN
    scale = 10 ** cell.decimals  # halves up, not to even
    return f"{math.floor(cell.value * scale + 0.5) / scale:.{cell.decimals}f}"


def rule_text(threshold: int) -> str:
    """The rule, as stated in the report (PDF and notes)."""
    return texts.REPORT_SUPPRESSION_RULE.format(threshold=threshold)
