"""The desk event form's rows: a participating city with its role and venue, and one
occurrence's move or cancel (the occurrence editor)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from events.models import City, Event, Participation
from events.planning.query import MAX_YEAR, MIN_YEAR
from events.web.formatting import city_name

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _in_years(value: dt.date | None) -> None:
    """Years the zone rules know and conversions to UTC survive (the planner's range)."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(
            _("The year must be between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR},
            code="year",
        )


def _local_input(label: Any, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=LOCAL_FORMATS,
        validators=[_in_years],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _date_input(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        validators=[_in_years],
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _naive(value: dt.datetime | None) -> dt.datetime | None:
    # Django parses in the server zone; the service wants the wall-clock value as typed.
    if value is None:
        return None
    return value.replace(tzinfo=None) if value.tzinfo else value


class VenueRowForm(forms.Form):
    city = forms.TypedChoiceField(label=_("City"), coerce=int, empty_value=None, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=Participation.Role.choices, initial=Participation.Role.HOST
    )
    venue = forms.CharField(label=_("Venue (English)"), max_length=300, required=False)
    venue_ru = forms.CharField(label=_("Venue (Russian)"), max_length=300, required=False)

    def __init__(self, *args: Any, cities: list[City] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # One list of cities for every row, read once by the view: no query per row.
        self._cities = {c.pk: c for c in cities or []}
        field = self.fields["city"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—"), *((c.pk, city_name(c)) for c in cities or [])]

    def clean_city(self) -> City | None:
        pk = self.cleaned_data.get("city")
        return None if pk is None else self._cities[pk]


class _VenueFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for row in self.forms:
            city = row.cleaned_data.get("city")
            if city is None:
                continue
            if city.pk in seen:
                raise ValidationError(_("A city may take part only once in an event."))
            seen.add(city.pk)


VenueFormSet = forms.formset_factory(
    VenueRowForm, formset=_VenueFormSet, extra=2, max_num=12, absolute_max=20, validate_max=True
)


class OccurrenceForm(forms.Form):
    """Move one occurrence (new local start/end in the event's zone, or new dates) or cancel
    it; ``original`` is the instance's identity (its original start, ISO, aware)."""

    ACTIONS = [("move", _("Move")), ("cancel", _("Cancel this date")), ("restore", _("Restore"))]

    original = forms.CharField(label=_("Date"), widget=forms.HiddenInput)
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    start = _local_input(_("New start (local)"))
    end = _local_input(_("New end (local, optional)"))
    start_date = _date_input(_("New first day"))
    end_date = _date_input(_("New last day"))

    def clean_original(self) -> dt.datetime | dt.date:
        raw = self.cleaned_data["original"].strip()
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise ValidationError(_("Unknown occurrence.")) from None
        if value.tzinfo is None or not MIN_YEAR < value.year < MAX_YEAR:
            raise ValidationError(_("Unknown occurrence."))
        return value

    def service_fields(self, event: Event) -> dict[str, Any]:
        data = self.cleaned_data
        original = data["original"]
        fields: dict[str, Any] = {"event": event}
        if event.is_all_day:
            fields["original_start"] = original.astimezone(event.zone).date()
        else:
            fields["original_start"] = original
        action = data["action"]
        if action == "cancel":
            fields["cancelled"] = True
        elif action == "move":
            if event.is_all_day:
                fields["start_date"] = data.get("start_date")
                fields["end_date"] = data.get("end_date")
            else:
                fields["start"] = _naive(data.get("start"))
                fields["end"] = _naive(data.get("end"))
        return fields

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "move" and not (data.get("start") or data.get("start_date")):
            self.add_error("start", _("Give the new start."))
        return data
