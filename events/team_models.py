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
