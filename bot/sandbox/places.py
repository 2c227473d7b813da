"""UK places a sandbox user can "share" when the bot asks for a location.

A person testing the prison-release flow wants to say "I'm at HMP Leeds" without knowing its
coordinates, so the place picker offers presets: prisons (HMPPS register), towns and postcode
districts. Towns are the centroid of their town-centre postcode district, so every coordinate
comes from the same attributed source (see bot/data/SOURCES.md). Loaded once, offline.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PRISONS_CSV = DATA_DIR / "prisons_england_wales.csv"
OUTCODES_CSV = DATA_DIR / "uk_outcodes.csv"
KINDS = ("prison", "town", "postcode")
log = logging.getLogger("fellowship.sandbox")

# Town -> the postcode district at its centre. Spread over the four nations so time-zone
# lookups and (later) "meetings near me" can be tried from anywhere in the UK.
TOWN_CENTRES: dict[str, str] = {
    "London (Charing Cross)": "WC2N", "Birmingham": "B1", "Manchester": "M1", "Leeds": "LS1",
    "Liverpool": "L1", "Sheffield": "S1", "Bristol": "BS1", "Newcastle upon Tyne": "NE1",
    "Nottingham": "NG1", "Leicester": "LE1", "Coventry": "CV1", "Bradford": "BD1", "Hull": "HU1",
    "Stoke-on-Trent": "ST1", "Wolverhampton": "WV1", "Plymouth": "PL1", "Southampton": "SO14",
    "Portsmouth": "PO1", "Brighton": "BN1", "Reading": "RG1", "Derby": "DE1", "Norwich": "NR1",
    "Cambridge": "CB2", "Oxford": "OX1", "Exeter": "EX1", "York": "YO1", "Middlesbrough": "TS1",
    "Sunderland": "SR1", "Blackpool": "FY1", "Preston": "PR1", "Lancaster": "LA1", "Carlisle": "CA1",
    "Durham": "DH1", "Bath": "BA1", "Gloucester": "GL1", "Truro": "TR1", "Doncaster": "DN1",
    "Wakefield": "WF1", "Milton Keynes": "MK9", "Luton": "LU1", "Ipswich": "IP1", "Peterborough": "PE1",
    "Lincoln": "LN1", "Canterbury": "CT1", "Maidstone": "ME14", "Swansea": "SA1", "Cardiff": "CF10",
    "Newport": "NP20", "Wrexham": "LL11", "Glasgow": "G1", "Edinburgh": "EH1", "Aberdeen": "AB10",
    "Dundee": "DD1", "Inverness": "IV1", "Belfast": "BT1", "Derry/Londonderry": "BT48",
}


@dataclass(frozen=True)
class Place:
    """One preset: what the picker lists and the point that is shared."""

    kind: str  # prison, town or postcode
    name: str
    detail: str
    latitude: float
    longitude: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        # The picker still works (typed coordinates, other presets); say what is missing.
        log.warning("sandbox place list %s is missing", path.name)
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _prisons() -> list[Place]:
    places = []
    for row in _rows(PRISONS_CSV):
        if row["active"] != "true" or not row["latitude"]:
            continue
        detail = ", ".join(part for part in (row["town"], row["postcode"]) if part)
        places.append(Place("prison", row["name"], detail, float(row["latitude"]), float(row["longitude"])))
    return sorted(places, key=lambda p: p.name)


def _outcodes() -> dict[str, Place]:
    found = {}
    for row in _rows(OUTCODES_CSV):
        if not row.get("latitude"):
            continue
        detail = ", ".join(part for part in (row.get("admin_district", ""), row.get("country", "")) if part)
        found[row["outcode"]] = Place("postcode", row["outcode"], detail, float(row["latitude"]), float(row["longitude"]))
    return found


@lru_cache(maxsize=1)
def all_places() -> tuple[Place, ...]:
    """Every preset, prisons first, then towns, then postcode districts."""
    outcodes = _outcodes()
    towns = [
        Place("town", name, f"centre of {code}", outcodes[code].latitude, outcodes[code].longitude)
        for name, code in TOWN_CENTRES.items()
        if code in outcodes
    ]
    return (*_prisons(), *sorted(towns, key=lambda p: p.name), *outcodes.values())


def search(query: str = "", kind: str | None = None, limit: int = 50) -> list[Place]:
    """Presets whose name or detail contains every word of `query` (case-insensitive).

    Names that start with the query come first, so "LS1" lists LS1 before LS10 and
    "Leeds" lists the city before prisons that are merely in Leeds.
    """
    words = query.lower().split()
    wanted = query.strip().lower()
    found = [
        place
        for place in all_places()
        if (kind is None or place.kind == kind)
        and all(word in f"{place.name} {place.detail}".lower() for word in words)
    ]
    found.sort(key=lambda p: (p.name.lower() != wanted, not p.name.lower().startswith(wanted)))
    return found[:limit]
