"""Helpers shared by the write services: field-named errors and model validation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from events.timezones import canonical_zone


def _error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _refuse_nul(field: str, value: object) -> None:
    # PostgreSQL cannot store NUL in text; refuse it here rather than fail in the database.
    if isinstance(value, str) and "\x00" in value:
        raise _error(field, _("Text may not contain NUL characters."), "null_characters")


# What str.splitlines() breaks on: any of them would split a title, a name or a venue in a
# feed, a mail subject or a CSV export.
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _refuse_line_breaks(field: str, value: object) -> None:
    """Single-line text (titles, names, locations, venues, labels) holds no line break."""
    if isinstance(value, str) and not _LINE_BREAKS.isdisjoint(value):
        raise _error(field, _("This field is one line: remove the line break."), "line_break")


def check_single_line(**fields: object) -> None:
    """Refuse (ValidationError naming the field) a line break in any of the given one-line
    values. No side effects: forms call it to show the error the services would raise."""
    for name, value in fields.items():
        _refuse_line_breaks(name, value)


def _canonical_zone(instance: Any, field: str = "timezone") -> None:
    """Store the canonical IANA name (Europe/Kiev becomes Europe/Kyiv); refuse others."""
    try:
        setattr(instance, field, canonical_zone(getattr(instance, field)))
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def _full_clean(
    instance: Any, exclude: Iterable[str] = (), *, database_checks: bool = True
) -> None:
    """Model validation plus our text rules. ``database_checks=False`` skips the unique and
    check-constraint queries (one each): a batch checks uniqueness in bulk and lets the
    database enforce its constraints (events.services.batch)."""
    for model_field in instance._meta.concrete_fields:
        value = getattr(instance, model_field.attname, None)
        _refuse_nul(model_field.name, value)
        if isinstance(model_field, models.CharField):
            _refuse_line_breaks(model_field.name, value)
        if model_field.name == "timezone" and value:
            _canonical_zone(instance)
    instance.full_clean(
        exclude=list(exclude), validate_unique=database_checks, validate_constraints=database_checks
    )
