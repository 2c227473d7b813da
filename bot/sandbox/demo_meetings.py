"""Fictional meetings for the sandbox, so /meetings has something to find on a fresh database.

There is no UK meeting list we may ship (bot/data/SOURCES.md), so a newcomer who shares a
place from the picker would otherwise see "no meetings near you". These are invented: every
name starts with "Demo:", every venue says "(demo venue)", every note says it is not a real
meeting, and online links go to example.org. They sit around the picker's towns (two or
three each) and a dozen prisons (two daily ones within a few km, so the release-day flow has
a first meeting "later today"), spread over the week at morning, lunchtime and evening times.

They are built as a Meeting Guide feed and imported under the source `sandbox-demo` by the
meetings feature's own importer, so they pass the same validation as a real feed. Built from
a fixed seed: the same meetings every time. Imported once, when that source does not exist
yet, so restarting the sandbox never duplicates or changes them. `fellowship run` never
calls this; `fellowship sandbox --no-demo-meetings` skips it.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from bot.db import Database
from bot.models import MeetingSource
from bot.sandbox.places import Place, all_places
from bot.services.meetings import feeds as meeting_feeds

SOURCE = "sandbox-demo"
SEED = 20261124
NOTE = "Demo listing for the sandbox — not a real meeting."
LINK_NOTE = "Demo link: it doesn't lead to a meeting."
URL = "https://example.org/demo-meeting-{slug}"
ZONE = "Europe/London"

# The picker's biggest cities get a third meeting.
BIG_TOWNS = (
    "London (Charing Cross)", "Birmingham", "Manchester", "Leeds", "Liverpool", "Glasgow", "Bristol",
    "Newcastle upon Tyne",
)  # fmt: skip
# Prisons (picker names) with two daily meetings close by, for release day.
PRISONS = (
    "Leeds (HMP)", "Wandsworth (HMP & YOI)", "Pentonville (HMP & YOI)", "Manchester (HMP & YOI)",
    "Birmingham (HMP)", "Liverpool (HMP)", "Bristol (HMP & YOI)", "Cardiff (HMP & YOI)", "Durham (HMP & YOI)",
    "Nottingham (HMP & YOI)", "Exeter (HMP & YOI)", "Lewes (HMP & YOI)",
)  # fmt: skip

DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")  # spec: 0 = Sunday
WEEKDAYS = [1, 2, 3, 4, 5]
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]
MORNING = ("07:00", "07:30", "10:00", "10:30", "11:00")
LUNCHTIME = ("12:00", "12:30", "13:00")
EVENING = ("18:00", "18:30", "19:00", "19:30", "20:00")
FELLOWSHIPS = (("AA", 45), ("NA", 25), ("CA", 15), ("CMA", 15))
# (Meeting Guide code, what the name says); "" is a mixed meeting. Never "UK": that is Ukrainian.
AUDIENCES = (("", 62), ("BE", 12), ("W", 10), ("LGBTQ", 7), ("M", 6), ("Y", 3))
AUDIENCE_WORDS = {"BE": "Newcomers'", "W": "Women's", "M": "Men's", "LGBTQ": "LGBTQ+", "Y": "Young People's"}
FORMATS = {
    "AA": ("D", "D", "SP", "ST", "B", "LIT"),
    "NA": ("D", "D", "SP", "ST", "LIT"),
    "CA": ("D", "D", "SP", "ST"),
    "CMA": ("D", "SP", "ST", "LIT"),
}
FORMAT_WORDS = {"D": "Group", "SP": "Speaker Meeting", "ST": "Step Meeting", "B": "Big Book Study", "LIT": "Literature Meeting"}
VENUES = (
    "Community Centre", "Church Hall", "Library Meeting Room", "Friends Meeting House", "Recovery Café",
    "Health Centre, Room 2", "Scout Hut", "Village Hall",
)  # fmt: skip
STREETS = ("Example Street", "Sample Road", "Placeholder Lane", "Demo Avenue", "Fictional Way", "Pretend Place")
# Online-only meetings: (name, fellowship, days, start, minutes, types).
ONLINE = (
    ("Demo: Online Early Risers", "AA", EVERY_DAY, "07:00", 60, ["O", "D"]),
    ("Demo: Online Lunchtime Just for Today", "NA", WEEKDAYS, "12:30", 60, ["O", "LIT"]),
    ("Demo: Online Newcomers' Monday Night", "AA", [1], "19:30", 60, ["O", "BE"]),
    ("Demo: Online Women's Wednesday Evening", "CA", [3], "18:30", 60, ["C", "W"]),
    ("Demo: Online LGBTQ+ Thursday Night", "NA", [4], "20:00", 90, ["C", "LGBTQ", "D"]),
    ("Demo: Online Sunday Morning Step Meeting", "CMA", [0], "10:00", 60, ["C", "ST"]),
    ("Demo: Online Saturday Speaker Meeting", "AA", [6], "19:00", 90, ["O", "SP"]),
    ("Demo: Online Friday Night Young People", "CA", [5], "20:00", 60, ["O", "Y"]),
)


def _short(name: str) -> str:
    """"London (Charing Cross)" -> "London"; "Wandsworth (HMP & YOI)" -> "Wandsworth"."""
    return name.split(" (")[0].strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _part_of_day(start: str) -> str:
    if start < "09:00":
        return "Early Morning"
    if start < "12:00":
        return "Morning"
    if start < "14:00":
        return "Lunchtime"
    return "Evening" if start < "19:30" else "Night"


def _end(start: str, minutes: int) -> str:
    hours, mins = (int(p) for p in start.split(":"))
    total = hours * 60 + mins + minutes
    return f"{total // 60 % 24:02d}:{total % 60:02d}"


def _near(rng: random.Random, place: Place, low_km: float, high_km: float) -> tuple[float, float]:
    """A point `low_km`..`high_km` from the place, in a random direction."""
    distance, bearing = rng.uniform(low_km, high_km), rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(bearing) / 111.2
    dlon = distance * math.sin(bearing) / (111.2 * math.cos(math.radians(place.latitude)))
    return round(place.latitude + dlat, 5), round(place.longitude + dlon, 5)


class _Districts:
    """The nearest postcode district to a point, for a plausible postcode and area."""

    def __init__(self, places: list[Place]) -> None:
        self.places = places

    def nearest(self, latitude: float, longitude: float) -> Place | None:
        scale = math.cos(math.radians(latitude)) ** 2
        return min(
            self.places,
            key=lambda p: (p.latitude - latitude) ** 2 + scale * (p.longitude - longitude) ** 2,
            default=None,
        )


def _types(rng: random.Random, fellowship: str, *, welcoming: bool = False) -> list[str]:
    """Open or closed, maybe an audience, a format, maybe wheelchair access. `welcoming`:
    open to anyone, for someone on their first day out of prison."""
    types = ["O" if welcoming or rng.random() < 0.55 else "C"]
    audience = rng.choice(("", "BE")) if welcoming else _weighted(rng, AUDIENCES)
    if audience:
        types.append(audience)
    types.append(rng.choice(FORMATS[fellowship]))
    if rng.random() < 0.45:
        types.append("X")
    return types


def _name(area: str, days: list[int], start: str, types: list[str]) -> str:
    when = "Daily" if days == EVERY_DAY else "Weekday" if days == WEEKDAYS else DAY_NAMES[days[0]]
    audience = next((AUDIENCE_WORDS[t] for t in types if t in AUDIENCE_WORDS), "")
    kind = next((FORMAT_WORDS[t] for t in types if t in FORMAT_WORDS), "Group")
    return " ".join(part for part in ("Demo:", area, audience, when, _part_of_day(start), kind) if part)


def _in_person(
    rng: random.Random,
    districts: _Districts,
    number: int,
    area: str,
    point: tuple[float, float],
    *,
    days: list[int],
    start: str,
    hybrid: bool = False,
    welcoming: bool = False,
) -> dict[str, Any]:
    latitude, longitude = point
    fellowship = _weighted(rng, FELLOWSHIPS)
    types = _types(rng, fellowship, welcoming=welcoming)
    slug = f"demo-{number:03d}-{_slug(area)}"
    district = districts.nearest(latitude, longitude)
    region, _, country = (district.detail if district else "").rpartition(", ")
    entry: dict[str, Any] = {
        "slug": slug,
        "name": _name(area, days, start, types),
        "fellowship": fellowship,
        "day": days[0] if len(days) == 1 else days,
        "time": start,
        "end_time": _end(start, 60 if start < "09:00" or rng.random() < 0.6 else 90),
        "timezone": ZONE,
        "types": types,
        "location": f"{rng.choice(VENUES)} (demo venue)",
        "address": f"{rng.randint(1, 199)} {rng.choice(STREETS)}",
        "city": area,
        "region": region or None,
        "postal_code": district.name if district else None,
        "country": country or None,
        "latitude": latitude,
        "longitude": longitude,
        "notes": NOTE,
        "attendance_option": "hybrid" if hybrid else "in_person",
    }
    if hybrid:
        entry["conference_url"] = URL.format(slug=slug.removeprefix("demo-"))
        entry["conference_url_notes"] = LINK_NOTE
    return entry


def _start(rng: random.Random) -> str:
    slot = rng.choices((MORNING, LUNCHTIME, EVENING), weights=(25, 25, 50))[0]
    return rng.choice(slot)


def build_feed() -> list[dict[str, Any]]:
    """About 150 fictional meetings as Meeting Guide feed entries, the same every time."""
    rng = random.Random(SEED)
    every = all_places()
    districts = _Districts([p for p in every if p.kind == "postcode"])
    towns = [p for p in every if p.kind == "town"]
    prisons = {p.name: p for p in every if p.kind == "prison"}
    entries: list[dict[str, Any]] = []

    for town in towns:
        count = 3 if town.name in BIG_TOWNS else 2
        for day in sorted(rng.sample(range(7), count)):
            start = _start(rng)
            days = WEEKDAYS if start in LUNCHTIME and rng.random() < 0.2 else [day]
            point = _near(rng, town, 0.2, 3.0)
            hybrid = len(entries) % 10 == 4
            number = len(entries) + 1
            entries.append(_in_person(rng, districts, number, _short(town.name), point, days=days, start=start, hybrid=hybrid))

    for name in PRISONS:
        prison = prisons.get(name)
        if prison is None:  # the register is missing from this install
            continue
        for start in (rng.choice(LUNCHTIME), rng.choice(EVENING)):
            point = _near(rng, prison, 0.5, 3.0)
            number = len(entries) + 1
            entries.append(_in_person(rng, districts, number, _short(prison.name), point, days=EVERY_DAY, start=start, welcoming=True))

    for name, fellowship, days, start, minutes, types in ONLINE:
        slug = f"demo-{len(entries) + 1:03d}-{_slug(name.removeprefix('Demo: '))}"
        entries.append(
            {
                "slug": slug,
                "name": name,
                "fellowship": fellowship,
                "day": days[0] if len(days) == 1 else days,
                "time": start,
                "end_time": _end(start, minutes),
                "timezone": ZONE,
                "types": types,
                "conference_url": URL.format(slug=slug.removeprefix("demo-")),
                "conference_url_notes": LINK_NOTE,
                "notes": NOTE,
                "attendance_option": "online",
            }
        )
    return entries


async def seed(db: Database, *, now: datetime, default_zone: str = ZONE) -> int:
    """Import the demo meetings unless the sandbox has had them before; how many were added.

    Once the `sandbox-demo` source exists nothing is touched again, so a restart neither
    duplicates them nor undoes what people did with them (follows, reminders, "I went")."""
    async with db.session() as session:
        known = (await session.execute(select(MeetingSource).where(col(MeetingSource.url) == SOURCE))).scalar_one_or_none()
        if known is not None:
            return 0
        body = meeting_feeds.feed_bytes(await asyncio.to_thread(build_feed))
        parsed = meeting_feeds.parse(body, fellowship=None, default_zone=default_zone, source="the sandbox's demo meetings")
        source = await meeting_feeds.source_row(session, SOURCE, now=now)
        result = await meeting_feeds.import_parsed(session, source, parsed, now=now)
    return result.added
