"""``manage.py rebuild_occurrence_index``: rewrite the occurrence index. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from events.models import OccurrenceHorizon
from events.occurrence_index.maintain import rebuild_index


class Command(BaseCommand):
    help = (
        "Delete and rewrite every occurrence-index row for the covered horizon (created from "
        "now on the first run), in one transaction. Safe to run again: the same rows result."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-horizon",
            action="store_true",
            help="Recompute the covered window from now (OCCURRENCE_INDEX_PAST/FUTURE_DAYS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = rebuild_index(reset_horizon=options["reset_horizon"])
        horizon = OccurrenceHorizon.objects.get(pk=1)
        self.stdout.write(
            f"Occurrence index: {rows} rows covering {horizon.covered_from:%Y-%m-%d} "
            f"to {horizon.covered_until:%Y-%m-%d}."
        )
