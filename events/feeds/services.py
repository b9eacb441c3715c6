"""Writes for feeds: private tokens and the fragment store."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from common import languages
from events.feeds.models import FeedToken, hash_token
from events.models import City, Event
from events.services import check_single_line


@dataclass(frozen=True)
class IssuedToken:
    token: FeedToken
    secret: str  # shown once, never stored


def _new_secret() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


@transaction.atomic
def create_feed_token(
    *,
    label: str,
    actor: Any = None,
    city_ids: Iterable[int] = (),
    kinds: Iterable[str] = (),
    include_tentative: bool = True,
    include_internal: bool = True,
    language: str = "",
) -> IssuedToken:
    """Issue a private feed token; only its SHA-256 is stored. Not idempotent."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    kinds = list(dict.fromkeys(kinds))
    unknown_kinds = [k for k in kinds if k not in Event.Kind.values]
    if unknown_kinds:
        raise ValidationError({"kinds": [_("Unknown kind(s): %(k)s.") % {"k": unknown_kinds}]})
    city_ids = list(dict.fromkeys(city_ids))
    cities = list(City.objects.filter(pk__in=city_ids))
    if len(cities) != len(city_ids):
        known = {c.pk for c in cities}
        raise ValidationError(
            {"cities": [_("Unknown city id(s): %(ids)s.") % {"ids": sorted(set(city_ids) - known)}]}
        )
    if language not in ("", *languages.codes()):
        raise ValidationError(
            {
                "language": [
                    _("Use one of %(codes)s or leave empty.")
                    % {"codes": ", ".join(languages.codes())}
                ]
            }
        )
    if not label.strip():
        raise ValidationError({"label": [_("Give the token a label.")]})
    check_single_line(label=label)
    secret = _new_secret()
    token = FeedToken.objects.create(
        token_hash=hash_token(secret),
        label=label.strip()[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        kinds=kinds,
        include_tentative=include_tentative,
        include_internal=include_internal,
        language=language,
    )
    token.cities.set(cities)
    return IssuedToken(token=token, secret=secret)


def revoke_feed_token(*, token: FeedToken) -> FeedToken:
    """Revoke: the URL gives 404 from now on. Idempotent."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


@transaction.atomic
def regenerate_feed_token(*, token: FeedToken) -> IssuedToken:
    """Give the token a new secret (the old URL stops working) and reactivate it."""
    token = FeedToken.objects.select_for_update().get(pk=token.pk)
    secret = _new_secret()
    token.token_hash = hash_token(secret)
    token.revoked_at = None
    token.save(update_fields=["token_hash", "revoked_at", "updated_at"])
    return IssuedToken(token=token, secret=secret)
