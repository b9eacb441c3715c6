"""``manage.py load_demo``: load the demo programme from the seed document. Idempotent."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from common import audit
from common.progress import ProgressBar
from events.demo.loader import load_programme
from events.demo.logins import DEMO_PASSWORD, DEMO_TEAMS, DEMO_USERNAME


class Command(BaseCommand):
    help = (
        "Create or update the demo cities, sister-city pairs, events and contacts from the "
        "seed document, a demo programme administrator and two city team logins. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-user",
            action="store_true",
            help=f"Do not create the demo login {DEMO_USERNAME!r} (use outside a demo).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with audit.acting(audit.Interface.COMMAND):
                report = load_programme(
                    with_user=not options["no_user"], progress=ProgressBar(self.stderr._out)
                )
        except ValidationError as exc:
            raise CommandError(f"The demo programme did not validate: {exc}") from exc
        for line in report.lines():
            self.stdout.write(line)
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if not options["no_user"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo login: {DEMO_USERNAME} / {DEMO_PASSWORD} "
                    f"(programme administrator, group {settings.PROGRAMME_ADMINS_GROUP!r}) "
                    f"at {settings.SITE_URL}/admin/"
                )
            )
            for username, password, city in DEMO_TEAMS:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Demo login: {username} / {password} "
                        f"(city team of {city}) at {settings.SITE_URL}/desk/"
                    )
                )
