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


def can_view_contact(user, contact) -> bool:
    """May ``user`` see ``contact``'s addresses (in lists, forms and the audit trail)?

    ``contact`` may be a historical copy (a deleted contact's last row), so only its own
    fields may be read, never a query through it."""
    return is_coordinator(user)
