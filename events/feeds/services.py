"""Writes for feeds: private tokens and the fragment store."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from events import ical
from events.feeds.models import FeedFragment, FeedToken
from events.feeds.selectors import hash_token
from events.models import City, Event, OccurrenceChange, Participation


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
    if language not in ("", "en", "ru"):
        raise ValidationError({"language": [_("Use en, ru or leave empty.")]})
    if not label.strip():
        raise ValidationError({"label": [_("Give the token a label.")]})
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


def render_and_store_fragments(
    event_ids: list[int], *, variant: str, language: str, city: City | None
) -> list[bytes]:
    """Render the VEVENTs of these events and upsert them in the fragment store.

    Idempotent: a concurrent request storing the same version writes the same bytes.
    """
    # Loaded by hand, not with prefetch_related: one City object per city rather than one per
    # participation, and no per-event QuerySet (together a third of a cold feed's time).
    events = list(Event.objects.filter(pk__in=event_ids).order_by())
    parts = list(Participation.objects.filter(event_id__in=event_ids).order_by("id"))
    cities = {c.pk: c for c in City.objects.filter(pk__in={p.city_id for p in parts})}
    changes = OccurrenceChange.objects.filter(event_id__in=event_ids).order_by("original_start")
    relations: dict[int, tuple[list, list]] = {e.pk: ([], []) for e in events}
    for part in parts:
        part.city = cities[part.city_id]
        relations[part.event_id][0].append(part)
    for change in changes:
        relations[change.event_id][1].append(change)
    rows = []
    bodies = []
    for event in events:
        loaded = relations[event.pk]
        body = ical.render_fragment(event, language=language, city=city, relations=loaded)
        bodies.append(body)
        rows.append(
            FeedFragment(
                event_id=event.pk,
                variant=variant,
                language=language,
                version=ical.fragment_version(event, loaded),
                body=body.decode(),
            )
        )
    FeedFragment.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["event", "variant", "language"],
        update_fields=["version", "body", "rendered_at"],
    )
    return bodies
