"""An uploaded .ics as a whole: size, encoding, one VCALENDAR, where each VEVENT starts, and
the refusal that carries every problem (UID, line, reason). Pure."""

from __future__ import annotations

from typing import Any

import icalendar
import x_wr_timezone
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_IMPORT_BYTES = getattr(settings, "FEEDS_IMPORT_MAX_BYTES", 2 * 1024 * 1024)


class ImportRefused(ValidationError):
    """A refused file: ``message_dict`` as before ({"file": [...], "events": ["<uid> (line N):
    <reason>", ...]}) and ``problems``, the same as dicts {"uid", "line", "error"} (line: where
    the VEVENT starts in the file, None when unknown) for the import job's error list."""

    def __init__(self, detail: dict[str, Any], problems: list[dict[str, Any]]) -> None:
        super().__init__(detail)
        self.problems = problems


def describe(problem: dict[str, Any]) -> str:
    line = problem.get("line")
    where = f" (line {line})" if line else ""
    return f"{problem['uid']}{where}: {problem['error']}"


def describe_error(problem: dict[str, Any]) -> str:
    """A job's error entry as one line (``describe``, or the bare message for the file)."""
    return describe(problem) if problem.get("uid") else str(problem.get("error", ""))


def _refuse(message: str, problems: list[dict[str, Any]] | None = None) -> ImportRefused:
    detail: dict[str, Any] = {"file": [message]}
    if problems:
        detail["events"] = [describe(p) for p in problems]
    return ImportRefused(detail, list(problems or []))


def vevent_lines(data: bytes) -> list[int]:
    """The 1-based line number of every BEGIN:VEVENT, in file order (the order of
    ``calendar.walk("VEVENT")``): error messages point the partner at the right place."""
    return [
        number
        for number, line in enumerate(data.splitlines(), start=1)
        if line.lstrip(b"\xef\xbb\xbf").strip().upper() == b"BEGIN:VEVENT"
    ]


def decode_calendar(data: bytes) -> icalendar.Calendar:
    """Refuse oversized, binary or malformed input; return the calendar with standard zones."""
    if len(data) > MAX_IMPORT_BYTES:
        raise _refuse(_("The file is larger than %(max)d bytes.") % {"max": MAX_IMPORT_BYTES})
    if b"\x00" in data:
        raise _refuse(_("The file is binary, not an iCalendar text file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(_("The file is not UTF-8 text (byte %(pos)d).") % {"pos": exc.start}) from exc
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise _refuse(_("The file does not start with BEGIN:VCALENDAR."))
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise _refuse(_("The file is not valid iCalendar: %(e)s") % {"e": str(exc)[:200]}) from exc
    if not isinstance(calendar, icalendar.Calendar):
        raise _refuse(_("The file does not hold one VCALENDAR."))
    try:
        # Google: floating times plus X-WR-TIMEZONE become times in that zone.
        return x_wr_timezone.to_standard(calendar)
    except Exception as exc:  # the library raises various errors on odd input
        raise _refuse(
            _("The calendar's time zone could not be applied: %(e)s") % {"e": exc}
        ) from exc


def message_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        return " ".join(exc.messages)
    return str(exc)[:300]
