"""Getting an API token: ``POST /api/auth/token/`` with a username and password (throttled
per address), or ``manage.py drf_create_token <username>`` on the server. The token goes in
``Authorization: Token <key>``."""

from __future__ import annotations

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.throttling import ScopedRateThrottle


class TokenView(ObtainAuthToken):
    """Exchange a username and password for the user's API token (created on first use)."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
