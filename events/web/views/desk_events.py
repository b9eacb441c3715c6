"""The desk's full event form (create and edit) and its occurrence editor.

Every write goes through events.services; their ValidationErrors come back on the field they
name (400, the form re-rendered with the coordinator's input). The edit form carries the
version it was loaded at: a save over someone else's later change is refused (409) with the
input kept on screen, and the form then holds the current version, so saving again is a
deliberate overwrite.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.versions import changed_since, version_of
from events import selectors, services
from events.models import City, Event, Participation
from events.occurrence_index.read import current_horizon, window
from events.selectors import events_visible_to, occurrences_between
from events.web import formatting
from events.web.desk_forms import RECURRENCE_FIELDS, EventForm, event_initial
from events.web.desk_planning import Beside, beside_event, planner_beside
from events.web.desk_preview import RulePreview, rule_preview
from events.web.desk_rows import OccurrenceForm, VenueFormSet
from events.web.history_rows import HistoryRow, history_rows
from events.web.views.desk import coordinator_required

PREFIX = "cities"
# How far ahead the occurrence editor lists dates, and how many.
EDITOR_HORIZON = dt.timedelta(days=10 * 366)
EDITOR_ROWS = 8
# The latest changes shown under the form; the history page has them all.
RECENT_CHANGES = 10


def _cities() -> list[City]:
    return formatting.cities_in_reading_order(City.objects.all())


def _load(pk: int, user: Any) -> Event:
    """The event, if ``user`` may see it (else 404, as for an id that does not exist)."""
    return get_object_or_404(
        events_visible_to(user)
        .select_related("partnership")
        .prefetch_related(
            Prefetch("participations", Participation.objects.select_related("city").order_by("pk")),
            "changes",
        ),
        pk=pk,
    )


def _formset(data: Any, cities: list[City], initial: list[dict[str, Any]] | None = None) -> Any:
    return VenueFormSet(data, prefix=PREFIX, initial=initial, form_kwargs={"cities": cities})


def _chosen(formset: Any) -> list[tuple[City, str, str, str]]:
    """(city, role, venue, Russian venue) of the rows that name a city; [] when the rows are
    invalid."""
    if not formset.is_valid():
        return []
    return [
        (row["city"], row["role"], row.get("venue", "").strip(), row.get("venue_ru", "").strip())
        for row in formset.cleaned_data
        if row.get("city")
    ]


def _check_zone(form: EventForm, chosen: list[tuple[City, str, str, str]]) -> None:
    """The zone is one of the participating cities' (the stored zone may stay as it is)."""
    zone = form.cleaned_data.get("timezone")
    zones = {city.timezone for city, *_rest in chosen}
    if not zone or not zones or zone in zones:
        return
    if form.event is not None and zone == form.event.timezone:
        return
    form.add_error("timezone", _("Choose the time zone of one of the participating cities."))


def _apply_errors(form: EventForm, formset: Any, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, texts in errors.items():
        if field == "participations":
            formset._non_form_errors = formset.error_class(texts, error_class="nonform")
        else:
            form.add_service_error(field, texts)


def _beside(form: EventForm, chosen: list[tuple[City, str, str, str]]) -> Beside | None:
    data = getattr(form, "cleaned_data", {})
    start = data.get("start")
    if start is not None and start.tzinfo is not None:
        start = start.replace(tzinfo=None)
    return planner_beside(
        [city for city, *_rest in chosen],
        data.get("timezone") or (form.event.timezone if form.event else ""),
        start if data.get("precision") == Event.Precision.TIME else None,
        data.get("start_date"),
    )


def _local_input(value: dt.datetime | None, event: Event) -> str:
    return f"{value.astimezone(event.zone):%Y-%m-%dT%H:%M}" if value is not None else ""


def _upcoming(event: Event) -> list[dict[str, Any]]:
    """The next dates of a recurring event (the occurrence index), as the editor's rows."""
    if not event.rrule:
        return []
    now = timezone.now()
    hi = now + EDITOR_HORIZON
    horizon = current_horizon()
    if horizon is not None and horizon.covered_from <= now < horizon.covered_until:
        hi = min(hi, horizon.covered_until)  # what the index covers: no expansion needed
    found = window(Event.objects.filter(pk=event.pk), now, hi, horizon=horizon)
    if found is None:
        found = occurrences_between(Event.objects.filter(pk=event.pk), now, hi)
    rows = []
    for occ in list(found[:EDITOR_ROWS]):
        if occ.recurrence_id is None:
            continue
        original = occ.recurrence_id.astimezone(event.zone)
        rows.append(
            {
                "occ": occ,
                "original": occ.recurrence_id.isoformat(),
                "original_text": formatting.fmt_date(original)
                if event.is_all_day
                else formatting.fmt_datetime(original),
                "start": _local_input(occ.start, event),
                "end": _local_input(occ.end, event),
                "start_date": occ.start_date.isoformat() if occ.start_date else "",
                "end_date": occ.end_date.isoformat() if occ.end_date else "",
            }
        )
    return rows


def _recent_history(event: Event) -> tuple[list[HistoryRow], bool]:
    """The event's latest changes and whether there are more than those."""
    entries = selectors.event_history(event.pk)
    return history_rows(entries[:RECENT_CHANGES], zone=event.zone), len(entries) > RECENT_CHANGES


def _render(
    request: HttpRequest,
    form: EventForm,
    formset: Any,
    *,
    beside: Beside | None,
    status: int = 200,
    conflict: str = "",
    occurrence_form: OccurrenceForm | None = None,
    preview: RulePreview | None = None,
) -> HttpResponse:
    event = form.event
    recent, more = _recent_history(event) if event is not None else ([], False)
    context = {
        "history": recent,
        "more_history": more,
        "preview": preview,
        "event": event,
        "form": form,
        "formset": formset,
        "recurrence_fields": [form[name] for name in RECURRENCE_FIELDS],
        "beside": beside,
        "conflict": conflict,
        "occurrences": _upcoming(event) if event is not None else [],
        "occurrence_errors": _occurrence_messages(occurrence_form),
        # "Magadan — Asia/Magadan": the zone by its cities' names, as the zone field shows it.
        "zone_label": dict(form.fields["timezone"].choices).get(event.timezone, event.timezone)
        if event
        else "",
        "action": reverse("web:desk_event_edit", args=[event.pk])
        if event
        else reverse("web:desk_event_new"),
    }
    return render(request, "web/desk/event_form.html", context, status=status)


def _occurrence_messages(form: OccurrenceForm | None) -> list[str]:
    """The occurrence editor's errors, each under its field's name ("New start (local): …")."""
    if form is None:
        return []
    found = []
    for name, texts in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else ""
        found += [f"{label}: {text}" if label else str(text) for text in texts]
    return found


def _participations(chosen: list[tuple[City, str, str, str]]) -> list[services.ParticipationInput]:
    return [
        services.ParticipationInput(city_id=city.pk, role=role, venue=venue, venue_ru=venue_ru)
        for city, role, venue, venue_ru in chosen
    ]


def _preview_cities(formset: Any) -> list[City]:
    """The rows' cities even when another row is invalid (the preview does not save)."""
    return [
        row.cleaned_data["city"]
        for row in formset.forms
        if row.is_valid() and row.cleaned_data.get("city") is not None
    ]


def _preview_page(request: HttpRequest, form: EventForm, formset: Any) -> HttpResponse:
    """The form as typed, with its rule's next dates (the no-script "Preview" button)."""
    preview = rule_preview(form, _preview_cities(formset))
    chosen = _chosen(formset)
    return _render(request, form, formset, beside=_beside(form, chosen), preview=preview)


@coordinator_required
@require_POST
def desk_event_preview(request: HttpRequest) -> HttpResponse:
    """The rule preview alone, for the form's script as you type (the form's own fields)."""
    cities = _cities()
    form = EventForm(request.POST, cities=cities)
    preview = rule_preview(form, _preview_cities(_formset(request.POST, cities)))
    return render(request, "web/desk/includes/rule_preview.html", {"preview": preview})


@coordinator_required
def desk_event_new(request: HttpRequest) -> HttpResponse:
    cities = _cities()
    if request.method != "POST":
        form = EventForm(cities=cities)
        return _render(request, form, _formset(None, cities), beside=None)
    form = EventForm(request.POST, cities=cities)
    formset = _formset(request.POST, cities)
    if request.POST.get("preview"):
        return _preview_page(request, form, formset)
    chosen = _chosen(formset)
    if form.is_valid() and formset.is_valid():
        _check_zone(form, chosen)
    if form.is_valid() and formset.is_valid():
        try:
            event = services.create_event(
                participations=_participations(chosen),
                actor=request.user,
                **form.service_fields(),
            )
        except ValidationError as exc:
            _apply_errors(form, formset, exc)
        except PermissionDenied as exc:
            _apply_errors(form, formset, ValidationError(exc.args[0]))
            return _render(request, form, formset, beside=_beside(form, chosen), status=403)
        else:
            messages.success(
                request, _("Created “%(title)s”.") % {"title": formatting.event_title(event)}
            )
            return redirect("web:desk_event_edit", pk=event.pk)
    return _render(request, form, formset, beside=_beside(form, chosen), status=400)


def _conflict_message(event: Event) -> str:
    return _(
        "Someone else changed “%(title)s” after you opened this form (it now reads: "
        "%(when)s). Nothing was saved. Your input is kept below: compare it with the event "
        "page, then save again to replace their change with yours."
    ) % {"title": formatting.event_title(event), "when": formatting.event_when(event)}


def _stored_page(request: HttpRequest, event: Event, **extra: Any) -> HttpResponse:
    """The edit page showing the event as stored (its current version in the form)."""
    cities = _cities()
    form = EventForm(
        initial={**event_initial(event), "version": version_of(event.updated_at)},
        cities=cities,
        event=event,
    )
    rows = [
        {"city": p.city_id, "role": p.role, "venue": p.venue, "venue_ru": p.venue_ru}
        for p in event.participations.all()
    ]
    return _render(
        request,
        form,
        _formset(None, cities, rows),
        beside=beside_event(event, timezone.now()),
        **extra,
    )


@coordinator_required
def desk_event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _load(pk, request.user)
    if request.method != "POST":
        return _stored_page(request, event)
    cities = _cities()
    form = EventForm(request.POST, cities=cities, event=event)
    formset = _formset(request.POST, cities)
    if request.POST.get("preview"):
        return _preview_page(request, form, formset)
    chosen = _chosen(formset)
    if form.is_valid() and formset.is_valid():
        _check_zone(form, chosen)
    if not (form.is_valid() and formset.is_valid()):
        return _render(request, form, formset, beside=_beside(form, chosen), status=400)
    with transaction.atomic():
        if changed_since(Event, pk, form.cleaned_data["version"]):
            current = _load(pk, request.user)
            data = request.POST.copy()
            data["version"] = version_of(current.updated_at)
            form = EventForm(data, cities=cities, event=current)
            form.is_valid()
            return _render(
                request,
                form,
                formset,
                beside=_beside(form, chosen),
                status=409,
                conflict=_conflict_message(current),
            )
        try:
            services.update_event(
                event=event,
                participations=_participations(chosen),
                actor=request.user,
                **form.service_fields(),
            )
        except ValidationError as exc:
            _apply_errors(form, formset, exc)
            return _render(request, form, formset, beside=_beside(form, chosen), status=400)
        except PermissionDenied as exc:
            _apply_errors(form, formset, ValidationError(exc.args[0]))
            return _render(request, form, formset, beside=_beside(form, chosen), status=403)
    messages.success(request, _("Saved “%(title)s”.") % {"title": formatting.event_title(event)})
    return redirect("web:desk_event_edit", pk=pk)


_OCCURRENCE_DONE = {
    "move": lambda: _("The date was moved."),
    "cancel": lambda: _("The date was cancelled."),
    "restore": lambda: _("The date was restored."),
}


def _occurrence_errors(form: OccurrenceForm, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, texts in errors.items():
        form.add_error(field if field in form.fields else None, texts)


@coordinator_required
@require_POST
def desk_occurrence(request: HttpRequest, pk: int) -> HttpResponse:
    """Move, cancel or restore one date of a recurring event (services.change_occurrence)."""
    event = _load(pk, request.user)
    form = OccurrenceForm(request.POST)
    conflict = ""
    if form.is_valid():
        with transaction.atomic():
            if changed_since(Event, pk, form.cleaned_data["version"]):
                event = _load(pk, request.user)
                conflict = _(
                    "Someone else changed “%(title)s” after you opened this page (it now "
                    "reads: %(when)s). No date was changed: check the dates below, then try "
                    "again."
                ) % {"title": formatting.event_title(event), "when": formatting.event_when(event)}
            else:
                try:
                    services.change_occurrence(actor=request.user, **form.service_fields(event))
                except ValidationError as exc:
                    _occurrence_errors(form, exc)
                except PermissionDenied as exc:
                    _occurrence_errors(form, ValidationError(exc.args[0]))
                else:
                    messages.success(request, _OCCURRENCE_DONE[form.cleaned_data["action"]]())
                    return redirect(reverse("web:desk_event_edit", args=[pk]) + "#occurrences")
    return _stored_page(
        request,
        event,
        status=409 if conflict else 400,
        conflict=conflict,
        occurrence_form=form,
    )
