"""Where someone means, from what they type, entirely offline.

- A postcode district (`LS6`) or a full postcode (`SW1A 1AA`): the district's centroid from
  `bot/data/uk_outcodes.csv` (OS Code-Point Open). People still type the old pseudo-districts
  `W1`, `SW1`, `EC1`, which the file doesn't have: those are the middle of `W1A` … `W1W`.
- A town or village (`Leeds`, `St Albans`): `bot/data/gb_places.csv` (GeoNames). Names that
  several places share ("Newport") come back as choices, labelled by local authority.
- Anything unknown comes back with close matches (difflib), so a typo costs one tap.

Both files are loaded once, on first use (about 0.1 s), and kept in memory (~2 MB).
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.data_files import DATA_DIR
from bot.services.validation import is_digits

DATA = DATA_DIR
_FULL_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_AREA = re.compile(r"^[A-Z]{1,2}$")
MAX_CHOICES = 6


@dataclass(frozen=True)
class Place:
    label: str  # what the person is shown: "LS6 (Leeds)", "Brixton (Lambeth)"
    latitude: float
    longitude: float
    key: str  # short and stable, for buttons: "oLS6", "t1234"
    district: str = ""  # the local authority, for a postcode's place in a listing


@dataclass(frozen=True)
class Lookup:
    """Exactly one of: a place, several places sharing the name, or close matches."""

    place: Place | None = None
    choices: tuple[Place, ...] = ()
    suggestions: tuple[Place, ...] = ()
    is_postcode: bool = False


@dataclass(frozen=True)
class _District:
    latitude: float
    longitude: float
    district: str
    postcodes: int


@dataclass
class _Gazetteer:
    districts: dict[str, _District] = field(default_factory=dict)
    towns: list[tuple[str, float, float, int, str, str]] = field(default_factory=list)
    by_name: dict[str, list[int]] = field(default_factory=dict)


def normalise_postcode(text: str) -> str:
    return re.sub(r"[\s-]+", "", text.strip().upper())


def _normalise_name(text: str) -> str:
    name = text.casefold().replace("&", " and ")
    name = re.sub(r"[.'’`]", "", name)
    name = re.sub(r"[^\w]+", " ", name).strip()
    return re.sub(r"^saint ", "st ", name)


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    g = _Gazetteer()
    with open(DATA / "uk_outcodes.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            g.districts[row["outcode"]] = _District(
                float(row["latitude"]), float(row["longitude"]), row["admin_district"], int(row["postcode_count"] or 1)
            )
    with open(DATA / "gb_places.csv", encoding="utf-8") as handle:
        for index, row in enumerate(csv.DictReader(handle)):
            g.towns.append(
                (row["name"], float(row["latitude"]), float(row["longitude"]), int(row["population"]), row["district"], row["country"])
            )
            g.by_name.setdefault(_normalise_name(row["name"]), []).append(index)
    for indexes in g.by_name.values():
        indexes.sort(key=lambda i: -g.towns[i][3])
    return g


# --- postcodes -----------------------------------------------------------------------------


def _district_place(code: str) -> Place | None:
    """A real district, or a pseudo-district (`W1`) as the middle of the ones it prefixes."""
    g = _gazetteer()
    found = g.districts.get(code)
    if found is not None:
        return Place(_district_label(code, found.district), found.latitude, found.longitude, f"o{code}", found.district)
    members = [d for name, d in g.districts.items() if re.fullmatch(re.escape(code) + "[A-Z]", name)]
    if not members:
        return None
    weight = sum(m.postcodes for m in members)
    latitude = sum(m.latitude * m.postcodes for m in members) / weight
    longitude = sum(m.longitude * m.postcodes for m in members) / weight
    district = max({m.district for m in members}, key=lambda name: sum(m.postcodes for m in members if m.district == name))
    return Place(_district_label(code, district), round(latitude, 5), round(longitude, 5), f"o{code}", district)


def _district_label(code: str, district: str) -> str:
    return f"{code} ({district})" if district else code


def postcode_place(text: str) -> Place | None:
    """A typed full postcode or district as a place (None if it isn't one we know)."""
    code = normalise_postcode(text)
    full = _FULL_POSTCODE.match(code)
    if full is not None:
        place = _district_place(full.group(1))
        if place is not None:
            return Place(f"{full.group(1)} {full.group(2)} ({place.district})", place.latitude, place.longitude, place.key, place.district)
        return None
    if _DISTRICT.match(code):
        return _district_place(code)
    return None


def looks_like_postcode(text: str) -> bool:
    code = normalise_postcode(text)
    return bool(_FULL_POSTCODE.match(code) or _DISTRICT.match(code))


def _postcode_suggestions(code: str) -> tuple[Place, ...]:
    outward = _FULL_POSTCODE.match(code)
    code = outward.group(1) if outward else code
    known = list(_gazetteer().districts)
    close = difflib.get_close_matches(code, known, n=6, cutoff=0.6)
    letters = code.rstrip("0123456789")
    close = sorted(close, key=lambda c: not c.startswith(letters))[:4]  # stable: keeps difflib's order
    return tuple(p for p in (_district_place(c) for c in close) if p is not None)


# --- towns ---------------------------------------------------------------------------------


def _town(index: int, *, qualified: bool) -> Place:
    """"Brixton (Lambeth)"; the authority is left out when it repeats the name ("Leeds"),
    and replaced by the nation when it would ("Newport (Wales)") or is a bare code."""
    name, latitude, longitude, _population, district, country = _gazetteer().towns[index]
    informative = bool(district) and not district.isupper() and _normalise_name(name) not in _normalise_name(district)
    label = name
    if informative:
        label = f"{name} ({district})"
    elif qualified:
        label = f"{name} ({country})"
    return Place(label, latitude, longitude, f"t{index}", district)


def _town_lookup(text: str) -> Lookup | None:
    g = _gazetteer()
    name, _, qualifier = text.partition(",")
    indexes = g.by_name.get(_normalise_name(name), [])
    if qualifier.strip() and len(indexes) > 1:
        wanted = _normalise_name(qualifier)
        narrowed = [i for i in indexes if wanted in _normalise_name(f"{g.towns[i][4]} {g.towns[i][5]}")]
        indexes = narrowed or indexes
    if len(indexes) == 1:
        return Lookup(place=_town(indexes[0], qualified=False))
    if indexes:
        return Lookup(choices=tuple(_town(i, qualified=True) for i in indexes[:MAX_CHOICES]))
    return None


def _town_suggestions(text: str) -> tuple[Place, ...]:
    g = _gazetteer()
    close = difflib.get_close_matches(_normalise_name(text.partition(",")[0]), list(g.by_name), n=4, cutoff=0.75)
    return tuple(_town(g.by_name[name][0], qualified=len(g.by_name[name]) > 1) for name in close)


# --- the one entry point -------------------------------------------------------------------


def resolve(text: str) -> Lookup:
    """What a typed place means. Postcodes first (they are unambiguous), then towns."""
    text = " ".join(text.split())[:80]
    code = normalise_postcode(text)
    if looks_like_postcode(text):
        place = postcode_place(text)
        if place is not None:
            return Lookup(place=place, is_postcode=True)
        return Lookup(suggestions=_postcode_suggestions(code), is_postcode=True)
    town = _town_lookup(text)
    if town is not None:
        return town
    if _AREA.match(code):  # a postcode area such as "LS": offer a few of its districts
        districts = sorted((d for d in _gazetteer().districts if re.fullmatch(re.escape(code) + r"[0-9]+", d)), key=_district_order)
        places = tuple(p for p in (_district_place(d) for d in districts[:4]) if p is not None)
        if places:
            return Lookup(suggestions=places, is_postcode=True)
    return Lookup(suggestions=_town_suggestions(text))


def _district_order(code: str) -> tuple[str, int]:
    letters = code.rstrip("0123456789")
    return letters, int(code[len(letters) :] or 0)


def by_key(key: str) -> Place | None:
    """The place behind a button (`oLS6`, `t1234`); None for anything forged or stale."""
    if key.startswith("o") and _DISTRICT.match(key[1:]):
        return _district_place(key[1:])
    if key.startswith("t") and is_digits(key[1:]):
        index = int(key[1:])
        if 0 <= index < len(_gazetteer().towns):
            return _town(index, qualified=True)
    return None
