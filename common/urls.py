"""Absolute URLs for what leaves the site without a request (e-mails, feeds, invitations)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def absolute_url(name: str, **kwargs: Any) -> str:
    """``settings.SITE_URL`` + the path of the named URL, e.g. ``absolute_url("feeds:all")``."""
    return settings.SITE_URL + reverse(name, kwargs=kwargs or None)
