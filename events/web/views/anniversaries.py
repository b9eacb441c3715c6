"""The desk's milestone anniversaries: what jubilees are coming, and one click to plan one."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events import services
from events.models import Partnership
from events.selectors import upcoming_anniversaries
from events.web import formatting
from events.web.views.desk import coordinator_required


@coordinator_required
@require_POST
def desk_plan_anniversary(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    pair = get_object_or_404(Partnership.objects.select_related("city_a", "city_b"), pk=pk)
    found = upcoming_anniversaries(dt.date(year, 1, 1), dt.date(year, 12, 31), partnership=pair)
    if not found or year < timezone.localdate().year:
        raise Http404(_("This partnership has no milestone anniversary to plan in that year."))
    event, created = services.plan_commemoration(anniversary=found[0], actor=request.user)
    text = (
        _("Planned “%(title)s” as a tentative event: add the time and venues, then confirm it.")
        if created
        else _("“%(title)s” was already planned.")
    )
    messages.success(request, text % {"title": formatting.event_title(event)})
    return redirect("web:event_detail", slug=event.slug)
