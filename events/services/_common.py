"""Helpers shared by the write services: field-named errors and model validation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _refuse_nul(field: str, value: object) -> None:
    # PostgreSQL cannot store NUL in text; refuse it here rather than fail in the database.
    if isinstance(value, str) and "\x00" in value:
        raise _error(field, _("Text may not contain NUL characters."), "null_characters")


def _full_clean(instance: Any, exclude: Iterable[str] = ()) -> None:
    for model_field in instance._meta.concrete_fields:
        _refuse_nul(model_field.name, getattr(instance, model_field.attname, None))
    instance.full_clean(exclude=list(exclude), validate_unique=True)
