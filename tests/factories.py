"""Factories with no surprises: every default is a plain, valid value."""

from __future__ import annotations

import datetime as dt

import factory

from events.models import City, Contact, Event, Participation, Partnership


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    slug = factory.Sequence(lambda n: f"city-{n}")
    name_en = factory.Sequence(lambda n: f"City {n}")
    name_native = factory.LazyAttribute(lambda o: o.name_en)
    country = "US"
    timezone = "America/New_York"


class PartnershipFactory(factory.django.DjangoModelFactory):
    """Pass cities in any order; the factory stores them in the canonical order."""

    class Meta:
        model = Partnership

    city_a = factory.SubFactory(CityFactory)
    city_b = factory.SubFactory(CityFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        a, b = kwargs["city_a"], kwargs["city_b"]
        if a.pk > b.pk:
            kwargs["city_a"], kwargs["city_b"] = b, a
        return super()._create(model_class, *args, **kwargs)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    title_en = factory.Sequence(lambda n: f"Event {n}")
    kind = Event.Kind.FESTIVAL
    status = Event.Status.CONFIRMED
    timezone = "UTC"
    precision = Event.Precision.TIME
    start = dt.datetime(2030, 6, 1, 10, 0, tzinfo=dt.UTC)
    end = dt.datetime(2030, 6, 1, 12, 0, tzinfo=dt.UTC)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    event = factory.SubFactory(EventFactory)
    city = factory.SubFactory(CityFactory)
    role = Participation.Role.PARTICIPANT


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    name = factory.Sequence(lambda n: f"Mayor's office {n}")
    email = factory.Sequence(lambda n: f"office{n}@example.org")
    language = "en"
    timezone = "America/Anchorage"
