"""The thin write pattern every resource shares: parse input, call one service, shape output.

Lost updates: every single-object answer carries an ETag (a hash of the representation), and a
PATCH or DELETE with ``If-Match`` is refused with 412 when the object changed since that ETag,
so two coordinators editing one event cannot silently overwrite each other. PUT is not offered
(a partial PATCH is what the services do; a PUT that behaved as PATCH was misleading).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions, status, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


def etag_of(data: Any) -> str:
    """A strong ETag for a representation (what a GET shows)."""
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


class ServiceViewSet(viewsets.ModelViewSet):
    """Reads use ``serializer_class``; writes parse with ``input_class`` and call a service."""

    input_class: type
    pagination_class = Pagination
    lookup_value_regex = r"[0-9]{1,15}"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _represent(self, instance: Any) -> Any:
        return self.get_serializer(self.output(instance)).data

    def _check_if_match(self, instance: Any) -> None:
        """412 unless ``If-Match`` is absent, ``*`` or the object's current ETag."""
        header = self.request.headers.get("If-Match")
        if not header:
            return
        tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
        if "*" in tags or etag_of(self._represent(instance)) in tags:
            return
        raise PreconditionFailed(
            {
                "detail": [
                    _(
                        "This object changed since you loaded it (If-Match does not match its "
                        "ETag). Load it again and apply your change to the current version."
                    )
                ]
            }
        )

    def _lock(self, instance: Any) -> Any:
        """Hold the row until the write commits, so the If-Match check cannot race a writer."""
        type(instance)._default_manager.select_for_update().filter(pk=instance.pk).first()
        return instance

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._represent(self.get_object())
        return Response(data, headers={"ETag": etag_of(data)})

    def create_object(self, data: dict[str, Any]) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def update_object(self, instance: Any, data: dict[str, Any]) -> Any:  # pragma: no cover
        raise NotImplementedError

    def delete_object(self, instance: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def output(self, instance: Any) -> Any:
        """Reload through the read queryset so the response has what a GET would show."""
        return self.get_queryset().get(pk=instance.pk)

    def parse(self, partial: bool = False) -> dict[str, Any]:
        parser = self.input_class(data=self.request.data, partial=partial)
        parser.is_valid(raise_exception=True)
        return dict(parser.validated_data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.create_object(self.parse())
        data = self._represent(instance)
        return Response(data, status=status.HTTP_201_CREATED, headers={"ETag": etag_of(data)})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            instance = self._lock(self.get_object())
            self._check_if_match(instance)
            instance = self.update_object(instance, self.parse(partial=True))
        data = self._represent(instance)
        return Response(data, headers={"ETag": etag_of(data)})

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            instance = self._lock(self.get_object())
            self._check_if_match(instance)
            self.delete_object(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)
