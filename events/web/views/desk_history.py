"""The desk's history pages: every change of an event (its cities and single dates
included) or of a partnership (its status changes included), newest first, 50 a page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from events import selectors
from events.models import Event, Partnership
from events.web import formatting
from events.web.history_rows import history_rows
from events.web.views.desk import coordinator_required

PER_PAGE = 50


def _page(request: HttpRequest, entries: list, **context: object) -> HttpResponse:
    zone = context.pop("zone", None)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/desk/history.html",
        {**context, "page": page, "rows": history_rows(list(page.object_list), zone=zone)},
    )


@coordinator_required
def desk_event_history(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=pk)
    return _page(
        request,
        selectors.event_history(event.pk),
        zone=event.zone,
        heading=_("History of “%(title)s”") % {"title": formatting.event_title(event)},
        back_url=reverse("web:desk_event_edit", args=[event.pk]),
        back_text=_("Back to the event form"),
        zone_note=_("Old and new times are in the event's time zone, %(zone)s.")
        % {"zone": event.timezone},
    )


@coordinator_required
def desk_partnership_history(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(Partnership.objects.select_related("city_a", "city_b"), pk=pk)
    name = f"{formatting.city_name(pair.city_a)} – {formatting.city_name(pair.city_b)}"
    return _page(
        request,
        selectors.partnership_history(pair.pk),
        heading=_("History of the partnership %(pair)s") % {"pair": name},
        back_url=reverse("web:partnership_detail", args=[pair.pk]),
        back_text=_("Partnership page"),
        zone_note="",
    )
