"""Errors the write services raise: a ValidationError naming the offending field, which the
API maps to a 400 and the admin shows beside the field."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def field_error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})
