"""Prisons in England and Wales, found by what people type ("Leeds", "wandsworth", "HMP Styal").

Read once from `bot/data/prisons_england_wales.csv` (HMPPS register, positions from OS
Code-Point Open; see bot/data/SOURCES.md). Only active prisons with a position are offered:
a companion needs somewhere to go. Unknown names come back with close matches, so a typo
or an old name ("Glen Parva", now Fosse Way) costs one tap, not a dead end.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from bot.data_files import DATA_DIR
from bot.services import places

CSV_PATH = DATA_DIR / "prisons_england_wales.csv"
MAX_CHOICES = 6
# Words that say "a prison" rather than which one; dropped before comparing names.
_NOISE = {"hmp", "hmyoi", "yoi", "hmp&yoi", "prison", "the", "rc", "stc", "hm", "&", "and", "of"}


@dataclass(frozen=True)
class Prison:
    code: str  # the NOMIS code, e.g. "LEI"
    name: str  # as the register writes it: "Leeds (HMP)"
    town: str
    postcode: str
    latitude: float
    longitude: float
    search_text: str  # name, Welsh name, town and the patch note, normalised

    @property
    def district(self) -> str:
        """The postcode district ("LS12"), or "" when the postcode isn't known."""
        return places.normalise_postcode(self.postcode)[:-3] if self.postcode else ""

    @property
    def area(self) -> str:
        """Where it is, without saying which prison: what an offer to a companion shows."""
        return f"{self.town} ({self.district})" if self.district else self.town


@dataclass(frozen=True)
class Search:
    """Exactly one of: the prison, several that match, or close matches for a typo."""

    prison: Prison | None = None
    choices: tuple[Prison, ...] = ()
    suggestions: tuple[Prison, ...] = ()


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9&]+", text.lower().replace("'", "")) if w not in _NOISE]


def _key(text: str) -> str:
    return " ".join(_words(text))


@lru_cache(maxsize=1)
def _prisons() -> dict[str, Prison]:
    found: dict[str, Prison] = {}
    with CSV_PATH.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["active"] != "true" or not row["latitude"] or row["prison_id"] in found:
                continue  # closed, nowhere to meet, or a second site of the same prison
            search = _key(" ".join((row["name"], row["name_welsh"], row["town"], row.get("note", ""))))
            found[row["prison_id"]] = Prison(
                code=row["prison_id"],
                name=row["name"],
                town=row["town"],
                postcode=row["postcode"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                search_text=search,
            )
    return found


def by_code(code: str) -> Prison | None:
    """The prison behind a stored code or a button; None for anything unknown or forged."""
    return _prisons().get(code)


def search(text: str) -> Search:
    """Names first ("Leeds" is HMP Leeds, not every prison in Leeds), then any prison whose
    name, town or note holds every word typed, then close matches."""
    wanted = _key(text[:80])
    if not wanted:
        return Search()
    everything = sorted(_prisons().values(), key=lambda p: p.name)
    named = [p for p in everything if _key(p.name) == wanted]
    if len(named) == 1:
        return Search(prison=named[0])
    words = wanted.split()
    matching = [p for p in everything if all(re.search(rf"\b{re.escape(w)}", p.search_text) for w in words)]
    if len(matching) == 1:
        return Search(prison=matching[0])
    if matching:
        return Search(choices=tuple(matching[:MAX_CHOICES]))
    by_name = {_key(p.name): p for p in everything}
    close = difflib.get_close_matches(wanted, list(by_name), n=MAX_CHOICES, cutoff=0.6)
    return Search(suggestions=tuple(by_name[name] for name in close))
