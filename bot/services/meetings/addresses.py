"""Splitting a one-line address ("18 Olive Ave, Rehoboth Beach, DE 19971, USA") into the
Meeting Guide's fields: street `address`, `city`, `state`, `postal_code` and `country`.

Feeds often send the whole address in `formatted_address` (or in `address`), and
secretaries type it on one line; apps reading our export expect the parts. Only what is
recognised with confidence is split off (a known country, a UK, Canadian or US postcode, a
US state or Canadian province); anything unclear stays in the street address, so nothing
is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COUNTRIES = {
    name: name.upper() if len(name) <= 3 else name.title()
    for name in (
        "usa", "us", "united states", "united states of america", "canada", "uk", "united kingdom", "england",
        "scotland", "wales", "northern ireland", "ireland", "australia", "new zealand",
    )
}  # fmt: skip
_COUNTRIES["usa"] = _COUNTRIES["us"] = "USA"
_COUNTRIES["united states of america"] = "United States"

_US_STATES = set(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR".split()
)
_PROVINCES = {
    p.lower()
    for p in (
        "Alberta", "British Columbia", "Manitoba", "New Brunswick", "Newfoundland and Labrador", "Nova Scotia",
        "Ontario", "Prince Edward Island", "Quebec", "Québec", "Saskatchewan", "Northwest Territories", "Nunavut",
        "Yukon", "AB", "BC", "MB", "NB", "NL", "NS", "ON", "PE", "QC", "SK", "NT", "NU", "YT",
    )
}  # fmt: skip

_UK = r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"
_CA = r"[A-Z]\d[A-Z]\s?\d[A-Z]\d"
_POSTCODE = re.compile(rf"^(?P<before>.*?)\s*(?P<code>{_UK}|{_CA})$", re.IGNORECASE)
_STATE_ZIP = re.compile(r"^(?:(?P<state>[A-Za-z]{2})\s+)?(?P<zip>\d{5}(?:-\d{4})?)$")


@dataclass(frozen=True)
class Parts:
    address: str | None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    location: str | None = None  # a building's name written before the street


def split(text: str | None) -> Parts:
    """The parts of a one-line address; an address with nothing to split comes back whole."""
    if not text or "," not in text:
        return Parts(text or None)
    parts = [p.strip() for p in text.split(",") if p.strip()]
    country = _COUNTRIES.get(parts[-1].lower()) if len(parts) > 1 else None
    if country is not None:
        parts.pop()
    state, postal_code = None, None
    if len(parts) > 1:
        state, postal_code, rest = _postal(parts[-1])
        if postal_code is not None:
            parts[-1:] = [rest] if rest else []
    if postal_code is None and country is None:
        return Parts(text)  # nothing recognised: leave it as it was
    if len(parts) > 2 and state is None and _is_state(parts[-1]):
        state = parts.pop()
    city = parts.pop() if len(parts) > 1 else None
    location, street = building_first(", ".join(parts))
    return Parts(street, city, state, postal_code, country, location)


def building_first(address: str | None) -> tuple[str | None, str | None]:
    """("Quaker Meeting House", "188 Woodhouse Lane") from "Quaker Meeting House, 188
    Woodhouse Lane": a first part without a number, followed by one with, names the building."""
    parts = [p.strip() for p in (address or "").split(",") if p.strip()]
    if len(parts) > 1 and not _has_digit(parts[0]) and _has_digit(parts[1]):
        return parts[0], ", ".join(parts[1:])
    return None, address or None


def fields(
    address: str | None, *, location: str | None = None, city: str | None = None, state: str | None = None,
    postal_code: str | None = None, country: str | None = None,
) -> dict[str, str | None]:
    """The Meeting Guide's place fields for an address as stored: given parts are kept, a
    one-line address fills the missing ones (only when neither city nor postcode was given,
    since then the line is the whole address)."""
    parts = split(address) if not (city or postal_code) else Parts(address)
    building, street = building_first(parts.address) if not (location or parts.location) else (None, parts.address)
    return {
        "location": location or parts.location or building,
        "address": street,
        "city": city or parts.city,
        "state": state or parts.state,
        "postal_code": postal_code or parts.postal_code,
        "country": country or parts.country,
    }


def _has_digit(part: str) -> bool:
    return any(c.isdigit() for c in part)


def _postal(part: str) -> tuple[str | None, str | None, str]:
    """(state, postcode, what is left of the part) for "DE 19971", "LS6 2AB", "Leeds LS6 2AB"."""
    us = _STATE_ZIP.match(part)
    if us is not None and (us["state"] is None or us["state"].upper() in _US_STATES):
        return (us["state"].upper() if us["state"] else None), us["zip"], ""
    other = _POSTCODE.match(part)
    if other is not None:
        code = re.sub(r"\s+", "", other["code"].upper())
        return None, f"{code[:-3]} {code[-3:]}", other["before"].strip()
    return None, None, part


def _is_state(part: str) -> bool:
    return part.lower() in _PROVINCES or part in _US_STATES


def normalise_phone(phone: str | None) -> str | None:
    """A dial-in number as the spec asks: digits, a leading + for international dialling,
    and , * # for one-tap links; spaces, dashes, dots and brackets are dropped."""
    if not phone:
        return None
    cleaned = re.sub(r"[\s().-]", "", re.sub(r"^(\+\d{1,3})\s*\(0\)", r"\1", phone.strip()))  # +44 (0)20 -> +4420
    return cleaned if re.fullmatch(r"\+?\d[\d,*#]*", cleaned) else None
