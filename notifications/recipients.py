"""Who a mail goes to: address, zone, language and city, resolved once for a rule."""

from __future__ import annotations

import datetime as dt

from events.recurrence import Occurrence
from events.timezones import get_zone, make_aware_lenient
from notifications.models import ReminderRule


def address_key(address: str) -> str:
    """Exactly once is per address: "Office@City.example" and "office@city.example" are one."""
    return address.strip().lower()


def recipient_zone_name(rule: ReminderRule) -> str:
    if rule.timezone:
        return rule.timezone
    if rule.contact is not None:
        return rule.contact.timezone
    return "UTC"


def recipient_language(rule: ReminderRule) -> str:
    if rule.language:
        return rule.language
    if rule.contact is not None:
        return rule.contact.language
    return "en"


def recipient_email(rule: ReminderRule) -> str:
    if rule.contact is not None:
        return rule.contact.email
    return rule.user.email if rule.user is not None else ""


def recipient_instant(rule: ReminderRule, occ: Occurrence) -> tuple[dt.datetime, dt.date]:
    """The instant the recipient cares about and its local date in the recipient's zone.

    For a contact in a participating city, that city's own instant (it differs in LOCAL mode);
    otherwise the event's. All-day occurrences use their (local) dates as they are.
    """
    zone = get_zone(recipient_zone_name(rule))
    city_id = rule.contact.city_id if rule.contact is not None else None
    if occ.start is None:
        assert occ.start_date is not None
        day = occ.start_date
        return make_aware_lenient(dt.datetime.combine(day, dt.time()), zone), day
    instant = occ.start
    for city_time in occ.city_times:
        if city_id and city_time.city.pk == city_id and city_time.start is not None:
            instant = city_time.start
    return instant.astimezone(dt.UTC), instant.astimezone(zone).date()


def days_ahead(rule: ReminderRule, day: dt.date, now: dt.datetime) -> int:
    """Whole days from ``now``'s local date to ``day`` in the recipient's zone (the wording)."""
    return (day - now.astimezone(get_zone(recipient_zone_name(rule))).date()).days


def reminder_due(rule: ReminderRule, day: dt.date, lead_days: int) -> dt.datetime:
    """``lead_days`` before ``day`` at ``rule.hour`` local time, as a UTC instant (DST-safe)."""
    zone = get_zone(recipient_zone_name(rule))
    local = dt.datetime.combine(day - dt.timedelta(days=lead_days), dt.time(rule.hour))
    return make_aware_lenient(local, zone).astimezone(dt.UTC)
