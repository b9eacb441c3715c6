"""Every name the admin shows is a message of the catalogue: model names (its sidebar, its
"Add event" and "Change contact" headings), app names and field labels. A name Django derives
from the class or the column ("Event", "created at") stays English in the Russian admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.contrib import admin
from django.utils.functional import Promise

OUR_APPS = ("events", "events.feeds", "events.web", "notifications")


def _admin_models() -> list[type]:
    found: set[type] = set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_config.name not in OUR_APPS:
            continue
        found.add(model)
        found.update(inline.model for inline in model_admin.inlines)
    found.update(apps.get_model("events", name) for name in ("ItineraryLeg", "ProgrammeItem"))
    return sorted(found, key=lambda m: m.__name__)


@pytest.mark.parametrize("name", OUR_APPS)
def test_app_name_is_translatable(name):
    assert isinstance(apps.get_app_config(name.rsplit(".", 1)[-1]).verbose_name, Promise)


@pytest.mark.parametrize("model", _admin_models(), ids=lambda m: m.__name__)
def test_admin_model_names_are_translatable(model):
    assert isinstance(model._meta.verbose_name, Promise), model._meta.verbose_name
    assert isinstance(model._meta.verbose_name_plural, Promise), model._meta.verbose_name_plural


@pytest.mark.parametrize("model", _admin_models(), ids=lambda m: m.__name__)
def test_admin_model_field_labels_are_translatable(model):
    untranslated = [
        field.name
        for field in model._meta.get_fields()
        if not field.auto_created
        and hasattr(field, "verbose_name")
        and not isinstance(field.verbose_name, Promise)
    ]
    assert untranslated == []


def test_admin_names_cities_pairs_and_events_in_the_admins_language(admin_client, db):
    from events import services
    from events.models import Participation
    from tests.factories import CityFactory

    magadan = CityFactory(slug="magadan", name_en="Magadan", name_ru="Магадан")
    anchorage = CityFactory(slug="anchorage", name_en="Anchorage", name_ru="Анкоридж", country="US")
    pair = services.create_partnership(city_a_id=magadan.pk, city_b_id=anchorage.pk)
    event = services.create_event(
        title_en="Wreath-laying",
        title_ru="Возложение венков",
        kind="commemoration",
        timezone="Asia/Magadan",
        start=dt.datetime(2030, 5, 8, 23, tzinfo=dt.UTC),
        participations=[
            services.ParticipationInput(city_id=magadan.pk, role=Participation.Role.HOST)
        ],
    )
    admin_client.cookies["django_language"] = "ru"

    pairs = admin_client.get("/admin/events/partnership/").content.decode()
    change = admin_client.get(f"/admin/events/event/{event.pk}/change/").content.decode()

    assert f'href="/admin/events/partnership/{pair.pk}/change/">Магадан – Анкоридж</a>' in pairs
    assert "Возложение венков" in change.split("<title>")[1].split("</title>")[0]
    assert f'<option value="{magadan.pk}" selected>Магадан</option>' in change
