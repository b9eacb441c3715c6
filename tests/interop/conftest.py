"""The interop suite's fixture: a programme that exercises every hard case at once.

The feed tests' ALSIB ceremony and local-mode Victory Day (across the date line, 2031 moved,
2032 cancelled) are shared with tests/feeds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from events import services
from events.models import City, Event, Partnership
from tests.factories import CityFactory, PartnershipFactory
from tests.feeds.conftest import ceremony, victory_day

__all__ = ["ceremony", "victory_day"]


@pytest.fixture
def weekly_call(egvekinot, fairbanks):
    """A weekly instant-mode call in Anchorage's zone across the March 2027 DST change."""
    return services.create_event(
        title_en="Weekly call, Chukotka – Alaska",
        title_ru="Еженедельный созвон; Чукотка, Аляска \\ 🎉",
        kind=Event.Kind.ONLINE_MEETING,
        status=Event.Status.CONFIRMED,
        timezone="America/Anchorage",
        start=dt.datetime(2027, 3, 1, 9, 0),
        end=dt.datetime(2027, 3, 1, 10, 0),
        rrule="FREQ=WEEKLY;COUNT=12",
        participations=[
            services.ParticipationInput(city_id=egvekinot.pk, role="host"),
            services.ParticipationInput(city_id=fairbanks.pk, role="participant"),
        ],
    )


@pytest.fixture
def open_ended(fairbanks):
    """An open-ended yearly rule whose instances run past 2038."""
    return services.create_event(
        title_en="Fairbanks summer festival",
        kind=Event.Kind.FESTIVAL,
        status=Event.Status.CONFIRMED,
        timezone="America/Anchorage",
        start=dt.datetime(2027, 7, 4, 12, 0),
        end=dt.datetime(2027, 7, 4, 14, 0),
        rrule="FREQ=YEARLY",
        participations=[services.ParticipationInput(city_id=fairbanks.pk, role="host")],
    )


@dataclass
class Programme:
    """Every case the conformance suite renders; ``events`` by short name."""

    cities: dict[str, City]
    pair: Partnership
    empty_pair: Partnership
    events: dict[str, Event]


@pytest.fixture
def programme(egvekinot, fairbanks, weekly_call, open_ended, victory_day, ceremony):
    tula = CityFactory(
        slug="tula", name_en="Tula", name_native="Тула", country="RU",
        timezone="Europe/Moscow", latitude="54.19000", longitude="37.62000",
    )  # fmt: skip
    albany = CityFactory(slug="albany", name_en="Albany", timezone="America/New_York")
    pair = PartnershipFactory(city_a=egvekinot, city_b=fairbanks)
    empty_pair = PartnershipFactory(city_a=tula, city_b=albany)

    def make(**fields) -> Event:
        fields.setdefault("status", Event.Status.CONFIRMED)
        return services.create_event(**fields)

    # 02:30 on the night Anchorage skips 02:00-03:00 (14 March 2027); Moscow has no DST.
    in_gap = make(
        title_en="Night vigil",
        title_ru="Ночная вахта памяти",
        kind=Event.Kind.COMMEMORATION,
        time_mode=Event.TimeMode.LOCAL,
        timezone="Europe/Moscow",
        start=dt.datetime(2027, 3, 14, 2, 30),
        end=dt.datetime(2027, 3, 14, 3, 30),
        participations=[
            services.ParticipationInput(city_id=tula.pk, role="host", venue="Kremlin, Tula"),
            services.ParticipationInput(city_id=fairbanks.pk, role="participant"),
        ],
    )
    festival = make(
        title_en="Jazz Train festival",
        title_ru="Фестиваль «Джазовый поезд», Тула; Фэрбанкс \\ 🎷",
        description_ru="Строка первая,\nстрока вторая; с запятой, точкой с запятой и \\.",
        kind=Event.Kind.FESTIVAL,
        timezone="America/Anchorage",
        precision=Event.Precision.DAY,
        start_date=dt.date(2027, 7, 1),
        end_date=dt.date(2027, 7, 3),
        rrule="FREQ=YEARLY;COUNT=3",
        participations=[services.ParticipationInput(city_id=fairbanks.pk, role="host")],
    )
    month = make(
        title_en="Delegation visit (month to be fixed)",
        kind=Event.Kind.DELEGATION_VISIT,
        timezone="Europe/Moscow",
        precision=Event.Precision.MONTH,
        approx_year=2027,
        approx_month=9,
        participations=[services.ParticipationInput(city_id=tula.pk, role="host")],
    )
    year = make(
        title_en="Youth exchange (year only)",
        kind=Event.Kind.DELEGATION_VISIT,
        timezone="America/Anchorage",
        precision=Event.Precision.YEAR,
        approx_year=2028,
        participations=[services.ParticipationInput(city_id=fairbanks.pk, role="host")],
    )
    tentative = make(
        title_en="Mayors' call (to be confirmed)",
        kind=Event.Kind.ONLINE_MEETING,
        status=Event.Status.TENTATIVE,
        visibility=Event.Visibility.INTERNAL,
        timezone="Asia/Anadyr",
        start=dt.datetime(2027, 6, 1, 9, 0),
        end=dt.datetime(2027, 6, 1, 10, 0),
        participations=[
            services.ParticipationInput(city_id=egvekinot.pk, role="host"),
            services.ParticipationInput(city_id=fairbanks.pk, role="participant"),
        ],
    )
    cancelled = make(
        title_en="Hockey friendly",
        kind=Event.Kind.EXCHANGE,
        timezone="America/Anchorage",
        start=dt.datetime(2027, 2, 20, 18, 0),
        end=dt.datetime(2027, 2, 20, 20, 0),
        participations=[services.ParticipationInput(city_id=fairbanks.pk, role="host")],
    )
    services.cancel_event(event=cancelled)
    return Programme(
        cities={"egvekinot": egvekinot, "fairbanks": fairbanks, "tula": tula, "albany": albany},
        pair=pair,
        empty_pair=empty_pair,
        events={
            "weekly_call": weekly_call,
            "open_ended": open_ended,
            "victory_day": Event.objects.get(pk=victory_day.pk),
            "ceremony": ceremony,
            "in_gap": in_gap,
            "festival": festival,
            "month": month,
            "year": year,
            "tentative": tentative,
            "cancelled": Event.objects.get(pk=cancelled.pk),
        },
    )
