"""Writes for subscriptions: reminder rules and weekly digests (validation, create, update,
delete, one-click unsubscribe). Planning after a change is enqueued after commit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from common import languages, roles
from common.validation import field_error as _error
from events.models import City, Contact, Event, Partnership
from events.timezones import get_zone
from notifications import digests, dispatch
from notifications.models import (
    MAX_DIGEST_WEEKS,
    MAX_LEAD_DAYS,
    MAX_LEAD_MONTHS,
    Delivery,
    DigestSubscription,
    PlanRequest,
    ReminderRule,
    default_lead_days,
    default_lead_months,
)

RULE_FIELDS = frozenset(
    {
        "contact_id",
        "user_id",
        "target",
        "city_id",
        "partnership_id",
        "event_kind",
        "event_id",
        "lead_days",
        "lead_months",
        "hour",
        "timezone",
        "language",
        "is_active",
    }
)


def validate_rule(rule: ReminderRule) -> None:
    """Raise ValidationError naming the field; normalise lead days (unique, descending)."""
    if bool(rule.contact_id) == bool(rule.user_id):
        raise _error("contact", _("Give exactly one recipient: a contact or a user."), "recipient")
    if rule.contact_id and not Contact.objects.filter(pk=rule.contact_id).exists():
        raise _error("contact", _("Unknown contact."), "does_not_exist")
    if rule.target not in ReminderRule.Target.values:
        raise _error("target", _("Unknown target %(t)r.") % {"t": rule.target})
    targets: dict[str, tuple[str, type[Model], int | None]] = {
        ReminderRule.Target.CITY: ("city", City, rule.city_id),
        ReminderRule.Target.PARTNERSHIP: ("partnership", Partnership, rule.partnership_id),
        ReminderRule.Target.EVENT: ("event", Event, rule.event_id),
    }
    target_field = targets.get(rule.target)
    if rule.target == ReminderRule.Target.ANNIVERSARY:
        _validate_anniversary_target(rule)
    elif target_field:
        name, model, pk = target_field
        if pk is None:
            raise _error(name, _("This target needs a %(f)s.") % {"f": name}, "required")
        if not model._default_manager.filter(pk=pk).exists():
            raise _error(name, _("Unknown %(f)s.") % {"f": name}, "does_not_exist")
    elif rule.event_kind not in Event.Kind.values:
        raise _error("event_kind", _("Unknown event kind %(k)r.") % {"k": rule.event_kind})
    # Only the chosen target is kept, so a rule never matches by a stale field.
    if rule.target not in (ReminderRule.Target.CITY, ReminderRule.Target.ANNIVERSARY):
        rule.city_id = None
    if rule.target not in (ReminderRule.Target.PARTNERSHIP, ReminderRule.Target.ANNIVERSARY):
        rule.partnership_id = None
    if rule.target != ReminderRule.Target.EVENT:
        rule.event_id = None
    if rule.target != ReminderRule.Target.EVENT_KIND:
        rule.event_kind = ""
    leads = rule.lead_days
    if (
        not isinstance(leads, list)
        or not leads
        or len(leads) > 10
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in leads)
    ):
        raise _error("lead_days", _("Give one to ten lead times as whole numbers of days."))
    if any(v < 1 or v > MAX_LEAD_DAYS for v in leads):
        raise _error(
            "lead_days",
            _("Each lead time must be from 1 to %(max)d days.") % {"max": MAX_LEAD_DAYS},
            "out_of_range",
        )
    rule.lead_days = sorted(set(leads), reverse=True)
    if isinstance(rule.hour, bool) or not isinstance(rule.hour, int) or not 0 <= rule.hour <= 23:
        raise _error("hour", _("The hour must be a whole number from 0 to 23."), "out_of_range")
    if rule.timezone:
        try:
            get_zone(rule.timezone)
        except ValidationError as exc:
            raise ValidationError({"timezone": exc.messages}) from exc
    elif rule.user_id:
        raise _error("timezone", _("A user's rule needs a time zone."), "required")
    if rule.language and rule.language not in languages.codes():
        raise _error(
            "language",
            _("The language must be one of %(codes)s.") % {"codes": ", ".join(languages.codes())},
        )


def _validate_anniversary_target(rule: ReminderRule) -> None:
    """One partnership, or every partnership of a city (a contact's own city when neither is
    given); months ahead: one to six whole numbers from 1 to MAX_LEAD_MONTHS."""
    if rule.partnership_id is not None and rule.city_id is not None:
        raise _error("partnership", _("Give a partnership or a city, not both."))
    if rule.partnership_id is None and rule.city_id is None and rule.contact_id:
        rule.city_id = Contact.objects.filter(pk=rule.contact_id).values_list("city_id", flat=True)[
            0
        ]
    if rule.partnership_id is not None:
        if not Partnership.objects.filter(pk=rule.partnership_id).exists():
            raise _error("partnership", _("Unknown partnership."), "does_not_exist")
    elif rule.city_id is None:
        raise _error("city", _("Anniversary reminders need a partnership or a city."), "required")
    elif not City.objects.filter(pk=rule.city_id).exists():
        raise _error("city", _("Unknown city."), "does_not_exist")
    months = rule.lead_months
    if (
        not isinstance(months, list)
        or not months
        or len(months) > 6
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in months)
    ):
        raise _error("lead_months", _("Give one to six lead times as whole numbers of months."))
    if any(v < 1 or v > MAX_LEAD_MONTHS for v in months):
        raise _error(
            "lead_months",
            _("Each lead time must be from 1 to %(max)d months.") % {"max": MAX_LEAD_MONTHS},
            "out_of_range",
        )
    rule.lead_months = sorted(set(months), reverse=True)


def _plan_soon(rule: ReminderRule) -> None:
    """Plan the rule's reminders in a worker after commit; durable through a request row the
    scan picks up if the publish is lost."""
    PlanRequest.objects.create(rule=rule)
    dispatch.enqueue_after_commit("notifications.plan_rule", rule.pk)


def _refuse_unknown(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise _error(sorted(unknown)[0], _("Unknown field."))


@transaction.atomic
def create_rule(*, actor: Any = None, **fields: Any) -> ReminderRule:
    """Create a rule and plan its reminders (after commit). Not idempotent. A city team
    creates rules for its own cities' contacts (or for itself) only."""
    _refuse_unknown(fields, RULE_FIELDS)
    fields.setdefault("lead_days", default_lead_days())
    fields.setdefault("lead_months", default_lead_months())
    rule = ReminderRule(**fields)
    validate_rule(rule)
    check_rule_rights(actor, rule)
    rule.full_clean(exclude=["contact", "user", "city", "partnership", "event"])
    rule.save()
    _plan_soon(rule)
    return rule


@transaction.atomic
def update_rule(*, rule: ReminderRule, actor: Any = None, **fields: Any) -> ReminderRule:
    """Change a rule and re-plan its pending reminders (after commit). Idempotent."""
    _refuse_unknown(fields, RULE_FIELDS)
    rule = ReminderRule.objects.select_for_update().get(pk=rule.pk)
    roles.require(actor, "teams.change_rule", rule)
    for name, value in fields.items():
        setattr(rule, name, value)
    validate_rule(rule)
    check_rule_rights(actor, rule)
    rule.full_clean(exclude=["contact", "user", "city", "partnership", "event"])
    rule.save()
    if not rule.is_active:
        _skip_pending(Delivery.objects.filter(rule=rule), _("The rule was switched off."))
    _plan_soon(rule)
    return rule


@transaction.atomic
def check_rule_rights(actor: Any, rule: ReminderRule) -> None:
    """The rule (as it will be saved) must be the actor's to change, and a team's rule may
    follow only an event it can see (else its reminders would tell of the event). Raises
    ValidationError (an unknown contact or event) or PermissionDenied, naming the field;
    create_rule and update_rule ask it, and a form may ask it first."""
    if actor is None:
        return
    if rule.contact_id is not None and not roles.can_view_contact(actor, rule.contact):
        # The same answer as for a contact that does not exist: ids outside a team's scope
        # tell nothing.
        raise _error("contact", _("Unknown contact."), "does_not_exist")
    roles.require(actor, "teams.change_rule", rule, field="user")
    if rule.event_id is not None and not roles.can_view_event(actor, rule.event):
        raise _error("event", _("Unknown event."), "does_not_exist")


def delete_rule(*, rule: ReminderRule, actor: Any = None) -> None:
    """Delete a rule and its ledger rows."""
    roles.require(actor, "teams.change_rule", rule)
    rule.delete()


def _skip_pending(query, reason: str) -> int:
    return query.filter(status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SKIPPED, last_error=reason
    )


def _switch_off(model: Any, token: str) -> Any:
    """The subscription (a rule or a digest) with this unsubscribe token, switched off; an
    implausible or unknown token raises ``model.DoesNotExist``."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        raise model.DoesNotExist
    subscription = model.objects.select_for_update().get(unsubscribe_token=token)
    if subscription.is_active:
        subscription.is_active = False
        subscription.save(update_fields=["is_active", "updated_at"])
    return subscription


@transaction.atomic
def unsubscribe(*, token: str) -> ReminderRule:
    """One-click unsubscribe (RFC 8058): switch the rule off and drop its pending mail.

    Idempotent. An unknown token raises ``ReminderRule.DoesNotExist`` and changes nothing.
    """
    rule = _switch_off(ReminderRule, token)
    _skip_pending(Delivery.objects.filter(rule=rule), _("Unsubscribed."))
    return rule


WEEKDAY_NAMES = {
    "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6,
    "sunday": 7, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7,
}  # fmt: skip
DIGEST_FIELDS = frozenset({"contact_id", "weekday", "hour", "weeks", "is_active"})


def parse_weekday(value: Any) -> int:
    """An ISO weekday: 1-7 (Monday = 1) or an English day name ("monday", "Mon")."""
    if isinstance(value, bool):
        raise _error("weekday", _("Unknown weekday."))
    if isinstance(value, str):
        text = value.strip().lower()
        if text in WEEKDAY_NAMES:
            return WEEKDAY_NAMES[text]
        if text.isdigit():
            value = int(text)
    if isinstance(value, int) and 1 <= value <= 7:
        return value
    raise _error(
        "weekday", _("Unknown weekday: give a day name (monday ... sunday) or 1-7 (Monday = 1).")
    )


def validate_digest(digest: DigestSubscription) -> None:
    """Raise ValidationError naming the field; normalise the weekday."""
    if not digest.contact_id or not Contact.objects.filter(pk=digest.contact_id).exists():
        raise _error("contact", _("Unknown contact."), "does_not_exist")
    digest.weekday = parse_weekday(digest.weekday)
    hour = digest.hour
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        raise _error("hour", _("The hour must be a whole number from 0 to 23."), "out_of_range")
    weeks = digest.weeks
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= MAX_DIGEST_WEEKS:
        raise _error(
            "weeks",
            _("The digest covers 1 to %(max)d weeks.") % {"max": MAX_DIGEST_WEEKS},
            "out_of_range",
        )


def create_digest(*, actor: Any = None, **fields: Any) -> DigestSubscription:
    """Subscribe a contact to the weekly digest and plan its next ones. Not idempotent: a
    second subscription for the same contact is refused (field ``contact``). A city team
    subscribes its own cities' contacts only."""
    _refuse_unknown(fields, DIGEST_FIELDS)
    if fields.get("contact_id") is None:
        raise _error("contact", _("This field is required."), "required")
    digest = DigestSubscription(**fields)
    validate_digest(digest)
    if actor is not None and not roles.can_view_contact(actor, digest.contact):
        raise _error("contact", _("Unknown contact."), "does_not_exist")
    try:
        with transaction.atomic():
            digest.save()
            digests.plan_digest(digest_id=digest.pk)
    except IntegrityError as exc:
        raise _error("contact", _("This contact already has a weekly digest."), "unique") from exc
    return digest


@transaction.atomic
def update_digest(
    *, digest: DigestSubscription, actor: Any = None, **fields: Any
) -> DigestSubscription:
    """Change the day, hour, span or state and re-plan. Idempotent."""
    roles.require(actor, "teams.change_digest", digest)
    _refuse_unknown(fields, DIGEST_FIELDS)
    if fields.pop("contact_id", digest.contact_id) != digest.contact_id:
        raise _error("contact", _("A digest cannot move to another contact."))
    digest = DigestSubscription.objects.select_for_update().get(pk=digest.pk)
    for name, value in fields.items():
        setattr(digest, name, value)
    validate_digest(digest)
    digest.save()
    digests.plan_digest(digest_id=digest.pk)
    return digest


@transaction.atomic
def delete_digest(*, digest: DigestSubscription, actor: Any = None) -> None:
    """Delete the subscription; its pending digests are skipped (sent ones stay as history)."""
    roles.require(actor, "teams.change_digest", digest)
    digests.pending_digests(digest.contact_id).update(
        status=Delivery.Status.SKIPPED, last_error="The digest was deleted."
    )
    digest.delete()


@transaction.atomic
def unsubscribe_digest(*, token: str) -> DigestSubscription:
    """One-click unsubscribe (RFC 8058) from the digest. Idempotent; an unknown token raises
    ``DigestSubscription.DoesNotExist`` and changes nothing."""
    digest = _switch_off(DigestSubscription, token)
    digests.pending_digests(digest.contact_id).update(
        status=Delivery.Status.SKIPPED, last_error="Unsubscribed."
    )
    return digest
