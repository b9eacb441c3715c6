"""City teams: which coordinators act for which city.

A membership row says "this user works for this city"; a user may belong to several cities'
teams. What a membership allows is decided in one place, common/roles.py. Imported by
events.models, which re-exports it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.audit import audited
from events.place_models import City


class TeamMembership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="team_memberships",
        verbose_name=_("user"),
    )
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, related_name="team_memberships", verbose_name=_("city")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = audited()

    class Meta:
        ordering = ["city__name_en", "user__username"]
        verbose_name = _("city team membership")
        verbose_name_plural = _("city team memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "city"], name="team_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.city}"


class ChangeProposal(models.Model):
    """A partner team's proposed new time or place for an event another city hosts: stored,
    the host team told, applied (through update_event) only when a host team member accepts.
    ``fields`` holds the proposed values as JSON (ISO dates and times, wall-clock times in the
    event's zone, as the API takes them)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    event = models.ForeignKey(
        "events.Event",
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name=_("event"),
    )
    fields = models.JSONField(_("proposed values"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Set when the host team's notice was handed to the mail server (claimed once).
    notified_at = models.DateTimeField(_("host team notified at"), null=True, blank=True)
    history = audited()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change proposal")
        verbose_name_plural = _("change proposals")

    def __str__(self) -> str:
        return f"{self.event} ({self.get_status_display()})"
