"""The thin write pattern every resource shares: parse input, call one service, shape output.

Lost updates: every single-object answer carries an ETag (a hash of the representation), and a
PATCH or DELETE with ``If-Match`` is refused with 412 when the object changed since that ETag,
so two coordinators editing one event cannot silently overwrite each other. PUT is not offered
(a partial PATCH is what the services do; a PUT that behaved as PATCH was misleading).
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions, status, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from common.paging import BoundedPaginator


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class BoundedCountPagination(Pagination):
    """Pages of a list that can be counted no further than needed (``count_at_least``, the
    occurrence index's windows): ``count`` is exact up to EXACT_COUNT_UP_TO items (or two
    pages past the one asked for, if further); beyond, ``count`` is null and
    ``count_at_least`` says how many there are at least, while ``next`` stays while there
    are more (as GitLab's API leaves out its totals past 10,000). Counting a whole window
    read every row of it: a year at 100,000 events, 14,000 rows. ``page=last`` counts all."""

    EXACT_COUNT_UP_TO = 1000

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        requested = request.query_params.get(self.page_query_param)
        if requested not in self.last_page_strings:
            self.django_paginator_class = functools.partial(
                BoundedPaginator, requested=requested, floor=self.EXACT_COUNT_UP_TO
            )
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        paginator = self.page.paginator
        more = getattr(paginator, "more", False)
        body: dict[str, Any] = {"count": None if more else paginator.count}
        if more:
            body["count_at_least"] = paginator.count
        body.update(next=self.get_next_link(), previous=self.get_previous_link(), results=data)
        return Response(body)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paged = super().get_paginated_response_schema(schema)
        properties = paged["properties"]
        properties["count"] = {
            "type": "integer",
            "nullable": True,
            "example": 123,
            "description": f"Exact up to {self.EXACT_COUNT_UP_TO} items; null beyond.",
        }
        paged["properties"] = {
            "count": properties.pop("count"),
            "count_at_least": {
                "type": "integer",
                "example": self.EXACT_COUNT_UP_TO,
                "description": "Only when count is null: there are at least this many.",
            },
            **properties,
        }
        return paged


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
