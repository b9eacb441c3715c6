"""The desk's itinerary editor for a delegation visit: its legs and programme items listed in
time order, each with its local times, and forms to add, change and remove them.

Every write goes through events.services (add_leg, update_leg, delete_leg and the programme
item ones) with the signed-in user as the actor; the services check the team's rights and
the itinerary's rules, and their ValidationErrors come back on the field they name (400, the
form re-rendered with the coordinator's input, nothing stored). The page is for the events
the user's teams take part in (programme administrators: all); any other event is a 404, as
for an id that does not exist. A team that takes part without hosting sees the itinerary but
no forms (the services would refuse its writes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.roles import permission_message
from common.versions import changed_since, version_of
from events import services
from events.itinerary import ITINERARY_MARGIN, host_and_guest
from events.models import City, Event, ItineraryLeg, Participation, ProgrammeItem
from events.selectors import events_taken_part_in
from events.web import formatting
from events.web.itinerary_forms import (
    LegForm,
    ProgrammeItemForm,
    _RowForm,
    item_initial,
    leg_initial,
)
from events.web.itinerary_rows import item_row, leg_row
from events.web.views.desk import coordinator_required


@dataclass(frozen=True)
class _Part:
    """A leg or a programme item: how the views load, show, write and name one."""

    name: str  # "leg" / "item": the URL names and the template's switch
    anchor: str
    model: type[Model]
    related: tuple[str, ...]
    form: type[_RowForm]
    initial: Callable[[Any], dict[str, Any]]
    add: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., None]
    describe: Callable[[Any], str]


def _describe_leg(leg: ItineraryLeg) -> str:
    return f"{formatting.city_name(leg.departure_city)} → {formatting.city_name(leg.arrival_city)}"


def _describe_item(item: ProgrammeItem) -> str:
    return item.title(formatting.lang())


LEG = _Part(
    name="leg",
    anchor="legs",
    model=ItineraryLeg,
    related=("departure_city", "arrival_city"),
    form=LegForm,
    initial=leg_initial,
    add=services.add_leg,
    update=lambda obj, **kw: services.update_leg(leg=obj, **kw),
    delete=lambda obj, **kw: services.delete_leg(leg=obj, **kw),
    describe=_describe_leg,
)
ITEM = _Part(
    name="item",
    anchor="programme",
    model=ProgrammeItem,
    related=("city",),
    form=ProgrammeItemForm,
    initial=item_initial,
    add=services.add_programme_item,
    update=lambda obj, **kw: services.update_programme_item(item=obj, **kw),
    delete=lambda obj, **kw: services.delete_programme_item(item=obj, **kw),
    describe=_describe_item,
)


def _load(pk: int, user: Any) -> Event:
    """The event, if one of ``user``'s teams takes part in it (else 404)."""
    return get_object_or_404(
        events_taken_part_in(user).prefetch_related(
            Prefetch("participations", Participation.objects.select_related("city").order_by("pk"))
        ),
        pk=pk,
    )


def _row(part: _Part, event: Event, row_pk: int) -> Any:
    return get_object_or_404(
        part.model.objects.select_related(*part.related),  # type: ignore[attr-defined]
        pk=row_pk,
        event=event,
    )


def _guest(event: Event) -> City | None:
    return host_and_guest(event, event.participations.all())[1]


def _cities() -> list[City]:
    return formatting.cities_in_reading_order(City.objects.all())


def _form(part: _Part, event: Event, data: Any = None, **kwargs: Any) -> _RowForm:
    cities = kwargs.pop("cities", None) or _cities()
    ids = {p.city_id for p in event.participations.all()}
    return part.form(data, cities=cities, event_city_ids=ids, **kwargs)


def _new_forms(event: Event, cities: list[City]) -> dict[str, _RowForm]:
    """Empty add forms, the cities filled in as a visit usually goes: guest → host."""
    host, guest = host_and_guest(event, event.participations.all())
    leg_start = {
        "departure_city": guest.pk if guest else None,
        "arrival_city": host.pk if host else None,
    }
    return {
        "leg": _form(LEG, event, cities=cities, initial=leg_start),
        "item": _form(ITEM, event, cities=cities, initial={"city": host.pk if host else None}),
    }


def _service_errors(form: _RowForm, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        exc = ValidationError(exc.args[0] if exc.args else permission_message("teams.change_event"))
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, texts in errors.items():
        form.add_service_error(field, texts)


def _page(
    request: HttpRequest,
    event: Event,
    *,
    bound: _RowForm | None = None,
    bound_part: _Part | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    """The itinerary page; ``bound`` is an add form as the coordinator sent it."""
    cities = _cities()
    forms = _new_forms(event, cities)
    if bound is not None and bound_part is not None:
        forms[bound_part.name] = bound
    guest = _guest(event)
    legs = ItineraryLeg.objects.filter(event=event).select_related(*LEG.related)
    items = ProgrammeItem.objects.filter(event=event).select_related(*ITEM.related)
    context = {
        "event": event,
        "is_visit": event.kind == Event.Kind.DELEGATION_VISIT,
        "can_change": request.user.has_perm("teams.change_event", event),
        "refusal": permission_message("teams.change_event"),
        "legs": [leg_row(leg) for leg in legs],
        "items": [item_row(item, guest) for item in items],
        "leg_form": forms["leg"],
        "item_form": forms["item"],
        "error": error,
        "event_when": formatting.event_when(event),
        "margin_days": ITINERARY_MARGIN.days,
    }
    return render(request, "web/desk/itinerary.html", context, status=status)


def _edit_page(
    request: HttpRequest,
    event: Event,
    part: _Part,
    obj: Any,
    form: _RowForm,
    status: int = 200,
    conflict: str = "",
) -> HttpResponse:
    context = {
        "conflict": conflict,
        "event": event,
        "part": part.name,
        "obj": obj,
        "label": part.describe(obj),
        "form": form,
        "can_change": request.user.has_perm("teams.change_event", event),
        "refusal": permission_message("teams.change_event"),
        "row": leg_row(obj) if part is LEG else item_row(obj, _guest(event)),
        "delete_url": reverse(f"web:desk_itinerary_{part.name}_delete", args=[event.pk, obj.pk]),
        "action": reverse(f"web:desk_itinerary_{part.name}", args=[event.pk, obj.pk]),
        "back": reverse("web:desk_itinerary", args=[event.pk]) + f"#{part.anchor}",
    }
    return render(request, "web/desk/itinerary_row.html", context, status=status)


def _back(event: Event, part: _Part) -> HttpResponse:
    return redirect(reverse("web:desk_itinerary", args=[event.pk]) + f"#{part.anchor}")


def _write(form: _RowForm, write: Callable[[], Any]) -> tuple[Any, int]:
    """Run one service write; (result, 0) or (None, the status of the refusal)."""
    try:
        return write(), 0
    except ValidationError as exc:
        _service_errors(form, exc)
        return None, 400
    except PermissionDenied as exc:
        _service_errors(form, exc)
        return None, 403


@coordinator_required
def desk_itinerary(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _load(pk, request.user))


def _add(request: HttpRequest, pk: int, part: _Part) -> HttpResponse:
    event = _load(pk, request.user)
    form = _form(part, event, request.POST)
    status = 400
    if form.is_valid():
        fields = form.service_fields()
        created, status = _write(form, lambda: part.add(event=event, actor=request.user, **fields))
        if created is not None:
            messages.success(request, _added_message(part, created))
            return _back(event, part)
    return _page(request, event, bound=form, bound_part=part, status=status)


def _added_message(part: _Part, obj: Any) -> str:
    if part is LEG:
        return _("Leg added: %(leg)s.") % {"leg": part.describe(obj)}
    return _("Programme item added: %(item)s.") % {"item": part.describe(obj)}


def _edit(request: HttpRequest, pk: int, row_pk: int, part: _Part) -> HttpResponse:
    event = _load(pk, request.user)
    obj = _row(part, event, row_pk)
    if request.method != "POST":
        initial = {**part.initial(obj), "version": version_of(obj.updated_at)}
        return _edit_page(request, event, part, obj, _form(part, event, initial=initial))
    form = _form(part, event, request.POST, instance=obj)
    if not form.is_valid():
        return _edit_page(request, event, part, obj, form, status=400)
    fields = form.service_fields()
    with transaction.atomic():
        # The event first, as the services lock it: no deadlock with a concurrent write.
        Event.objects.select_for_update().filter(pk=event.pk).exists()
        if changed_since(part.model, obj.pk, form.cleaned_data["version"]):
            return _conflict(request, event, part, row_pk)
        saved, status = _write(form, lambda: part.update(obj, actor=request.user, **fields))
    if saved is None:
        return _edit_page(request, event, part, obj, form, status=status)
    messages.success(request, _("Saved: %(what)s.") % {"what": part.describe(saved)})
    return _back(event, part)


def _conflict(request: HttpRequest, event: Event, part: _Part, row_pk: int) -> HttpResponse:
    """409: the row changed after the form was opened (or is gone: 404). The input stays, the
    form now holds the current version, so saving again is a deliberate overwrite."""
    current = _row(part, event, row_pk)
    data = request.POST.copy()
    data["version"] = version_of(current.updated_at)
    form = _form(part, event, data, instance=current)
    form.is_valid()
    message = _(
        "Someone else changed this after you opened the form; nothing was saved. It now reads "
        "as shown above. Your input is kept below: save again to replace their change with yours."
    )
    return _edit_page(request, event, part, current, form, status=409, conflict=message)


def _delete(request: HttpRequest, pk: int, row_pk: int, part: _Part) -> HttpResponse:
    """GET: ask (the row as the list shows it); POST: remove it."""
    event = _load(pk, request.user)
    obj = _row(part, event, row_pk)
    what = part.describe(obj)
    if request.method != "POST":
        context = {
            "event": event,
            "part": part.name,
            "label": what,
            "leg": leg_row(obj) if part is LEG else None,
            "item": item_row(obj, _guest(event)) if part is ITEM else None,
            "can_change": request.user.has_perm("teams.change_event", event),
            "refusal": permission_message("teams.change_event"),
            "back": reverse("web:desk_itinerary", args=[event.pk]) + f"#{part.anchor}",
        }
        return render(request, "web/desk/itinerary_delete.html", context)
    try:
        part.delete(obj, actor=request.user)
    except PermissionDenied:
        return _page(request, event, status=403, error=permission_message("teams.change_event"))
    except ValidationError as exc:
        return _page(request, event, status=400, error=" ".join(exc.messages))
    messages.success(request, _("Removed: %(what)s.") % {"what": what})
    return _back(event, part)


_PARTS = {part.name: part for part in (LEG, ITEM)}  # the URLs name the part (urls.py)


@coordinator_required
@require_POST
def desk_itinerary_add(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    return _add(request, pk, _PARTS[part])


@coordinator_required
def desk_itinerary_row(request: HttpRequest, pk: int, row_pk: int, part: str) -> HttpResponse:
    return _edit(request, pk, row_pk, _PARTS[part])


@coordinator_required
@require_http_methods(["GET", "HEAD", "POST"])
def desk_itinerary_delete(request: HttpRequest, pk: int, row_pk: int, part: str) -> HttpResponse:
    return _delete(request, pk, row_pk, _PARTS[part])
