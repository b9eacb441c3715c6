"""The occurrence index: every occurrence of every event inside a rolling horizon, one row per
place (the event's own zone, and each participating city), kept by events.occurrence_index in
the transaction of each write that changes occurrences. Nothing here computes a time: rows store
what events.recurrence.expand and city_times say.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class IndexedOccurrence(models.Model):
    """One occurrence as seen in one place. ``city`` is None for the occurrence itself (its
    times in the event's zone, as ``Occurrence`` has them); a city row -- only where the city's
    times differ (same local time in each city, timed) -- holds that city's ``CityTime``
    (instants in UTC, local dates in the city's zone)."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    city = models.ForeignKey(
        "events.City", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The occurrence's identity within its event: recurrence_id, or sort_start for a one-off.
    key = models.DateTimeField()
    recurrence_id = models.DateTimeField(null=True, blank=True)
    # Occurrence.sort_key (the same on every row of one occurrence): list order.
    sort_start = models.DateTimeField()
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    # Local dates in the row's place (all-day: the dates; timed: start/end's local date).
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # The hull of the instants at which the occurrence is on somewhere (recurrence._overlaps):
    # it touches a window [lo, hi) when touch_lo < hi and touch_hi >= lo.
    touch_lo = models.DateTimeField()
    touch_hi = models.DateTimeField()
    # True when touch_hi is more than LONG_SPAN after sort_start: such rows are found through
    # their own index, every other row through a bounded range of sort_start.
    long_span = models.BooleanField(default=False)
    # The first instant at which the occurrence counts as over for "upcoming" lists.
    over_at = models.DateTimeField()
    cancelled = models.BooleanField(default=False)
    moved = models.BooleanField(default=False)
    # An OccurrenceChange applies (moved, cancelled, re-placed or annotated): only then is
    # it loaded.
    has_change = models.BooleanField(default=False)
    location = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["sort_start", "event"],
                condition=Q(city__isnull=True),
                name="occidx_start",
            ),
            models.Index(
                fields=["touch_hi"],
                condition=Q(city__isnull=True, long_span=True),
                name="occidx_long",
            ),
            models.Index(fields=["event", "key"], name="occidx_event_key"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} @ {self.sort_start:%Y-%m-%d %H:%M} ({self.city_id or 'event'})"


class ListedOccurrence(models.Model):
    """One occurrence as listed on one city's or one partnership's pages, or under one
    country: a row per participating city, per partnership whose list holds the event (linked
    to it, or both of its cities take part: events.selectors.events_of_partnership_q) and per
    country of its cities (once however many cities of that country take part), each pointing
    at the occurrence's event-zone row.

    A city or partnership page, or a list filtered by country, reads its own rows through
    (city | partnership | country, sort_start) and stops after the page: reading the
    event-zone rows in order and keeping those of one city (or one country, checked per row
    against the participations) walked past every other occurrence, which grew with the
    number of events."""

    # No database constraints: the rows are derived (rebuilt whole by rebuild_index, in one
    # transaction), and PostgreSQL's deferred checks locked every referenced row at COMMIT --
    # a 100,000-event rebuild spent over ten minutes there. Deletes still cascade (Django).
    row = models.ForeignKey(
        IndexedOccurrence,
        on_delete=models.DO_NOTHING,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )
    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    # No index of their own: listed_city_start / listed_pair_start lead with them (and serve
    # the cascading deletes). With a plain one beside them, PostgreSQL misjudged a long
    # partnership list as a few hundred rows and read the pair's whole list through it to
    # sort the first 120 (6.3 ms at 100,000 events, against 1.4 ms for the ordered scan).
    city = models.ForeignKey(
        "events.City",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )
    partnership = models.ForeignKey(
        "events.Partnership",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_index=False,
        db_constraint=False,
        related_name="+",
    )
    # The ISO code of a country list's rows (null on a city's or a partnership's, as city and
    # partnership are null on the others': exactly one of the three is set).
    country = models.CharField(max_length=2, null=True, blank=True)  # noqa: DJ001
    # Copies of the event-zone row's: what lists select and order by.
    key = models.DateTimeField()
    sort_start = models.DateTimeField()
    touch_lo = models.DateTimeField()
    touch_hi = models.DateTimeField()
    long_span = models.BooleanField(default=False)
    over_at = models.DateTimeField()

    class Meta:
        indexes = [
            # Every row of a city or pair (long ones too, a few): the short half of a list
            # reads them in order, a delete by city or partnership finds them.
            models.Index(
                fields=["city", "sort_start", "event", "key"],
                condition=Q(city__isnull=False),
                name="listed_city_start",
            ),
            models.Index(
                fields=["partnership", "sort_start", "event", "key"],
                condition=Q(partnership__isnull=False),
                name="listed_pair_start",
            ),
            models.Index(
                fields=["country", "sort_start", "event", "key"],
                condition=Q(country__isnull=False),
                name="listed_country_start",
            ),
            models.Index(
                fields=["city", "touch_hi"],
                condition=Q(city__isnull=False, long_span=True),
                name="listed_city_long",
            ),
            models.Index(
                fields=["partnership", "touch_hi"],
                condition=Q(partnership__isnull=False, long_span=True),
                name="listed_pair_long",
            ),
            models.Index(
                fields=["country", "touch_hi"],
                condition=Q(country__isnull=False, long_span=True),
                name="listed_country_long",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(city__isnull=False, partnership__isnull=True, country__isnull=True)
                | Q(city__isnull=True, partnership__isnull=False, country__isnull=True)
                | Q(city__isnull=True, partnership__isnull=True, country__isnull=False),
                name="listed_one_list",
            )
        ]

    def __str__(self) -> str:
        where = (
            f"city {self.city_id}"
            if self.city_id
            else f"pair {self.partnership_id}"
            if self.partnership_id
            else f"country {self.country}"
        )
        return f"{self.event_id} @ {self.sort_start:%Y-%m-%d %H:%M} ({where})"


class OccurrenceHorizon(models.Model):
    """The one row saying which instants the index covers: [covered_from, covered_until).

    No row means the index has not been built (``manage.py rebuild_occurrence_index``) and
    every read expands recurrences instead. Writers hold it FOR SHARE, the extension FOR
    UPDATE, so an extension never races a write.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    covered_from = models.DateTimeField()
    covered_until = models.DateTimeField()
    extended_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="occidx_horizon_single")]

    def __str__(self) -> str:
        return f"{self.covered_from:%Y-%m-%d} .. {self.covered_until:%Y-%m-%d}"
