"""Who may change an event: the rights check update_event runs before applying a change
(common.roles holds the predicates; this applies them to one change)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from common import roles
from events.models import Event


def check_event_change(
    actor: Any,
    event: Event,
    fields: Mapping[str, Any],
    participations: list[Any] | None,
) -> None:
    """Refuse (PermissionDenied, a 403) a change ``actor`` may not make to ``event``
    (``participations``: the ParticipationInput list asked for, None when unchanged)."""
    if actor is None:
        return
    before = roles.event_cities(event)
    after = None if participations is None else [(p.city_id, p.role) for p in participations]
    if roles.can_change_event(actor, event):
        if after is not None:
            roles.check_hosts(actor, before, after)
        return
    mine = roles.team_cities(actor)
    if fields or participations is None or mine.isdisjoint(before):
        raise roles.refusal(None, roles.permission_message("teams.change_event"))
    # Not a host: only its own cities' rows may differ, and none may become a host.
    venues = {p.city_id: (p.venue, p.venue_ru) for p in event.participations.all()}
    wanted = {p.city_id: (p.role, (p.venue.strip(), p.venue_ru.strip())) for p in participations}
    for city_id in (set(before) | set(wanted)) - mine:
        if wanted.get(city_id) != (
            (before[city_id], venues[city_id]) if city_id in before else None
        ):
            raise roles.refusal(
                "participations", _("Your team may change only its own cities' participation.")
            )
    for city_id in mine & set(wanted):
        if wanted[city_id][0] in roles.HOST_ROLES and before.get(city_id) not in roles.HOST_ROLES:
            raise roles.refusal(
                "participations",
                _("Your team may not make its city a host of an event another city hosts."),
            )


def check_participation_rights(actor: Any, event: Event | None, participations: list[Any]) -> None:
    """The rights create_event (``event=None``) or update_event check on a participation
    list (ParticipationInput), asked before anything is written so that a form can show the
    refusal beside its rows. Raises PermissionDenied as they do; ``actor=None`` is the system."""
    if actor is None:
        return
    if event is None:
        roles.check_hosts(actor, {}, [(p.city_id, p.role) for p in participations])
    else:
        check_event_change(actor, event, {}, participations)
