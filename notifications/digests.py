"""The optional weekly digest: one email per contact and ISO week listing the coming weeks'
occurrences its reminder rules cover.

A digest is a ledger row like a reminder (``Delivery.kind = digest``, keyed by the contact
and the ISO week of its local send date, unique), so the scan, the claim, the retries, the
sweeper, the admin and the API treat it exactly like a reminder. Only planning (which week,
at what instant) and building the message live here. Content is computed at send time, so a
digest sent after a retry lists what is current then.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import operator
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q

from common import clock, languages
from common.urls import absolute_url
from events.models import Contact, Event
from events.occurrence_index.read import occurrences_in
from events.recurrence import Occurrence
from events.timezones import get_zone, make_aware_lenient
from notifications import emails, ledger, planning, recipients
from notifications.models import Delivery, DigestSubscription
from notifications.selectors import active_rules, events_for_rule

log = logging.getLogger(__name__)

# A digest found more than this long after its slot is stale: recorded as missed, not sent.
STALE_AFTER = dt.timedelta(days=1)


# --- Writes: the subscription ------------------------------------------------------------------


def pending_digests(contact_id: int):
    return Delivery.objects.filter(
        contact_id=contact_id, kind=Delivery.Kind.DIGEST, status=Delivery.Status.PENDING
    )


# --- Planning ----------------------------------------------------------------------------------


def week_key(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_slots(digest: DigestSubscription, now: dt.datetime) -> dict[str, dt.datetime]:
    """This ISO week's and next week's send instants {week: UTC instant}: ``weekday`` at
    ``hour`` in the contact's zone (DST-safe: computed locally, then converted)."""
    zone = get_zone(digest.contact.timezone)
    today = now.astimezone(zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    slots = {}
    for week in (0, 1):
        day = monday + dt.timedelta(days=7 * week + digest.weekday - 1)
        local = dt.datetime.combine(day, dt.time(digest.hour))
        slots[week_key(day)] = make_aware_lenient(local, zone).astimezone(dt.UTC)
    return slots


def plan_digest(*, digest_id: int, now: dt.datetime | None = None) -> int:
    """Bring the contact's pending digest rows in line with its subscription. Idempotent;
    returns rows added. A new row is only planned for a slot still ahead (a subscriber who
    joins on Tuesday gets next week's digest); pending rows follow a changed day or hour;
    rows of a stopped subscription are skipped. Sent rows are never touched, and the unique
    (contact, week) key makes a second digest in one week impossible."""
    now = now or clock.now()
    digest = DigestSubscription.objects.select_related("contact").filter(pk=digest_id).first()
    if digest is None:
        return 0
    wanted = {}
    if digest.is_active and digest.contact.is_active:
        wanted = digest_slots(digest, now)
    with transaction.atomic():
        existing = {
            row.occurrence_key: row
            for row in Delivery.objects.filter(
                contact_id=digest.contact_id, kind=Delivery.Kind.DIGEST
            ).filter(Q(status=Delivery.Status.PENDING) | Q(occurrence_key__in=list(wanted)))
        }
        new_rows = []
        for key, due in wanted.items():
            row = existing.get(key)
            if row is None:
                if due > now:
                    new_rows.append(
                        Delivery(
                            contact_id=digest.contact_id,
                            # Informational: digests are unique per (contact, week) instead.
                            address_key=recipients.address_key(digest.contact.email),
                            kind=Delivery.Kind.DIGEST,
                            occurrence_key=key,
                            due_at=due,
                            next_attempt_at=due,
                            occurrence_start=due + STALE_AFTER,
                        )
                    )
            elif row.status == Delivery.Status.PENDING and row.attempts == 0 and row.due_at != due:
                Delivery.objects.filter(
                    pk=row.pk, status=Delivery.Status.PENDING, attempts=0
                ).update(due_at=due, next_attempt_at=due, occurrence_start=due + STALE_AFTER)
        stale = [
            row.pk
            for key, row in existing.items()
            if key not in wanted and row.status == Delivery.Status.PENDING
        ]
        if stale:
            Delivery.objects.filter(pk__in=stale, status=Delivery.Status.PENDING).update(
                status=Delivery.Status.SKIPPED, last_error="No longer scheduled."
            )
        Delivery.objects.bulk_create(new_rows, ignore_conflicts=True)
    return len(new_rows)


def plan_all_digests(*, now: dt.datetime | None = None) -> int:
    """The periodic planner's share: every subscription (stopped ones drop pending rows)."""
    now = now or clock.now()
    ids = list(DigestSubscription.objects.values_list("pk", flat=True))
    return sum(plan_digest(digest_id=pk, now=now) for pk in ids)


# --- Content and the message -------------------------------------------------------------------


@dataclass(frozen=True)
class DigestItem:
    title: str
    when: str
    cities: list[emails.CityLine]
    location: str
    online_url: str
    url: str
    tentative: bool


def digest_occurrences(contact: Contact, now: dt.datetime, weeks: int) -> list[Occurrence]:
    """Occurrences in [now, now + weeks) of the events the contact's active rules cover,
    without cancelled or already started ones; one query per rule kind, not per event."""
    rules = list(active_rules().filter(contact=contact))
    if not rules:
        return []
    match = functools.reduce(
        operator.or_, (Q(pk__in=events_for_rule(rule).values("pk")) for rule in rules)
    )
    window_end = now + dt.timedelta(weeks=weeks)
    seen: set[tuple[int, str]] = set()
    result = []
    for occ in occurrences_in(Event.objects.filter(match), now, window_end):
        key = (occ.event.pk, planning.occurrence_key(occ))
        if occ.cancelled or key in seen:
            continue
        if occ.start is not None:
            start = occ.start
        elif occ.start_date is not None:
            local_midnight = dt.datetime.combine(occ.start_date, dt.time())
            start = make_aware_lenient(local_midnight, get_zone(contact.timezone))
        else:
            continue
        if start < now:
            continue
        seen.add(key)
        result.append(occ)
    return result


def build_digest_email(
    *,
    delivery: Delivery,
    digest: DigestSubscription,
    occurrences: list[Occurrence],
    now: dt.datetime,
) -> EmailMultiAlternatives:
    contact = digest.contact
    language = languages.normalise(contact.language)
    zone_name = contact.timezone
    # The contact as a recipient: its zone, and its own city's instant in local-time events.
    recipient = recipients.Recipient.of_contact(contact)
    items = []
    for occ in occurrences:
        event = occ.event
        instant, day = recipient.instant(occ)
        when = (
            emails.format_instant(instant, zone_name, language)
            if occ.start is not None
            else emails.format_date(day, language)
        )
        items.append(
            DigestItem(
                title=event.title(language),
                when=when,
                cities=emails._city_lines(occ, language),
                location=occ.location_in(language),
                online_url=event.online_url,
                url=absolute_url("web:event_detail", slug=event.slug),
                tentative=event.status != Event.Status.CONFIRMED,
            )
        )
    zone = get_zone(zone_name)
    end = now + dt.timedelta(weeks=digest.weeks)
    feed_url = absolute_url("feeds:all")
    if contact.city is not None:
        feed_url = absolute_url("feeds:city", slug=contact.city.slug)
    context = {
        "items": items,
        "items_count": len(items),
        "weeks": digest.weeks,
        "zone": zone_name,
        "period_start": emails.format_date(now.astimezone(zone).date(), language, in_range=True),
        "period_end": emails.format_date(end.astimezone(zone).date(), language, in_range=True),
        "feed_url": feed_url,
        "unsubscribe_url": emails.unsubscribe_url(digest.unsubscribe_token),
    }
    return emails.assemble(
        emails.render_parts("digest.", context, language),
        to=contact.email,
        message_id=emails.message_id(delivery),
        unsubscribe=emails.unsubscribe_url(digest.unsubscribe_token),
        language=language,
    )


def prepare_digest(*, delivery: Delivery, now: dt.datetime) -> Any:
    """For a claimed digest row: (message, address), or the status already recorded."""
    contact = delivery.contact
    digest = None
    if contact is not None:
        with contextlib.suppress(DigestSubscription.DoesNotExist):
            digest = contact.digest
    if contact is None or digest is None or not digest.is_active or not contact.is_active:
        ledger.mark_final(
            delivery=delivery, status=Delivery.Status.SKIPPED, error="The digest is off."
        )
        return Delivery.Status.SKIPPED
    if not contact.email:
        ledger.mark_final(delivery=delivery, status=Delivery.Status.FAILED, error="No address.")
        return Delivery.Status.FAILED
    try:
        occurrences = digest_occurrences(contact, now, digest.weeks)
        if not occurrences:
            ledger.mark_final(
                delivery=delivery,
                status=Delivery.Status.SKIPPED,
                error="Nothing scheduled in the coming weeks.",
            )
            return Delivery.Status.SKIPPED
        message = build_digest_email(
            delivery=delivery, digest=digest, occurrences=occurrences, now=now
        )
    except Exception as exc:
        log.exception("Cannot build digest %s", delivery.pk)
        ledger.mark_final(
            delivery=delivery, status=Delivery.Status.FAILED, error=f"Cannot build: {exc!r}"
        )
        return Delivery.Status.FAILED
    return message, contact.email
