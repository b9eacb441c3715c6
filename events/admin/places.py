"""Admin for cities, partnerships (with their status history) and contacts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from common import roles
from common.audit_admin import AuditedAdmin
from events import selectors, services
from events.admin.base import (
    ActorForm,
    ConflictCheckForm,
    CoordinatorPermissions,
    OneLineFieldsForm,
    ReadOnlyInline,
    _add_refusal,
    _add_service_errors,
    _adopt,
)
from events.models import (
    City,
    Contact,
    Partnership,
    PartnershipStatusChange,
)


class CityAdminForm(OneLineFieldsForm):
    class Meta:
        model = City
        fields = [
            "slug",
            "kind",
            "country",
            "region",
            "name_en",
            "name_native",
            "name_ru",
            "timezone",
            "latitude",
            "longitude",
        ]

    def clean_country(self) -> str:
        try:
            return services.normalise_country(self.cleaned_data.get("country"))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["country"]) from exc


@admin.register(City)
class CityAdmin(CoordinatorPermissions, admin.ModelAdmin):
    form = CityAdminForm
    list_display = ["name_en", "name_native", "kind", "country", "region", "timezone"]
    list_filter = ["kind", "country"]
    search_fields = ["name_en", "name_native", "name_ru", "region", "slug"]
    prepopulated_fields = {"slug": ("name_en",)}

    def team_may_view(self, request, obj=None) -> bool:
        return True  # cities are public; teams need them for their events' and contacts' forms

    def save_model(self, request, obj: City, form: forms.ModelForm, change: bool) -> None:
        fields = {
            name: form.cleaned_data[name] for name in form.Meta.fields if name != "loaded_version"
        }
        if change:
            services.update_city(city=obj, actor=request.user, **fields)
        else:
            _adopt(obj, services.create_city(actor=request.user, **fields))


class StatusChangeInline(ReadOnlyInline):
    """The dated history of a pair's status. A new status is set on the pair itself."""

    model = PartnershipStatusChange
    fields = ["status", "changed_on", "note", "recorded_at"]


class PartnershipAdminForm(ConflictCheckForm):
    agreement_url = forms.URLField(
        label=_("agreement document"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = Partnership
        fields = [
            "city_a",
            "city_b",
            "established_on",
            "established_precision",
            "status",
            "status_changed_on",
            "relationship",
            "agreement_url",
            "notes",
            "notes_ru",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        city_a, city_b = data.get("city_a"), data.get("city_b")
        if city_a and city_b:
            try:
                services.check_partnership_pair(
                    city_a_id=city_a.pk, city_b_id=city_b.pk, exclude_pk=self.instance.pk
                )
            except ValidationError as exc:
                _add_service_errors(self, exc)
                return data
            if city_a.pk > city_b.pk:  # pairs are unordered; store them canonically
                data["city_a"], data["city_b"] = city_b, city_a
        return data


@admin.register(Partnership)
class PartnershipAdmin(CoordinatorPermissions, AuditedAdmin):
    form = PartnershipAdminForm
    inlines = [StatusChangeInline]
    list_display = ["__str__", "relationship", "established_on", "established_precision", "status"]
    list_filter = ["status", "relationship", "established_precision"]
    list_select_related = ["city_a", "city_b"]
    search_fields = [
        "city_a__name_en",
        "city_a__name_native",
        "city_b__name_en",
        "city_b__name_native",
    ]
    autocomplete_fields = ["city_a", "city_b"]

    def team_may_view(self, request, obj=None) -> bool:
        return True  # partnerships are public

    def save_model(self, request, obj: Partnership, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        fields = {
            "city_a_id": data["city_a"].pk,
            "city_b_id": data["city_b"].pk,
            "established_on": data.get("established_on"),
            "established_precision": data["established_precision"],
            "status": data["status"],
            "status_changed_on": data.get("status_changed_on"),
            "relationship": data["relationship"],
            "agreement_url": data.get("agreement_url", ""),
            "notes": data.get("notes", ""),
            "notes_ru": data.get("notes_ru", ""),
        }
        if change:
            stored = Partnership.objects.get(pk=obj.pk)  # obj already carries the new status
            saved = services.update_partnership(partnership=stored, actor=request.user, **fields)
        else:
            saved = services.create_partnership(actor=request.user, **fields)
        _adopt(obj, saved)


class ContactAdminForm(OneLineFieldsForm):
    actor: Any = None  # set by ActorForm

    class Meta:
        model = Contact
        fields = ["name", "name_ru", "kind", "city", "email", "language", "timezone", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            services.check_contact_rights(self.actor, Contact(city=data.get("city")))
        except PermissionDenied as exc:
            _add_refusal(self, exc)
        return data


@admin.register(Contact)
class ContactAdmin(ActorForm, CoordinatorPermissions, AuditedAdmin):
    form = ContactAdminForm
    list_display = ["name", "kind", "city", "email", "language", "timezone", "is_active"]
    list_filter = ["kind", "language", "is_active"]
    list_select_related = ["city"]
    search_fields = ["name", "name_ru", "email", "city__name_en", "city__name_native"]
    autocomplete_fields = ["city"]

    def get_queryset(self, request):
        return self.team_scope(
            request, super().get_queryset(request), selectors.contacts_list(request.user)
        )

    def team_may_view(self, request, obj=None) -> bool:
        return obj is None or roles.can_view_contact(request.user, obj)

    def team_may_change(self, request, obj=None) -> bool:
        return obj is None or roles.can_change_contact(request.user, obj)

    team_may_delete = team_may_change

    def team_may_add(self, request, obj=None) -> bool:
        return True  # the service refuses a city outside the team

    def delete_model(self, request, obj: Contact) -> None:
        services.delete_contact(contact=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for contact in queryset:
            services.delete_contact(contact=contact, actor=request.user)

    def save_model(self, request, obj: Contact, form: forms.ModelForm, change: bool) -> None:
        fields = {
            name: form.cleaned_data.get(name)
            for name in form.Meta.fields
            if name != "loaded_version"
        }
        if change:
            services.update_contact(contact=obj, actor=request.user, **fields)
        else:
            _adopt(obj, services.create_contact(actor=request.user, **fields))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version shows the contact's addresses: only to who may see the contact
        (404, like any contact outside one's view)."""
        record = get_object_or_404(Contact.history, history_id=version_id, id=object_id)
        if not roles.can_view_contact(request.user, record.instance):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)
