"""Who a mail goes to, resolved once per rule or contact into a ``Recipient`` value: the
address (and its exactly-once key), zone, language, city and hour. Planning, notices, sending
and digests all take this value instead of re-reading the rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from events.models import Contact
from events.recurrence import Occurrence
from events.timezones import get_zone, make_aware_lenient
from notifications.models import ReminderRule

DEFAULT_HOUR = 9


def address_key(address: str) -> str:
    """Exactly once is per address: "Office@City.example" and "office@city.example" are one."""
    return address.strip().lower()


@dataclass(frozen=True)
class Recipient:
    address: str
    zone_name: str
    language: str
    city_id: int | None  # the contact's city: its own instant of a same-local-time event
    hour: int = DEFAULT_HOUR  # when reminders are due, local time

    @classmethod
    def of_rule(cls, rule: ReminderRule) -> Recipient:
        """A rule's settings win over its contact's; a user's rule has its own zone."""
        contact = rule.contact
        if contact is not None:
            address = contact.email
        else:
            address = rule.user.email if rule.user is not None else ""
        return cls(
            address=address,
            zone_name=rule.timezone or (contact.timezone if contact is not None else "UTC"),
            language=rule.language or (contact.language if contact is not None else "en"),
            city_id=contact.city_id if contact is not None else None,
            hour=rule.hour,
        )

    @classmethod
    def of_contact(cls, contact: Contact, hour: int = DEFAULT_HOUR) -> Recipient:
        return cls(contact.email, contact.timezone, contact.language, contact.city_id, hour)

    @property
    def key(self) -> str:
        return address_key(self.address)

    def instant(self, occ: Occurrence) -> tuple[dt.datetime, dt.date]:
        """The instant this recipient cares about and its local date in their zone.

        For a contact in a participating city, that city's own instant (it differs in LOCAL
        mode); otherwise the event's. All-day occurrences use their (local) dates as they are.
        """
        zone = get_zone(self.zone_name)
        if occ.start is None:
            assert occ.start_date is not None
            day = occ.start_date
            return make_aware_lenient(dt.datetime.combine(day, dt.time()), zone), day
        instant = occ.start
        for city_time in occ.city_times:
            if self.city_id and city_time.city.pk == self.city_id and city_time.start is not None:
                instant = city_time.start
        return instant.astimezone(dt.UTC), instant.astimezone(zone).date()

    def days_ahead(self, day: dt.date, now: dt.datetime) -> int:
        """Whole days from ``now``'s local date to ``day`` in their zone (the wording)."""
        return (day - now.astimezone(get_zone(self.zone_name)).date()).days

    def due(self, day: dt.date, lead_days: int) -> dt.datetime:
        """``lead_days`` before ``day`` at ``hour`` local time, as a UTC instant (DST-safe)."""
        local = dt.datetime.combine(day - dt.timedelta(days=lead_days), dt.time(self.hour))
        return make_aware_lenient(local, get_zone(self.zone_name)).astimezone(dt.UTC)
