"""What every admin of the coordinators shares: the coordinator-only permissions and turning a
service's ValidationError into form errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Model
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.roles import is_coordinator, is_programme_admin, is_team_member
from common.versions import changed_since, version_of
from events import services


def _adopt(target: Model, saved: Model) -> None:
    """Make the admin's in-memory object the row a service saved (the admin keeps using it)."""
    for field in type(saved)._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


def _add_service_errors(
    form: forms.BaseForm, exc: ValidationError, renames: dict[str, str] | None = None
) -> None:
    """Attach a service's ValidationError to the form fields it names."""
    renames = renames or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        name = renames.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def refusal_errors(exc: PermissionDenied) -> dict[str, list[str]]:
    """A service's PermissionDenied (common.roles.refusal: {field: [message]}) as messages by
    field ("detail" when it names none)."""
    detail = exc.args[0] if exc.args else None
    if isinstance(detail, dict):
        return {field: [str(m) for m in messages] for field, messages in detail.items()}
    return {"detail": [str(detail or _("You may not do this."))]}


def _add_refusal(form: forms.BaseForm, exc: PermissionDenied) -> None:
    """Attach a service's PermissionDenied to the form fields it names."""
    for field, messages in refusal_errors(exc).items():
        form.add_error(field if field in form.fields else None, messages)


class ActorForm:
    """Admin mixin: each request's form class knows the request's user (``form.actor``), so
    that its clean can ask the services' rights check before saving: a refusal is a form
    error naming the field, not a 403 (or a 500) from save_model."""

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        form.actor = request.user
        return form


class CoordinatorPermissions:
    """Programme administrators manage everything here; city team members what the admin's
    ``team_may_*`` hooks allow (each asks common.roles, and ``get_queryset`` limits the list
    to the team's scope); everybody else needs the usual Django permissions.

    An object outside the queryset is a 404, not the admin's usual redirect: the same answer
    as for an id that does not exist."""

    def team_may_view(self, request, obj=None) -> bool:
        return False

    def team_may_change(self, request, obj=None) -> bool:
        return False

    def team_may_add(self, request, obj=None) -> bool:
        return False

    def team_may_delete(self, request, obj=None) -> bool:
        return False

    def _team(self, request) -> bool:
        return is_team_member(request.user) and not is_programme_admin(request.user)

    def _allowed(self, request, perm: str, obj=None) -> bool:
        if is_programme_admin(request.user):
            return True
        if self._team(request) and getattr(self, f"team_may_{perm}")(request, obj):
            return True
        return getattr(super(), f"has_{perm}_permission")(request, obj)

    def has_module_permission(self, request) -> bool:
        return is_coordinator(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request, "view", obj) or self.has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        if isinstance(self, admin.ModelAdmin):
            if is_programme_admin(request.user) or (
                self._team(request) and self.team_may_add(request)
            ):
                return True
            return super().has_add_permission(request)
        return self._allowed(request, "add", obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request, "delete", obj)

    def team_scope(self, request, queryset, visible):  # type: ignore[no-untyped-def]
        """``queryset`` limited to ``visible`` (a selector's answer) for a city team member;
        programme administrators and staff with Django permissions see the whole table."""
        if not self._team(request):
            return queryset
        return queryset.filter(pk__in=visible.values("pk"))

    def get_object(self, request, object_id, from_field=None):  # type: ignore[no-untyped-def]
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such object."))
        return obj


class ConflictCheckForm(forms.ModelForm):
    """Refuses to save over a change someone made after this form was opened (two
    coordinators on one object: the later save used to win silently)."""

    loaded_version = forms.CharField(
        label=gettext_lazy("version loaded"), widget=forms.HiddenInput, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and hasattr(self.instance, "updated_at"):
            self.initial["loaded_version"] = version_of(self.instance.updated_at)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        loaded = data.get("loaded_version")
        if self.instance.pk and loaded and hasattr(self.instance, "updated_at"):
            model = type(self.instance)
            if changed_since(model, self.instance.pk, loaded):
                raise ValidationError(
                    _(
                        "Someone changed this %(object)s after you opened it. Nothing was "
                        "saved: open it again to see their change, then make yours."
                    )
                    % {"object": model._meta.verbose_name},
                    code="conflict",
                )
        return data


class OneLineFieldsForm(ConflictCheckForm):
    """Shows a line break in a one-line field (name, venue) as a form error, not a 500 from
    the service that refuses it on save."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        one_line = {
            f.name for f in self._meta.model._meta.concrete_fields if isinstance(f, CharField)
        }
        try:
            services.check_single_line(**{k: v for k, v in data.items() if k in one_line})
        except ValidationError as exc:
            _add_service_errors(self, exc)
        return data


class ReadOnlyRecords:
    """An admin of records written elsewhere (an import's runs and jobs): shown, never added,
    changed or deleted here. Put it before CoordinatorPermissions in the bases."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """History shown beside an object, changed elsewhere (its own action or the API)."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
