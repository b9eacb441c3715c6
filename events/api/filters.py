"""List filters. Relations are filtered through subqueries so rows are never duplicated."""

from __future__ import annotations

import datetime as dt

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from events.api.fields import MAX_YEAR, MIN_YEAR
from events.models import City, Contact, Event, Participation, Partnership
from events.selectors import events_of_partnership_q

MAX_ID = 2**53


class _Id(filters.NumberFilter):
    """An id filter that refuses values no row can have (and the database cannot hold)."""

    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class BoundedDateFormField(forms.DateField):
    def clean(self, value):
        day = super().clean(value)
        if day is not None and not MIN_YEAR <= day.year <= MAX_YEAR:
            raise forms.ValidationError(
                _("The year must be between %(min)d and %(max)d.")
                % {"min": MIN_YEAR, "max": MAX_YEAR}
            )
        return day


class _Date(filters.DateFilter):
    field_class = BoundedDateFormField


class CityFilter(filters.FilterSet):
    country = filters.CharFilter(method="filter_country", help_text="ISO code, e.g. RU.")

    class Meta:
        model = City
        fields = ["kind", "country", "timezone"]

    def filter_country(self, query: QuerySet, name: str, value: str) -> QuerySet:
        return query.filter(country=value.upper())


class PartnershipFilter(filters.FilterSet):
    city = _Id(method="filter_city", help_text="Either city of the pair.")
    country = filters.CharFilter(method="filter_country", help_text="Either city's country.")

    class Meta:
        model = Partnership
        fields = ["status", "established_precision"]

    def filter_city(self, query: QuerySet, name: str, value) -> QuerySet:
        return query.filter(Q(city_a_id=int(value)) | Q(city_b_id=int(value)))

    def filter_country(self, query: QuerySet, name: str, value: str) -> QuerySet:
        code = value.upper()
        return query.filter(Q(city_a__country=code) | Q(city_b__country=code))


class EventFilter(filters.FilterSet):
    city = _Id(method="filter_city", help_text="A participating city's id.")
    country = filters.CharFilter(
        method="filter_country", help_text="A participating city's country (ISO code)."
    )
    partnership = _Id(
        method="filter_partnership",
        help_text="Events of the pair: linked to it, or both its cities take part (as its page "
        "and feed list them).",
    )
    kind = filters.ChoiceFilter(choices=Event.Kind.choices)
    status = filters.ChoiceFilter(choices=Event.Status.choices)
    time_mode = filters.ChoiceFilter(choices=Event.TimeMode.choices)
    date_from = _Date(
        method="filter_date_from", help_text="Events whose (first) start is on or after (UTC)."
    )
    date_to = _Date(
        method="filter_date_to", help_text="Events whose (first) start is on or before (UTC)."
    )
    recurring = filters.BooleanFilter(method="filter_recurring")

    class Meta:
        model = Event
        fields = ["city", "country", "partnership", "kind", "status", "time_mode"]

    def filter_city(self, query: QuerySet, name: str, value) -> QuerySet:
        ids = Participation.objects.filter(city_id=int(value)).values("event_id")
        return query.filter(pk__in=ids)

    def filter_country(self, query: QuerySet, name: str, value: str) -> QuerySet:
        ids = Participation.objects.filter(city__country=value.upper()).values("event_id")
        return query.filter(pk__in=ids)

    def filter_partnership(self, query: QuerySet, name: str, value) -> QuerySet:
        pair = Partnership.objects.filter(pk=int(value)).first()
        if pair is None:
            return query.none()
        return query.filter(events_of_partnership_q(pair))

    def filter_date_from(self, query: QuerySet, name: str, value: dt.date) -> QuerySet:
        instant = dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
        return query.filter(Q(start__gte=instant) | Q(start_date__gte=value))

    def filter_date_to(self, query: QuerySet, name: str, value: dt.date) -> QuerySet:
        instant = dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=1)
        return query.filter(Q(start__lt=instant) | Q(start_date__lte=value))

    def filter_recurring(self, query: QuerySet, name: str, value: bool) -> QuerySet:
        return query.exclude(rrule="") if value else query.filter(rrule="")


class OccurrenceFilter(filters.FilterSet):
    """Which events' occurrences to list; the window comes from ``start``/``end``."""

    city = _Id(method="filter_city", help_text="A participating city's id.")
    country = filters.CharFilter(
        method="filter_country", help_text="A participating city's country (ISO code)."
    )
    partnership = _Id(method="filter_partnership", help_text="As for events.")
    kind = filters.ChoiceFilter(choices=Event.Kind.choices)
    status = filters.ChoiceFilter(choices=Event.Status.choices)

    class Meta:
        model = Event
        fields = ["city", "country", "partnership", "kind", "status"]

    filter_city = EventFilter.filter_city
    filter_country = EventFilter.filter_country
    filter_partnership = EventFilter.filter_partnership


class ContactFilter(filters.FilterSet):
    city = _Id(field_name="city_id")

    class Meta:
        model = Contact
        fields = ["city", "kind", "language", "is_active"]
