"""Building reminder and change-notice emails: text + HTML in the recipient's language,
times in the recipient's zone and in each participating city, an .ics invitation from the
shared iCalendar module, RFC 8058 one-click unsubscribe headers and a deterministic Message-ID.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from email.utils import formatdate
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import ngettext, pgettext

from common.languages import localized
from common.urls import absolute_url
from events.ical import invitation_ics
from events.models import Event
from events.recurrence import Occurrence
from events.timezones import get_zone, zone_exemplar, zone_letters
from notifications import mailwire
from notifications.models import ChangeNotice, Delivery

log = logging.getLogger(__name__)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def header_safe(text: str, limit: int = 200) -> str:
    """No CR/LF or other control characters may reach a header (no header injection)."""
    return _CONTROL.sub(" ", text).strip()[:limit]


def format_date(day: dt.date, language: str, *, in_range: bool = False) -> str:
    """A date as a mail shows it ("Wednesday, 8 May 2030"); ``in_range``: as the end of
    "from … to …" (the Russian catalogue drops the weekday there)."""
    with translation.override(language):
        if in_range:
            return date_format(day, pgettext("e-mail date range", "l, j F Y"))
        return date_format(day, pgettext("e-mail date", "l, j F Y"))


def format_instant(value: dt.datetime, zone_name: str, language: str) -> str:
    local = value.astimezone(get_zone(zone_name))
    return f"{format_date(local.date(), language)}, {format_clock(value, zone_name)}"


def format_clock(value: dt.datetime, zone_name: str) -> str:
    """The time of day with its city and zone: "10:00 (Magadan, MAGT, UTC+11:00)"."""
    local = value.astimezone(get_zone(zone_name))
    offset = local.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    letters = zone_letters(local)
    zone = f"{zone_exemplar(zone_name)}, {letters}" if letters else zone_exemplar(zone_name)
    return f"{local:%H:%M} ({zone}, {offset})"


def days_phrase(days: int, language: str) -> str:
    """How far ahead an occurrence is, as the reminder's subject says it."""
    with translation.override(language):
        if days == 0:
            return pgettext("reminder lead", "today")
        if days == 1:
            return pgettext("reminder lead", "tomorrow")
        return ngettext("in %(days)d day", "in %(days)d days", days) % {"days": days}


def render_parts(name: str, context: dict, language: str) -> tuple[str, str, str]:
    """(subject, text, HTML) of the message ``name`` ("" or "digest.") in ``language``: one
    template per part, translated through the catalogue."""
    with translation.override(language):
        subject = render_to_string(f"notifications/email/{name}subject.txt", context)
        text = render_to_string(f"notifications/email/{name}body.txt", context)
        html = render_to_string(f"notifications/email/{name}body.html", context)
    return header_safe(subject, 200), text, html


def assemble(
    parts: tuple[str, str, str],
    *,
    to: str,
    message_id: str,
    unsubscribe: str,
    language: str,
    date: str | None = None,
) -> EmailMultiAlternatives:
    """A rendered (subject, text, html) as the mail every kind sends: one-click unsubscribe,
    marked automatic, in its language."""
    subject, text, html = parts
    headers = {
        "Message-ID": message_id,
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        "Content-Language": language,
    }
    if date is not None:
        headers = {"Date": date, **headers}
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def message_id(delivery: Delivery) -> str:
    """Deterministic: a resend of the same ledger row carries the same Message-ID."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    if delivery.kind == Delivery.Kind.DIGEST:
        return (
            f"<twinning.digest.{delivery.pk}.c{delivery.contact_id}"
            f".{delivery.occurrence_key.lower()}@{host}>"
        )
    if delivery.kind == Delivery.Kind.ANNIVERSARY:
        return (
            f"<twinning.anniversary.{delivery.pk}.r{delivery.rule_id}.p{delivery.partnership_id}"
            f".{delivery.occurrence_key}.m{delivery.lead_days}@{host}>"
        )
    return (
        f"<twinning.{delivery.kind}.{delivery.pk}.r{delivery.rule_id}.e{delivery.event_id}"
        f".s{delivery.sequence}@{host}>"
    )


def unsubscribe_url(token: str) -> str:
    return absolute_url("notifications-unsubscribe", token=token)


@dataclass(frozen=True)
class CityLine:
    name: str
    role: str
    when: str
    venue: str


def _city_lines(occ: Occurrence | None, language: str) -> list[CityLine]:
    if occ is None:
        return []
    lines = []
    for ct in occ.city_times:
        if ct.start is not None:
            when = format_instant(ct.start, ct.city.timezone, language)
        elif ct.start_date is not None:
            when = format_date(ct.start_date, language)
        else:
            when = ""
        lines.append(CityLine(ct.city.name(language), ct.role, when, ct.venue_in(language)))
    return lines


def _ics(
    event: Event, delivery: Delivery, language: str, occ: Occurrence | None, recipient: str
) -> bytes | None:
    method = "CANCEL" if delivery.kind == Delivery.Kind.CANCEL else "REQUEST"
    recurrence_id = occ.recurrence_id if delivery.kind == Delivery.Kind.REMINDER and occ else None
    contact = delivery.rule.contact if delivery.rule is not None else None
    try:
        # RFC 5546 3.2.2: a REQUEST (and a CANCEL) names its ATTENDEE; libical refuses one without.
        # The recipient's city decides the copy: a same-local-time event at its own wall clock.
        return invitation_ics(
            event,
            language=language,
            method=method,
            recurrence_id=recurrence_id,
            attendee=recipient,
            city=contact.city if contact is not None and contact.city_id else None,
        )
    except Exception:
        # A title the iCalendar builder refuses must not block the reminder itself.
        log.exception("No .ics attachment for event %s", event.pk)
        return None


def build_email(
    *,
    delivery: Delivery,
    occurrence: Occurrence | None,
    recipient: str,
    language: str,
    zone_name: str,
    instant: dt.datetime | None,
    day: dt.date | None,
    days_ahead: int | None = None,
    ics_cache: dict[tuple, bytes | None] | None = None,
    templates: dict[tuple, mailwire.Template | None] | None = None,
) -> EmailMultiAlternatives:
    """``days_ahead``: from the send time's local date to the occurrence's (the reminder's
    "tomorrow" / "in 3 days" is worded from the send time, never from the planned lead).
    ``ics_cache``: .ics bodies already built in this batch, keyed by (event, language, kind,
    instance, recipient): the ATTENDEE differs. ``templates``: this batch's mails built once
    per everything but the recipient (see mailwire.py); a recipient a template cannot take is
    built in full."""
    event, rule = delivery.event, delivery.rule
    if event is None or rule is None:
        raise ValueError("a reminder or notice needs a rule and an event")
    if delivery.kind != Delivery.Kind.REMINDER:
        days_ahead = None
    personal = mailwire.Personal(
        address=recipient,
        token=rule.unsubscribe_token,
        message_id=message_id(delivery),
        date=formatdate(localtime=settings.EMAIL_USE_LOCALTIME),
    )
    if templates is not None and personal.fits():
        # Everything the mail depends on apart from the recipient's own values.
        # A change notice's "before" lines: its own notice's, looked up for change notices only.
        before = tuple(_before_change(delivery, event, zone_name, language).items())
        inputs = (delivery.kind, event.pk, _instance(occurrence), language, zone_name, instant,
                  day, days_ahead, rule.city_id, _ics_city_id(delivery), before)  # fmt: skip
        if inputs not in templates:
            templates[inputs] = _template(
                delivery, occurrence, language, zone_name, instant, day, days_ahead
            )
        template = templates[inputs]
        if template is not None:
            return template.fill(personal)
    shared = _shared_context(delivery, occurrence, language, zone_name, instant, day, days_ahead)
    if ics_cache is None:
        ics = _ics(event, delivery, language, occurrence, recipient)
    else:
        ics_key = (event.pk, language, delivery.kind, _instance(occurrence), recipient)
        if ics_key not in ics_cache:
            ics_cache[ics_key] = _ics(event, delivery, language, occurrence, recipient)
        ics = ics_cache[ics_key]
    return _compose(shared, personal, language, delivery.kind, ics)


def _template(
    delivery: Delivery,
    occurrence: Occurrence | None,
    language: str,
    zone_name: str,
    instant: dt.datetime | None,
    day: dt.date | None,
    days_ahead: int | None,
) -> mailwire.Template | None:
    """The mail with placeholders for the recipient's values. Its context and .ics are made
    per batch (they read the event as it is now); the rendering and MIME serialisation are
    looked up by what they are made of, so they survive from one batch to the next."""
    assert delivery.event is not None
    shared = _shared_context(delivery, occurrence, language, zone_name, instant, day, days_ahead)
    placeholder = mailwire.PLACEHOLDERS
    ics = _ics(delivery.event, delivery, language, occurrence, placeholder.address)
    content = (_frozen(shared), language, ics, settings.DEFAULT_FROM_EMAIL, settings.SITE_URL)
    return mailwire.template_for(
        content, lambda: _compose(shared, placeholder, language, delivery.kind, ics), ics
    )


def _shared_context(
    delivery: Delivery,
    occurrence: Occurrence | None,
    language: str,
    zone_name: str,
    instant: dt.datetime | None,
    day: dt.date | None,
    days_ahead: int | None,
) -> dict[str, Any]:
    """The template context of everything but the recipient's own values."""
    event, rule = delivery.event, delivery.rule
    assert event is not None
    assert rule is not None
    if instant is not None:
        when = format_instant(instant, zone_name, language)
    elif day is not None:
        when = format_date(day, language)
    else:
        when = ""
    feed_url = absolute_url("feeds:all")
    if rule.city_id and rule.city is not None:
        feed_url = absolute_url("feeds:city", slug=rule.city.slug)
    return {
        "kind": delivery.kind,
        "title": event.title(language),
        "description": event.description(language),
        "when": when,
        "zone": zone_name,
        "lead": days_phrase(days_ahead, language) if days_ahead is not None else "",
        "cities": _city_lines(occurrence, language),
        "location": (
            occurrence.location_in(language) if occurrence else event.location_in(language)
        ),
        "online_url": event.online_url,
        "event_url": absolute_url("web:event_detail", slug=event.slug),
        "feed_url": feed_url,
        "cancelled": delivery.kind == Delivery.Kind.CANCEL,
        **_before_change(delivery, event, zone_name, language),
    }


def notice_before(event_id: int, sequence: int) -> dict[str, Any]:
    """The ``before`` of the change notice that announced ``sequence`` ({} if none)."""
    notice = (
        ChangeNotice.objects.filter(event_id=event_id, sequence=sequence)
        .order_by("-id")
        .values_list("before", flat=True)
        .first()
    )
    return notice or {}


def _before_change(
    delivery: Delivery, event: Event, zone_name: str, language: str
) -> dict[str, Any]:
    """A change notice's "before the change" lines (old → new), in the recipient's zone:
    the start and place as they were before the burst of edits, for those that changed.
    A series says its old time of day (its first date, years ago, would mislead)."""
    if delivery.kind != Delivery.Kind.CHANGE:
        return {}
    was = notice_before(event.pk, delivery.sequence)
    occurrence = was.get("occurrence")
    if occurrence:
        # One moved or cancelled instance: its own old start (a full date, not a time of day).
        was = {k: v for k, v in was.items() if k not in ("start", "start_date")}
        keep = ("start", "start_date", "location", "location_ru")
        was.update({k: occurrence[k] for k in keep if k in occurrence})
        was.update(timezone=event.timezone, time_mode=event.time_mode)
    lines: dict[str, Any] = {
        "was_when": "",
        "was_location_changed": "location" in was,
        "was_location": localized(SimpleNamespace(**was), "location", language),
        "was_cancelled": bool(occurrence and occurrence.get("cancelled")),
        **_status_change(was.get("status"), event.status, language),
    }
    if was.get("start"):
        instant = dt.datetime.fromisoformat(was["start"])
        if was.get("time_mode") == Event.TimeMode.LOCAL:
            # The same wall-clock time in every city: the old time as the recipient's city had it.
            wall = instant.astimezone(get_zone(was["timezone"])).replace(tzinfo=None)
            instant = wall.replace(tzinfo=get_zone(zone_name))
        lines["was_when"] = (
            format_clock(instant, zone_name)
            if event.rrule and not occurrence
            else format_instant(instant, zone_name, language)
        )
    elif was.get("start_date"):
        lines["was_when"] = format_date(dt.date.fromisoformat(was["start_date"]), language)
    return lines


def _status_change(was: str | None, now: str, language: str) -> dict[str, str]:
    """The old and new status labels in ``language``, when the burst changed the status (a
    burst that changed it and back says nothing)."""
    if was is None or was == now or was not in Event.Status.values:
        return {}
    with translation.override(language):
        return {"was_status": str(Event.Status(was).label), "status": str(Event.Status(now).label)}


def _compose(
    shared: dict[str, Any],
    personal: mailwire.Personal,
    language: str,
    kind: str,
    ics: bytes | None,
) -> EmailMultiAlternatives:
    """The whole mail for ``personal`` (real values, or the placeholders of a template)."""
    url = unsubscribe_url(personal.token)
    parts = render_parts("", {**shared, "unsubscribe_url": url}, language)
    message = assemble(
        parts,
        to=personal.address,
        message_id=personal.message_id,
        unsubscribe=url,
        language=language,
        date=personal.date,
    )
    if ics is not None:
        method = "CANCEL" if kind == Delivery.Kind.CANCEL else "REQUEST"
        message.attach("invite.ics", ics, f"text/calendar; charset=utf-8; method={method}")
    return message


def _instance(occurrence: Occurrence | None) -> object:
    return occurrence.recurrence_id if occurrence is not None else None


def _ics_city_id(delivery: Delivery) -> int | None:
    contact = delivery.rule.contact if delivery.rule is not None else None
    return contact.city_id if contact is not None else None


def _frozen(context: dict[str, Any]) -> tuple:
    return tuple((name, tuple(v) if isinstance(v, list) else v) for name, v in context.items())
