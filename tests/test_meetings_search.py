"""The meeting search itself: nearest first (checked against a full scan), how far it looks,
what counts as "soon" and "today", time zones and daylight saving, cancelled dates; and the
places people type (postcodes, W1-style districts, towns, typos)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from bot.clock import ManualClock
from bot.db import Database
from bot.models import Meeting, MeetingCancellation
from bot.services import places
from bot.services.meetings import search as meetings
from bot.services.meetings import times as meeting_times
from bot.services.meetings.search import Filters, haversine_km
from bot.services.validation import InvalidInput
from tests.meeting_factory import LS6, add_meeting

TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


async def near(db: Database, point: tuple[float, float], filters: Filters | None = None, **options) -> meetings.Page:  # type: ignore[no-untyped-def]
    filters = filters or Filters()
    options.setdefault("now", TUESDAY_10AM)
    options.setdefault("viewer_zone", "Europe/London")
    async with db.session() as session:
        return await meetings.search_near(session, point[0], point[1], filters, **options)


def names(page: meetings.Page) -> list[str]:
    return [r.meeting.name for r in page.results]


async def test_nearest_first_gives_the_same_answer_as_a_full_scan(db: Database) -> None:
    rng = random.Random(7)
    rows = []
    for n in range(600):  # clustered like real meetings: around a few towns, and some rural
        town = rng.choice([(53.80, -1.55), (51.51, -0.13), (55.86, -4.25), (rng.uniform(50.5, 57.5), rng.uniform(-4.5, 1.0))])
        rows.append(
            {
                "slug": f"m{n}", "name": f"m{n}", "days": 127, "start_time": "19:00", "timezone": "Europe/London",
                "latitude": town[0] + rng.gauss(0, 0.15), "longitude": town[1] + rng.gauss(0, 0.25),
                "attendance": rng.choice(["in_person", "in_person", "hybrid", "online"]), "status": "active",
                "fellowship": "AA", "types": "", "approximate": False, "created_at": TUESDAY_10AM, "updated_at": TUESDAY_10AM,
            }
        )
    async with db.session() as session:
        await session.execute(insert(Meeting), rows)
    walkable = [r for r in rows if r["attendance"] != "online"]
    for _ in range(25):
        point = (rng.uniform(50.5, 57.5), rng.uniform(-4.5, 1.0))
        found = await near(db, point, page_size=10)
        distances = sorted(
            (haversine_km(*point, r["latitude"], r["longitude"]), r["name"]) for r in walkable  # type: ignore[arg-type]
        )
        expected = [name for d, name in distances if d <= meetings.MAX_RADIUS_KM][:10]
        assert names(found) == expected
        assert [round(r.distance_km or 0, 6) for r in found.results] == sorted(round(r.distance_km or 0, 6) for r in found.results)


async def test_the_search_widens_to_eighty_kilometres_and_no_further(db: Database) -> None:
    await add_meeting(db, "60 km north", at=(LS6[0] + 60 / 111.2, LS6[1]))
    await add_meeting(db, "90 km south", at=(LS6[0] - 90 / 111.2, LS6[1]))
    found = await near(db, LS6)
    assert names(found) == ["60 km north"]
    assert found.results[0].distance_km == pytest.approx(60, abs=0.2)
    assert found.radius_km == meetings.MAX_RADIUS_KM


async def test_drafts_paused_listings_and_online_only_meetings_are_not_near_anywhere(db: Database) -> None:
    await add_meeting(db, "Draft", at=LS6, status="draft")
    await add_meeting(db, "Paused", at=LS6, status="paused")
    await add_meeting(db, "Online", at=LS6, attendance="online", link="https://x.example/j")
    await add_meeting(db, "Hybrid", at=LS6, attendance="hybrid", link="https://x.example/k")
    assert names(await near(db, LS6)) == ["Hybrid"]
    async with db.session() as session:
        online = await meetings.search_online(session, Filters(online=True), now=TUESDAY_10AM, viewer_zone="Europe/London")
    assert sorted(names(online)) == ["Hybrid", "Online"]


async def test_soon_means_the_next_three_hours_and_a_meeting_just_begun_still_counts(db: Database) -> None:
    await add_meeting(db, "Started 5 minutes ago", at=LS6, time="09:55")
    await add_meeting(db, "In two hours", at=LS6, time="12:00")
    await add_meeting(db, "In four hours", at=LS6, time="14:00")
    await add_meeting(db, "Started an hour ago", at=LS6, time="09:00")
    assert names(await near(db, LS6, Filters(when="s"))) == ["Started 5 minutes ago", "In two hours"]
    assert len(names(await near(db, LS6, Filters(when="t")))) == 3


async def test_times_are_shown_in_the_members_zone_through_daylight_saving(db: Database) -> None:
    await add_meeting(db, "London evening", at=LS6, days="Tuesday", time="19:30")
    summer = datetime(2026, 7, 7, 9, 0, tzinfo=UTC)  # a Tuesday in BST
    found = await near(db, LS6, now=summer)
    assert found.results[0].shown is not None
    assert found.results[0].shown.start == datetime(2026, 7, 7, 18, 30, tzinfo=UTC)
    winter = (await near(db, LS6)).results[0].shown
    assert winter is not None and winter.start == datetime(2026, 11, 24, 19, 30, tzinfo=UTC)
    assert meeting_times.when_label(winter.start, "America/New_York", TUESDAY_10AM) == "today 14:30"
    assert meeting_times.when_label(winter.start, "Asia/Tokyo", TUESDAY_10AM) == "tomorrow 04:30"
    assert meeting_times.when_label(winter.start + timedelta(days=1), "Asia/Tokyo", TUESDAY_10AM) == "Thu 04:30"


async def test_a_start_time_skipped_when_the_clocks_go_forward_moves_to_after_the_gap(db: Database) -> None:
    meeting = await add_meeting(db, "Night owls", at=LS6, days="Sunday", time="01:30")
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # London springs forward at 01:00 UTC on the 29th
    occurrence = meeting_times.next_occurrence(meeting, saturday)
    assert occurrence is not None and occurrence.start == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 02:00 BST


async def test_a_cancelled_date_is_flagged_with_the_next_one_that_is_on(db: Database) -> None:
    meeting = await add_meeting(db, "Tuesday group", at=LS6, days="Tuesday", time="19:30")
    async with db.session() as session:
        session.add(MeetingCancellation(meeting_id=meeting.id, on_date=date(2026, 11, 24), created_at=TUESDAY_10AM))
    result = (await near(db, LS6)).results[0]
    assert result.shown is not None and result.shown.cancelled and result.shown.local_date == date(2026, 11, 24)
    assert result.following is not None and result.following.local_date == date(2026, 12, 1)
    assert names(await near(db, LS6, Filters(when="t"))) == []
    tuesdays = (await near(db, LS6, Filters(when="2"))).results  # "Tuesday" skips to the next one that's on
    assert tuesdays[0].shown is not None and tuesdays[0].shown.local_date == date(2026, 12, 1)


async def test_filters_come_from_buttons_and_are_validated() -> None:
    known = {"O", "W", "12x12"}
    assert Filters.decode("t.p.NA.W", known) == Filters(when="t", fellowship="NA", type_code="W")
    assert Filters.decode(Filters(when="3", online=True, type_code="12x12").encode(), known) == Filters("3", True, "", "12x12")
    for forged in ("x.p.-.-", "t.q.-.-", "t.p.XX.-", "t.p.-.ZZZ", "t.p.-", "7.p.-.-", ""):
        assert Filters.decode(forged, known) is None


async def test_meetings_attended_since_counts_for_ninety_in_ninety(db: Database, clock: ManualClock) -> None:
    from bot.models import MeetingAttendance, Person

    async with db.session() as session:
        person = Person(telegram_hash="h", chat_id_enc="x", consented_at=TUESDAY_10AM, created_at=TUESDAY_10AM)
        session.add(person)
        await session.flush()
        for days_ago in (1, 30, 89, 91):
            when = TUESDAY_10AM - timedelta(days=days_ago)
            session.add(MeetingAttendance(person_id=person.id, attended_on=when.date(), attended_at=when, created_at=when))
    async with db.session() as session:
        assert await meetings.meetings_attended_since(session, person.id, TUESDAY_10AM - timedelta(days=90)) == 3  # type: ignore[arg-type]


# --- places --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "label", "point"),
    [
        ("LS6", "LS6 (Leeds)", (53.82009, -1.57087)),
        ("ls6 2ab", "LS6 2AB (Leeds)", (53.82009, -1.57087)),
        ("SW1A 1AA", "SW1A 1AA (City of Westminster)", (51.50452, -0.13225)),
        ("W1", "W1 (City of Westminster)", (51.5156, -0.14455)),  # no such district: W1A … W1W
        ("ec1", "EC1 (Islington)", (51.52396, -0.10318)),
        ("BT1", "BT1 (Belfast)", (54.59941, -5.92838)),
        ("Leeds", "Leeds", (53.79648, -1.54785)),
        ("saint albans", "St Albans", (51.75, -0.33333)),
        ("Stoke on Trent", "Stoke-on-Trent", (53.00415, -2.18538)),
        ("Hammersmith", "Hammersmith", (51.49384, -0.22882)),
    ],
)
def test_postcodes_districts_and_towns_are_found_offline(typed: str, label: str, point: tuple[float, float]) -> None:
    lookup = places.resolve(typed)
    assert lookup.place is not None
    assert (lookup.place.label, lookup.place.latitude, lookup.place.longitude) == (label, *point)
    assert places.by_key(lookup.place.key) is not None


def test_places_sharing_a_name_are_offered_as_choices_and_a_qualifier_narrows_them() -> None:
    assert [p.label for p in places.resolve("Brixton").choices] == ["Brixton (Lambeth)", "Brixton (South Hams)"]
    assert places.resolve("Newport").choices[0].label == "Newport (Wales)"
    assert [p.label for p in places.resolve("Newport, Pembrokeshire").choices] == ["Newport (Pembrokeshire)"] or (
        places.resolve("Newport, Pembrokeshire").place is not None
    )


def test_unknown_places_get_close_matches() -> None:
    assert places.resolve("Manchster").suggestions[0].label == "Manchester"
    assert [p.label for p in places.resolve("LS66").suggestions][:3] == ["LS6 (Leeds)", "LS26 (Leeds)", "LS16 (Leeds)"]
    assert [p.label for p in places.resolve("LS").suggestions] == ["LS1 (Leeds)", "LS2 (Leeds)", "LS3 (Leeds)", "LS4 (Leeds)"]
    nowhere = places.resolve("Xyzzyplugh")
    assert (nowhere.place, nowhere.choices, nowhere.suggestions) == (None, (), ())
    assert places.by_key("t999999") is None and places.by_key("oNOPE") is None and places.by_key("zz") is None


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("Tuesday", [2]),
        ("tues", [2]),
        ("Mon, Wed & Fri", [1, 3, 5]),
        ("mon-fri", [1, 2, 3, 4, 5]),
        ("weekends", [0, 6]),
        ("every day", [0, 1, 2, 3, 4, 5, 6]),
        ("Saturdays and Sundays", [0, 6]),
        ("fri to mon", [0, 1, 5, 6]),
    ],
)
def test_days_are_read_the_way_people_write_them(typed: str, days: list[int]) -> None:
    assert meeting_times.days_of(meeting_times.parse_days(typed)) == days


@pytest.mark.parametrize("typed", ["", "someday", "tuba", "mon-xyz", "7"])
def test_days_that_cant_be_read_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput):
        meeting_times.parse_days(typed)
