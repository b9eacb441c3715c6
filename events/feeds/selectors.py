"""Reads for feeds: which events a feed holds, its validators, and its bytes, streamed."""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from common.roles import oversees_everyone
from events.feeds.fragments import as_datetime
from events.feeds.models import FeedToken, FeedVersion, ImportJob, hash_token
from events.models import City, Event, ItineraryLeg, Participation, Partnership, ProgrammeItem
from events.selectors import events_of_partnership_q, events_visible_to

# A cancelled event stays in feeds (as STATUS:CANCELLED) this long after it was cancelled, so
# clients that poll every few hours or days remove it rather than keep a stale copy.
CANCELLED_RETENTION = dt.timedelta(days=30)
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,128}$")


def active_token(secret: str) -> FeedToken | None:
    """The active token whose secret is ``secret``, else None (malformed, wrong, revoked)."""
    if not _TOKEN_RE.match(secret or ""):
        return None
    digest = hash_token(secret)
    token = FeedToken.objects.filter(token_hash=digest, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    return token


def tokens_managed_by(user) -> QuerySet[FeedToken]:
    """A token belongs to the coordinator who issued it: only they (and programme
    administrators) list, revoke or regenerate it, so nobody silently breaks another's
    subscriptions. Tokens without an owner are the administrators'."""
    if not getattr(user, "is_authenticated", False):
        return FeedToken.objects.none()
    if oversees_everyone(user):
        return FeedToken.objects.all()
    return FeedToken.objects.filter(created_by=user)


def import_jobs_visible_to(user) -> QuerySet[ImportJob]:
    """An import job is its owner's (the file may hold internal events): only they and
    programme administrators see it; jobs without an owner (the command's) are the
    administrators'. Newest first; the stored file is not loaded."""
    jobs = ImportJob.objects.defer("data")
    if oversees_everyone(user):
        return jobs
    if not getattr(user, "is_authenticated", False):
        return jobs.none()
    return jobs.filter(owner=user)


def cancelled_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Start of today (UTC) minus the retention: stable for a day, so ETags are too."""
    now = now or timezone.now()
    midnight = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - CANCELLED_RETENTION


def _in_feed(query: QuerySet[Event], cutoff: dt.datetime) -> QuerySet[Event]:
    return query.filter(precision__in=[Event.Precision.TIME, Event.Precision.DAY]).filter(
        ~Q(status=Event.Status.CANCELLED) | Q(cancelled_at__gte=cutoff)
    )


def public_feed_events(cutoff: dt.datetime) -> QuerySet[Event]:
    return _in_feed(events_visible_to(AnonymousUser()), cutoff)


def city_feed_events(city: City, cutoff: dt.datetime) -> QuerySet[Event]:
    takes_part = Participation.objects.filter(event=OuterRef("pk"), city=city)
    return public_feed_events(cutoff).filter(Exists(takes_part))


def partnership_feed_events(pair: Partnership, cutoff: dt.datetime) -> QuerySet[Event]:
    """The events the partnership page lists (the same selector), as far as feeds hold them."""
    return public_feed_events(cutoff).filter(events_of_partnership_q(pair))


def token_feed_events(token: FeedToken, cutoff: dt.datetime) -> QuerySet[Event]:
    statuses = [Event.Status.CONFIRMED, Event.Status.CANCELLED]
    if token.include_tentative:
        statuses.append(Event.Status.TENTATIVE)
    query = Event.objects.filter(status__in=statuses)
    if token.created_by_id is not None:
        # A city team's token holds no more than its owner may see (no partner's internal or
        # tentative events); an administrator's, anything.
        query = query.filter(pk__in=events_visible_to(token.created_by).values("pk"))
    if not token.include_internal:
        query = query.filter(visibility=Event.Visibility.PUBLIC)
    # Lazy (no query until the feed is read): "no cities chosen" or "takes part in one".
    chosen = FeedToken.cities.through.objects.filter(feedtoken_id=token.pk)
    query = query.filter(
        ~Exists(chosen)
        | Exists(
            Participation.objects.filter(event=OuterRef("pk"), city_id__in=chosen.values("city_id"))
        )
    )
    if token.kinds:
        query = query.filter(kind__in=token.kinds)
    return _in_feed(query, cutoff)


@dataclass(frozen=True)
class FeedState:
    """Validators for every feed, from one aggregate query that reads no event rows."""

    etag_seed: str
    last_modified: dt.datetime


def feed_state(now: dt.datetime | None = None) -> FeedState:
    """Validators for every feed from the feed version row (one primary-key read, whatever
    the number of events): database triggers move its counter in every transaction that
    writes events, cities, participations, partnerships, occurrence changes or tokens. Any
    change anywhere moves every feed's validators (conservative: a 200 from stored fragments
    is cheap). The day of the cancelled-event cutoff is part of it, since that changes what
    feeds hold."""
    version = FeedVersion.objects.filter(pk=1).values_list("counter", "changed_at").first()
    counter, changed_at = version if version is not None else (0, None)
    cutoff = cancelled_cutoff(now)
    day_start = cutoff + CANCELLED_RETENTION
    changed = as_datetime(changed_at)
    last = max(changed, day_start) if changed is not None else day_start
    seed = f"{counter}|{cutoff.date().isoformat()}"
    return FeedState(etag_seed=seed, last_modified=last.replace(microsecond=0))


def feed_timezones(query: QuerySet[Event], city: City | None) -> set[str]:
    """Every zone a feed's VEVENTs may name (a superset is harmless), in one query: the
    events' own zones, for the per-city copies of same-local-time events their cities', and
    both ends of every itinerary leg and every programme item's city."""
    own = query.order_by().values_list("timezone", flat=True)
    ids = query.order_by().values("pk")
    legs = ItineraryLeg.objects.filter(event__in=ids).order_by()
    itinerary = [
        legs.values_list("departure_city__timezone", flat=True),
        legs.values_list("arrival_city__timezone", flat=True),
        ProgrammeItem.objects.filter(event__in=ids)
        .order_by()
        .values_list("city__timezone", flat=True),
    ]
    if city is not None:
        return set(own.union(*itinerary)) | {city.timezone}
    local = (
        Participation.objects.filter(
            event__in=query.filter(time_mode=Event.TimeMode.LOCAL).order_by().values("pk")
        )
        .order_by()
        .values_list("city__timezone", flat=True)
    )
    return set(own.union(local, *itinerary))
