"""The demo's logins: a programme administrator and one login per city team. Idempotent."""

from __future__ import annotations

from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from events.models import City, TeamMembership

DEMO_USERNAME = "coordinator"
DEMO_PASSWORD = "twinning-demo"  # noqa: S105 - the documented demo login, printed on purpose
# City team logins: username, password, the city whose team it joins.
DEMO_TEAMS = (
    ("magadan-team", "magadan-demo", "magadan"),
    ("anchorage-team", "anchorage-demo", "anchorage"),
)
# The programme administrators group may manage everything in these apps from the admin.
COORDINATOR_APPS = ("events", "feeds", "notifications")
COORDINATOR_ACTIONS = ("add", "change", "delete", "view")


class Report(Protocol):
    """What the loader's report offers (events.demo.loader.LoadReport)."""

    warnings: list[str]

    def count(self, kind: str, outcome: str) -> None: ...


def coordinator_permissions() -> list[Permission]:
    """Add/change/delete/view permissions of every model of the coordinator apps."""
    codenames = [
        perm
        for perm in Permission.objects.filter(
            content_type__app_label__in=COORDINATOR_APPS
        ).select_related("content_type")
        if perm.codename.split("_", 1)[0] in COORDINATOR_ACTIONS
    ]
    return codenames


def _ensure_user(username: str, password: str, report: Report) -> Any:
    """A staff login with ``password`` when created; a password changed later is kept (and a
    warning says the printed login will not work). Idempotent."""
    user_model: Any = get_user_model()
    user: Any = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model.objects.create_user(username, password=password)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        report.count("user", "created")
        return user
    changed = not user.is_staff or not user.is_active
    if changed:
        user.is_staff = user.is_active = True
        user.save(update_fields=["is_staff", "is_active"])
    if not user.check_password(password):
        report.warnings.append(
            f"User {username!r} exists with another password; it was left unchanged."
        )
    report.count("user", "updated" if changed else "unchanged")
    return user


def ensure_demo_coordinator(report: Report) -> Any:
    """The demo programme administrator (staff, in the programme administrators group).
    Idempotent."""
    group, _ = Group.objects.get_or_create(name=settings.PROGRAMME_ADMINS_GROUP)
    wanted = coordinator_permissions()
    have = set(group.permissions.values_list("pk", flat=True))
    missing = [perm for perm in wanted if perm.pk not in have]
    if missing:
        group.permissions.add(*missing)
    user = _ensure_user(DEMO_USERNAME, DEMO_PASSWORD, report)
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
    return user


def ensure_demo_teams(report: Report) -> list[Any]:
    """One login per demo city team (DEMO_TEAMS), each a member of its city's team only: no
    group, no Django permissions, so what it may do is what common.roles gives a team.
    Idempotent."""
    users = []
    for username, password, city_slug in DEMO_TEAMS:
        user = _ensure_user(username, password, report)
        city = City.objects.get(slug=city_slug)
        TeamMembership.objects.get_or_create(user=user, city=city)
        users.append(user)
    return users
