"""The one iCalendar writer: events in, calendar bytes out.

Feeds, single-event downloads and email invitations all render events here, so a UID, a
SEQUENCE and a time look the same wherever a calendar client meets them.

Rules (see events/feeds/README.md for the reasons):
* UID ``<Event.uid>@twinning-calendar`` never changes; SEQUENCE is ``Event.sequence`` (and
  ``OccurrenceChange.sequence`` on a RECURRENCE-ID VEVENT).
* DTSTAMP and LAST-MODIFIED are the last change of anything the VEVENT shows (the event, its
  occurrence changes, its participating cities), so a render is a pure function of the data and
  a stored fragment is byte-identical to a fresh render.
* Timed events carry ``TZID`` and every calendar carries the VTIMEZONE of each zone, generated
  from the zone database. All-day events are DATE values with an exclusive DTEND.
* A *display zone* (a city feed) shows one-off instant events in that city's zone; LOCAL-mode
  events repeat at the same wall-clock time in that zone. A recurring instant event keeps its
  own zone, because its rule (e.g. BYMONTHDAY=9) is defined there: converting DTSTART to a zone
  on the other side of the date line would make the rule generate wrong dates.
* A cancelled instance is an EXDATE (every client honours EXDATE in a subscribed feed; an
  override with STATUS:CANCELLED is ignored by several); a moved or re-placed instance is its
  own VEVENT with RECURRENCE-ID = the original local start.

Modules: ``wire`` (content lines, escaping, folding, the small VEvent), ``vtimezones``
(VTIMEZONEs from the zone database), ``uids``, ``copies`` (one VEVENT set per city for
same-local-time events), ``text`` (DESCRIPTION, LOCATION, GEO), ``vevents`` (one event's
VEVENTs), ``calendars`` (heads
and whole calendars), ``invitations`` (iTIP attachments). The feeds app keeps rendered
fragments and their version keys (events/feeds/fragments.py).
"""

from events.ical.calendars import (
    CALENDAR_END,
    PRODID,
    REFRESH_INTERVAL,
    calendar_head,
    render_calendar,
)
from events.ical.copies import display_zone_name
from events.ical.invitations import invitation_ics
from events.ical.text import event_url
from events.ical.uids import UID_DOMAIN, city_uid, event_uid, occurrence_uid
from events.ical.vevents import (
    RENDER_VERSION,
    event_vevents,
    normalise_language,
    related,
    render_fragment,
)
from events.ical.vtimezones import (
    EMPTY_CALENDAR_ZONE,
    VTIMEZONE_FIRST,
    attachment_since,
    timezones_block,
    vtimezone,
)
from events.ical.wire import VEvent, escape_text, fold

__all__ = [
    "CALENDAR_END",
    "EMPTY_CALENDAR_ZONE",
    "PRODID",
    "REFRESH_INTERVAL",
    "RENDER_VERSION",
    "UID_DOMAIN",
    "VTIMEZONE_FIRST",
    "VEvent",
    "attachment_since",
    "calendar_head",
    "city_uid",
    "display_zone_name",
    "escape_text",
    "event_uid",
    "event_url",
    "event_vevents",
    "fold",
    "invitation_ics",
    "normalise_language",
    "occurrence_uid",
    "related",
    "render_calendar",
    "render_fragment",
    "timezones_block",
    "vtimezone",
]
