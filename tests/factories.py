"""Factories with no surprises: every default is a plain, valid value."""

from __future__ import annotations

import datetime as dt

import factory

from events.models import City, Contact, Event, Participation, Partnership
from events.occurrence_index.maintain import refresh_event


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
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"event-{n}")
    title_en = factory.Sequence(lambda n: f"Event {n}")
    kind = Event.Kind.FESTIVAL
    status = Event.Status.CONFIRMED
    timezone = "UTC"
    precision = Event.Precision.TIME
    start = dt.datetime(2030, 6, 1, 10, 0, tzinfo=dt.UTC)
    end = dt.datetime(2030, 6, 1, 12, 0, tzinfo=dt.UTC)

    @factory.post_generation
    def occurrence_index(obj, create, extracted, **kwargs):
        # What the services do for every write (a no-op until the index is built).
        if create:
            refresh_event(event_id=obj.pk)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    city = factory.SubFactory(CityFactory)
    role = Participation.Role.PARTICIPANT

    @factory.post_generation
    def occurrence_index(obj, create, extracted, **kwargs):
        if create:
            refresh_event(event_id=obj.event_id)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    name = factory.Sequence(lambda n: f"Mayor's office {n}")
    email = factory.Sequence(lambda n: f"office{n}@example.org")
    language = "en"
    timezone = "America/Anchorage"
