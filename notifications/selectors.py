"""Reads for reminders: which rules match an event, which events a rule covers, the ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from common import audit, roles
from events.models import Event, Participation
from events.selectors import events_visible_to, visible_to_cities_q
from notifications.models import ChangeNotice, Delivery, DigestSubscription, ReminderRule

# Statuses a coordinator may put back in the queue.
RETRYABLE = (Delivery.Status.FAILED, Delivery.Status.MISSED, Delivery.Status.SKIPPED)


def active_rules() -> QuerySet[ReminderRule]:
    """Rules that still send: active, and their contact (if any) active."""
    return ReminderRule.objects.filter(is_active=True).filter(
        Q(contact__isnull=True) | Q(contact__is_active=True)
    )


def rules_for_event(event: Event) -> QuerySet[ReminderRule]:
    """Active rules that cover ``event`` (by the event itself, its kind, cities or pair)."""
    city_ids = list(event.participations.values_list("city_id", flat=True))
    match = Q(target=ReminderRule.Target.EVENT, event_id=event.pk) | Q(
        target=ReminderRule.Target.EVENT_KIND, event_kind=event.kind
    )
    if city_ids:
        match |= Q(target=ReminderRule.Target.CITY, city_id__in=city_ids)
    if event.partnership_id:
        match |= Q(target=ReminderRule.Target.PARTNERSHIP, partnership_id=event.partnership_id)
    return active_rules().filter(match).select_related("contact__city", "user")


def rules_told_of(event: Event) -> list[ReminderRule]:
    """The rules of ``rules_for_event`` whose recipient may hear of ``event`` as it is now
    (``heard_of_by``): a change notice of Tula's internal event is no news for a kind rule of
    a Magadan contact. Contacts are narrowed in the same query -- heard_of_by's rule seen from
    the event: a public event, a contact of no city, or of a city taking part; only the
    rules reminding a user ask heard_of_by one by one (coordinators: a few)."""
    rules = rules_for_event(event)
    if not event.is_public:
        taking_part = Participation.objects.filter(event=event).values("city_id")
        rules = rules.filter(
            Q(contact__isnull=True)
            | Q(contact__city__isnull=True)
            | Q(contact__city__in=taking_part)
        )
    one = Event.objects.filter(pk=event.pk)
    return [
        rule
        for rule in rules
        if rule.contact_id is not None or rule.user_id is None or heard_of_by(rule, one).exists()
    ]


def events_for_rule(rule: ReminderRule) -> QuerySet[Event]:
    """Confirmed, dated events a rule covers (tentative events get no reminders) that its
    recipient may hear of (``heard_of_by``)."""
    query = Event.objects.filter(
        status=Event.Status.CONFIRMED,
        precision__in=[Event.Precision.TIME, Event.Precision.DAY],
    )
    # A rule's target field is set for its target (check constraint "rule_target_set").
    if rule.target == ReminderRule.Target.EVENT and rule.event_id is not None:
        return heard_of_by(rule, query.filter(pk=rule.event_id))
    if rule.target == ReminderRule.Target.EVENT_KIND:
        return heard_of_by(rule, query.filter(kind=rule.event_kind))
    if rule.target == ReminderRule.Target.CITY and rule.city_id is not None:
        return heard_of_by(rule, query.filter(participations__city_id=rule.city_id).distinct())
    if rule.target == ReminderRule.Target.PARTNERSHIP and rule.partnership_id is not None:
        return heard_of_by(rule, query.filter(partnership_id=rule.partnership_id))
    return query.none()


def heard_of_by(rule: ReminderRule, query: QuerySet[Event]) -> QuerySet[Event]:
    """The events of ``query`` the rule's recipient may be told of: what the recipient's city
    may see (a contact of a city: public events and those its city takes part in, the same
    rule as its city's team), or what the user may see (a rule reminding a user:
    common.roles). A contact of no city hears of all."""
    if rule.contact is not None:
        city_id = rule.contact.city_id
        if city_id is None:
            return query
        return query.filter(visible_to_cities_q([city_id]))
    if rule.user_id is not None:
        return query.filter(pk__in=events_visible_to(rule.user).values("pk"))
    return query


def due_notices(now: dt.datetime, limit: int) -> QuerySet[ChangeNotice]:
    return ChangeNotice.objects.filter(
        status=ChangeNotice.Status.PENDING, due_at__lte=now
    ).order_by("due_at")[:limit]


def deliveries_for_coordinators() -> QuerySet[Delivery]:
    """Reminders and change notices (rows with a rule and an event), latest due first."""
    return ledger().exclude(kind=Delivery.Kind.DIGEST)


def ledger(user=None) -> QuerySet[Delivery]:
    """Every ledger row, weekly digests included (they have a contact, no rule or event):
    all of them for the system (``user=None``) and programme administrators, a city team's
    own contacts' and its own reminders' rows for a team."""
    query = Delivery.objects.select_related(
        "rule__contact", "rule__user", "event", "contact"
    ).order_by("-due_at", "-id")
    if user is None or roles.is_programme_admin(user):
        return query
    cities = roles.team_cities(user)
    return query.filter(
        Q(contact__city_id__in=cities)
        | Q(rule__contact__city_id__in=cities)
        | Q(rule__user_id=user.pk, rule__contact__isnull=True)
    )


def rules_visible_to(user) -> QuerySet[ReminderRule]:
    """Programme administrators: every rule; a city team: its cities' contacts' rules and the
    rules that remind the user themself."""
    query = ReminderRule.objects.order_by("id")
    if roles.is_programme_admin(user):
        return query
    return query.filter(
        Q(contact__city_id__in=roles.team_cities(user)) | Q(user_id=user.pk, contact__isnull=True)
    )


def digests_visible_to(user) -> QuerySet[DigestSubscription]:
    """Programme administrators: every digest; a city team: its cities' contacts' digests."""
    query = DigestSubscription.objects.order_by("id")
    if roles.is_programme_admin(user):
        return query
    return query.filter(contact__city_id__in=roles.team_cities(user))


def rule_history(rule_id: int) -> list[dict[str, Any]]:
    """The audit trail of one reminder rule, newest first (its unsubscribe token left out:
    it is a secret of the recipient's links). One query."""
    entries = audit.merged_trail((("reminder_rule", ReminderRule.history.filter(id=rule_id)),))
    for entry in entries:
        entry["changes"].pop("unsubscribe_token", None)
    return entries
