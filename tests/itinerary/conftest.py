"""A delegation from Anchorage to Magadan: the flight leaves on 8 May (Alaska) and lands on
9 May (Magadan), across the date line."""

import datetime as dt

import pytest

from events import services
from events.models import Event, Participation
from tests.factories import CityFactory


@pytest.fixture
def anchorage(db):
    return CityFactory(
        slug="anchorage", name_en="Anchorage", name_ru="Анкоридж", timezone="America/Anchorage"
    )


@pytest.fixture
def magadan(db):
    return CityFactory(
        slug="magadan",
        name_en="Magadan",
        name_native="Магадан",
        country="RU",
        timezone="Asia/Magadan",
    )


@pytest.fixture
def visit(anchorage, magadan):
    """Confirmed, public, 9-12 May 2030 (all day) in Magadan, hosted by Magadan."""
    return services.create_event(
        title_en="Anchorage delegation visits Magadan",
        title_ru="Визит делегации Анкориджа в Магадан",
        kind=Event.Kind.DELEGATION_VISIT,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Magadan",
        precision=Event.Precision.DAY,
        start_date=dt.date(2030, 5, 9),
        end_date=dt.date(2030, 5, 12),
        participations=[
            services.ParticipationInput(city_id=magadan.pk, role=Participation.Role.HOST),
            services.ParticipationInput(
                city_id=anchorage.pk, role=Participation.Role.GUEST_DELEGATION
            ),
        ],
    )


@pytest.fixture
def flight(visit, anchorage, magadan):
    """Departs Anchorage 8 May 2030 22:00 AKDT (9 May 06:00 UTC), arrives Magadan 9 May 21:30
    MAGT (9 May 10:30 UTC)."""
    return services.add_leg(
        event=visit,
        mode="flight",
        departure_city=anchorage.pk,
        departure_place="Ted Stevens Anchorage International Airport",
        departs_at=dt.datetime(2030, 5, 8, 22, 0),
        arrival_city=magadan.pk,
        arrival_place="Sokol Airport",
        arrives_at=dt.datetime(2030, 5, 9, 21, 30),
        reference="PC 123",
    )
