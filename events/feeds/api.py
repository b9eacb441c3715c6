"""Thin DRF views for private feed tokens, imports and subscription links (coordinators)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.permissions import CoordinatorOnly, ProgrammeAdminOnly
from events.feeds import importer, jobs, selectors, services
from events.feeds.links import subscribe_links
from events.feeds.models import FeedToken, ImportJob, ImportRun
from events.models import Event


class FeedTokenSerializer(serializers.ModelSerializer):
    cities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = FeedToken
        fields = [
            "id",
            "label",
            "cities",
            "kinds",
            "include_tentative",
            "include_internal",
            "language",
            "created_at",
            "revoked_at",
        ]


class FeedTokenInput(serializers.Serializer):
    label = serializers.CharField(max_length=200)
    cities = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    kinds = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    include_tentative = serializers.BooleanField(required=False, default=True)
    include_internal = serializers.BooleanField(required=False, default=True)
    language = serializers.CharField(required=False, default="", allow_blank=True)


class IssuedTokenSerializer(FeedTokenSerializer):
    token = serializers.CharField(help_text="The secret; shown only in this reply.")
    links = serializers.DictField(child=serializers.URLField())

    class Meta(FeedTokenSerializer.Meta):
        fields = [*FeedTokenSerializer.Meta.fields, "token", "links"]


_LINKS = inline_serializer(
    "FeedLinks",
    {
        "https": serializers.URLField(),
        "webcal": serializers.CharField(),
        "google": serializers.URLField(),
    },
)


def _issued(request: Request, issued: services.IssuedToken) -> dict:
    data = dict(FeedTokenSerializer(issued.token).data)
    data["token"] = issued.secret
    data["links"] = subscribe_links(request, "feeds:private", token=issued.secret)
    return data


class FeedTokenListView(APIView):
    """GET: tokens (secrets are never shown again). POST: issue one; the reply holds the URL."""

    permission_classes = [CoordinatorOnly]

    @extend_schema(responses=FeedTokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        tokens = selectors.tokens_managed_by(request.user).prefetch_related("cities")
        return Response(FeedTokenSerializer(tokens, many=True).data)

    @extend_schema(request=FeedTokenInput, responses={201: IssuedTokenSerializer})
    def post(self, request: Request) -> Response:
        form = FeedTokenInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        issued = services.create_feed_token(
            label=data["label"],
            actor=request.user,
            city_ids=data["cities"],
            kinds=data["kinds"],
            include_tentative=data["include_tentative"],
            include_internal=data["include_internal"],
            language=data["language"],
        )
        return Response(_issued(request, issued), status=status.HTTP_201_CREATED)


class FeedTokenRevokeView(APIView):
    permission_classes = [CoordinatorOnly]

    @extend_schema(request=None, responses=FeedTokenSerializer)
    def post(self, request: Request, pk: int) -> Response:
        token = get_object_or_404(selectors.tokens_managed_by(request.user), pk=pk)
        token = services.revoke_feed_token(token=token)
        return Response(FeedTokenSerializer(token).data)


class FeedTokenRegenerateView(APIView):
    permission_classes = [CoordinatorOnly]

    @extend_schema(request=None, responses=IssuedTokenSerializer)
    def post(self, request: Request, pk: int) -> Response:
        token = get_object_or_404(selectors.tokens_managed_by(request.user), pk=pk)
        issued = services.regenerate_feed_token(token=token)
        return Response(_issued(request, issued))


class ImportRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRun
        fields = [
            "id",
            "source",
            "started_at",
            "status",
            "created",
            "updated",
            "unchanged",
            "report",
        ]


class ImportJobErrorSerializer(serializers.Serializer):
    uid = serializers.CharField(help_text="The VEVENT's UID; empty for the whole file")
    line = serializers.IntegerField(
        allow_null=True, help_text="Line of the VEVENT's BEGIN:VEVENT in the file, if known"
    )
    error = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    run = ImportRunSerializer(read_only=True, allow_null=True)
    errors = ImportJobErrorSerializer(many=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "state",
            "source",
            "file_name",
            "options",
            "total",
            "parsed",
            "written",
            "errors",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
            "run",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: ImportJob) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("feeds:api-import", args=[job.pk])
        )


class ImportInput(serializers.Serializer):
    file = serializers.FileField()
    source = serializers.CharField(max_length=200)
    cities = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    # Plain strings (checked by the importer, which names the field): a second ChoiceField over
    # Event.Kind would give the OpenAPI schema a colliding enum.
    kind = serializers.CharField(default=Event.Kind.OTHER, help_text="An event kind")
    visibility = serializers.CharField(
        default=Event.Visibility.PUBLIC, help_text="public or internal"
    )
    timezone = serializers.CharField(required=False, default="UTC")


def _job_data(request: Request, job: ImportJob) -> dict:
    return dict(ImportJobSerializer(job, context={"request": request}).data)


class ImportView(APIView):
    """POST multipart (file, source, cities, kind, visibility, timezone): queue an import.

    The form fields are checked at once (400 naming the field); the file is imported by a
    worker, all or nothing: 202 with the job (its ``url`` also in Location), whose state,
    counters and errors (UID and line of each refused event) GET on that URL shows.
    GET: the caller's recent jobs (an administrator's: everybody's).
    """

    permission_classes = [ProgrammeAdminOnly]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=ImportJobSerializer(many=True))
    def get(self, request: Request) -> Response:
        jobs_ = selectors.import_jobs_visible_to(request.user).select_related("run")[:50]
        return Response(ImportJobSerializer(jobs_, many=True, context={"request": request}).data)

    @extend_schema(request=ImportInput, responses={202: ImportJobSerializer})
    def post(self, request: Request) -> Response:
        form = ImportInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        upload = data["file"]
        if upload.size > importer.MAX_IMPORT_BYTES:
            raise ValidationError(
                {
                    "file": [
                        _("The file is larger than %(max)d bytes.")
                        % {"max": importer.MAX_IMPORT_BYTES}
                    ]
                }
            )
        job = jobs.submit_import(
            owner=request.user,
            data=upload.read(importer.MAX_IMPORT_BYTES + 1),
            file_name=upload.name or "",
            options=importer.ImportOptions(
                source=data["source"],
                city_ids=tuple(data["cities"]),
                kind=data["kind"],
                visibility=data["visibility"],
                default_timezone=data["timezone"],
            ),
        )
        body = _job_data(request, job)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ImportJobView(APIView):
    """GET: one import job (state, progress, errors, the resulting run). Only its owner or an
    administrator sees it; anyone else gets 404."""

    permission_classes = [ProgrammeAdminOnly]

    @extend_schema(responses=ImportJobSerializer)
    def get(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(
            selectors.import_jobs_visible_to(request.user).select_related("run"), pk=pk
        )
        return Response(_job_data(request, job))


_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_DIGITS = re.compile(r"[0-9]+")
_FEED_KEYS = {"city": "slug", "partnership": "pk", "kind": "kind", "event": "slug"}


class FeedLinksView(APIView):
    """GET ?feed=all|city|partnership|kind|event&key=...: https, webcal and Google links."""

    permission_classes = [AllowAny]
    _KEYS = _FEED_KEYS

    @extend_schema(
        parameters=[
            OpenApiParameter("feed", OpenApiTypes.STR, enum=["all", *_FEED_KEYS]),
            OpenApiParameter("key", OpenApiTypes.STR, required=False),
        ],
        responses=_LINKS,
    )
    def get(self, request: Request) -> Response:
        feed = request.query_params.get("feed", "all")
        key = request.query_params.get("key", "")
        if feed == "all":
            return Response(subscribe_links(request, "feeds:all"))
        if feed not in self._KEYS or not key:
            raise ValidationError(
                {"feed": [_("Use feed=all, or city/partnership/kind/event with key.")]}
            )
        # ASCII digits only: str.isdigit() also accepts "²" and Arabic-Indic digits, which <int:pk> does not.
        if feed == "partnership" and not _DIGITS.fullmatch(key):
            raise ValidationError({"key": [_("A partnership id is a number.")]})
        if feed != "partnership" and not _SLUG.fullmatch(key):
            # The feed URLs take Django's slug converter; anything else cannot be reversed.
            raise ValidationError(
                {"key": [_("A city, event or kind key is a slug (letters, digits, - and _).")]}
            )
        return Response(subscribe_links(request, f"feeds:{feed}", **{self._KEYS[feed]: key}))
