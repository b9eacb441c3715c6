"""The audit trail: which interface (API, desk, admin, import, command) made each change.

django-simple-history writes one history row per save/delete of an audited model, in the same
transaction as the write (a rolled-back write leaves no row). This module adds *how* the
change came in:

* ``interface`` is a context variable. ``AuditMiddleware`` sets it from the request path
  (/api/ → api, /desk/ → desk, /admin/ → admin); ``acting(...)`` sets it around the import
  and management commands (and may name the acting user where there is no request, e.g. a
  worker running an import job for its owner). Inner ``acting`` blocks win.
* It is stored in a real column, ``interface``, on every history table, through
  simple_history's documented extra-field mechanism (an abstract base passed as
  ``HistoricalRecords(bases=[AuditedHistory])``). We chose a column over
  ``history_change_reason`` because that field is free text meant for a human reason; a
  column with choices can be filtered and indexed (``?interface=api``) and keeps the reason
  free. The column's default is the context variable, so both the per-save signal path and
  ``bulk_create_with_history`` (which builds rows without signals) fill it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Interface(models.TextChoices):
    API = "api", _("API")
    DESK = "desk", _("Desk")
    ADMIN = "admin", _("Admin")
    IMPORT = "import", _("Import")
    COMMAND = "command", _("Management command")
    OTHER = "other", _("Other")


_interface: contextvars.ContextVar[str] = contextvars.ContextVar(
    "audit_interface", default=Interface.OTHER.value
)
_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("audit_actor", default=None)

_PREFIXES = (("/api/", Interface.API), ("/desk/", Interface.DESK), ("/admin/", Interface.ADMIN))


def current_interface() -> str:
    """The interface of the change being made now (the ``interface`` column's default)."""
    return _interface.get()


def interface_of_path(path: str) -> str:
    for prefix, interface in _PREFIXES:
        if path.startswith(prefix):
            return interface.value
    return Interface.OTHER.value


@contextlib.contextmanager
def acting(interface: str, user: Any = None) -> Iterator[None]:
    """Label every history row written inside the block with ``interface`` (and ``user``,
    when given, where no request names one)."""
    interface_token = _interface.set(Interface(interface).value)
    named = user is not None and getattr(user, "is_authenticated", False)
    actor_token = _actor.set(user) if named else None
    try:
        yield
    finally:
        _interface.reset(interface_token)
        if actor_token is not None:
            _actor.reset(actor_token)


def history_user(request: Any = None, **kwargs: Any) -> Any:
    """simple_history's ``get_user``: the user ``acting`` names, else the request's user."""
    actor = _actor.get()
    if actor is not None:
        return actor
    return getattr(request, "user", None) if request is not None else None


class AuditMiddleware:
    """Sets the interface from the path for the request's duration (after authentication;
    the user itself comes from simple_history's HistoryRequestMiddleware)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        token = _interface.set(interface_of_path(request.path_info))
        try:
            return self.get_response(request)
        finally:
            _interface.reset(token)


class AuditedHistory(models.Model):
    """Extra column of every history table (``HistoricalRecords(bases=[AuditedHistory])``)."""

    interface = models.CharField(
        _("interface"),
        max_length=8,
        choices=Interface.choices,
        default=current_interface,
        db_index=True,
    )

    class Meta:
        abstract = True


def audited(**options: Any) -> HistoricalRecords:
    """The one configuration of history for an audited model."""
    return HistoricalRecords(bases=[AuditedHistory], get_user=history_user, **options)


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _initial_values(record: Any) -> dict[str, list[Any]]:
    values = {}
    for field in record.tracked_fields:
        value = getattr(record, field.attname)
        if field.editable and value not in (None, "", [], {}):
            values[field.name] = [None, value]
    return values


def trail(records: Iterable[Any], *, model: str) -> list[dict[str, Any]]:
    """One entry per history row of one model (rows oldest first, as stored): when, who,
    interface, type and ``changes`` {field: [old, new]} against the object's previous row
    (diff_against; foreign keys as ids). A created row lists the values it was created with;
    a deleted row has no changes."""
    previous: dict[Any, Any] = {}
    entries = []
    for record in records:
        key = getattr(record, record.instance_type._meta.pk.attname)
        before = previous.get(key)
        if record.history_type == "+":
            changes = _initial_values(record)
        elif record.history_type == "~" and before is not None:
            delta = record.diff_against(before)
            changes = {change.field: [change.old, change.new] for change in delta.changes}
        else:
            changes = {}
        previous[key] = record
        user = record.history_user
        entries.append(
            {
                "model": model,
                "object_id": key,
                "history_id": record.history_id,
                "when": record.history_date,
                "who": user.get_username() if user is not None else None,
                "interface": record.interface,
                "type": HISTORY_TYPES[record.history_type],
                "changes": changes,
                # The row itself, for callers that need its values (a deleted object's last
                # state, a contact to test visibility on); not part of any serialized output.
                "record": record,
            }
        )
    return entries


def merged_trail(sources: Iterable[tuple[str, Any]]) -> list[dict[str, Any]]:
    """``trail`` of several history querysets ((model name, rows), e.g. an event and its
    participations), merged newest first. One query per source, whatever the length: the
    acting user is joined, the diffs are computed in Python."""
    entries = [
        entry
        for model, rows in sources
        for entry in trail(
            rows.select_related("history_user").order_by("history_date", "history_id"),
            model=model,
        )
    ]
    entries.sort(key=lambda e: (e["when"], e["history_id"]), reverse=True)
    return entries


HIDDEN = "hidden"


def redact(
    entries: Iterable[dict[str, Any]], *, model: str, fields: Iterable[str], visible: Any
) -> list[dict[str, Any]]:
    """The entries with the old and new values of ``fields`` of ``model``'s entries replaced
    by ``HIDDEN`` wherever ``visible(historical instance)`` is false (e.g. a contact's
    addresses for a viewer who may not see that contact). Other entries pass unchanged.
    ``visible`` is asked once per object, of the first (newest, when merged) row of it, so
    the query count does not grow with the trail's length."""
    hidden_fields = frozenset(fields)
    verdicts: dict[Any, bool] = {}
    shown = []
    for entry in entries:
        if entry["model"] == model and hidden_fields & entry["changes"].keys():
            key = entry["object_id"]
            if key not in verdicts:
                verdicts[key] = bool(visible(entry["record"].instance))
            if not verdicts[key]:
                changes = {
                    name: [HIDDEN if v is not None else None for v in values]
                    if name in hidden_fields
                    else values
                    for name, values in entry["changes"].items()
                }
                entry = {**entry, "changes": changes}
        shown.append(entry)
    return shown
