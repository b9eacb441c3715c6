"""Admin for private feed tokens (issue, revoke, regenerate) and .ics imports."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from common import roles
from common.audit_admin import AuditedAdmin
from events.admin.base import CoordinatorPermissions, ReadOnlyRecords
from events.feeds import importer, jobs, services
from events.feeds.ics_file import describe_error
from events.feeds.links import subscribe_links
from events.feeds.models import FeedToken, ImportJob, ImportRun, hash_token
from events.feeds.selectors import import_jobs_visible_to, tokens_managed_by
from events.models import City, Event


def _announce(request: HttpRequest, issued: services.IssuedToken) -> None:
    links = subscribe_links(request, "feeds:private", token=issued.secret)
    messages.warning(
        request,
        _("Private feed URL for “%(label)s” (shown only now): %(url)s")
        % {"label": issued.token.label, "url": links["https"]},
    )


@admin.register(FeedToken)
class FeedTokenAdmin(CoordinatorPermissions, AuditedAdmin):
    list_display = ["label", "created_at", "created_by", "revoked_at"]
    list_filter = ["revoked_at"]
    filter_horizontal = ["cities"]
    readonly_fields = ["created_at", "updated_at", "revoked_at", "created_by"]
    actions = ["revoke", "regenerate"]

    def get_queryset(self, request):
        # Only the owner (or an administrator) sees, revokes or regenerates a token.
        return tokens_managed_by(request.user)

    def team_may_view(self, request, obj=None) -> bool:
        return obj is None or roles.can_manage_feed_token(request.user, obj)

    team_may_change = team_may_delete = team_may_view

    def team_may_add(self, request, obj=None) -> bool:
        return True

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            secret = services._new_secret()
            obj.token_hash = hash_token(secret)
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            _announce(request, services.IssuedToken(token=obj, secret=secret))
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            services.revoke_feed_token(token=token)
        messages.success(request, _("Revoked."))

    @admin.action(description=_("Regenerate the selected tokens (old URLs stop working)"))
    def regenerate(self, request, queryset) -> None:
        for token in queryset:
            _announce(request, services.regenerate_feed_token(token=token))


class ImportForm(forms.Form):
    file = forms.FileField()
    source = forms.CharField(max_length=200)
    cities = forms.ModelMultipleChoiceField(queryset=City.objects.all(), required=False)
    kind = forms.ChoiceField(choices=Event.Kind.choices, initial=Event.Kind.OTHER)
    visibility = forms.ChoiceField(choices=Event.Visibility.choices)
    timezone = forms.CharField(initial="UTC")


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyRecords, CoordinatorPermissions, admin.ModelAdmin):
    list_display = ["source", "started_at", "status", "created", "updated", "unchanged"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]
    change_list_template = "admin/feeds/importrun/change_list.html"

    def get_urls(self):
        own = [
            path(
                "upload/",
                self.admin_site.admin_view(self.upload_view),
                name="feeds_importrun_upload",
            )
        ]
        return own + super().get_urls()

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not (
            roles.is_programme_admin(request.user)
            or request.user.has_perm("feeds.add_importedevent")
        ):
            return HttpResponse(status=403)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                job = jobs.submit_import(
                    owner=request.user,
                    data=data["file"].read(importer.MAX_IMPORT_BYTES + 1),
                    file_name=data["file"].name or "",
                    options=importer.ImportOptions(
                        source=data["source"],
                        city_ids=tuple(c.pk for c in data["cities"]),
                        kind=data["kind"],
                        visibility=data["visibility"],
                        default_timezone=data["timezone"],
                    ),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(None, f"{field}: {error}")
            else:
                messages.success(
                    request,
                    _("Import of “%(source)s” queued; this page shows its progress.")
                    % {"source": job.source},
                )
                return HttpResponseRedirect(reverse("admin:feeds_importjob_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Import an iCalendar file"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/feeds/importrun/upload.html", context)


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyRecords, CoordinatorPermissions, admin.ModelAdmin):
    """Read-only: what a worker did with an uploaded file (state, progress, errors by line)."""

    list_display = ["source", "created_at", "state", "progress", "owner", "run"]
    list_filter = ["state"]
    fields = [
        "source",
        "file_name",
        "owner",
        "state",
        "progress",
        "error_list",
        "options",
        "attempts",
        "created_at",
        "started_at",
        "finished_at",
        "run",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return import_jobs_visible_to(request.user).select_related("owner", "run")

    @admin.display(description=_("progress"))
    def progress(self, job: ImportJob) -> str:
        return _("%(parsed)d parsed, %(written)d of %(total)d written") % {
            "parsed": job.parsed,
            "written": job.written,
            "total": job.total,
        }

    @admin.display(description=_("errors"))
    def error_list(self, job: ImportJob) -> str:
        return format_html_join(
            "", "<div>{}</div>", ((describe_error(e),) for e in job.errors)
        ) or _("None")
