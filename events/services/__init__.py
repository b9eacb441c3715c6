"""Writes to the events domain. Every function is atomic: on error nothing is stored.

Domain rule violations raise ``django.core.exceptions.ValidationError`` with a dict naming the
field; the API maps it to a 400 in one exception handler.
"""

from events.services._common import check_single_line
from events.services.batch import (
    EventEdit,
    EventsRefused,
    NewEvent,
    create_events,
    update_events,
)
from events.services.commemorations import plan_commemoration
from events.services.event_rights import check_participation_rights
from events.services.itinerary import (
    add_leg,
    add_programme_item,
    delete_leg,
    delete_programme_item,
    update_leg,
    update_programme_item,
)
from events.services.occurrences import change_occurrence
from events.services.places import (
    change_partnership_status,
    check_contact_rights,
    check_partnership_pair,
    create_city,
    create_contact,
    create_partnership,
    delete_city,
    delete_contact,
    delete_partnership,
    normalise_country,
    update_city,
    update_contact,
    update_partnership,
)
from events.services.schedule import (
    EVENT_FIELDS,
    SCHEDULE_FIELDS,
    ParticipationInput,
    cancel_event,
    create_event,
    update_event,
    validate_event_fields,
)

__all__ = [
    "EVENT_FIELDS",
    "SCHEDULE_FIELDS",
    "EventEdit",
    "EventsRefused",
    "NewEvent",
    "ParticipationInput",
    "add_leg",
    "add_programme_item",
    "cancel_event",
    "change_occurrence",
    "change_partnership_status",
    "check_contact_rights",
    "check_participation_rights",
    "check_partnership_pair",
    "check_single_line",
    "create_city",
    "create_contact",
    "create_event",
    "create_events",
    "create_partnership",
    "delete_city",
    "delete_contact",
    "delete_leg",
    "delete_partnership",
    "delete_programme_item",
    "normalise_country",
    "plan_commemoration",
    "update_city",
    "update_contact",
    "update_event",
    "update_events",
    "update_leg",
    "update_partnership",
    "update_programme_item",
    "validate_event_fields",
]
