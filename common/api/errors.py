"""One place that maps domain errors to HTTP responses."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"detail": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, ProtectedError):
        exc = exceptions.ValidationError({"detail": [_("Other records still refer to this one.")]})
    elif isinstance(exc, IntegrityError):
        # A concurrent write won a race the services' checks could not see.
        exc = exceptions.ValidationError(
            {"detail": [_("The change conflicts with existing data; reload and retry.")]}
        )
    return drf_exception_handler(exc, context)


BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Invalid input: an object mapping each offending field to its messages.",
)
DENIED = OpenApiResponse(OpenApiTypes.OBJECT, description="Not authenticated or not allowed.")
NOT_FOUND = OpenApiResponse(OpenApiTypes.OBJECT, description="No such object (or not visible).")
THROTTLED = OpenApiResponse(OpenApiTypes.OBJECT, description="Too many anonymous requests.")
READ_ERRORS = {404: NOT_FOUND, 429: THROTTLED}
WRITE_ERRORS = {400: BAD_REQUEST, 401: DENIED, 403: DENIED, 404: NOT_FOUND}
