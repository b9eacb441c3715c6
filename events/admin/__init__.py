"""The coordinators' admin. Every save goes through events.services, so the admin refuses what
the API refuses (a DST-gap time, a bad rule, a duplicate pair) with a form error, not a 500."""

# Importing the modules registers their ModelAdmins (Django autodiscovers events.admin).
from events.admin import places, schedule, teams

__all__ = ["places", "schedule", "teams"]
