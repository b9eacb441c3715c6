"""Fixtures for feed tests: the speech's cities and events."""

from __future__ import annotations

import datetime as dt

import pytest

import events.tasks  # noqa: F401 - registers the import task for eager runs
from events import services
from events.models import Event
from tests.notifications.conftest import app_clock, make_pipeline, pg, private_redis
from tests.notifications.procs import free_port

__all__ = ["app_clock", "make_pipeline", "pg", "private_redis"]  # the worker test's fixtures


@pytest.fixture
def eager_celery():
    """Tasks published by the code under test run in this process (after commit, when the
    test runs the on-commit callbacks)."""
    from worker.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = old


@pytest.fixture
def broker_down():
    """The Celery app publishes to a port nobody listens on (a real refused connection)."""
    from worker.celery import app

    old = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    yield app
    app.conf.broker_url, app.conf.task_always_eager = old
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def ceremony(egvekinot, fairbanks):
    """The ALSIB wreath-laying: one instant, 9 May in Chukotka = 8 May in Alaska."""
    return services.create_event(
        title_en="ALSIB wreath-laying",
        title_ru="Возложение венков, АЛСИБ",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        timezone="Asia/Anadyr",
        start=dt.datetime(2030, 5, 9, 12, 0),
        end=dt.datetime(2030, 5, 9, 13, 0),
        participations=[
            services.ParticipationInput(city_id=egvekinot.pk, role="host"),
            services.ParticipationInput(city_id=fairbanks.pk, role="host"),
        ],
    )


@pytest.fixture
def victory_day(egvekinot, fairbanks):
    """Annual 9 May commemoration, 10:00 local in each city; 2031 moved, 2032 cancelled."""
    event = services.create_event(
        title_en="Victory Day commemoration",
        title_ru="День Победы",
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.CONFIRMED,
        time_mode=Event.TimeMode.LOCAL,
        timezone="Asia/Anadyr",
        start=dt.datetime(2030, 5, 9, 10, 0),
        end=dt.datetime(2030, 5, 9, 11, 0),
        rrule="FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9",
        participations=[
            services.ParticipationInput(city_id=egvekinot.pk, role="host"),
            services.ParticipationInput(city_id=fairbanks.pk, role="participant"),
        ],
    )
    services.change_occurrence(
        event=event,
        original_start=dt.datetime(2031, 5, 9, 10, 0),
        start=dt.datetime(2031, 5, 10, 15, 0),
        end=dt.datetime(2031, 5, 10, 16, 0),
    )
    services.change_occurrence(
        event=event, original_start=dt.datetime(2032, 5, 9, 10, 0), cancelled=True
    )
    return Event.objects.get(pk=event.pk)


@pytest.fixture
def festival(fairbanks):
    """An all-day festival, 1-3 July inclusive."""
    return services.create_event(
        title_en="Jazz Train festival",
        kind=Event.Kind.FESTIVAL,
        status=Event.Status.CONFIRMED,
        timezone="America/Anchorage",
        precision=Event.Precision.DAY,
        start_date=dt.date(2030, 7, 1),
        end_date=dt.date(2030, 7, 3),
        participations=[services.ParticipationInput(city_id=fairbanks.pk, role="host")],
    )


def fetch(client, url: str, **extra) -> tuple[int, bytes, object]:
    """GET a feed and read its (streamed) body."""
    response = client.get(url, **extra)
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    return response.status_code, body, response
