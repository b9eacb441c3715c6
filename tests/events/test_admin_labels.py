"""Every name the admin shows is a message of the catalogue: model names (its sidebar, its
"Add event" and "Change contact" headings), app names and field labels. A name Django derives
from the class or the column ("Event", "created at") stays English in the Russian admin."""

from __future__ import annotations

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
