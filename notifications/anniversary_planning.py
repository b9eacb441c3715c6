"""Planning anniversary reminders: a rule with target ``anniversary`` (one partnership, or
every partnership of a city) asks for one ledger row per (milestone anniversary, lead in
months), kind ``anniversary``, in the same ``Delivery`` ledger as event reminders.

The anniversary is a calendar date, the partnership's ``established_on`` day and month in the
anniversary year (29 February falls on 28 February in a common year). Only partnerships known
to the day get reminders: with just a year or a month of establishment there is no date to
count months back from, so they are left out (the desk still lists them). Ended partnerships
are left out too. The row is due ``lead`` months before that date (the same day of the month,
or the month's last day when it is shorter) at the rule's ``hour`` in the recipient's zone,
computed locally and converted to UTC, so a Magadan office and an Anchorage office are each
reminded at 09:00 of their own day. ``occurrence_key`` is the anniversary's ISO date,
``lead_days`` holds the months, ``occurrence_start`` the start of that day in the recipient's
zone (found later than that, a row is missed).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet

from events.models import Partnership
from events.selectors import anniversary_day, is_milestone
from events.timezones import get_zone, make_aware_lenient
from notifications.models import MAX_LEAD_MONTHS, Delivery, ReminderRule
from notifications.recipients import Recipient

# Rows are materialised this many days before the longest lead falls due.
HORIZON_SLACK_DAYS = 10
SUPERSEDED_REDATED = "superseded: the anniversary's date or time changed"


@dataclass(frozen=True)
class PlannedAnniversary:
    partnership_id: int
    occurrence_key: str  # the anniversary's date, ISO
    lead_months: int
    due_at: dt.datetime
    day_start: dt.datetime  # the anniversary's local midnight for the recipient

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.partnership_id, self.occurrence_key, self.lead_months)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` earlier, or that month's last day if shorter."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def pairs_for_rule(rule: ReminderRule) -> QuerySet[Partnership]:
    """Partnerships the rule covers that can have an anniversary date."""
    query = Partnership.objects.filter(
        established_on__isnull=False, established_precision=Partnership.Precision.DAY
    ).exclude(status=Partnership.Status.ENDED)
    if rule.partnership_id is not None:
        return query.filter(pk=rule.partnership_id)
    if rule.city_id is not None:
        return query.filter(Q(city_a_id=rule.city_id) | Q(city_b_id=rule.city_id))
    return query.none()


def _local(day: dt.date, hour: int, zone_name: str) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time(hour))
    return make_aware_lenient(naive, get_zone(zone_name)).astimezone(dt.UTC)


def planned_for(
    recipient: Recipient, pair: Partnership, day: dt.date, lead: int
) -> PlannedAnniversary:
    return PlannedAnniversary(
        partnership_id=pair.pk,
        occurrence_key=day.isoformat(),
        lead_months=lead,
        due_at=_local(months_before(day, lead), recipient.hour, recipient.zone_name),
        day_start=_local(day, 0, recipient.zone_name),
    )


def wanted_anniversaries(
    rule: ReminderRule, now: dt.datetime, pair_ids: list[int] | None = None
) -> list[PlannedAnniversary]:
    """Rows the rule asks for: milestone anniversaries not yet begun in the recipient's zone
    and no further ahead than the longest lead (plus the slack)."""
    if not rule.is_active or (rule.contact is not None and not rule.contact.is_active):
        return []
    leads = [m for m in rule.lead_months if isinstance(m, int) and 1 <= m <= MAX_LEAD_MONTHS]
    if not leads:
        return []
    recipient = Recipient.of_rule(rule)
    today = now.astimezone(get_zone(recipient.zone_name)).date()
    last = months_before(today, -max(leads)) + dt.timedelta(days=HORIZON_SLACK_DAYS)
    pairs = pairs_for_rule(rule)
    if pair_ids is not None:
        pairs = pairs.filter(pk__in=pair_ids)
    result: list[PlannedAnniversary] = []
    for pair in pairs:
        assert pair.established_on is not None
        for year in range(today.year, last.year + 1):
            day = anniversary_day(pair.established_on, year)
            if not is_milestone(year - pair.established_on.year) or not today <= day <= last:
                continue
            planned = [planned_for(recipient, pair, day, lead) for lead in leads]
            result.extend(p for p in planned if p.day_start > now)
    return result


def plan_anniversary_rule(rule: ReminderRule, now: dt.datetime) -> int:
    """Bring the rule's anniversary rows in line with its settings and the partnerships, as
    ``planning.plan_rule`` does for event reminders. Idempotent; returns rows added. Missing
    rows are inserted with ``ignore_conflicts`` (the partial unique constraints
    ``anniversary_once`` and ``anniversary_once_per_address`` decide under concurrency, and a
    reminder another rule already holds for the address is not planned again); pending rows
    follow a changed hour or zone; a row whose anniversary moved (the date of establishment
    was corrected) is superseded; rows nobody wants any more are removed or skipped. A rule
    planned after some lead times passed gets only the shortest one (no burst)."""
    wanted = {p.key: p for p in wanted_anniversaries(rule, now)}
    address = Recipient.of_rule(rule).key
    live = [Delivery.Status.PENDING, Delivery.Status.QUEUED]
    with transaction.atomic():
        existing = {
            (row.partnership_id, row.occurrence_key, row.lead_days): row
            for row in Delivery.objects.filter(rule=rule, kind=Delivery.Kind.ANNIVERSARY)
            .exclude(status=Delivery.Status.SUPERSEDED)
            .filter(Q(status__in=live) | Q(partnership_id__in={k[0] for k in wanted}))
        }
        taken = set()
        if address and wanted:
            taken = set(
                Delivery.objects.filter(
                    address_key=address,
                    kind=Delivery.Kind.ANNIVERSARY,
                    partnership_id__in={k[0] for k in wanted},
                )
                .exclude(rule=rule)
                .exclude(status__in=[Delivery.Status.SKIPPED, Delivery.Status.SUPERSEDED])
                .values_list("partnership_id", "occurrence_key", "lead_days")
            )
        shortest: dict[tuple[int, str], int] = {}
        for key in wanted:
            shortest[key[:2]] = min(shortest.get(key[:2], MAX_LEAD_MONTHS), key[2])
        new_rows = []
        for key, planned in wanted.items():
            row = existing.get(key)
            if row is None and key not in taken:
                late = planned.due_at <= now and shortest[key[:2]] != planned.lead_months
                new_rows.append(_new_row(rule, address, planned, late))
            elif row is not None and _retimed(row, planned):
                Delivery.objects.filter(
                    pk=row.pk, status=Delivery.Status.PENDING, attempts=0
                ).update(
                    due_at=planned.due_at,
                    next_attempt_at=planned.due_at,
                    occurrence_start=planned.day_start,
                )
        _drop_unwanted(existing, wanted, live)
        Delivery.objects.bulk_create(new_rows, ignore_conflicts=True)
    return len(new_rows)


def _retimed(row: Delivery, planned: PlannedAnniversary) -> bool:
    """A pending, never tried row whose due time the rule's hour or zone has changed."""
    return (
        row.status == Delivery.Status.PENDING
        and row.attempts == 0
        and (row.due_at, row.occurrence_start) != (planned.due_at, planned.day_start)
    )


def _new_row(rule: ReminderRule, address: str, planned: PlannedAnniversary, late: bool) -> Delivery:
    return Delivery(
        rule=rule,
        address_key=address,
        partnership_id=planned.partnership_id,
        occurrence_key=planned.occurrence_key,
        kind=Delivery.Kind.ANNIVERSARY,
        lead_days=planned.lead_months,
        status=Delivery.Status.SKIPPED if late else Delivery.Status.PENDING,
        last_error="Planned after a later reminder was already due." if late else "",
        due_at=planned.due_at,
        next_attempt_at=planned.due_at,
        occurrence_start=planned.day_start,
    )


def _drop_unwanted(existing: dict, wanted: dict, live: Sequence[str]) -> None:
    """Live rows no longer wanted: superseded when the same partnership and lead is wanted
    under another date (the anniversary moved), else removed (never tried) or skipped."""
    moved_to = {(k[0], k[2]) for k in wanted}
    moved: list[int] = []
    stale: list[int] = []
    for key, row in existing.items():
        if key in wanted or row.status not in live:
            continue
        if row.occurrence_start is None:
            continue  # put back by a coordinator after it was missed: theirs to decide
        (moved if (key[0], key[2]) in moved_to else stale).append(row.pk)
    if moved:
        Delivery.objects.filter(pk__in=moved, status__in=live).update(
            status=Delivery.Status.SUPERSEDED, last_error=SUPERSEDED_REDATED
        )
    if stale:
        Delivery.objects.filter(pk__in=stale, status=Delivery.Status.PENDING, attempts=0).delete()
        Delivery.objects.filter(pk__in=stale, status__in=live).update(
            status=Delivery.Status.SKIPPED, last_error="No longer scheduled."
        )
