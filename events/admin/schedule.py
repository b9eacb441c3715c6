"""Admin for events with their participations and occurrence changes inline, and the cancel
action. Wall-clock times are typed in the event's zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common import roles
from common.audit_admin import AuditedAdmin
from events import selectors, services
from events.admin.base import (
    ConflictCheckForm,
    CoordinatorPermissions,
    OneLineFieldsForm,
    ReadOnlyInline,
    _add_service_errors,
    _adopt,
    refusal_errors,
)
from events.models import (
    Event,
    OccurrenceChange,
    Participation,
)


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
    "location_ru",
    "online_url",
    "rrule",
    "exdates",
]


class EventAdminForm(ConflictCheckForm):
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
        if "slug" in self.fields:  # absent when the page is read-only (a partner's event)
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
        for name in (
            "slug",
            "title_en",
            "title_ru",
            "location",
            "location_ru",
            "online_url",
            "rrule",
        ):
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
        fields = ["city", "role", "venue", "venue_ru"]


def participation_inputs(formset: forms.BaseFormSet) -> list[services.ParticipationInput]:
    """The rows the inline asks for (the deleted and the empty ones left out)."""
    return [
        services.ParticipationInput(
            city_id=item.cleaned_data["city"].pk,
            role=item.cleaned_data["role"],
            venue=item.cleaned_data.get("venue") or "",
            venue_ru=item.cleaned_data.get("venue_ru") or "",
        )
        for item in formset.forms
        if item.cleaned_data
        and item.cleaned_data.get("city")
        and not item.cleaned_data.get("DELETE")
    ]


class ParticipationFormSet(BaseInlineFormSet):
    """Asks the services' rights check of the rows before anything is saved: a team's change
    the host rule refuses (dropping its own city as host, making a partner one) is an error
    above the rows, not a 403 page from the save. ``actor`` is set per request."""

    actor: Any = None

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        event = self.instance if self.instance.pk else None
        try:
            services.check_participation_rights(self.actor, event, participation_inputs(self))
        except PermissionDenied as exc:
            messages = [m for errors in refusal_errors(exc).values() for m in errors]
            raise ValidationError(messages, code="permission_denied") from exc


class ParticipationInline(CoordinatorPermissions, admin.TabularInline):
    model = Participation
    form = ParticipationAdminForm
    formset = ParticipationFormSet
    fields = ["city", "role", "venue", "venue_ru"]
    autocomplete_fields = ["city"]
    extra = 1

    # The rows follow the event: a host's team edits them (the service refuses a change that
    # would hand the hosting to another city).
    def team_may_view(self, request, obj=None) -> bool:
        return obj is None or roles.can_view_event(request.user, obj)

    def team_may_change(self, request, obj=None) -> bool:
        return obj is None or roles.can_change_event(request.user, obj)

    team_may_add = team_may_delete = team_may_change

    def get_formset(self, request, obj=None, **kwargs):  # type: ignore[no-untyped-def]
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = request.user
        return formset


class OccurrenceChangeInline(ReadOnlyInline):
    """Moved or cancelled instances of a recurring event (changed through the API)."""

    model = OccurrenceChange
    fields = [
        "original_start",
        "cancelled",
        "start",
        "end",
        "start_date",
        "location",
        "location_ru",
        "sequence",
    ]


@admin.register(Event)
class EventAdmin(CoordinatorPermissions, AuditedAdmin):
    form = EventAdminForm
    inlines = [ParticipationInline, OccurrenceChangeInline]
    list_display = ["__str__", "kind", "status", "when", "time_mode", "visibility"]
    list_filter = ["status", "kind", "time_mode", "visibility", "precision"]
    search_fields = [
        "title_en",
        "title_ru",
        "slug",
        "location",
        "location_ru",
        "participations__city__name_en",
    ]
    readonly_fields = ["uid", "sequence", "cancelled_at", "created_at", "updated_at"]
    actions = ["cancel_events"]

    def get_queryset(self, request):
        # A team's list: the events its cities take part in (others are 404 here).
        return self.team_scope(
            request, super().get_queryset(request), selectors.events_taken_part_in(request.user)
        )

    def team_may_view(self, request, obj=None) -> bool:
        return obj is None or roles.can_view_event(request.user, obj)

    def team_may_change(self, request, obj=None) -> bool:
        return obj is None or roles.can_change_event(request.user, obj)

    def team_may_add(self, request, obj=None) -> bool:
        return True  # the service requires one of the team's cities as host or co-host

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title_en",
                    "title_ru",
                    "slug",
                    "kind",
                    "status",
                    "visibility",
                    "loaded_version",
                ]
            },
        ),
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
                    "location_ru",
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
                participations = participation_inputs(formset)
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
            if not roles.can_change_event(request.user, event):
                continue  # a partner's event the team only takes part in
            if event.status != Event.Status.CANCELLED:
                services.cancel_event(event=event, actor=request.user)
                count += 1
        self.message_user(
            request,
            ngettext("%(n)d event cancelled.", "%(n)d events cancelled.", count) % {"n": count},
            messages.SUCCESS,
        )
