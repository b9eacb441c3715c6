"""manage.py import_ics <file-or-URL> --source NAME [--city SLUG ...] [--kind K] [--timezone Z]
[--queue]: imports here, with a progress bar (the operator's tool); --queue hands the file to a
worker as an import job instead and prints the job's id."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from common import audit
from common.progress import ProgressBar
from events.feeds import importer, jobs
from events.models import City


def _fetch(url: str) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise CommandError("Only http(s) URLs can be fetched.")
    request = urllib.request.Request(url, headers={"User-Agent": "twinning-calendar-import"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - checked
            return response.read(importer.MAX_IMPORT_BYTES + 1)
    except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts are OSErrors
        raise CommandError(f"Could not fetch {url}: {exc}") from exc


class Command(BaseCommand):
    help = "Import an external iCalendar file or URL into events (all or nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("location", help="path to a .ics file or an http(s) URL")
        parser.add_argument("--source", help="name of the source (default: the location)")
        parser.add_argument("--city", action="append", default=[], help="participating city slug")
        parser.add_argument("--kind", default="other")
        parser.add_argument("--visibility", default="public")
        parser.add_argument("--timezone", default="", help="zone for floating times")
        parser.add_argument(
            "--queue", action="store_true", help="queue an import job for a worker instead"
        )

    def handle(self, *args, **options) -> None:
        location: str = options["location"]
        if "://" in location:
            data = _fetch(location)
        else:
            path = Path(location)
            if not path.is_file():
                raise CommandError(f"No such file: {location}")
            with path.open("rb") as handle:
                data = handle.read(importer.MAX_IMPORT_BYTES + 1)
        cities = list(City.objects.filter(slug__in=options["city"]))
        if len(cities) != len(set(options["city"])):
            raise CommandError("Unknown city slug in --city.")
        zone = options["timezone"] or (cities[0].timezone if len(cities) == 1 else "UTC")
        import_options = importer.ImportOptions(
            source=options["source"] or location,
            city_ids=tuple(c.pk for c in cities),
            kind=options["kind"],
            visibility=options["visibility"],
            default_timezone=zone,
        )
        try:
            if options["queue"]:
                job = jobs.submit_import(
                    owner=None, data=data, options=import_options, file_name=location
                )
                self.stdout.write(f"queued import job {job.pk} ({job.get_state_display()})")
                return
            with audit.acting(audit.Interface.COMMAND):  # the import itself says "import"
                run = importer.import_calendar(
                    data=data, options=import_options, progress=ProgressBar(self.stderr._out)
                )
        except ValidationError as exc:
            lines = [f"{k}: {m}" for k, ms in exc.message_dict.items() for m in ms]
            raise CommandError("Import refused, nothing changed:\n" + "\n".join(lines)) from exc
        self.stdout.write(
            f"created {run.created}, updated {run.updated}, unchanged {run.unchanged}"
        )
        for item in run.report.get("removed_from_source", []):
            self.stdout.write(f"removed from source: {item['uid']} (event {item['event']})")
