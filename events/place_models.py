"""Cities and the partnerships between them (the places of the programme).

Imported by events.models, which re-exports them; kept apart so each module stays readable.
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from common import languages
from common.audit import audited
from common.languages import localized
from events.timezones import get_zone, validate_timezone


class City(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region (US state / federal subject)")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.MUNICIPALITY
    )
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. RU, US")
    )
    region = models.CharField(
        _("region"), max_length=120, blank=True, help_text=_("State or federal subject, in English")
    )
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_native = models.CharField(_("name (native)"), max_length=120)
    # The Russian exonym of a place outside Russia (Анкоридж); Russian places use name_native.
    name_ru = models.CharField(_("name (Russian)"), max_length=120, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, validators=[validate_timezone])
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name_en"]
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
        # In the active language: the admin's lists, selects and headings say "Магадан" to a
        # Russian coordinator.
        return self.name(languages.normalise(get_language()))

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

    city_a = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="+", verbose_name=_("city")
    )
    city_b = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner city")
    )
    # Only the known part of the date is meaningful: with precision YEAR, month and day are 1.
    established_on = models.DateField(_("established on"), null=True, blank=True)
    established_precision = models.CharField(
        _("precision of the date"), max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    relationship = models.CharField(
        _("relationship"), max_length=16, choices=Relationship.choices, default="sister_city"
    )
    agreement_url = models.URLField(_("agreement document"), max_length=500, blank=True)
    notes = models.TextField(_("notes (English)"), blank=True)
    notes_ru = models.TextField(_("notes (Russian)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = audited()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.CheckConstraint(condition=Q(city_a__lt=F("city_b")), name="partnership_ordered"),
            models.UniqueConstraint(fields=["city_a", "city_b"], name="partnership_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.city_a} – {self.city_b}"

    def notes_in(self, language: str) -> str:
        return localized(self, "notes", language)

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
        Partnership,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("partnership"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Partnership.Status.choices)
    changed_on = models.DateField(_("changed on"))
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("partnership status change")
        verbose_name_plural = _("partnership status changes")
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return _("%(status)s on %(date)s") % {
            "status": self.get_status_display(),
            "date": formats.date_format(self.changed_on),
        }
