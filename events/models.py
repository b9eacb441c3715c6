"""Cities, partnerships, events and who takes part in them.

All instants are stored in UTC; each city, event and contact names its own IANA zone.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.languages import localized
from events.timezones import get_zone, validate_timezone


class Language(models.TextChoices):
    EN = "en", _("English")
    RU = "ru", _("Russian")


class City(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region (US state / federal subject)")

    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MUNICIPALITY)
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. RU, US"))
    region = models.CharField(
        max_length=120, blank=True, help_text=_("State or federal subject, in English")
    )
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_native = models.CharField(_("name (native)"), max_length=120)
    # The Russian exonym of a place outside Russia (Анкоридж); Russian places use name_native.
    name_ru = models.CharField(_("name (Russian)"), max_length=120, blank=True)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    latitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name_plural = _("cities")
        constraints = [
            models.CheckConstraint(
                condition=Q(country__regex=r"^[A-Z]{2}$"), name="city_country_iso"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="city_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="city_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en

    def name(self, language: str = "en") -> str:
        """The name to show in ``language``: Russian exonym, Cyrillic native name or English."""
        if language == "ru":
            if self.name_ru:
                return self.name_ru
            if self.country == "RU":
                return self.name_native
        return self.name_en

    @property
    def zone(self):  # -> zoneinfo.ZoneInfo
        return get_zone(self.timezone)


class Partnership(models.Model):
    """An unordered sister-city pair: stored with ``city_a_id < city_b_id`` so A-B equals B-A."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        DORMANT = "dormant", _("Dormant")
        ENDED = "ended", _("Ended")

    class Precision(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")

    class Relationship(models.TextChoices):
        SISTER_CITY = "sister_city", _("Sister cities")
        SISTER_REGION = "sister_region", _("Sister regions")
        FRIENDSHIP = "friendship", _("Friendship")
        COOPERATION = "cooperation", _("Cooperation agreement")

    city_a = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    city_b = models.ForeignKey(City, on_delete=models.PROTECT, related_name="+")
    # Only the known part of the date is meaningful: with precision YEAR, month and day are 1.
    established_on = models.DateField(null=True, blank=True)
    established_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_changed_on = models.DateField(null=True, blank=True)
    relationship = models.CharField(
        _("relationship"), max_length=16, choices=Relationship.choices, default="sister_city"
    )
    agreement_url = models.URLField(_("agreement document"), max_length=500, blank=True)
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(city_a__lt=F("city_b")), name="partnership_ordered"),
            models.UniqueConstraint(fields=["city_a", "city_b"], name="partnership_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.city_a} – {self.city_b}"

    def age_on(self, day: dt.date) -> int | None:
        """Whole years since establishment on ``day`` (by year only when that is all we know)."""
        if self.established_on is None:
            return None
        est = self.established_on
        precision = self.established_precision
        early = (
            precision == self.Precision.DAY and (day.month, day.day) < (est.month, est.day)
        ) or (precision == self.Precision.MONTH and day.month < est.month)
        return day.year - est.year - early


class PartnershipStatusChange(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(max_length=10, choices=Partnership.Status.choices)
    changed_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.changed_on}"


class Event(models.Model):
    class Kind(models.TextChoices):
        FESTIVAL = "festival", _("Festival")
        COMMEMORATION = "commemoration", _("Commemoration")
        DELEGATION_VISIT = "delegation_visit", _("Delegation visit")
        FORUM = "forum", _("Forum / conference")
        ONLINE_MEETING = "online_meeting", _("Online meeting")
        EXCHANGE = "exchange", _("Exchange")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        TENTATIVE = "tentative", _("Tentative")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")

    class TimeMode(models.TextChoices):
        # One moment for everybody: local dates may differ (Egvekinot 9 May = Fairbanks 8 May).
        INSTANT = "instant", _("One instant everywhere")
        # The same wall-clock time in each participating city, in that city's own zone.
        LOCAL = "local", _("Same local time in each city")

    class Precision(models.TextChoices):
        TIME = "time", _("Date and time")
        DAY = "day", _("All day")
        MONTH = "month", _("Month only")
        YEAR = "year", _("Year only")
        UNKNOWN = "unknown", _("Date not known")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=120, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TENTATIVE)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    time_mode = models.CharField(max_length=8, choices=TimeMode.choices, default=TimeMode.INSTANT)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    precision = models.CharField(max_length=8, choices=Precision.choices, default=Precision.TIME)
    # precision=TIME: aware instants (UTC). In LOCAL mode ``start`` is the wall-clock time in
    # the event's own zone that every participating city repeats in its zone.
    start = models.DateTimeField(null=True, blank=True, db_index=True)
    end = models.DateTimeField(null=True, blank=True)
    # precision=DAY: inclusive local dates (iCalendar's exclusive DTEND is derived).
    start_date = models.DateField(null=True, blank=True, db_index=True)
    end_date = models.DateField(null=True, blank=True)
    # precision=MONTH/YEAR: the part of the date the source gives ("February 2020").
    approx_year = models.PositiveSmallIntegerField(null=True, blank=True)
    approx_month = models.PositiveSmallIntegerField(null=True, blank=True)
    location = models.CharField(max_length=300, blank=True)
    online_url = models.URLField(max_length=500, blank=True)
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    # RFC 5545 RRULE value without the "RRULE:" prefix, e.g. "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9".
    rrule = models.CharField(max_length=500, blank=True)
    # Local start datetimes (precision TIME) or dates (DAY), ISO strings, of removed instances.
    exdates = models.JSONField(default=list, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["start", "start_date", "id"]
        indexes = [models.Index(fields=["status", "visibility"])]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(title_en="") & Q(title_ru="")), name="event_has_a_title"
            ),
            models.CheckConstraint(
                condition=~Q(precision="time")
                | (Q(start__isnull=False) & (Q(end__isnull=True) | Q(end__gte=F("start")))),
                name="event_time_has_start",
            ),
            models.CheckConstraint(
                condition=~Q(precision="day")
                | (
                    Q(start_date__isnull=False)
                    & (Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")))
                ),
                name="event_day_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(precision__in=["month", "year"]) | Q(approx_year__isnull=False),
                name="event_approx_has_year",
            ),
            models.CheckConstraint(
                condition=~Q(precision="month") | Q(approx_month__gte=1, approx_month__lte=12),
                name="event_month_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title_en or self.title_ru

    def title(self, language: str = "en") -> str:
        return localized(self, "title", language)

    def description(self, language: str = "en") -> str:
        return localized(self, "description", language)

    @property
    def zone(self):  # -> zoneinfo.ZoneInfo
        return get_zone(self.timezone)

    @property
    def is_all_day(self) -> bool:
        return self.precision == self.Precision.DAY

    @property
    def is_scheduled(self) -> bool:
        """True when the event has a date on the calendar (time or all-day)."""
        return self.precision in (self.Precision.TIME, self.Precision.DAY)

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)

    @property
    def local_dtstart(self) -> dt.datetime | None:
        """The naive wall-clock start in the event's zone that a recurrence rule expands from."""
        if self.precision == self.Precision.DAY and self.start_date is not None:
            return dt.datetime.combine(self.start_date, dt.time())
        if self.precision == self.Precision.TIME and self.start is not None:
            return self.start.astimezone(self.zone).replace(tzinfo=None)
        return None

    @property
    def local_start(self) -> dt.datetime | None:
        return self.start.astimezone(self.zone) if self.start else None

    @property
    def local_end(self) -> dt.datetime | None:
        return self.end.astimezone(self.zone) if self.end else None


class OccurrenceChange(models.Model):
    """One instance of a recurring event moved, re-placed or cancelled (iCalendar RECURRENCE-ID)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="changes")
    # Identity of the instance as the rule generates it: the local wall-clock start in the
    # event's zone (precision TIME) or the local date at midnight (precision DAY).
    original_start = models.DateTimeField()
    cancelled = models.BooleanField(default=False)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    location = models.CharField(max_length=300, blank=True)
    note_en = models.TextField(blank=True)
    note_ru = models.TextField(blank=True)
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["original_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "original_start"], name="occurrence_change_unique"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=F("start")),
                name="occurrence_change_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} @ {self.original_start:%Y-%m-%d}"


class Participation(models.Model):
    class Role(models.TextChoices):
        HOST = "host", _("Host")
        CO_HOST = "co_host", _("Co-host")
        GUEST_DELEGATION = "guest_delegation", _("Guest delegation")
        PARTICIPANT = "participant", _("Participant")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    venue = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "city"], name="participation_unique_city")
        ]

    def __str__(self) -> str:
        return f"{self.city} ({self.get_role_display()})"


class Contact(models.Model):
    """A mailbox that receives reminders. Private: never shown to anonymous users."""

    class Kind(models.TextChoices):
        MAYOR_OFFICE = "mayor_office", _("Mayor's office")
        EMBASSY = "embassy", _("Embassy / consulate")
        ORGANISATION = "organisation", _("Organisation")
        CITY_UNION = "city_union", _("Union of cities")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MAYOR_OFFICE)
    city = models.ForeignKey(
        City, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    email = models.EmailField()
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["email"], name="contact_unique_email")]

    def __str__(self) -> str:
        return self.name


# The index's tables belong to this app; the module stays separate to keep this one small.
from events.index_models import IndexedOccurrence, OccurrenceHorizon  # noqa: E402, F401
from events.itinerary_models import ItineraryLeg, ProgrammeItem  # noqa: E402, F401
