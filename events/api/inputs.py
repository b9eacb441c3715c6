"""Input shapes. They parse and type-check request bodies; the services hold every rule."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from events.api.fields import BoundedDateField, WallClockOrAwareDateTimeField, named_choice_field
from events.models import City, Contact, Event, Participation, Partnership
from events.timezones import validate_timezone

MAX_ID = 2**53  # larger ids cannot exist; refuse them before they reach the database
MAX_TEXT = 20_000

country_code = RegexValidator(r"^[A-Z]{2}$", _("Use an ISO 3166-1 alpha-2 code such as RU or US."))


def _zone_field(**kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=64, validators=[validate_timezone], **kwargs)


class CityInput(serializers.Serializer):
    slug = serializers.SlugField(max_length=80, required=False, allow_blank=True)
    kind = named_choice_field("CityKind", City.Kind.choices, required=False)
    country = serializers.CharField(max_length=2, validators=[country_code])
    region = serializers.CharField(max_length=120, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=120)
    name_native = serializers.CharField(max_length=120)
    name_ru = serializers.CharField(max_length=120, required=False, allow_blank=True)
    timezone = _zone_field()
    latitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=8,
        decimal_places=5,
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
    )


class PartnershipInput(serializers.Serializer):
    city_a = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    city_b = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    established_on = BoundedDateField(required=False, allow_null=True)
    established_precision = serializers.ChoiceField(
        choices=Partnership.Precision.choices, required=False
    )
    status = named_choice_field("PartnershipStatus", Partnership.Status.choices, required=False)
    status_changed_on = BoundedDateField(required=False, allow_null=True)
    relationship = named_choice_field(
        "PartnershipRelationship", Partnership.Relationship.choices, required=False
    )
    agreement_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    notes_ru = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        # Unknown cities are named per field; the services check pairs and duplicates.
        ids = {attrs[name] for name in ("city_a", "city_b") if name in attrs}
        known = set(City.objects.filter(pk__in=ids).values_list("pk", flat=True))
        errors = {
            name: [_("Unknown city id %(id)s.") % {"id": attrs[name]}]
            for name in ("city_a", "city_b")
            if name in attrs and attrs[name] not in known
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class StatusChangeInput(serializers.Serializer):
    status = named_choice_field("PartnershipStatus", Partnership.Status.choices)
    changed_on = BoundedDateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)


class ParticipationInput(serializers.Serializer):
    city = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    role = serializers.ChoiceField(
        choices=Participation.Role.choices, default=Participation.Role.PARTICIPANT
    )
    venue = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    venue_ru = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class EventInput(serializers.Serializer):
    """Start/end: ISO 8601 with an offset (an instant) or without one (wall-clock time in
    ``timezone``; a time skipped or repeated by a DST change is refused)."""

    slug = serializers.SlugField(max_length=120, required=False, allow_blank=True)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    title_ru = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description_en = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    description_ru = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
    kind = named_choice_field("EventKind", Event.Kind.choices)
    status = named_choice_field("EventStatus", Event.Status.choices, required=False)
    visibility = serializers.ChoiceField(choices=Event.Visibility.choices, required=False)
    time_mode = serializers.ChoiceField(choices=Event.TimeMode.choices, required=False)
    timezone = _zone_field()
    precision = serializers.ChoiceField(choices=Event.Precision.choices, required=False)
    start = WallClockOrAwareDateTimeField(required=False, allow_null=True)
    end = WallClockOrAwareDateTimeField(required=False, allow_null=True)
    start_date = BoundedDateField(required=False, allow_null=True)
    end_date = BoundedDateField(required=False, allow_null=True)
    approx_year = serializers.IntegerField(
        min_value=1800, max_value=2500, required=False, allow_null=True
    )
    approx_month = serializers.IntegerField(
        min_value=1, max_value=12, required=False, allow_null=True
    )
    location = serializers.CharField(max_length=300, required=False, allow_blank=True)
    location_ru = serializers.CharField(max_length=300, required=False, allow_blank=True)
    online_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    partnership = serializers.PrimaryKeyRelatedField(
        queryset=Partnership.objects.all(), required=False, allow_null=True
    )
    rrule = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="RFC 5545 RRULE value, e.g. FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9. At most daily.",
    )
    exdates = serializers.ListField(
        child=serializers.CharField(max_length=32), max_length=1000, required=False
    )
    participations = ParticipationInput(many=True, required=False, max_length=200)


class OccurrenceChangeInput(serializers.Serializer):
    original_start = WallClockOrAwareDateTimeField(
        allow_date=True,
        help_text="The instance's original start: local to the event's zone, with an offset, or a date for all-day events.",
    )
    cancelled = serializers.BooleanField(required=False, default=False)
    start = WallClockOrAwareDateTimeField(required=False, allow_null=True, default=None)
    end = WallClockOrAwareDateTimeField(required=False, allow_null=True, default=None)
    start_date = BoundedDateField(required=False, allow_null=True, default=None)
    end_date = BoundedDateField(required=False, allow_null=True, default=None)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    location_ru = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    note_en = serializers.CharField(
        max_length=MAX_TEXT, required=False, allow_blank=True, default=""
    )
    note_ru = serializers.CharField(
        max_length=MAX_TEXT, required=False, allow_blank=True, default=""
    )


class ContactInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    name_ru = serializers.CharField(max_length=200, required=False, allow_blank=True)
    kind = named_choice_field("ContactKind", Contact.Kind.choices, required=False)
    city = serializers.PrimaryKeyRelatedField(
        queryset=City.objects.all(), required=False, allow_null=True
    )
    email = serializers.EmailField(max_length=254)
    language = serializers.ChoiceField(choices=Contact._meta.get_field("language").choices)
    timezone = _zone_field()
    is_active = serializers.BooleanField(required=False)
