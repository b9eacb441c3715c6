"""The desk's itinerary forms: one leg (each end's wall-clock time in its own city's zone) and
one programme item (in its city's zone).

The forms only read and shape input. Their field names are the services' own
(events.services.itinerary), so a ValidationError the service raises lands on the field it
names (``add_service_error``); the services decide what is valid (arrival after departure in
UTC, no overlapping legs, inside the event's dates, no DST gap or fold).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import City, ItineraryLeg, ProgrammeItem
from events.timezones import local_kind
from events.web.desk_rows import _local_input, _naive
from events.web.formatting import city_name, fmt_datetime, fmt_time, zone_abbreviation

# Service field -> the field of the stored row its city is read from (a naive time is read in
# that city's zone).
_TIME_CITY = {
    "departs_at": "departure_city",
    "arrives_at": "arrival_city",
    "starts_at": "city",
    "ends_at": "city",
}


def city_choices(cities: list[City], event_city_ids: set[int]) -> list[Any]:
    """The programme's cities for a select: this event's own cities first, then the others
    (a delegation may change planes in a city that takes no part)."""
    own = [(c.pk, city_name(c)) for c in cities if c.pk in event_city_ids]
    other = [(c.pk, city_name(c)) for c in cities if c.pk not in event_city_ids]
    if not own or not other:
        return [("", "—"), *own, *other]
    return [("", "—"), (_("Cities of this event"), own), (_("Other cities"), other)]


class _CityField(forms.TypedChoiceField):
    def __init__(self, label: Any, **kwargs: Any) -> None:
        super().__init__(label=label, coerce=int, empty_value=None, **kwargs)


def _fold_choice(label: Any) -> forms.ChoiceField:
    """Shown only when its time happens twice (the clocks go back); the labels name both."""
    return forms.ChoiceField(
        label=label, required=False, choices=[("0", "0"), ("1", "1")], widget=forms.RadioSelect
    )


def _clock(value: dt.datetime) -> dict[str, str]:
    return {"time": fmt_time(value), "zone": zone_abbreviation(value)}


class _RowForm(forms.Form):
    """What a leg form and an item form share: the city list and the service's errors."""

    city_fields: tuple[str, ...] = ()
    time_fields: tuple[str, ...] = ()
    instance: ItineraryLeg | ProgrammeItem | None
    # The row's updated_at when the edit form was opened (common.versions).
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        cities: list[City],
        event_city_ids: set[int],
        instance: ItineraryLeg | ProgrammeItem | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # One list of cities for both forms, read once by the view: no query per form.
        self._cities = {c.pk: c for c in cities}
        self.instance = instance
        self.folds: list[str] = []
        choices = city_choices(cities, event_city_ids)
        for name in self.city_fields:
            field = self.fields[name]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.time_fields:
            city = self._city(_TIME_CITY[name])
            value = _naive(data.get(name))
            if value is None or city is None:
                data[name] = value  # the form is invalid or the time is empty
                continue
            data[name] = self._resolved(name, value, city, data.get(f"{name}_fold") or "")
        return data

    def _resolved(self, name: str, value: dt.datetime, city: City, fold: str) -> dt.datetime:
        """The wall-clock value as typed (the service reads it in the city's zone); the stored
        instant when neither the time nor its city changed; in a DST fold, the instant the
        coordinator chose (else an error asking which one)."""
        stored = getattr(self.instance, name, None) if self.instance is not None else None
        city_field = _TIME_CITY[name]
        if (
            stored is not None
            and getattr(self.instance, f"{city_field}_id", None) == city.pk
            and stored.astimezone(city.zone).replace(tzinfo=None) == value
        ):
            return stored
        if local_kind(value, city.zone) != "fold":
            return value
        first, second = (value.replace(tzinfo=city.zone, fold=n) for n in (0, 1))
        field = self.fields[f"{name}_fold"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("0", gettext("%(time)s (%(zone)s), before the clocks go back") % _clock(first)),
            ("1", gettext("%(time)s (%(zone)s), after the clocks go back") % _clock(second)),
        ]
        self.folds.append(name)
        if fold in ("0", "1"):
            return second if fold == "1" else first
        self.add_error(
            name,
            _("%(time)s happens twice in %(city)s when the clocks go back: choose which one below.")
            % {"time": fmt_datetime(first), "city": city_name(city)},
        )
        return value

    def fold_choices(self) -> list[forms.BoundField]:
        """The "which one?" choice of each time that falls in a DST fold."""
        return [self[f"{name}_fold"] for name in self.folds]

    def _city(self, name: str) -> City | None:
        pk = self.cleaned_data.get(name)
        return None if pk is None else self._cities[pk]

    def service_fields(self) -> dict[str, Any]:
        """The keyword arguments of the service that writes the row."""
        raise NotImplementedError

    def add_service_error(self, field: str, messages: list[str]) -> None:
        if field in self.fields:
            self.add_error(field, messages)
        else:
            self.add_error(None, messages)


class LegForm(_RowForm):
    city_fields = ("departure_city", "arrival_city")
    time_fields = ("departs_at", "arrives_at")

    mode = forms.ChoiceField(
        label=_("Mode"), choices=ItineraryLeg.Mode.choices, initial=ItineraryLeg.Mode.FLIGHT
    )
    reference = forms.CharField(
        label=_("Flight or train number"),
        max_length=80,
        required=False,
        help_text=_("Optional, e.g. PC 123."),
    )
    departure_city = _CityField(_("From"))
    departure_place = forms.CharField(
        label=_("Departure place (optional)"), max_length=200, required=False
    )
    departs_at = _local_input(_("Departs (local time in the departure city)"), required=True)
    arrival_city = _CityField(_("To"))
    arrival_place = forms.CharField(
        label=_("Arrival place (optional)"), max_length=200, required=False
    )
    arrives_at = _local_input(_("Arrives (local time in the arrival city)"), required=True)
    departs_at_fold = _fold_choice(_("Which departure time?"))
    arrives_at_fold = _fold_choice(_("Which arrival time?"))

    def service_fields(self) -> dict[str, Any]:
        """The keyword arguments of services.add_leg / update_leg."""
        data = self.cleaned_data
        departure = self._city("departure_city")
        arrival = self._city("arrival_city")
        return {
            "mode": data["mode"],
            "reference": data["reference"],
            "departure_city": departure,
            "departure_place": data["departure_place"],
            "departs_at": data["departs_at"],
            "arrival_city": arrival,
            "arrival_place": data["arrival_place"],
            "arrives_at": data["arrives_at"],
        }


class ProgrammeItemForm(_RowForm):
    city_fields = ("city",)
    time_fields = ("starts_at", "ends_at")

    kind = forms.ChoiceField(
        label=_("Kind"), choices=ProgrammeItem.Kind.choices, initial=ProgrammeItem.Kind.MEETING
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=200, required=False)
    city = _CityField(_("City"), help_text=_("The times below are local to this city."))
    venue_en = forms.CharField(label=_("Venue (English)"), max_length=300, required=False)
    venue_ru = forms.CharField(label=_("Venue (Russian)"), max_length=300, required=False)
    starts_at = _local_input(_("Starts (local time in that city)"), required=True)
    ends_at = _local_input(_("Ends (local time, optional)"))
    starts_at_fold = _fold_choice(_("Which start time?"))
    ends_at_fold = _fold_choice(_("Which end time?"))

    def service_fields(self) -> dict[str, Any]:
        """The keyword arguments of services.add_programme_item / update_programme_item."""
        data = self.cleaned_data
        city = self._city("city")
        return {
            "kind": data["kind"],
            "title_en": data["title_en"],
            "title_ru": data["title_ru"],
            "city": city,
            "venue_en": data["venue_en"],
            "venue_ru": data["venue_ru"],
            "starts_at": data["starts_at"],
            "ends_at": data.get("ends_at"),
        }


def _local(value: dt.datetime | None, city: City) -> dt.datetime | None:
    return value.astimezone(city.zone).replace(tzinfo=None) if value is not None else None


def leg_initial(leg: ItineraryLeg) -> dict[str, Any]:
    """A stored leg as the form shows it: each time in its own city's wall-clock time."""
    return {
        "mode": leg.mode,
        "reference": leg.reference,
        "departure_city": leg.departure_city_id,
        "departure_place": leg.departure_place,
        "departs_at": _local(leg.departs_at, leg.departure_city),
        "arrival_city": leg.arrival_city_id,
        "arrival_place": leg.arrival_place,
        "arrives_at": _local(leg.arrives_at, leg.arrival_city),
    }


def item_initial(item: ProgrammeItem) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "title_en": item.title_en,
        "title_ru": item.title_ru,
        "city": item.city_id,
        "venue_en": item.venue_en,
        "venue_ru": item.venue_ru,
        "starts_at": _local(item.starts_at, item.city),
        "ends_at": _local(item.ends_at, item.city),
    }
