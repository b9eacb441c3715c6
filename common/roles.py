"""Who may do what: the one place that answers it (API, admin, desk and services all ask here).

Roles:

- **Programme administrators** (superusers and members of ``settings.PROGRAMME_ADMINS_GROUP``)
  manage everything: cities, partnerships, teams, every event, contact, rule and feed token.
  A member of the older ``settings.COORDINATORS_GROUP`` who belongs to no city team is treated
  as one too: that group meant "may change everything" before city teams existed, and
  deployments (and scripts) that still add people to it keep working, with the rights they
  had: everything but other people's feed tokens and import jobs, which only superusers and
  the programme administrators group oversee. Put such a user on a team to scope them.
- **City team members** (users with a ``TeamMembership``) act for their cities only: they
  change events their city hosts or co-hosts, their own city's participation (role and venue)
  in any event, their city's contacts with those contacts' reminder rules and digests, and
  their own feed tokens. They read public events like everybody, plus every event (tentative
  or internal included) in which one of their cities takes part.
- **Everybody else** reads confirmed and cancelled public events, cities and partnerships.

The rules are django-rules predicates (composable, no per-object permission rows: a right
follows from the city, so a new event needs no grant), registered as ``teams.*``
permissions so templates and ``user.has_perm(name, obj)`` ask the same question. Writes are
enforced in the services (``require``); reads by the selectors' ``*_visible_to`` querysets, so
anything outside a user's scope is a 404 that tells nothing about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

HOST_ROLES = frozenset({"host", "co_host"})  # events.models.Participation.Role values


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _groups(user: Any) -> frozenset[str]:
    cached = getattr(user, "_role_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_groups = cached
    return cached


def team_cities(user: Any) -> frozenset[int]:
    """Ids of the cities whose teams ``user`` belongs to: one query, then cached on the user
    object (a request's user lives for one request)."""
    if not _authenticated(user):
        return frozenset()
    cached = getattr(user, "_team_city_ids", None)
    if cached is None:
        cached = frozenset(user.team_memberships.values_list("city_id", flat=True))
        user._team_city_ids = cached
    return cached


def forget_roles(user: Any) -> None:
    """Drop what team_cities and is_programme_admin cached (after changing the user's teams)."""
    for name in ("_team_city_ids", "_role_groups"):
        if hasattr(user, name):
            delattr(user, name)


@rules.predicate
def is_programme_admin(user: Any) -> bool:
    if not _authenticated(user):
        return False
    if user.is_superuser:
        return True
    groups = _groups(user)
    if settings.PROGRAMME_ADMINS_GROUP in groups:
        return True
    return settings.COORDINATORS_GROUP in groups and not team_cities(user)


@rules.predicate
def oversees_everyone(user: Any) -> bool:
    """Superusers and the programme administrators group (not the legacy coordinators group):
    may also manage other people's feed tokens and import jobs."""
    if not _authenticated(user):
        return False
    return user.is_superuser or settings.PROGRAMME_ADMINS_GROUP in _groups(user)


@rules.predicate
def is_team_member(user: Any) -> bool:
    return bool(team_cities(user))


def is_coordinator(user: Any) -> bool:
    """May use the desk and the API's writes at all: a programme administrator or a member of
    a city team (what each may change is decided per object below)."""
    return bool(is_programme_admin(user) or is_team_member(user))


def event_cities(event: Any) -> dict[int, str]:
    """City id -> role of the event's participations (uses a prefetch when there is one)."""
    if event is None or event.pk is None:
        return {}
    return {p.city_id: p.role for p in event.participations.all()}


def host_cities(event: Any) -> frozenset[int]:
    return frozenset(c for c, role in event_cities(event).items() if role in HOST_ROLES)


@rules.predicate
def takes_part_in_event(user: Any, event: Any) -> bool:
    return event is not None and not team_cities(user).isdisjoint(event_cities(event))


@rules.predicate
def hosts_event(user: Any, event: Any) -> bool:
    return event is not None and not team_cities(user).isdisjoint(host_cities(event))


@rules.predicate
def is_public_event(user: Any, event: Any) -> bool:
    """Anybody may see it: the rule is the model's (``Event.is_public``, ``Event.public_q``
    for querysets), asked of the object so that this module imports no models."""
    return event is not None and event.is_public


can_view_event = is_public_event | is_programme_admin | takes_part_in_event
can_change_event = is_programme_admin | hosts_event


@rules.predicate
def own_city_participation(user: Any, participation: Any) -> bool:
    return participation is not None and participation.city_id in team_cities(user)


can_change_participation = is_programme_admin | own_city_participation


@rules.predicate
def own_city_contact(user: Any, contact: Any) -> bool:
    return contact is not None and contact.city_id in team_cities(user)


can_view_contact = is_programme_admin | own_city_contact
can_change_contact = can_view_contact


@rules.predicate
def own_rule(user: Any, rule: Any) -> bool:
    """A rule of one of the team's contacts, or a rule that reminds the user themself."""
    if rule is None:
        return False
    if rule.contact_id is not None:
        return rule.contact.city_id in team_cities(user)
    return _authenticated(user) and rule.user_id == user.pk and is_team_member(user)


can_change_rule = is_programme_admin | own_rule


@rules.predicate
def own_digest(user: Any, digest: Any) -> bool:
    return digest is not None and digest.contact.city_id in team_cities(user)


can_change_digest = is_programme_admin | own_digest


@rules.predicate
def own_feed_token(user: Any, token: Any) -> bool:
    return token is not None and _authenticated(user) and token.created_by_id == user.pk


can_manage_feed_token = oversees_everyone | own_feed_token

PERMISSIONS = {
    "teams.manage_programme": is_programme_admin,  # cities, partnerships, teams, imports
    "teams.view_event": can_view_event,
    "teams.change_event": can_change_event,
    "teams.change_participation": can_change_participation,
    "teams.view_contact": can_view_contact,
    "teams.change_contact": can_change_contact,
    "teams.change_rule": can_change_rule,
    "teams.change_digest": can_change_digest,
    "teams.manage_feed_token": can_manage_feed_token,
}
for _name, _predicate in PERMISSIONS.items():
    rules.add_perm(_name, _predicate)


def require(actor: Any, permission: str, obj: Any = None, *, field: str | None = None) -> None:
    """Raise PermissionDenied (403) unless ``actor`` has ``permission`` (on ``obj``).

    ``actor=None`` is the system itself (management commands, the demo loader, an import
    run for the command line): it may do anything. With ``field`` the refusal names it."""
    if actor is None:
        return
    if not actor.has_perm(permission, obj):
        raise refusal(field, permission_message(permission))


def refusal(field: str | None, message: str) -> PermissionDenied:
    """A PermissionDenied whose detail names the field (the API shows it as a 403 body)."""
    return PermissionDenied({field or "detail": [message]})


def permission_message(permission: str) -> str:
    """What a refusal of ``permission`` tells the user."""
    messages = {
        "teams.manage_programme": _("Only programme administrators may change this."),
        "teams.change_event": _(
            "Only a team of a city that hosts or co-hosts this event may change it."
        ),
        "teams.change_participation": _("Your team may change only its own cities' part."),
        "teams.change_contact": _("Your team may change only its own cities' contacts."),
        "teams.change_rule": _("Your team may change only its own contacts' reminder rules."),
        "teams.change_digest": _("Your team may change only its own contacts' digests."),
        "teams.manage_feed_token": _("Only the token's owner may manage it."),
    }
    return messages.get(permission, _("You may not do this."))


def check_hosts(actor: Any, before: dict[int, str], after: Iterable[tuple[int, str]]) -> None:
    """Mass-assignment guard on an event's participations (``before`` and ``after``: city id
    -> role). A team may not make another city a host or co-host, strip one of that role, nor
    leave the event without one of its own cities hosting it. Programme administrators and
    the system may do anything. Raises PermissionDenied naming ``participations``."""
    if actor is None or is_programme_admin(actor):
        return
    mine = team_cities(actor)
    after_roles = dict(after)
    for city_id in set(before) | set(after_roles):
        if city_id in mine:
            continue
        was_host = before.get(city_id) in HOST_ROLES
        is_host = after_roles.get(city_id) in HOST_ROLES
        if was_host != is_host:
            raise refusal(
                "participations",
                _("Your team may not make another city a host or co-host, nor remove one."),
            )
    if not any(city_id in mine and role in HOST_ROLES for city_id, role in after_roles.items()):
        raise refusal(
            "participations",
            _("One of your team's cities must stay a host or co-host of the event."),
        )
