"""Offline geography: the time zone at a point (timezonefinder, ODbL data)."""

from __future__ import annotations

from functools import lru_cache

from timezonefinder import TimezoneFinder


@lru_cache(maxsize=1)
def _finder() -> TimezoneFinder:
    return TimezoneFinder()


def valid_coordinates(latitude: float, longitude: float) -> bool:
    return -90 <= latitude <= 90 and -180 <= longitude <= 180


def timezone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone for a place, or None at sea (`Etc/GMT…` is no help to a person)."""
    if not valid_coordinates(latitude, longitude):
        return None
    name = _finder().timezone_at(lat=latitude, lng=longitude)
    if not name or name.startswith("Etc/"):
        return None
    return name
