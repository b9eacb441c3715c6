"""Cities, partnerships, events and who takes part in them.

All instants are stored in UTC; each city, event and contact names its own IANA zone.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common import languages
from common.audit import audited
from common.languages import localized
from events.place_models import City, Partnership, PartnershipStatusChange
from events.timezones import get_zone, validate_timezone

__all__ = [
    "ChangeProposal",
    "City",
    "Contact",
    "Event",
    "IndexedOccurrence",
    "ItineraryLeg",
    "Language",
    "ListedOccurrence",
    "OccurrenceChange",
    "OccurrenceHorizon",
    "Participation",
    "Partnership",
    "PartnershipStatusChange",
    "ProgrammeItem",
    "TeamMembership",
]


class Language(models.TextChoices):
    EN = "en", _("English")
    RU = "ru", _("Russian")


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

    # A public event anybody may read once it is decided: confirmed, or cancelled (its
    # subscribers must learn of the cancellation). A tentative one only its cities' teams see.
    PUBLIC_STATUSES = (Status.CONFIRMED, Status.CANCELLED)

    uid = models.UUIDField(_("UID"), default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.TENTATIVE
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    time_mode = models.CharField(
        _("time mode"), max_length=8, choices=TimeMode.choices, default=TimeMode.INSTANT
    )
    timezone = models.CharField(_("time zone"), max_length=64, validators=[validate_timezone])
    precision = models.CharField(
        _("precision"), max_length=8, choices=Precision.choices, default=Precision.TIME
    )
    # precision=TIME: aware instants (UTC). In LOCAL mode ``start`` is the wall-clock time in
    # the event's own zone that every participating city repeats in its zone.
    start = models.DateTimeField(_("start"), null=True, blank=True, db_index=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    # precision=DAY: inclusive local dates (iCalendar's exclusive DTEND is derived).
    start_date = models.DateField(_("start date"), null=True, blank=True, db_index=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # precision=MONTH/YEAR: the part of the date the source gives ("February 2020").
    approx_year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    approx_month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    # The bare column is the English (default-language) value; see common.languages.
    location = models.CharField(_("location (English)"), max_length=300, blank=True)
    location_ru = models.CharField(_("location (Russian)"), max_length=300, blank=True)
    online_url = models.URLField(_("online URL"), max_length=500, blank=True)
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("partnership"),
    )
    # RFC 5545 RRULE value without the "RRULE:" prefix, e.g. "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9".
    rrule = models.CharField(_("recurrence rule (RRULE)"), max_length=500, blank=True)
    # Local start datetimes (precision TIME) or dates (DAY), ISO strings, of removed instances.
    exdates = models.JSONField(_("removed dates"), default=list, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), default=0)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    history = audited()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start", "start_date", "id"]
        indexes = [
            models.Index(fields=["status", "visibility"]),
            # "Date to be announced" lists (city, partnership, events pages) read only the few
            # events known by a month or a year: without this they scanned every event.
            models.Index(
                fields=["approx_year", "approx_month"],
                condition=Q(precision__in=["month", "year", "unknown"]),
                name="event_approximate",
            ),
        ]
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
        return self.title(languages.normalise(get_language()))

    def title(self, language: str = "en") -> str:
        return localized(self, "title", language)

    def description(self, language: str = "en") -> str:
        return localized(self, "description", language)

    def location_in(self, language: str) -> str:
        return localized(self, "location", language)

    @classmethod
    def public_q(cls) -> Q:
        """``is_public`` as a query: the events everybody sees (common.roles, the selectors
        and the reminders all ask this)."""
        return Q(visibility=cls.Visibility.PUBLIC, status__in=cls.PUBLIC_STATUSES)

    @property
    def is_public(self) -> bool:
        """Everybody may see it (``public_q`` for one event)."""
        return self.visibility == self.Visibility.PUBLIC and self.status in self.PUBLIC_STATUSES

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

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="changes", verbose_name=_("event")
    )
    # Identity of the instance as the rule generates it: the local wall-clock start in the
    # event's zone (precision TIME) or the local date at midnight (precision DAY).
    original_start = models.DateTimeField(_("original start"))
    cancelled = models.BooleanField(_("cancelled"), default=False)
    start = models.DateTimeField(_("start"), null=True, blank=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    location = models.CharField(_("location (English)"), max_length=300, blank=True)
    location_ru = models.CharField(_("location (Russian)"), max_length=300, blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    note_ru = models.TextField(_("note (Russian)"), blank=True)
    sequence = models.PositiveIntegerField(_("sequence"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = audited()

    class Meta:
        verbose_name = _("occurrence change")
        verbose_name_plural = _("occurrence changes")
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

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="participations", verbose_name=_("event")
    )
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="participations", verbose_name=_("city")
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.PARTICIPANT
    )
    venue = models.CharField(_("venue (English)"), max_length=300, blank=True)
    venue_ru = models.CharField(_("venue (Russian)"), max_length=300, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "city"], name="participation_unique_city")
        ]

    def __str__(self) -> str:
        return f"{self.city} ({self.get_role_display()})"

    def venue_in(self, language: str) -> str:
        return localized(self, "venue", language)


class Contact(models.Model):
    """A mailbox that receives reminders. Private: never shown to anonymous users."""

    class Kind(models.TextChoices):
        MAYOR_OFFICE = "mayor_office", _("Mayor's office")
        EMBASSY = "embassy", _("Embassy / consulate")
        ORGANISATION = "organisation", _("Organisation")
        CITY_UNION = "city_union", _("Union of cities")

    name = models.CharField(_("name (English)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.MAYOR_OFFICE
    )
    city = models.ForeignKey(
        City,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        verbose_name=_("city"),
    )
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    timezone = models.CharField(_("time zone"), max_length=64, validators=[validate_timezone])
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = audited()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["email"], name="contact_unique_email")]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str) -> str:
        return localized(self, "name", language)


# The index's tables belong to this app; the module stays separate to keep this one small.
from events.index_models import (  # noqa: E402
    IndexedOccurrence,
    ListedOccurrence,
    OccurrenceHorizon,
)
from events.itinerary_models import ItineraryLeg, ProgrammeItem  # noqa: E402
from events.team_models import ChangeProposal, TeamMembership  # noqa: E402
