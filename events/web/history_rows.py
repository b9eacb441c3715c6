"""The desk's view of the audit trail: common.audit.trail entries as rows a coordinator reads.

Each change is "label: old → new" with the field's translated verbose name; choices by their
labels, cities and partnerships by name, instants in the event's zone (the desk's
convention for event times), the moment of the change in UTC (the page's script shows it in
the browser's zone). Values are resolved with one query per related model, whatever the
number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from common.audit import HIDDEN, Interface
from events.models import City, Contact, Event, OccurrenceChange, Participation, Partnership
from events.place_models import PartnershipStatusChange
from events.web import formatting

MODELS: dict[str, type[models.Model]] = {
    "event": Event,
    "participation": Participation,
    "occurrence_change": OccurrenceChange,
    "partnership": Partnership,
    "status_change": PartnershipStatusChange,
    "contact": Contact,
}
# Bookkeeping a coordinator does not act on: row ids, the event a city or date belongs to
# (the page is that event's), the iCalendar revision and the row's timestamps.
UNSHOWN = frozenset({"id", "event", "sequence", "updated_at", "created_at", "recorded_at"})
LONG_TEXT = 120


@dataclass(frozen=True)
class Change:
    label: str
    old: str  # "" on a created row: only the value it was created with is shown
    new: str


@dataclass(frozen=True)
class HistoryRow:
    when: dt.datetime  # UTC
    when_text: str
    who: str
    interface: str
    action: str
    subject: str
    changes: list[Change]


def _action(entry: dict[str, Any]) -> str:
    model, kind = entry["model"], entry["type"]
    if model == "participation":
        return {
            "created": _("City added"),
            "changed": _("City changed"),
            "deleted": _("City removed"),
        }[kind]
    if model == "occurrence_change":
        return {
            "created": _("One date changed"),
            "changed": _("One date changed again"),
            "deleted": _("One date restored"),
        }[kind]
    return {"created": _("Created"), "changed": _("Changed"), "deleted": _("Deleted")}[kind]


class _Names:
    """Names of the cities and partnerships the entries refer to (one query per model)."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        city_ids: set[int] = set()
        pair_ids: set[int] = set()
        for entry in entries:
            record = entry["record"]
            if entry["model"] == "participation":
                city_ids.add(record.city_id)
            for name, values in entry["changes"].items():
                ids = {v for v in values if isinstance(v, int)}
                if name in ("city", "city_a", "city_b"):
                    city_ids |= ids
                elif name == "partnership":
                    pair_ids |= ids
        self.cities = City.objects.in_bulk(city_ids) if city_ids else {}
        pairs = (
            Partnership.objects.select_related("city_a", "city_b").in_bulk(pair_ids)
            if pair_ids
            else {}
        )
        self.pairs = {
            pk: f"{formatting.city_name(pair.city_a)} – {formatting.city_name(pair.city_b)}"
            for pk, pair in pairs.items()
        }

    def city(self, pk: Any) -> str:
        city = self.cities.get(pk)
        return formatting.city_name(city) if city is not None else f"#{pk}"


def _value(field: models.Field, value: Any, names: _Names, zone: ZoneInfo | None) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value == HIDDEN:
        return _("hidden")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.ForeignKey):
        if field.related_model is City:
            return names.city(value)
        if field.related_model is Partnership:
            return names.pairs.get(value, f"#{value}")
        return f"#{value}"
    if isinstance(value, dt.datetime):
        local = value.astimezone(zone) if zone is not None and value.tzinfo else value
        return f"{formatting.fmt_datetime(local)} {formatting.zone_abbreviation(local)}".strip()
    if isinstance(value, dt.date):
        return formatting.fmt_date(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return Truncator(str(value)).chars(LONG_TEXT)


def _subject(entry: dict[str, Any], names: _Names) -> str:
    record = entry["record"]
    if entry["model"] == "participation":
        return names.city(record.city_id)
    if entry["model"] == "occurrence_change":
        # original_start is the instance's wall-clock start in the event's zone (see model).
        return formatting.fmt_date(record.original_start.date())
    return ""


def history_rows(
    entries: list[dict[str, Any]], *, zone: ZoneInfo | None = None
) -> list[HistoryRow]:
    """Desk rows of trail entries (as given, newest first); ``zone`` is the event's, for the
    old and new instants."""
    names = _Names(entries)
    rows = []
    for entry in entries:
        model = MODELS[entry["model"]]
        order = {field.name: n for n, field in enumerate(model._meta.fields)}
        created = entry["type"] == "created"
        # A participation's city is already the row's subject.
        unshown = UNSHOWN | {"city"} if entry["model"] == "participation" else UNSHOWN
        changes = []
        for name, (old, new) in sorted(entry["changes"].items(), key=lambda c: order[c[0]]):
            if name in unshown:
                continue
            field = model._meta.get_field(name)
            changes.append(
                Change(
                    label=capfirst(str(field.verbose_name)),
                    old="" if created else _value(field, old, names, zone),
                    new=_value(field, new, names, zone),
                )
            )
        when = entry["when"].astimezone(dt.UTC)
        rows.append(
            HistoryRow(
                when=when,
                when_text=f"{formatting.fmt_datetime(when)} UTC",
                who=entry["who"] or _("nobody signed in"),
                interface=str(Interface(entry["interface"]).label),
                action=_action(entry),
                subject=_subject(entry, names),
                changes=changes,
            )
        )
    return rows
