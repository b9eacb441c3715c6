"""Who may do what: the one test of the coordinator role."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser


def is_coordinator(user) -> bool:
    """Superusers and members of ``settings.COORDINATORS_GROUP``."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=settings.COORDINATORS_GROUP).exists()
