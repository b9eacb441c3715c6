"""A delegation visit's itinerary: its legs (each end in its own city's zone) and its programme
items at the host city. Instants are stored in UTC; each is shown in the zone of the city it
belongs to (a leg's departure in the departure city's, its arrival in the arrival city's), so
"Anchorage 8 May 22:00 → Magadan 9 May 23:30" is two zones, not one. Writes go through
events.services.itinerary, which bumps the event's ``updated_at`` in the same transaction
(feed fragments and validators follow the event).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.languages import localized


class ItineraryLeg(models.Model):
    class Mode(models.TextChoices):
        FLIGHT = "flight", _("Flight")
        TRAIN = "train", _("Train")
        FERRY = "ferry", _("Ferry")
        TRANSFER = "transfer", _("Transfer")

    event = models.ForeignKey(
        "events.Event",
        on_delete=models.CASCADE,
        related_name="itinerary_legs",
        verbose_name=_("event"),
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.FLIGHT)
    departure_city = models.ForeignKey(
        "events.City", on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    # Free text: "Ted Stevens Anchorage International Airport", "Kazansky station".
    departure_place = models.CharField(_("departure place"), max_length=200, blank=True)
    departs_at = models.DateTimeField(_("departs"))
    arrival_city = models.ForeignKey(
        "events.City", on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    arrival_place = models.CharField(_("arrival place"), max_length=200, blank=True)
    arrives_at = models.DateTimeField(_("arrives"))
    # A flight or train number, a carrier: "PC 1234", "Aurora".
    reference = models.CharField(_("reference"), max_length=80, blank=True)
    sequence = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["departs_at", "id"]
        verbose_name = _("itinerary leg")
        verbose_name_plural = _("itinerary legs")
        constraints = [
            models.CheckConstraint(
                condition=Q(arrives_at__gt=F("departs_at")), name="itinerary_leg_arrives_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.departure_city} → {self.arrival_city}"

    @property
    def local_departure(self):  # -> datetime.datetime
        return self.departs_at.astimezone(self.departure_city.zone)

    @property
    def local_arrival(self):  # -> datetime.datetime
        return self.arrives_at.astimezone(self.arrival_city.zone)


class ProgrammeItem(models.Model):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        CEREMONY = "ceremony", _("Ceremony")
        VISIT = "visit", _("Visit")
        RECEPTION = "reception", _("Reception")
        OTHER = "other", _("Other")

    event = models.ForeignKey(
        "events.Event",
        on_delete=models.CASCADE,
        related_name="programme_items",
        verbose_name=_("event"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MEETING)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    # Where it happens: the host city unless the programme moves (a day trip).
    city = models.ForeignKey(
        "events.City", on_delete=models.PROTECT, related_name="+", verbose_name=_("city")
    )
    venue_en = models.CharField(_("venue (English)"), max_length=300, blank=True)
    venue_ru = models.CharField(_("venue (Russian)"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        constraints = [
            models.CheckConstraint(
                condition=~(Q(title_en="") & Q(title_ru="")), name="programme_item_has_a_title"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="programme_item_ends_after",
            ),
        ]

    def __str__(self) -> str:
        return self.title_en or self.title_ru

    def title(self, language: str = "en") -> str:
        return localized(self, "title", language)

    def venue(self, language: str = "en") -> str:
        return localized(self, "venue", language)

    @property
    def local_start(self):  # -> datetime.datetime
        return self.starts_at.astimezone(self.city.zone)

    @property
    def local_end(self):  # -> datetime.datetime | None
        return self.ends_at.astimezone(self.city.zone) if self.ends_at else None
