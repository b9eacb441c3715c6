"""Serializer fields that keep wall-clock times and UTC offsets as the domain needs them."""

from __future__ import annotations

import datetime as dt

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Instants outside these years are refused at the door (and again by every write): the
# calendar has no use for them and zone arithmetic near datetime.min/max overflows.
from events.services.times import MAX_YEAR, MIN_YEAR


@extend_schema_field(OpenApiTypes.DATETIME)
class WallClockOrAwareDateTimeField(serializers.Field):
    """ISO 8601 input: with an offset it is an instant; without one it is a wall-clock time in
    the event's own zone (the services refuse times in DST gaps and folds). Output: ISO with
    the offset of the zone the value carries."""

    default_error_messages = {
        "invalid": _(
            "Give an ISO 8601 date and time, e.g. 2020-05-09T10:00 (local to the event's "
            "time zone) or 2020-05-09T10:00+12:00."
        ),
        "range": _("The year must be between %(min)d and %(max)d."),
    }

    def __init__(self, *, allow_date: bool = False, **kwargs: object) -> None:
        self.allow_date = allow_date
        super().__init__(**kwargs)

    def to_internal_value(self, data: object) -> dt.datetime:
        if not isinstance(data, str) or len(data) > 40:
            self.fail("invalid")
        text = data.strip()
        try:
            value = parse_datetime(text)
            if value is None and self.allow_date and len(text) == 10:
                day = parse_date(text)
                value = dt.datetime.combine(day, dt.time()) if day else None
        except ValueError:
            value = None
        if value is None:
            self.fail("invalid")
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise serializers.ValidationError(
                self.error_messages["range"] % {"min": MIN_YEAR, "max": MAX_YEAR}
            )
        return value

    def to_representation(self, value: dt.datetime) -> str:
        return value.isoformat()


@extend_schema_field(OpenApiTypes.DATETIME)
class ZonedDateTimeField(serializers.ReadOnlyField):
    """Read-only aware datetime rendered with its own offset (not converted to UTC)."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value: dt.datetime | None) -> str | None:
        return value.isoformat() if value is not None else None


class BoundedDateField(serializers.DateField):
    """A date within the years the calendar handles."""

    default_error_messages = {"range": _("The year must be between %(min)d and %(max)d.")}

    def to_internal_value(self, value: object) -> dt.date:
        if isinstance(value, str) and len(value) > 40:
            self.fail("invalid", format="YYYY-MM-DD")
        day = super().to_internal_value(value)
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise serializers.ValidationError(
                self.error_messages["range"] % {"min": MIN_YEAR, "max": MAX_YEAR}
            )
        return day


def named_choice_field(
    name: str, choices: list[tuple[str, str]], **kwargs: object
) -> serializers.ChoiceField:
    """A choice field whose enum is one named schema component (e.g. ``EventKind``).

    Several models share field names such as ``kind`` and ``status`` with different choices;
    naming each choice set keeps the schema free of drf-spectacular's enum-name collisions.
    """
    schema = {"type": "string", "enum": [value for value, _label in choices]}
    field_class = _CHOICE_CLASSES.get(name)
    if field_class is None:
        field_class = extend_schema_field(schema, component_name=name)(
            type(f"{name}Field", (serializers.ChoiceField,), {})
        )
        _CHOICE_CLASSES[name] = field_class
    return field_class(choices=choices, **kwargs)


_CHOICE_CLASSES: dict[str, type] = {}
