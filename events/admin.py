"""The coordinators' admin. Every save goes through events.services, so the admin refuses what
the API refuses (a DST-gap time, a bad rule, a duplicate pair) with a form error, not a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.db.models import CharField, Model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common.roles import is_coordinator
from events import services
from events.models import (
    City,
    Contact,
    Event,
    OccurrenceChange,
    Participation,
    Partnership,
    PartnershipStatusChange,
)


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


class CoordinatorPermissions:
    """Members of the coordinators group (with staff access to the admin) manage the
    programme without per-model permissions; others need the usual Django permissions."""

    def _allowed(self, request, perm: str, obj=None) -> bool:
        return is_coordinator(request.user) or getattr(super(), perm)(request, obj)

    def has_module_permission(self, request) -> bool:
        return is_coordinator(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request, "has_view_permission", obj)

    def has_add_permission(self, request, obj=None) -> bool:
        if isinstance(self, admin.ModelAdmin):
            return is_coordinator(request.user) or super().has_add_permission(request)
        return self._allowed(request, "has_add_permission", obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request, "has_change_permission", obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request, "has_delete_permission", obj)


# --- Cities -------------------------------------------------------------------------------------


class OneLineFieldsForm(forms.ModelForm):
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
        value = (self.cleaned_data.get("country") or "").strip().upper()
        if len(value) != 2 or not value.isascii() or not value.isalpha():
            raise ValidationError(_("Use an ISO 3166-1 alpha-2 code such as RU or US."))
        return value


@admin.register(City)
class CityAdmin(CoordinatorPermissions, admin.ModelAdmin):
    form = CityAdminForm
    list_display = ["name_en", "name_native", "kind", "country", "region", "timezone"]
    list_filter = ["kind", "country"]
    search_fields = ["name_en", "name_native", "name_ru", "region", "slug"]
    prepopulated_fields = {"slug": ("name_en",)}

    def save_model(self, request, obj: City, form: forms.ModelForm, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if change:
            services.update_city(city=obj, **fields)
        else:
            _adopt(obj, services.create_city(**fields))


# --- Partnerships ---------------------------------------------------------------------------


class StatusChangeInline(admin.TabularInline):
    """The dated history of a pair's status. A new status is set on the pair itself."""

    model = PartnershipStatusChange
    fields = ["status", "changed_on", "note", "recorded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PartnershipAdminForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = [
            "city_a",
            "city_b",
            "established_on",
            "established_precision",
            "status",
            "status_changed_on",
            "notes",
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
class PartnershipAdmin(CoordinatorPermissions, admin.ModelAdmin):
    form = PartnershipAdminForm
    inlines = [StatusChangeInline]
    list_display = ["__str__", "established_on", "established_precision", "status"]
    list_filter = ["status", "established_precision"]
    list_select_related = ["city_a", "city_b"]
    search_fields = [
        "city_a__name_en",
        "city_a__name_native",
        "city_b__name_en",
        "city_b__name_native",
    ]
    autocomplete_fields = ["city_a", "city_b"]

    def save_model(self, request, obj: Partnership, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        fields = {
            "city_a_id": data["city_a"].pk,
            "city_b_id": data["city_b"].pk,
            "established_on": data.get("established_on"),
            "established_precision": data["established_precision"],
            "status": data["status"],
            "status_changed_on": data.get("status_changed_on"),
            "notes": data.get("notes", ""),
        }
        if change:
            stored = Partnership.objects.get(pk=obj.pk)  # obj already carries the new status
            saved = services.update_partnership(partnership=stored, **fields)
        else:
            saved = services.create_partnership(**fields)
        _adopt(obj, saved)


# --- Events -------------------------------------------------------------------------------------


class WallClockSplitDateTimeField(forms.SplitDateTimeField):
    """A date and time as typed, without a zone: it is read in the event's own time zone."""

    widget = AdminSplitDateTime

    def compress(self, data_list: list[Any]) -> dt.datetime | None:
        if data_list and data_list[0] and data_list[1]:
            return dt.datetime.combine(data_list[0], data_list[1])
        return None


EVENT_FORM_FIELDS = [
    "title_en",
    "title_ru",
    "slug",
    "description_en",
    "description_ru",
    "kind",
    "status",
    "visibility",
    "partnership",
    "time_mode",
    "timezone",
    "precision",
    "start_date",
    "end_date",
    "approx_year",
    "approx_month",
    "location",
    "online_url",
    "rrule",
    "exdates",
]


class EventAdminForm(forms.ModelForm):
    local_start = WallClockSplitDateTimeField(
        label=_("Start (local time in the event's time zone)"), required=False
    )
    local_end = WallClockSplitDateTimeField(
        label=_("End (local time in the event's time zone)"), required=False
    )
    online_url = forms.URLField(
        label=_("online URL"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = Event
        fields = EVENT_FORM_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Leave empty to derive it from the title.")
        if self.instance.pk:
            for name, value in (
                ("local_start", self.instance.local_start),
                ("local_end", self.instance.local_end),
            ):
                if value is not None:
                    self.initial[name] = value.replace(tzinfo=None)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in EVENT_FORM_FIELDS if name in data}
        for name in ("slug", "title_en", "title_ru", "location", "online_url", "rrule"):
            if fields.get(name) is None:
                fields[name] = ""
        fields["exdates"] = fields.get("exdates") or []
        fields["start"] = data.get("local_start")
        fields["end"] = data.get("local_end")
        return fields

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            services.validate_event_fields(
                event=self.instance if self.instance.pk else None, **self.service_fields()
            )
        except ValidationError as exc:
            _add_service_errors(self, exc, {"start": "local_start", "end": "local_end"})
        return data


class ParticipationAdminForm(OneLineFieldsForm):
    class Meta:
        model = Participation
        fields = ["city", "role", "venue"]


class ParticipationInline(CoordinatorPermissions, admin.TabularInline):
    model = Participation
    form = ParticipationAdminForm
    fields = ["city", "role", "venue"]
    autocomplete_fields = ["city"]
    extra = 1


class OccurrenceChangeInline(admin.TabularInline):
    """Moved or cancelled instances of a recurring event (changed through the API)."""

    model = OccurrenceChange
    fields = ["original_start", "cancelled", "start", "end", "start_date", "location", "sequence"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(CoordinatorPermissions, admin.ModelAdmin):
    form = EventAdminForm
    inlines = [ParticipationInline, OccurrenceChangeInline]
    list_display = ["__str__", "kind", "status", "when", "time_mode", "visibility"]
    list_filter = ["status", "kind", "time_mode", "visibility", "precision"]
    search_fields = ["title_en", "title_ru", "slug", "location", "participations__city__name_en"]
    readonly_fields = ["uid", "sequence", "cancelled_at", "created_at", "updated_at"]
    actions = ["cancel_events"]
    fieldsets = [
        (None, {"fields": ["title_en", "title_ru", "slug", "kind", "status", "visibility"]}),
        (
            _("When"),
            {
                "fields": [
                    "time_mode",
                    "timezone",
                    "precision",
                    "local_start",
                    "local_end",
                    "start_date",
                    "end_date",
                    "approx_year",
                    "approx_month",
                    "rrule",
                    "exdates",
                ]
            },
        ),
        (
            _("Where and what"),
            {
                "fields": [
                    "location",
                    "online_url",
                    "partnership",
                    "description_en",
                    "description_ru",
                ]
            },
        ),
        (_("Record"), {"fields": readonly_fields}),
    ]

    @admin.display(description=_("when (event's zone)"), ordering="start")
    def when(self, obj: Event) -> str:
        if obj.precision == Event.Precision.TIME and obj.local_start:
            return f"{obj.local_start:%Y-%m-%d %H:%M} {obj.timezone}"
        if obj.precision == Event.Precision.DAY and obj.start_date:
            return f"{obj.start_date:%Y-%m-%d} ({_('all day')})"
        if obj.precision == Event.Precision.MONTH and obj.approx_year:
            return f"{obj.approx_year}-{obj.approx_month or 0:02d}"
        if obj.precision == Event.Precision.YEAR and obj.approx_year:
            return str(obj.approx_year)
        return str(_("date not known"))

    def save_model(self, request, obj: Event, form: forms.ModelForm, change: bool) -> None:
        """The event is saved in save_related, with its participations, by one service call."""

    def save_related(self, request, form: EventAdminForm, formsets, change: bool) -> None:
        participations = None
        for formset in formsets:
            if formset.model is Participation:
                participations = [
                    services.ParticipationInput(
                        city_id=item.cleaned_data["city"].pk,
                        role=item.cleaned_data["role"],
                        venue=item.cleaned_data.get("venue") or "",
                    )
                    for item in formset.forms
                    if item.cleaned_data
                    and item.cleaned_data.get("city")
                    and not item.cleaned_data.get("DELETE")
                ]
                # The admin's change message reads these; the service did the saving.
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        fields = form.service_fields()
        if change:
            saved = services.update_event(
                event=form.instance, participations=participations, actor=request.user, **fields
            )
        else:
            saved = services.create_event(
                participations=participations or [], actor=request.user, **fields
            )
        _adopt(form.instance, saved)
        for formset in formsets:
            if formset.model is not Participation:
                formset.instance = form.instance
                self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Cancel selected events"))
    def cancel_events(self, request, queryset) -> None:
        count = 0
        for event in queryset:
            if event.status != Event.Status.CANCELLED:
                services.cancel_event(event=event, actor=request.user)
                count += 1
        self.message_user(
            request,
            ngettext("%(n)d event cancelled.", "%(n)d events cancelled.", count) % {"n": count},
            messages.SUCCESS,
        )


# --- Contacts -----------------------------------------------------------------------------------


class ContactAdminForm(OneLineFieldsForm):
    class Meta:
        model = Contact
        fields = ["name", "kind", "city", "email", "language", "timezone", "is_active"]


@admin.register(Contact)
class ContactAdmin(CoordinatorPermissions, admin.ModelAdmin):
    form = ContactAdminForm
    list_display = ["name", "kind", "city", "email", "language", "timezone", "is_active"]
    list_filter = ["kind", "language", "is_active"]
    list_select_related = ["city"]
    search_fields = ["name", "email", "city__name_en", "city__name_native"]
    autocomplete_fields = ["city"]

    def save_model(self, request, obj: Contact, form: forms.ModelForm, change: bool) -> None:
        fields = {name: form.cleaned_data.get(name) for name in form.Meta.fields}
        if change:
            services.update_contact(contact=obj, **fields)
        else:
            _adopt(obj, services.create_contact(**fields))
