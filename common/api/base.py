"""The thin write pattern every resource shares: parse input, call one service, shape output."""

from __future__ import annotations

from typing import Any

from rest_framework import status, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class ServiceViewSet(viewsets.ModelViewSet):
    """Reads use ``serializer_class``; writes parse with ``input_class`` and call a service."""

    input_class: type
    pagination_class = Pagination
    lookup_value_regex = r"[0-9]{1,15}"

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
        data = self.get_serializer(self.output(instance)).data
        return Response(data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        instance = self.update_object(self.get_object(), self.parse(partial=partial))
        return Response(self.get_serializer(self.output(instance)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.delete_object(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
