"""Output shapes. Serializers only shape data: the times come from selectors and recurrence."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events import selectors
from events.api.fields import ZonedDateTimeField, named_choice_field
from events.models import (
    City,
    Contact,
    Event,
    OccurrenceChange,
    Participation,
    Partnership,
    PartnershipStatusChange,
)

TIME_MODE_HELP = (
    "'instant': one moment for everybody, local dates may differ between cities "
    "(Egvekinot 9 May = Fairbanks 8 May). 'local': the same wall-clock time in each "
    "participating city, in that city's own zone."
)


class CitySerializer(serializers.ModelSerializer):
    kind = named_choice_field("CityKind", City.Kind.choices, read_only=True)

    class Meta:
        model = City
        fields = [
            "id",
            "slug",
            "kind",
            "country",
            "region",
            "name_en",
            "name_native",
            "name_ru",
            "timezone",
            "latitude",
            "longitude",
            "updated_at",
        ]
        read_only_fields = fields


class CityBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = City
        fields = ["id", "slug", "country", "name_en", "name_native", "name_ru", "timezone"]
        read_only_fields = fields


class StatusChangeSerializer(serializers.ModelSerializer):
    status = named_choice_field("PartnershipStatus", Partnership.Status.choices, read_only=True)

    class Meta:
        model = PartnershipStatusChange
        fields = ["id", "status", "changed_on", "note", "recorded_at"]
        read_only_fields = fields


class AnniversaryBriefSerializer(serializers.Serializer):
    years = serializers.IntegerField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    date = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="Null when only the month or year of establishment is known.",
    )


class PartnershipSerializer(serializers.ModelSerializer):
    city_a = CityBriefSerializer(read_only=True)
    city_b = CityBriefSerializer(read_only=True)
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    age = serializers.SerializerMethodField(help_text="Whole years since establishment.")
    next_anniversary = serializers.SerializerMethodField()
    status = named_choice_field("PartnershipStatus", Partnership.Status.choices, read_only=True)
    relationship = named_choice_field(
        "PartnershipRelationship", Partnership.Relationship.choices, read_only=True
    )
    agreement_url = serializers.CharField(
        read_only=True, help_text="Where the signed agreement can be read: a URL, or empty."
    )

    class Meta:
        model = Partnership
        fields = [
            "id",
            "city_a",
            "city_b",
            "established_on",
            "established_precision",
            "status",
            "status_changed_on",
            "relationship",
            "agreement_url",
            "notes",
            "notes_ru",
            "age",
            "next_anniversary",
            "status_history",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_age(self, obj: Partnership) -> int | None:
        return obj.age_on(timezone.localdate())

    @extend_schema_field(AnniversaryBriefSerializer(allow_null=True))
    def get_next_anniversary(self, obj: Partnership) -> dict | None:
        anniversary = selectors.next_anniversary(obj, timezone.localdate())
        if anniversary is None:
            return None
        return AnniversaryBriefSerializer(anniversary).data


class CityTimeSerializer(serializers.Serializer):
    """When something happens for one participating city, in that city's zone."""

    city = CityBriefSerializer(read_only=True)
    role = serializers.CharField(read_only=True)
    venue = serializers.CharField(read_only=True, help_text="The venue in English (or empty).")
    venue_ru = serializers.CharField(read_only=True, help_text="The venue in Russian (or empty).")
    start = ZonedDateTimeField(help_text="Local start with the city's UTC offset.")
    end = ZonedDateTimeField()
    local_date = serializers.SerializerMethodField()
    local_time = serializers.SerializerMethodField()
    start_date = serializers.DateField(read_only=True, allow_null=True)
    end_date = serializers.DateField(read_only=True, allow_null=True)

    @extend_schema_field(OpenApiTypes.DATE)
    def get_local_date(self, obj) -> str | None:
        day = obj.start.date() if obj.start else obj.start_date
        return day.isoformat() if day else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_local_time(self, obj) -> str | None:
        return obj.start.strftime("%H:%M") if obj.start else None


@extend_schema_field(CityTimeSerializer(many=True))
class CityTimesField(serializers.Field):
    """An event's start in each participating city (one child serializer for all rows)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        super().__init__(**kwargs)
        self.child = CityTimeSerializer()

    def to_representation(self, event: Event) -> list:
        return [self.child.to_representation(ct) for ct in selectors.event_city_times(event)]


class ParticipationSerializer(serializers.ModelSerializer):
    city = CityBriefSerializer(read_only=True)

    class Meta:
        model = Participation
        fields = ["id", "city", "role", "venue", "venue_ru"]
        read_only_fields = fields


class OccurrenceChangeSerializer(serializers.ModelSerializer):
    original_start = serializers.DateTimeField(
        read_only=True, help_text="The instance's original start (UTC) as the rule made it."
    )

    class Meta:
        model = OccurrenceChange
        fields = [
            "id",
            "original_start",
            "cancelled",
            "start",
            "end",
            "start_date",
            "end_date",
            "location",
            "location_ru",
            "note_en",
            "note_ru",
            "sequence",
            "updated_at",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    kind = named_choice_field("EventKind", Event.Kind.choices, read_only=True)
    status = named_choice_field("EventStatus", Event.Status.choices, read_only=True)
    time_mode = serializers.ChoiceField(
        choices=Event.TimeMode.choices, read_only=True, help_text=TIME_MODE_HELP
    )
    start_local = ZonedDateTimeField(
        source="local_start", help_text="Start in the event's own zone, with its offset."
    )
    end_local = ZonedDateTimeField(source="local_end")
    all_day = serializers.BooleanField(source="is_all_day", read_only=True)
    participations = ParticipationSerializer(many=True, read_only=True)
    city_times = CityTimesField(
        help_text="The (first) start in every participating city's own zone and date."
    )
    occurrence_changes = OccurrenceChangeSerializer(source="changes", many=True, read_only=True)
    online_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")
    exdates = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Excluded local starts (ISO)."
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "uid",
            "slug",
            "title_en",
            "title_ru",
            "description_en",
            "description_ru",
            "kind",
            "status",
            "visibility",
            "time_mode",
            "timezone",
            "precision",
            "all_day",
            "start",
            "end",
            "start_local",
            "end_local",
            "start_date",
            "end_date",
            "approx_year",
            "approx_month",
            "location",
            "location_ru",
            "online_url",
            "partnership",
            "rrule",
            "exdates",
            "sequence",
            "cancelled_at",
            "participations",
            "city_times",
            "occurrence_changes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OccurrenceEventSerializer(serializers.ModelSerializer):
    kind = named_choice_field("EventKind", Event.Kind.choices, read_only=True)
    status = named_choice_field("EventStatus", Event.Status.choices, read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "uid",
            "slug",
            "title_en",
            "title_ru",
            "kind",
            "status",
            "time_mode",
            "timezone",
            "precision",
            "partnership",
        ]
        read_only_fields = fields


class OccurrenceSerializer(serializers.Serializer):
    event = OccurrenceEventSerializer(read_only=True)
    recurrence_id = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Identity of a recurring instance (UTC)."
    )
    start_utc = serializers.DateTimeField(source="start", read_only=True, allow_null=True)
    end_utc = serializers.DateTimeField(source="end", read_only=True, allow_null=True)
    start_local = ZonedDateTimeField(source="start", help_text="In the event's own zone.")
    end_local = ZonedDateTimeField(source="end")
    timezone = serializers.CharField(source="event.timezone", read_only=True)
    time_mode = serializers.CharField(
        source="event.time_mode", read_only=True, help_text=TIME_MODE_HELP
    )
    start_date = serializers.DateField(read_only=True, allow_null=True)
    end_date = serializers.DateField(read_only=True, allow_null=True)
    all_day = serializers.SerializerMethodField()
    cancelled = serializers.BooleanField(read_only=True)
    moved = serializers.BooleanField(read_only=True)
    location = serializers.CharField(read_only=True, help_text="The place in English.")
    location_ru = serializers.SerializerMethodField(help_text="The place in Russian (or empty).")
    cities = CityTimeSerializer(source="city_times", many=True, read_only=True)

    def get_all_day(self, obj) -> bool:
        return obj.start is None

    def get_location_ru(self, obj) -> str:
        change = obj.change
        if change is not None and (change.location or change.location_ru):
            return change.location_ru
        return obj.event.location_ru


class AnniversarySerializer(serializers.Serializer):
    partnership = PartnershipSerializer(read_only=True)
    years = serializers.IntegerField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True, allow_null=True)


class ContactSerializer(serializers.ModelSerializer):
    kind = named_choice_field("ContactKind", Contact.Kind.choices, read_only=True)
    city = CityBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "name",
            "name_ru",
            "kind",
            "city",
            "email",
            "language",
            "timezone",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
