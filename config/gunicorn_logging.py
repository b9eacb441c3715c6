"""gunicorn's access log without private-feed secrets: ``/feeds/private/<token>.ics`` is
logged as ``/feeds/private/<redacted>.ics`` in every atom that can hold a URL (request line,
path, referer, and the same request headers)."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_SECRET = re.compile(r"(/feeds/private/)[^/.?\s\"]+")


def redact(text: Any) -> Any:
    return _SECRET.sub(r"\1<redacted>", text) if isinstance(text, str) else text


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        return {
            key: redact(value)
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }
