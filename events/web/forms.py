"""Forms for the public filters and the coordinator's quick event form."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from events.models import City, Event, Participation, Partnership
from events.timezones import get_zone
from events.web.formatting import (
    city_name,
    country_name,
    lang,
    reading_key,
)

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


class _InReadingOrder(ModelChoiceIterator):
    """The choices by their labels in the reader's alphabet (formatting.reading_key: Анкоридж
    before Магадан, the pair Магадан-Анкоридж before Тула-Олбани), which SQL's ORDER BY on one
    language's column cannot give."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        language = lang()
        label = self.field.label_from_instance
        for obj in sorted(self.queryset, key=lambda obj: reading_key(label(obj), language)):
            yield self.choice(obj)


class CityChoiceField(forms.ModelChoiceField):
    iterator = _InReadingOrder

    def label_from_instance(self, obj: City) -> str:
        return city_name(obj)


class PartnershipChoiceField(forms.ModelChoiceField):
    iterator = _InReadingOrder

    def label_from_instance(self, obj: Partnership) -> str:
        return f"{city_name(obj.city_a)} – {city_name(obj.city_b)}"


class MonthField(forms.CharField):
    """ "YYYY-MM" -> (year, month)."""

    default_error_messages = {
        "invalid": _("Give the month as YYYY-MM, for example 2020-05."),
    }

    def to_python(self, value: Any) -> tuple[int, int] | None:
        text = super().to_python(value)
        if not text:
            return None
        match = _MONTH_RE.match(text.strip())
        if not match:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(match.group(1)), int(match.group(2))
        if not (1 <= month <= 12 and 1900 <= year <= 2200):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return year, month

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value: Any) -> None:
        return None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, tuple):
            return f"{value[0]:04d}-{value[1]:02d}"
        return value


class EventFilterForm(forms.Form):
    """GET filters of the events list and the month grid. Every field is optional."""

    PERIODS = [("upcoming", _("Upcoming")), ("past", _("Past"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    city = CityChoiceField(
        label=_("City"),
        queryset=City.objects.order_by("name_en"),
        to_field_name="slug",
        required=False,
        empty_label=_("Any city"),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Event.Kind.choices]
    )
    partnership = PartnershipChoiceField(
        label=_("Partnership"),
        queryset=Partnership.objects.select_related("city_a", "city_b").order_by("pk"),
        required=False,
        empty_label=_("Any partnership"),
    )
    month = MonthField(
        label=_("Month"),
        required=False,
        help_text=_("YYYY-MM"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2020-05"}),
    )
    period = forms.ChoiceField(label=_("When"), required=False, choices=PERIODS)

    def __init__(self, *args: Any, countries: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = countries if countries is not None else ["RU", "US"]
        self.fields["country"].choices = [
            ("", _("Any country")),
            *((code, country_name(code)) for code in codes),
        ]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data.get("q", "").split())

    def valid_data(self) -> dict[str, Any]:
        """The values that passed validation; invalid ones are dropped (and reported)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class QuickEventForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=Event.Status.choices, initial=Event.Status.TENTATIVE
    )
    timezone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("IANA name, e.g. Asia/Anadyr or America/Anchorage"),
        widget=forms.TextInput(attrs={"list": "zones", "autocomplete": "off"}),
    )
    start = forms.DateTimeField(
        label=_("Start (local time in that zone)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    end = forms.DateTimeField(
        label=_("End (local time, optional)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("Location (English)"), max_length=300, required=False)
    location_ru = forms.CharField(label=_("Location (Russian)"), max_length=300, required=False)

    def clean_timezone(self) -> str:
        name = self.cleaned_data["timezone"].strip()
        get_zone(name)  # ValidationError names the problem
        return name

    def _naive(self, name: str) -> dt.datetime | None:
        # The form parses in the server zone; the service must get the wall-clock value as typed.
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        return value.replace(tzinfo=None) if value.tzinfo else value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("title_en", "").strip() and not data.get("title_ru", "").strip():
            self.add_error("title_en", _("Give a title in English or Russian."))
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields: dict[str, Any] = {
            "title_en": data["title_en"].strip(),
            "title_ru": data["title_ru"].strip(),
            "kind": data["kind"],
            "status": data["status"],
            "timezone": data["timezone"],
            "precision": Event.Precision.TIME,
            "start": self._naive("start"),
            "location": data.get("location", ""),
            "location_ru": data.get("location_ru", ""),
        }
        if data.get("end"):
            fields["end"] = self._naive("end")
        return fields


class ParticipationRowForm(forms.Form):
    city = CityChoiceField(
        label=_("City"), queryset=City.objects.order_by("name_en"), required=False
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Participation.Role.choices, initial=Participation.Role.HOST
    )


ParticipationFormSet = forms.formset_factory(
    ParticipationRowForm, extra=3, max_num=10, absolute_max=20, validate_max=True
)


class DeskImportForm(forms.Form):
    """The desk's small upload form: the file and its source; a worker imports it. Prefixed:
    its fields' ids must not collide with the event form's on the same page."""

    prefix = "import"

    file = forms.FileField(label=_("iCalendar file (.ics)"))
    source = forms.CharField(label=_("Source"), max_length=200)
    timezone = forms.CharField(
        label=_("Zone for floating times"), initial="UTC", max_length=64, required=False
    )
