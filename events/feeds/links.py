"""Subscription links for a feed: https, webcal:// and "add to Google Calendar"."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def subscribe_links(request: HttpRequest | None, url_name: str, **kwargs) -> dict[str, str]:
    """Links for ``url_name`` (e.g. "feeds:city", slug="fairbanks").

    Kwargs: feeds:city and feeds:event take ``slug``; feeds:partnership ``pk`` (``id`` also
    accepted); feeds:kind ``kind``; feeds:private ``token``. Without a request the absolute
    URL is built from settings.SITE_URL.
    """
    if url_name == "feeds:partnership" and "id" in kwargs:
        kwargs["pk"] = kwargs.pop("id")
    path = reverse(url_name, kwargs=kwargs)
    https = request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path
    webcal = "webcal://" + https.split("://", 1)[1]
    google = "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe="")
    return {"https": https, "webcal": webcal, "google": google}
