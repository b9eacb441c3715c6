"""Planning a new event's reminders on create, and the Django/Celery wiring."""

from __future__ import annotations

import pytest
from django.conf import settings

from events import services as event_services
from events.models import Event
from notifications import subscriptions
from notifications.models import Delivery, ReminderRule
from tests.factories import CityFactory, ContactFactory
from tests.notifications.conftest import utc

pytestmark = pytest.mark.django_db


def test_create_event_plans_reminders_after_commit(app_clock, django_capture_on_commit_callbacks):
    app_clock.move_to(utc(2030, 5, 1))  # within the planning horizon of a 1-day reminder
    magadan = CityFactory(slug="magadan", timezone="Asia/Magadan", country="RU")
    contact = ContactFactory(timezone="America/Anchorage")
    rule = subscriptions.create_rule(
        contact_id=contact.pk, target=ReminderRule.Target.CITY, city_id=magadan.pk, lead_days=[1]
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = event_services.create_event(
            title_en="Wreath laying",
            kind=Event.Kind.COMMEMORATION,
            status=Event.Status.CONFIRMED,
            timezone="Asia/Magadan",
            start=utc(2030, 5, 8, 23, 0),
            participations=[event_services.ParticipationInput(city_id=magadan.pk)],
        )
    assert not Delivery.objects.filter(event=event).exists()  # nothing before commit

    for callback in callbacks:
        callback()  # the commit: planning runs (eagerly here, in a worker in production)

    [row] = Delivery.objects.filter(event=event)
    assert (row.rule_id, row.lead_days, row.status) == (rule.pk, 1, Delivery.Status.PENDING)
    assert row.due_at == utc(2030, 5, 7, 17, 0)  # 7 May 09:00 in Anchorage


def test_create_event_survives_a_broker_outage(
    app_clock, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError

    from notifications.tasks import plan_event_task

    def refuse(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(plan_event_task, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        event = event_services.create_event(
            title_en="Forum", kind=Event.Kind.FORUM, timezone="UTC", start=utc(2030, 5, 8, 23, 0)
        )
    assert Event.objects.filter(pk=event.pk).exists()  # the periodic planner will catch up


def test_tasks_use_the_project_celery_app_and_its_broker():
    from config import celery_app
    from notifications import tasks

    assert tasks.send_deliveries.app is celery_app
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL
    assert "notifications.plan_event" in celery_app.tasks


@pytest.mark.parametrize("module", ["worker", "config"])
def test_celery_app_imports_from_a_fresh_interpreter(module):
    """``celery -A worker`` imports worker first, Django imports config first: both orders
    must work (config/__init__.py imports the app from worker.celery)."""
    import subprocess
    import sys
    from pathlib import Path

    code = f"import django, {module}; django.setup(); import notifications.tasks"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_lost_planning_publish_is_planned_by_the_next_scan(app_clock, monkeypatch):
    """The Celery message that plans a new event can be lost (broker down, Redis restarted);
    the periodic planner ran only every 10 minutes, so a reminder due sooner was missed. The
    request row written with the event lets the 30-second scan plan and send it."""
    from django.utils import timezone

    from notifications import ledger, planning
    from notifications.models import PlanRequest

    app_clock.move_to(utc(2030, 5, 7, 16, 58))  # the 1-day reminder is due at 17:00 UTC
    magadan = CityFactory(slug="magadan", timezone="Asia/Magadan", country="RU")
    contact = ContactFactory(timezone="America/Anchorage")
    subscriptions.create_rule(
        contact_id=contact.pk, target=ReminderRule.Target.CITY, city_id=magadan.pk, lead_days=[1]
    )
    lost: list = []
    monkeypatch.setattr("notifications.dispatch.transaction.on_commit", lost.append)
    event = event_services.create_event(
        title_en="Wreath laying",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Magadan",
        start=utc(2030, 5, 8, 23, 0),
        participations=[event_services.ParticipationInput(city_id=magadan.pk)],
    )
    assert lost  # the publish never happened
    assert not Delivery.objects.filter(event=event).exists()
    app_clock.move_to(utc(2030, 5, 7, 17, 0, 30))
    # The scan runs later in real time too: past the grace left to the Celery message.
    PlanRequest.objects.update(created_at=timezone.now() - 2 * planning.PLAN_REQUEST_GRACE)

    ledger.enqueue_due(enqueue=lambda ids: None)

    [row] = Delivery.objects.filter(event=event)
    assert row.status == Delivery.Status.QUEUED  # planned and claimed by the same scan
    assert not PlanRequest.objects.filter(event=event).exists()


def test_sweeper_thresholds_follow_the_limits_they_must_outlast(settings, monkeypatch):
    """Production defaults resent a row stranded by a killed worker only after 300 s."""
    from notifications import conf

    for name in ("NOTIFICATIONS_SENDING_STALE_SECONDS", "NOTIFICATIONS_QUEUED_STALE_SECONDS"):
        monkeypatch.delenv(name, raising=False)
        if hasattr(settings, name):
            delattr(settings, name)
    settings.CELERY_TASK_TIME_LIMIT = 120
    settings.EMAIL_TIMEOUT = 20
    settings.NOTIFICATIONS_SCAN_SECONDS = 30

    assert conf.get("NOTIFICATIONS_SENDING_STALE_SECONDS") == 145
    assert conf.get("NOTIFICATIONS_QUEUED_STALE_SECONDS") == 120
    monkeypatch.setenv("NOTIFICATIONS_SENDING_STALE_SECONDS", "400")
    assert conf.get("NOTIFICATIONS_SENDING_STALE_SECONDS") == 400
