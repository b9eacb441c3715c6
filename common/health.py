"""The load balancer's health check: is this web process up and serving Django requests?"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" without touching the database, the cache or the session.

    Deliberately shallow: a database or Redis outage is shared by every web host, so taking
    them all out of the balancer's rotation for it would turn a degraded site (pages that
    still answer without Redis) into no site. It also makes this the cheapest view the stack
    serves, the baseline bench/bench_load.py divides every other figure by.
    """
    return HttpResponse(b"ok\n", content_type="text/plain; charset=utf-8")
