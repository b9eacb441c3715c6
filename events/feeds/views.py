"""iCalendar feed views: validators first, then stored fragments streamed.

A request costs: (object lookup) + one aggregate for ETag/Last-Modified; a 304 or HEAD stops
there. A 200 adds one query for the zones and one streamed query for the fragments (plus, when
fragments had to be rendered, six reads and a store of a fixed number of statements on
PostgreSQL: events/feeds/fragment_store.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterator

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from events import ical
from events.feeds import anniversaries, fragments, guessing, selectors
from events.models import City, Event, Partnership
from events.selectors import events_visible_to

logger = logging.getLogger(__name__)
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _language(request: HttpRequest, fixed: str = "") -> str:
    wanted = request.GET.get("lang") or fixed or getattr(request, "LANGUAGE_CODE", "en")
    return ical.normalise_language(wanted)


def _serve(
    request: HttpRequest,
    *,
    key: str,
    query: Callable[[], QuerySet[Event]],
    name: str,
    description: str,
    language: str,
    city: City | None = None,
    private: bool = False,
    filename: str = "",
    since: dt.date | None = None,
) -> HttpResponse:
    """``query`` is built only when a body is sent: a 304 does no query-building work."""
    state = selectors.feed_state()
    seed = f"{key}|{language}|{fragments.render_salt()}|{state.etag_seed}"
    etag = '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'
    last_modified = int(state.last_modified.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        if request.method == "HEAD":
            response = HttpResponse(content_type=CONTENT_TYPE)
        else:
            body = _body(
                query(),
                name=name,
                description=description,
                language=language,
                city=city,
                since=since,
            )
            response = StreamingHttpResponse(body, content_type=CONTENT_TYPE)
        response["Content-Type"] = CONTENT_TYPE
        if filename:
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, max-age=0" if private else "public, max-age=300"
    if private:
        response["Referrer-Policy"] = "no-referrer"
    patch_vary_headers(response, ["Accept-Language"])
    return response


def _body(
    query: QuerySet[Event],
    *,
    name: str,
    description: str,
    language: str,
    city: City | None,
    since: dt.date | None = None,
) -> Iterator[bytes]:
    yield ical.calendar_head(name=name, description=description)
    yield ical.timezones_block(selectors.feed_timezones(query, city), since)
    yield from fragments.stream_fragments(
        query, variant=fragments.fragment_variant(city), language=language, city=city
    )
    yield ical.CALENDAR_END


def _cutoff():
    return selectors.cancelled_cutoff()


@gzip_page
@require_safe
def all_feed(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    with override(language):
        name = _("Twinning calendar: all events")
        description = _("Public events of the sister-city programmes.")
    return _serve(
        request,
        key="all",
        query=lambda: selectors.public_feed_events(_cutoff()),
        name=name,
        description=description,
        language=language,
    )


@gzip_page
@require_safe
def city_feed(request: HttpRequest, slug: str) -> HttpResponse:
    city = get_object_or_404(City, slug=slug)
    language = _language(request)
    with override(language):
        name = _("Twinning calendar: %(city)s") % {"city": city.name(language)}
        description = _("Events %(city)s takes part in, in local time (%(zone)s).") % {
            "city": city.name(language),
            "zone": city.timezone,
        }
    return _serve(
        request,
        key=f"city:{city.pk}:{fragments.stamp(city.updated_at)}",
        query=lambda: selectors.city_feed_events(city, _cutoff()),
        name=name,
        description=description,
        language=language,
        city=city,
    )


@gzip_page
@require_safe
def partnership_feed(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(Partnership.objects.select_related("city_a", "city_b"), pk=pk)
    language = _language(request)
    pair_name = f"{pair.city_a.name(language)} – {pair.city_b.name(language)}"
    with override(language):
        name = _("Twinning calendar: %(pair)s") % {"pair": pair_name}
        description = _("Events of the partnership %(pair)s.") % {"pair": pair_name}
    return _serve(
        request,
        key=f"partnership:{pair.pk}:{fragments.stamp(pair.updated_at)}",
        query=lambda: selectors.partnership_feed_events(pair, _cutoff()),
        name=name,
        description=description,
        language=language,
    )


def _serve_small(request: HttpRequest, body: bytes) -> HttpResponse:
    """A small calendar rendered whole: its ETag is the hash of the bytes."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(b"" if request.method == "HEAD" else body)
    response["Content-Type"] = CONTENT_TYPE
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=3600"
    patch_vary_headers(response, ["Accept-Language"])
    return response


@gzip_page
@require_safe
def anniversaries_feed(request: HttpRequest) -> HttpResponse:
    """Milestone anniversaries of every partnership, as all-day events."""
    language = _language(request)
    with override(language):
        name = _("Twinning calendar: partnership anniversaries")
        description = _("Milestone anniversaries of the sister-city partnerships.")
    found = anniversaries.dated_anniversaries(timezone.localdate())
    body = anniversaries.render_anniversaries(
        found, name=name, description=description, language=language
    )
    return _serve_small(request, body)


@gzip_page
@require_safe
def partnership_anniversaries_feed(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(Partnership.objects.select_related("city_a", "city_b"), pk=pk)
    language = _language(request)
    pair_name = f"{pair.city_a.name(language)} – {pair.city_b.name(language)}"
    with override(language):
        name = _("Anniversaries: %(pair)s") % {"pair": pair_name}
        description = _("Milestone anniversaries of the partnership %(pair)s.") % {
            "pair": pair_name
        }
    found = anniversaries.dated_anniversaries(timezone.localdate(), pair)
    body = anniversaries.render_anniversaries(
        found, name=name, description=description, language=language
    )
    return _serve_small(request, body)


@gzip_page
@require_safe
def kind_feed(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in Event.Kind.values:
        return HttpResponseNotFound(b"Unknown event kind.")
    language = _language(request)
    with override(language):
        label = str(Event.Kind(kind).label)
        name = _("Twinning calendar: %(kind)s") % {"kind": label}
        description = _("Public events of the kind %(kind)s.") % {"kind": label}
    return _serve(
        request,
        key=f"kind:{kind}",
        query=lambda: selectors.public_feed_events(_cutoff()).filter(kind=kind),
        name=name,
        description=description,
        language=language,
    )


@gzip_page
@require_safe
def event_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """One event as a downloadable .ics (kept even long after a cancellation).

    ``?city=<slug>`` gives that participating city's view: a same-local-time event at that
    city's wall-clock time and venue (404 for a city that does not take part).
    """
    query = events_visible_to(request.user).filter(
        slug=slug, precision__in=[Event.Precision.TIME, Event.Precision.DAY]
    )
    event = get_object_or_404(query)
    city = None
    if request.GET.get("city"):
        city = get_object_or_404(City, slug=request.GET["city"], participations__event=event)
    language = _language(request)
    return _serve(
        request,
        key=f"event:{event.pk}:{city.pk if city else ''}",
        city=city,
        query=lambda: query,
        name=event.title(language),
        description="",
        language=language,
        filename=f"{event.slug}.ics",
        since=ical.attachment_since([event]),
        private=event.visibility != Event.Visibility.PUBLIC,
    )


def _unlogged(response: HttpResponse) -> HttpResponse:
    # Django logs every 4xx/5xx with the path, which here holds the secret: log nothing.
    response._has_been_logged = True  # type: ignore[attr-defined]
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _not_found() -> HttpResponse:
    return _unlogged(HttpResponseNotFound(b"Not found.", content_type="text/plain"))


def _too_many() -> HttpResponse:
    response = HttpResponse(
        b"Too many unknown feed addresses from here; try again later.",
        status=429,
        content_type="text/plain",
    )
    response["Retry-After"] = str(guessing.WINDOW_SECONDS)
    return _unlogged(response)


@gzip_page
@require_safe
def private_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A private feed. Wrong, malformed or revoked token: 404 and nothing else, never logged;
    too many of those from one address: 429 (events/feeds/guessing.py). Never indexed."""
    try:
        if guessing.blocked(request):
            return _too_many()
        feed_token = selectors.active_token(token)
        if feed_token is None:
            guessing.record_miss(request)
            return _not_found()
        language = _language(request, feed_token.language)
        response = _serve(
            request,
            key=f"private:{feed_token.pk}:{fragments.stamp(feed_token.updated_at)}",
            query=lambda: selectors.token_feed_events(feed_token, _cutoff()),
            name=feed_token.label,
            description="",
            language=language,
            private=True,
        )
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    except Exception:
        # The default handler would log the URL with the secret in it.
        logger.exception("Private feed failed (token redacted)")
        return _unlogged(HttpResponse(status=500, content_type="text/plain"))
