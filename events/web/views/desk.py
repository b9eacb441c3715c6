"""The coordinator's desk: what is coming, what needs confirming, what failed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.roles import is_coordinator, is_programme_admin
from common.versions import changed_since
from events import services
from events.feeds import jobs
from events.feeds.ics_parsing import MAX_IMPORT_BYTES, ImportOptions
from events.feeds.selectors import import_jobs_visible_to
from events.models import Event
from events.occurrence_index.read import occurrences_in
from events.selectors import events_visible_to
from events.web import formatting
from events.web.forms import DeskImportForm, ParticipationFormSet, QuickEventForm
from events.web.reminders import failed_deliveries, retry_delivery
from events.web.selectors import upcoming_milestones

DESK_DAYS = 30
RECENT_IMPORTS = 10


def coordinator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors are sent to log in; signed-in non-coordinators get 403."""

    @login_required(login_url="web:login")
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_coordinator(request.user):
            raise PermissionDenied(_("The coordinator's desk is for coordinators only."))
        return view(request, *args, **kwargs)

    return wrapper


def _admin_links() -> list[tuple[str, str]]:
    wanted = [
        (_("Administration"), "admin:index"),
        (_("All events"), "admin:events_event_changelist"),
        (_("Add an event with all options"), "admin:events_event_add"),
        (_("Cities"), "admin:events_city_changelist"),
        (_("Partnerships"), "admin:events_partnership_changelist"),
        (_("Contacts"), "admin:events_contact_changelist"),
    ]
    result = []
    for label, name in wanted:
        try:
            result.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    return result


def _needs_confirming(user: Any) -> list[Event]:
    now = timezone.now()
    return list(
        events_visible_to(user)
        .filter(status=Event.Status.TENTATIVE)
        .filter(
            Q(start__gte=now)
            | Q(start_date__gte=now.date())
            | ~Q(rrule="")
            | Q(precision__in=[Event.Precision.MONTH, Event.Precision.YEAR, "unknown"])
        )
        .order_by("start", "start_date", "approx_year", "pk")[:50]
    )


def _render(
    request: HttpRequest,
    form: QuickEventForm,
    formset: Any,
    status: int = 200,
    import_form: DeskImportForm | None = None,
) -> HttpResponse:
    now = timezone.now()
    context = {
        "imports": list(
            import_jobs_visible_to(request.user)
            .filter(owner=request.user)
            .select_related("run")[:RECENT_IMPORTS]
        ),
        "import_form": import_form or DeskImportForm(),
        "next_days": occurrences_in(
            events_visible_to(request.user), now, now + dt.timedelta(days=DESK_DAYS)
        ),
        "days": DESK_DAYS,
        "tentative": _needs_confirming(request.user),
        "failed": failed_deliveries(request.user),
        "may_import": is_programme_admin(request.user),
        "milestones": upcoming_milestones(timezone.localdate()),
        "form": form,
        "formset": formset,
        "admin_links": _admin_links(),
        "zones": sorted(
            {"Asia/Anadyr", "Asia/Magadan", "Asia/Yakutsk", "Asia/Vladivostok"}
            | {"Asia/Yekaterinburg", "Europe/Moscow", "America/Anchorage", "America/New_York"}
            | {"America/Chicago", "America/Los_Angeles", "America/Juneau", "UTC"}
        ),
    }
    return render(request, "web/desk/dashboard.html", context, status=status)


@coordinator_required
def desk_dashboard(request: HttpRequest) -> HttpResponse:
    return _render(request, QuickEventForm(), ParticipationFormSet(prefix="cities"))


def _messages_of(exc: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(exc, PermissionDenied):
        return [m for texts in dict(exc.args[0] if exc.args else {}).values() for m in texts]
    return list(exc.messages)


def _apply_service_errors(form: QuickEventForm, formset: Any, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, messages_ in errors.items():
        if field in form.fields:
            form.add_error(field, messages_)
        elif field == "participations":
            form.add_error(None, [_("Participating cities: %s") % m for m in messages_])
        else:
            form.add_error(None, messages_)


@coordinator_required
def desk_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:desk")
    form = QuickEventForm(request.POST)
    formset = ParticipationFormSet(request.POST, prefix="cities")
    if form.is_valid() and formset.is_valid():
        participations = [
            services.ParticipationInput(city_id=row["city"].pk, role=row["role"])
            for row in formset.cleaned_data
            if row.get("city")
        ]
        try:
            event = services.create_event(
                participations=participations, actor=request.user, **form.service_fields()
            )
        except ValidationError as exc:
            _apply_service_errors(form, formset, exc)
        except PermissionDenied as exc:
            _apply_service_errors(form, formset, ValidationError(exc.args[0]))
            return _render(request, form, formset, status=403)
        else:
            messages.success(
                request,
                _("Created “%(title)s”.") % {"title": formatting.event_title(event)},
            )
            return redirect("web:event_detail", slug=event.slug)
    return _render(request, form, formset, status=400)


@coordinator_required
@require_POST
def desk_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirms a tentative event, unless someone changed it after the desk was loaded: the
    coordinator confirms what they saw, not a time or place moved in the meantime."""
    event = get_object_or_404(events_visible_to(request.user), pk=pk)
    with transaction.atomic():
        if changed_since(Event, pk, request.POST.get("version", "")):
            event.refresh_from_db()
            messages.error(
                request,
                _(
                    "“%(title)s” was changed by someone else after you loaded this page "
                    "(now: %(when)s). Nothing was confirmed: check the change, then confirm "
                    "again."
                )
                % {"title": formatting.event_title(event), "when": formatting.event_when(event)},
            )
            return redirect("web:desk")
        try:
            services.update_event(event=event, status=Event.Status.CONFIRMED, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(_messages_of(exc)))
            return redirect("web:desk")
    messages.success(
        request, _("Confirmed “%(title)s”.") % {"title": formatting.event_title(event)}
    )
    return redirect("web:desk")


@coordinator_required
@require_POST
def desk_retry(request: HttpRequest, pk: int) -> HttpResponse:
    ok, message = retry_delivery(pk=pk, actor=request.user)
    (messages.success if ok else messages.error)(request, message)
    return redirect("web:desk")


@coordinator_required
@require_POST
def desk_import(request: HttpRequest) -> HttpResponse:
    """Queue an import of an uploaded .ics; "Recent imports" shows its progress. Programme
    administrators only: an import writes events of any city."""
    if not is_programme_admin(request.user):
        raise PermissionDenied(_("Only programme administrators may import calendars."))
    form = DeskImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = jobs.submit_import(
                owner=request.user,
                data=upload.read(MAX_IMPORT_BYTES + 1),
                file_name=upload.name or "",
                options=ImportOptions(
                    source=form.cleaned_data["source"],
                    default_timezone=form.cleaned_data["timezone"] or "UTC",
                ),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Import of “%(source)s” queued.") % {"source": job.source})
            return redirect("web:desk")
    return _render(
        request,
        QuickEventForm(),
        ParticipationFormSet(prefix="cities"),
        status=400,
        import_form=form,
    )
