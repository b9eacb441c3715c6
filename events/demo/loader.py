"""Upsert the demo programme through ``events.services``. Idempotent.

Every object has a natural key (city and event slug, the unordered city pair, contact email,
username). A second run finds each object, compares it with the programme and writes only
what differs, so it changes nothing -- not even ``updated_at`` or an event's SEQUENCE, which
feeds and calendar clients read. Whatever differs is put back to the programme's values.
The whole load is one transaction: it is stored completely or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from events import services
from events.demo import gazetteer, logins
from events.demo.programme import (
    CITIES,
    CONTACTS,
    EVENTS,
    OCCURRENCE_CHANGES,
    PARTNERSHIPS,
    RUSSIAN_NAMES,
    CitySpec,
    EventSpec,
)
from events.models import (
    City,
    Contact,
    Event,
    OccurrenceChange,
    Participation,
    Partnership,
)
from events.recurrence import recurrence_key


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    def count(self, kind: str, outcome: str) -> None:
        getattr(self, outcome)[kind] += 1

    def lines(self) -> list[str]:
        kinds = ["city", "partnership", "event", "occurrence change", "contact", "user"]
        return [
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged"
            for kind in kinds
            if self.created[kind] or self.updated[kind] or self.unchanged[kind]
        ]


def load_programme(
    *, with_user: bool = True, progress: Callable[[str, int, int], None] | None = None
) -> LoadReport:
    """Create or update the whole demo programme in one transaction. Idempotent.
    ``progress(stage, done, total)`` hears of each event loaded."""
    report = LoadReport()
    with transaction.atomic():
        cities = _load_cities(report)
        partnerships = _load_partnerships(cities, report)
        _load_events(cities, partnerships, report, progress)
        _load_occurrence_changes(report)
        _load_contacts(cities, report)
        if with_user:
            logins.ensure_demo_coordinator(report)
            logins.ensure_demo_teams(report)
    return report


# --- Cities ------------------------------------------------------------------------------------


def _city_values(spec: CitySpec, place: gazetteer.Place | None) -> dict[str, Any]:
    return {
        "kind": spec.kind,
        "country": spec.country,
        "region": spec.region,
        "name_en": spec.name_en,
        "name_native": spec.name_native,
        "name_ru": RUSSIAN_NAMES.get(spec.slug, ""),
        "timezone": spec.timezone,
        "latitude": place.latitude if place else None,
        "longitude": place.longitude if place else None,
    }


def cross_check(spec: CitySpec, place: gazetteer.Place, us_states: dict[str, str]) -> list[str]:
    """Disagreements between the typed geography and the gazetteer (empty when all agree)."""
    problems = []
    if place.timezone != spec.timezone:
        problems.append(f"zone {spec.timezone} but the gazetteer says {place.timezone}")
    if place.country != spec.country:
        problems.append(f"country {spec.country} but the gazetteer says {place.country}")
    if spec.country == "US" and us_states.get(spec.region) != place.admin1:
        problems.append(f"state {spec.region!r} but the gazetteer says {place.admin1}")
    return problems


def _load_cities(report: LoadReport) -> dict[str, City]:
    existing = {city.slug: city for city in City.objects.filter(slug__in=[s.slug for s in CITIES])}
    # Coordinates come from the gazetteer when a city is new or has none; a city that has them
    # keeps them, so re-runs (every start of the demo) need not parse the big data set.
    need_places = [
        spec.geonameid
        for spec in CITIES
        if spec.geonameid is not None
        and (spec.slug not in existing or existing[spec.slug].latitude is None)
    ]
    places = gazetteer.lookup(need_places) if need_places else {}
    us_states = gazetteer.us_state_codes() if places else {}
    result: dict[str, City] = {}
    for spec in CITIES:
        city = existing.get(spec.slug)
        place = places.get(spec.geonameid) if spec.geonameid is not None else None
        if place is not None:
            report.warnings.extend(
                f"{spec.name_en}: {problem}" for problem in cross_check(spec, place, us_states)
            )
        elif spec.geonameid is not None and spec.geonameid in need_places:
            report.warnings.append(
                f"{spec.name_en}: GeoNames id {spec.geonameid} is not in the gazetteer; "
                "stored without coordinates."
            )
        values = _city_values(spec, place)
        if city is None:
            result[spec.slug] = services.create_city(slug=spec.slug, **values)
            report.count("city", "created")
            continue
        if place is None and city.latitude is not None:
            values["latitude"], values["longitude"] = city.latitude, city.longitude
        if _differs(city, values):
            city = services.update_city(city=city, **values)
            report.count("city", "updated")
        else:
            report.count("city", "unchanged")
        result[spec.slug] = city
    return result


def _differs(instance: Any, values: dict[str, Any]) -> bool:
    for name, wanted in values.items():
        current = getattr(instance, name)
        if isinstance(wanted, Decimal) and current is not None:
            current = Decimal(current).quantize(Decimal("0.00001"))
            wanted = wanted.quantize(Decimal("0.00001"))
        if current != wanted:
            return True
    return False


# --- Partnerships ------------------------------------------------------------------------------


def _pair_key(a: City, b: City) -> tuple[int, int]:
    return (a.pk, b.pk) if a.pk < b.pk else (b.pk, a.pk)


def _load_partnerships(
    cities: dict[str, City], report: LoadReport
) -> dict[frozenset[str], Partnership]:
    result: dict[frozenset[str], Partnership] = {}
    for spec in PARTNERSHIPS:
        a, b = cities[spec.city_a], cities[spec.city_b]
        low, high = _pair_key(a, b)
        values: dict[str, Any] = {
            "established_on": spec.established_on,
            "established_precision": spec.established_precision,
            # The document's one pair of regions (Leningrad Region and Maryland) are sister
            # regions; every other pair it lists is a pair of sister cities.
            "relationship": (
                Partnership.Relationship.SISTER_REGION
                if a.kind == b.kind == City.Kind.REGION
                else Partnership.Relationship.SISTER_CITY
            ),
            "notes": spec.notes,
        }
        partnership = Partnership.objects.filter(city_a_id=low, city_b_id=high).first()
        if partnership is None:
            partnership = services.create_partnership(city_a_id=a.pk, city_b_id=b.pk, **values)
            report.count("partnership", "created")
        elif _differs(partnership, values):
            partnership = services.update_partnership(partnership=partnership, **values)
            report.count("partnership", "updated")
        else:
            report.count("partnership", "unchanged")
        result[frozenset((spec.city_a, spec.city_b))] = partnership
    return result


# --- Events ------------------------------------------------------------------------------------


def _event_values(
    spec: EventSpec, partnerships: dict[frozenset[str], Partnership]
) -> dict[str, Any]:
    return {
        "title_en": spec.title_en,
        "title_ru": spec.title_ru,
        "description_en": spec.description_en,
        "description_ru": spec.description_ru,
        "kind": spec.kind,
        "status": spec.status,
        "visibility": spec.visibility,
        "time_mode": spec.time_mode,
        "timezone": spec.timezone,
        "precision": spec.precision,
        "start": spec.start.astimezone(dt.UTC) if spec.start else None,
        "end": spec.end.astimezone(dt.UTC) if spec.end else None,
        "start_date": spec.start_date,
        "end_date": spec.end_date,
        "approx_year": spec.approx_year,
        "approx_month": spec.approx_month,
        "location": spec.location,
        "online_url": "",
        "partnership": partnerships[frozenset(spec.partnership)] if spec.partnership else None,
        "rrule": spec.rrule,
        "exdates": list(spec.exdates),
    }


def _participations(spec: EventSpec, cities: dict[str, City]) -> list[services.ParticipationInput]:
    return [
        services.ParticipationInput(city_id=cities[p.city].pk, role=p.role, venue=p.venue)
        for p in spec.participations
    ]


def _participation_keys(wanted: Iterable[services.ParticipationInput]) -> set[tuple[int, str, str]]:
    return {(p.city_id, p.role, p.venue) for p in wanted}


def _load_events(
    cities: dict[str, City],
    partnerships: dict[frozenset[str], Partnership],
    report: LoadReport,
    progress: Callable[[str, int, int], None] | None = None,
) -> None:
    existing = {
        event.slug: event for event in Event.objects.filter(slug__in=[s.slug for s in EVENTS])
    }
    current: dict[int, set[tuple[int, str, str]]] = {event.pk: set() for event in existing.values()}
    for row in Participation.objects.filter(event__in=list(existing.values())).values_list(
        "event_id", "city_id", "role", "venue"
    ):
        current[row[0]].add(row[1:])
    for done, spec in enumerate(EVENTS):
        if progress is not None:
            progress("events", done, len(EVENTS))
        values = _event_values(spec, partnerships)
        participations = _participations(spec, cities)
        event = existing.get(spec.slug)
        if event is None:
            services.create_event(slug=spec.slug, participations=participations, **values)
            report.count("event", "created")
        elif _differs(event, values) or current[event.pk] != _participation_keys(participations):
            services.update_event(event=event, participations=participations, **values)
            report.count("event", "updated")
        else:
            report.count("event", "unchanged")
    if progress is not None:
        progress("events", len(EVENTS), len(EVENTS))


def _load_occurrence_changes(report: LoadReport) -> None:
    for spec in OCCURRENCE_CHANGES:
        event = Event.objects.get(slug=spec.event)
        before = OccurrenceChange.objects.filter(
            event=event, original_start=recurrence_key(event, spec.original_start)
        ).first()
        stamp = (before.pk, before.updated_at) if before else None
        change = services.change_occurrence(
            event=event,
            original_start=spec.original_start,
            cancelled=spec.cancelled,
            start=spec.start,
            end=spec.end,
            note_en=spec.note_en,
            note_ru=spec.note_ru,
        )
        if before is None:
            report.count("occurrence change", "created")
        elif (change.pk, change.updated_at) != stamp:
            report.count("occurrence change", "updated")
        else:
            report.count("occurrence change", "unchanged")


# --- Contacts and the demo coordinator ---------------------------------------------------------


def _load_contacts(cities: dict[str, City], report: LoadReport) -> None:
    for spec in CONTACTS:
        values = {
            "name": spec.name,
            "kind": spec.kind,
            "city": cities[spec.city] if spec.city else None,
            "language": spec.language,
            "timezone": spec.timezone,
            "is_active": True,
        }
        contact = Contact.objects.filter(email=spec.email).first()
        if contact is None:
            contact = Contact(email=spec.email, **values)
            outcome = "created"
        elif _differs(contact, values):
            for name, value in values.items():
                setattr(contact, name, value)
            outcome = "updated"
        else:
            report.count("contact", "unchanged")
            continue
        contact.full_clean()
        contact.save()
        report.count("contact", outcome)
