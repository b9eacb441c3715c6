"""Partner-side changes as proposals: a team that takes part in an event another city hosts
proposes a new time or place; a host team member accepts (the change is applied through
update_event, with its checks, SEQUENCE and notices) or rejects it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import roles
from events.models import ChangeProposal, Event
from events.recurrence import CityTime, city_times
from events.services._common import _error
from events.services.schedule import apply_event_fields, update_event
from notifications import hooks

# What a partner may propose: when and where. Anything else is the host's to change.
PROPOSABLE_FIELDS = frozenset({"start", "end", "start_date", "end_date", "location"})
_DATETIMES = frozenset({"start", "end"})
_DATES = frozenset({"start_date", "end_date"})


def must_propose(*, actor: Any, event: Event, fields: Mapping[str, Any]) -> bool:
    """True when ``actor``'s change to ``event`` is a proposal, not an edit: the actor's team
    takes part without hosting, and the change is only to the time or place."""
    if actor is None or not fields or roles.can_change_event(actor, event):
        return False
    return roles.takes_part_in_event(actor, event) and set(fields) <= PROPOSABLE_FIELDS


def _to_json(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: value.isoformat() if isinstance(value, dt.date | dt.datetime) else value
        for name, value in fields.items()
    }


def _from_json(stored: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in stored.items():
        if value is not None and name in _DATETIMES:
            values[name] = dt.datetime.fromisoformat(value)
        elif value is not None and name in _DATES:
            values[name] = dt.date.fromisoformat(value)
        else:
            values[name] = value
    return values


def proposed_event(proposal: ChangeProposal) -> Event:
    """The event as it would be with the proposal applied (unsaved; checks run)."""
    candidate = Event.objects.get(pk=proposal.event_id)
    apply_event_fields(candidate, _from_json(proposal.fields), database_checks=False)
    return candidate


def proposed_city_times(proposal: ChangeProposal) -> list[CityTime]:
    """Each participating city's local time of the proposed change (the one city-time
    answer pages, feeds and mail use)."""
    candidate = proposed_event(proposal)
    participations = proposal.event.participations.select_related("city").order_by("id")
    return city_times(
        candidate,
        candidate.start,
        candidate.end,
        candidate.start_date,
        candidate.end_date,
        participations,
    )


@transaction.atomic
def propose_change(*, event: Event, actor: Any, fields: Mapping[str, Any]) -> ChangeProposal:
    """Store a pending proposal of a new time or place and tell the host team (after commit).
    The values are checked as update_event would check them, so what is accepted applies.
    Not idempotent: each call is one proposal."""
    if not must_propose(actor=actor, event=event, fields=fields):
        raise roles.refusal(None, roles.permission_message("teams.change_event"))
    current = Event.objects.get(pk=event.pk)
    candidate = Event.objects.get(pk=event.pk)
    apply_event_fields(candidate, fields, database_checks=False)
    if all(getattr(candidate, name) == getattr(current, name) for name in PROPOSABLE_FIELDS):
        # e.g. a time of day for an event known by its date only: update_event would drop it.
        raise _error(
            sorted(fields)[0],
            _(
                "This proposal changes nothing the event shows: give a different value (an event "
                "known by its date takes start_date, not start)."
            ),
            "no_change",
        )
    proposal = ChangeProposal.objects.create(
        event=event, fields=_to_json(fields), proposed_by=actor
    )
    hooks.proposal_made(proposal_id=proposal.pk)
    return proposal


def _decide(proposal: ChangeProposal, actor: Any, status: str) -> ChangeProposal:
    proposal = ChangeProposal.objects.select_for_update().get(pk=proposal.pk)
    roles.require(actor, "teams.change_event", proposal.event)
    if proposal.status != ChangeProposal.Status.PENDING:
        raise _error(
            "status",
            _("This proposal was already %(status)s.")
            % {"status": proposal.get_status_display().lower()},
            "decided",
        )
    proposal.status = status
    proposal.decided_by = actor if actor is not None and actor.is_authenticated else None
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal


@transaction.atomic
def accept_proposal(*, proposal: ChangeProposal, actor: Any) -> ChangeProposal:
    """A host team member (or a programme administrator) accepts: the values are applied by
    update_event (SEQUENCE, index, change notices). A value no longer valid (the event
    changed meanwhile) is refused naming its field, and the proposal stays pending."""
    proposal = _decide(proposal, actor, ChangeProposal.Status.ACCEPTED)
    update_event(event=proposal.event, actor=actor, **_from_json(proposal.fields))
    return proposal


@transaction.atomic
def reject_proposal(*, proposal: ChangeProposal, actor: Any) -> ChangeProposal:
    """A host team member (or a programme administrator) rejects: nothing changes."""
    return _decide(proposal, actor, ChangeProposal.Status.REJECTED)
