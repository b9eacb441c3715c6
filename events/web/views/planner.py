"""The desk's Planner page: a GET form (shareable URL) rendered on the server; the page's script
asks ``/api/planner/`` with the same parameters and redraws the tables as you type."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from events.models import City, Event, Participation
from events.planning import build_plan
from events.planning.display import present
from events.planning.query import MAX_CITIES, event_params, parse_query
from events.selectors import events_visible_to
from events.web.formatting import cities_in_reading_order
from events.web.views.desk import coordinator_required

# The form's initial values (the planner's own defaults, shown so they can be edited).
DEFAULTS = {
    "time": "10:00",
    "work_start": "08:00",
    "work_end": "20:00",
    "night_start": "22:00",
    "night_end": "07:00",
    "duration": "60",
}


def _values(request: HttpRequest) -> dict[str, Any]:
    values: dict[str, Any] = {**DEFAULTS, "date": timezone.now().date().isoformat()}
    values.update({key: value for key, value in request.GET.items() if key != "cities"})
    values["cities"] = [
        token.strip()
        for value in request.GET.getlist("cities")
        for token in value.split(",")
        if token.strip()
    ]
    return values


def _from_event(slug: str, user: Any) -> HttpResponse:
    """Redirect to the planner URL that asks about one event (a shareable question)."""
    if "\x00" in slug:
        raise Http404(slug)
    event = get_object_or_404(
        events_visible_to(user).prefetch_related(
            Prefetch("participations", Participation.objects.select_related("city")), "changes"
        ),
        slug=slug,
    )
    params = event_params(event, timezone.now())
    return HttpResponseRedirect(reverse("web:desk_planner") + "?" + urlencode(params))


def _events(user: Any) -> list[Event]:
    """Events the planner can start from (those ``user`` may see) with cities, newest first."""
    return list(
        events_visible_to(user)
        .filter(participations__isnull=False)
        .distinct()
        .order_by(F("start").desc(nulls_last=True), F("start_date").desc(nulls_last=True), "-pk")[
            :200
        ]
    )


@coordinator_required
def desk_planner(request: HttpRequest) -> HttpResponse:
    if request.GET.get("event"):
        return _from_event(request.GET["event"], request.user)
    values = _values(request)
    result = None
    errors: dict[str, list[str]] = {}
    status = 200
    if values["cities"] or request.GET.get("ref"):
        try:
            query = parse_query(request.GET)
        except ValidationError as exc:
            errors, status = exc.message_dict, 400
        else:
            result = present(build_plan(query))
            values["cities"] = [city.slug for city in query.cities]
            values["ref"] = query.reference.slug
            values["date"] = f"{query.wall:%Y-%m-%d}"
    cities = cities_in_reading_order(City.objects.all())
    context = {
        "cities": cities,
        "events": _events(request.user),
        "values": values,
        "chosen": set(values["cities"]),
        "result": result,
        "errors": errors,
        "max_cities": MAX_CITIES,
        "api_url": reverse("planner"),
    }
    return render(request, "web/desk/planner.html", context, status=status)
