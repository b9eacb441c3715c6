"""The weekly digest subscription (its own module to keep models.py short; re-exported by
notifications.models)."""

from __future__ import annotations

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import Contact

DEFAULT_DIGEST_WEEKS = 3
MAX_DIGEST_WEEKS = 8


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(32)


class DigestSubscription(models.Model):
    """A contact's opt-in weekly digest: the coming ``weeks`` of events its rules cover, sent on
    ``weekday`` at ``hour`` in the contact's zone and language. At most one per contact."""

    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("Monday")
        TUESDAY = 2, _("Tuesday")
        WEDNESDAY = 3, _("Wednesday")
        THURSDAY = 4, _("Thursday")
        FRIDAY = 5, _("Friday")
        SATURDAY = 6, _("Saturday")
        SUNDAY = 7, _("Sunday")

    contact = models.OneToOneField(
        Contact, on_delete=models.CASCADE, related_name="digest", verbose_name=_("contact")
    )
    # ISO weekday (Monday = 1) and hour in the contact's own time zone.
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    hour = models.PositiveSmallIntegerField(
        _("hour"), default=9, validators=[MinValueValidator(0), MaxValueValidator(23)]
    )
    weeks = models.PositiveSmallIntegerField(
        _("weeks ahead"),
        default=DEFAULT_DIGEST_WEEKS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DIGEST_WEEKS)],
    )
    is_active = models.BooleanField(_("active"), default=True)
    unsubscribe_token = models.CharField(
        _("unsubscribe token"),
        max_length=64,
        unique=True,
        default=new_unsubscribe_token,
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("digest subscription")
        verbose_name_plural = _("digest subscriptions")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(hour__gte=0, hour__lte=23), name="digest_hour"),
            models.CheckConstraint(
                condition=Q(weekday__gte=1, weekday__lte=7), name="digest_weekday"
            ),
            models.CheckConstraint(
                condition=Q(weeks__gte=1, weeks__lte=MAX_DIGEST_WEEKS), name="digest_weeks"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.get_weekday_display()} {self.hour:02d}:00)"
