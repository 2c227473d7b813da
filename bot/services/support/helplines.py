"""Crisis and recovery helplines, read from package data (`bot/data/helplines_uk.csv`).

Only rows whose `verification` is exactly `verified` are ever shown: an unchecked number
could send someone in crisis to the wrong place. Every number must be re-checked against
its official source before each release (see `bot/data/SOURCES.md`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from bot.data_files import DATA_DIR

DATA_FILE = DATA_DIR / "helplines_uk.csv"
EMERGENCY_ID, TALK_ID = "emergency_999", "samaritans"
# IANA zones (and their old aliases) that mean "in the UK" or "in Ireland".
_ZONE_REGIONS = {
    **dict.fromkeys(("Europe/London", "Europe/Belfast", "GB", "GB-Eire", "Europe/Jersey", "Europe/Guernsey", "Europe/Isle_of_Man"), "uk"),
    **dict.fromkeys(("Europe/Dublin", "Eire"), "ie"),
}
_UK_COVERAGE = ("UK", "Great Britain", "England", "Wales", "Scotland")


@dataclass(frozen=True)
class Helpline:
    id: str
    service: str
    phone: str
    sms: str
    hours: str
    cost: str
    website: str
    coverage: str
    source_url: str

    @property
    def free(self) -> bool:
        return self.cost.lower().startswith("free")

    @property
    def always_open(self) -> bool:
        return self.hours.lower().startswith("24 hours")

    @property
    def regions(self) -> frozenset[str]:
        found = set()
        if self.coverage.startswith(_UK_COVERAGE):
            found.add("uk")
        if "Ireland" in self.coverage.replace("Northern Ireland", ""):
            found.add("ie")
        return frozenset(found)


@lru_cache(maxsize=1)
def verified() -> tuple[Helpline, ...]:
    """The helplines we may show, in the file's order."""
    with DATA_FILE.open(newline="", encoding="utf-8") as f:
        rows = [row for row in csv.DictReader(f) if row["verification"].strip() == "verified"]
    fields = Helpline.__dataclass_fields__
    return tuple(Helpline(**{k: (row.get(k) or "").strip() for k in fields}) for row in rows)


def by_id(helpline_id: str) -> Helpline | None:
    return next((h for h in verified() if h.id == helpline_id), None)


def region_of(zone_name: str | None, default_zone: str) -> str | None:
    """'uk', 'ie', or None when the person's zone is elsewhere (our data is UK-only)."""
    return _ZONE_REGIONS.get(zone_name or default_zone)


def for_region(region: str | None) -> list[Helpline]:
    """Verified helplines that serve the region, besides emergency services and Samaritans."""
    return [h for h in verified() if region in h.regions and h.id not in (EMERGENCY_ID, TALK_ID)]
