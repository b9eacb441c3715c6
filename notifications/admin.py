from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common import roles
from common.audit_admin import AuditedAdmin
from events.admin.base import (
    ActorForm,
    CoordinatorPermissions,
    _add_refusal,
    _add_service_errors,
)
from notifications import ledger, selectors, subscriptions
from notifications.models import ChangeNotice, Delivery, DigestSubscription, ReminderRule


class ReminderRuleForm(forms.ModelForm):
    actor: Any = None  # set by ActorForm

    class Meta:
        model = ReminderRule
        fields = [
            "contact",
            "user",
            "target",
            "city",
            "partnership",
            "event_kind",
            "event",
            "lead_days",
            "lead_months",
            "hour",
            "timezone",
            "language",
            "is_active",
        ]
        labels = {
            "lead_days": _("Days ahead (event reminders)"),
            "lead_months": _("Months ahead (anniversary reminders)"),
        }
        help_texts = {
            "lead_days": _("For every target but anniversaries, e.g. [14, 1]."),
            "lead_months": _("For the anniversary target only, e.g. [6, 1]."),
        }

    def clean(self):
        data = super().clean()
        candidate = ReminderRule(
            **{f.name: data.get(f.name) for f in ReminderRule._meta.fields if f.name in data}
        )
        try:
            subscriptions.validate_rule(candidate)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        try:
            subscriptions.check_rule_rights(self.actor, candidate)
        except ValidationError as exc:
            _add_service_errors(self, exc)
        except PermissionDenied as exc:
            _add_refusal(self, exc)
        data["lead_days"] = candidate.lead_days
        data["lead_months"] = candidate.lead_months
        # An anniversary rule without a target takes the contact's city (model constraints
        # are checked on the instance built from this data).
        data["city"] = candidate.city if candidate.city_id else None
        return data


def days_text(n: int) -> str:
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def months_text(n: int) -> str:
    return ngettext("%(n)d month", "%(n)d months", n) % {"n": n}


def rule_lead_text(rule: ReminderRule) -> str:
    """The lead times the rule's target uses, in their unit ("6 months, 1 month")."""
    if rule.target == ReminderRule.Target.ANNIVERSARY:
        return ", ".join(months_text(n) for n in rule.lead_months or [])
    return ", ".join(days_text(n) for n in rule.lead_days or [])


@admin.register(ReminderRule)
class ReminderRuleAdmin(ActorForm, CoordinatorPermissions, AuditedAdmin):
    form = ReminderRuleForm
    list_display = ["id", "recipient_label", "target", "lead", "hour", "timezone", "is_active"]
    list_filter = ["target", "is_active"]
    raw_id_fields = ["contact", "user", "city", "partnership", "event"]
    search_fields = ["contact__name", "contact__email", "user__username"]

    def get_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        """A stored rule shows only its own target's lead times (a new one shows both, each
        labelled with the targets it is for)."""
        fields = list(super().get_fields(request, obj))
        if obj is not None:
            unused = "lead_days" if obj.target == ReminderRule.Target.ANNIVERSARY else "lead_months"
            fields.remove(unused)
        return fields

    @admin.display(description=_("ahead"))
    def lead(self, obj: ReminderRule) -> str:
        return rule_lead_text(obj)

    def get_queryset(self, request):
        # A city team lists its own contacts' rules (and its own); others are 404 here.
        return self.team_scope(
            request, super().get_queryset(request), selectors.rules_visible_to(request.user)
        )

    def team_may_view(self, request, obj=None) -> bool:
        return obj is None or roles.can_change_rule(request.user, obj)

    team_may_change = team_may_delete = team_may_view

    def team_may_add(self, request, obj=None) -> bool:
        return True  # the service refuses another city's contact

    def delete_model(self, request, obj) -> None:
        subscriptions.delete_rule(rule=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for rule in queryset:
            subscriptions.delete_rule(rule=rule, actor=request.user)

    def save_model(self, request, obj, form, change) -> None:
        fields = {name: getattr(obj, name) for name in subscriptions.RULE_FIELDS}
        if change:
            subscriptions.update_rule(rule=obj, actor=request.user, **fields)
        else:
            saved = subscriptions.create_rule(actor=request.user, **fields)
            obj.pk = saved.pk


@admin.register(Delivery)
class DeliveryAdmin(CoordinatorPermissions, admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "status",
        "rule",
        "event",
        "contact",
        "partnership",
        "lead",
        "due_at",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["rule__contact", "rule__user", "event", "contact", "partnership"]
    search_fields = ["email", "message_id", "event__title_en", "event__title_ru"]
    date_hierarchy = "due_at"
    actions = ["retry"]
    # An anniversary row keeps its months in lead_days: shown as "lead", named in its unit.
    readonly_fields = ["lead" if f.name == "lead_days" else f.name for f in Delivery._meta.fields]

    def get_queryset(self, request):
        # A city team sees its own contacts' and its own reminders' rows.
        return self.team_scope(
            request, super().get_queryset(request), selectors.ledger(request.user)
        )

    def team_may_view(self, request, obj=None) -> bool:
        return obj is None or selectors.ledger(request.user).filter(pk=obj.pk).exists()

    # Deleting a team's contact deletes its ledger rows with it (the admin asks about each).
    team_may_change = team_may_delete = team_may_view

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("ahead"), ordering="lead_days")
    def lead(self, obj: Delivery) -> str:
        if obj.kind == Delivery.Kind.ANNIVERSARY:
            return months_text(obj.lead_days)
        if obj.kind == Delivery.Kind.REMINDER:
            return days_text(obj.lead_days)
        return "—"

    @admin.action(description=_("Retry the selected failed, missed or skipped deliveries"))
    def retry(self, request, queryset) -> None:
        done = 0
        for delivery in queryset:
            try:
                ledger.retry_delivery(delivery=delivery)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"#{delivery.pk}: {exc.messages[0]}", messages.WARNING)
        self.message_user(request, _("%(n)d deliveries queued again.") % {"n": done})


@admin.register(ChangeNotice)
class ChangeNoticeAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "sequence", "status", "first_change_at", "due_at", "done_at"]
    list_filter = ["status"]
    raw_id_fields = ["event"]


class DigestSubscriptionForm(forms.ModelForm):
    class Meta:
        model = DigestSubscription
        fields = ["contact", "weekday", "hour", "weeks", "is_active"]

    def clean(self):
        data = super().clean()
        candidate = DigestSubscription(
            contact=data.get("contact"),
            weekday=data.get("weekday"),
            hour=data.get("hour"),
            weeks=data.get("weeks"),
        )
        try:
            subscriptions.validate_digest(candidate)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return data


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(CoordinatorPermissions, admin.ModelAdmin):
    form = DigestSubscriptionForm
    list_display = ["id", "contact", "weekday", "hour", "weeks", "is_active"]
    list_filter = ["is_active", "weekday"]
    raw_id_fields = ["contact"]
    search_fields = ["contact__name", "contact__email"]

    def get_queryset(self, request):
        return self.team_scope(
            request, super().get_queryset(request), selectors.digests_visible_to(request.user)
        )

    def team_may_view(self, request, obj=None) -> bool:
        return obj is None or roles.can_change_digest(request.user, obj)

    team_may_change = team_may_delete = team_may_view

    def team_may_add(self, request, obj=None) -> bool:
        return True  # the service refuses another city's contact

    def delete_model(self, request, obj) -> None:
        subscriptions.delete_digest(digest=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for digest in queryset:
            subscriptions.delete_digest(digest=digest, actor=request.user)

    def save_model(self, request, obj, form, change) -> None:
        fields = {name: getattr(obj, name) for name in ("weekday", "hour", "weeks", "is_active")}
        if change:
            subscriptions.update_digest(digest=obj, actor=request.user, **fields)
        else:
            saved = subscriptions.create_digest(
                contact_id=obj.contact_id, actor=request.user, **fields
            )
            obj.pk = saved.pk
