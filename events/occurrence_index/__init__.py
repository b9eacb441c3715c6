"""The occurrence index: what it holds, how writes keep it and how pages read it.

``IndexedOccurrence`` rows (events/index_models.py) hold every occurrence that touches the
covered window [covered_from, covered_until) of the single ``OccurrenceHorizon`` row: one row
per occurrence in the event's zone (``city`` None) and, where a city's times differ from it
(TimeMode.LOCAL, timed), one per participating city, each storing what
events.recurrence.expand / city_times say. Other cities' times are city_times() of the stored
instants, as expansion computes them.

- ``ListedOccurrence`` rows list each occurrence once per participating city, once per
  partnership whose list holds the event (linked to it, or both its cities take part) and
  once per country of its cities, with the event-zone row's order and window columns: the
  city and partnership pages, the events list and /api/occurrences/ filtered by a city, pair
  or country read them (``read.ListScope``) through (city | partnership | country,
  sort_start) and stop after the page.
- Writes: every service that changes occurrences calls one function of ``maintain`` in its own
  transaction (``refresh_event``, ``refresh_city_events`` when a city's zone or country
  changes, ``refresh_partnership_events`` when a pair is created or its cities change).
- Horizon: ``extend_horizon`` (the beat task, daily) keeps covered_until OCCURRENCE_INDEX_FUTURE_DAYS
  ahead of now, which is how open-ended rules are handled; covered_from is fixed at the first
  build (OCCURRENCE_INDEX_PAST_DAYS before it).
- Reads: ``read.window`` answers a window inside the horizon with indexed range queries,
  building only the slice asked for; outside it (or before the first build) callers get the
  expansion of events.selectors.occurrences_between, bounded as before.
- ``manage.py rebuild_occurrence_index`` rebuilds every row for the current horizon.

A window is matched against each occurrence's hull (earliest start to latest end over the
event's zone and its cities), where expansion asks whether any one place's span touches it.
They differ only when two cities' spans of one occurrence leave a gap longer than the window,
which takes zone offsets more than 24 h apart (Pacific/Kiritimati and Pacific/Pago_Pago);
windows here are whole days or longer.
"""
