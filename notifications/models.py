"""Reminder rules, debounced change notices and the delivery ledger.

The ledger (``Delivery``) is the source of truth for "exactly once": one live row per
(recipient address, event, occurrence as scheduled, kind, lead time, sequence), whatever
number of rules cover that address, enforced by a partial unique constraint.
See notifications/README.md for the whole flow.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.audit import audited
from events.models import City, Contact, Event, Language, Partnership
from events.timezones import validate_timezone
from notifications.digest_models import (
    DEFAULT_DIGEST_WEEKS,
    MAX_DIGEST_WEEKS,
    DigestSubscription,
    new_unsubscribe_token,
)

__all__ = [
    "DEFAULT_DIGEST_WEEKS",
    "MAX_DIGEST_WEEKS",
    "ChangeNotice",
    "Delivery",
    "DigestSubscription",
    "PlanRequest",
    "ReminderRule",
    "new_unsubscribe_token",
]

DEFAULT_LEAD_DAYS = [14, 1]
MAX_LEAD_DAYS = 365
# Anniversary rules: whole months before the partnership's anniversary date.
DEFAULT_LEAD_MONTHS = [6, 1]
MAX_LEAD_MONTHS = 24


def default_lead_days() -> list[int]:
    return list(DEFAULT_LEAD_DAYS)


def default_lead_months() -> list[int]:
    return list(DEFAULT_LEAD_MONTHS)


class ReminderRule(models.Model):
    """Who is reminded of what, how many days before, at which local hour."""

    class Target(models.TextChoices):
        CITY = "city", _("City")
        PARTNERSHIP = "partnership", _("Partnership")
        EVENT_KIND = "event_kind", _("Event kind")
        EVENT = "event", _("One event")
        # Milestone anniversaries of one partnership, or of every partnership of a city.
        ANNIVERSARY = "anniversary", _("Partnership anniversaries")

    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_rules",
        verbose_name=_("contact"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_rules",
        verbose_name=_("user"),
    )
    target = models.CharField(_("applies to"), max_length=12, choices=Target.choices)
    city = models.ForeignKey(
        City,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_rules",
        verbose_name=_("city"),
    )
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_rules",
        verbose_name=_("partnership"),
    )
    event_kind = models.CharField(
        _("kind of event"), max_length=20, choices=Event.Kind.choices, blank=True
    )
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_rules",
        verbose_name=_("event"),
    )
    # Whole days before the occurrence's local date, at ``hour`` in the recipient's zone.
    lead_days = models.JSONField(_("days ahead"), default=default_lead_days)
    # Anniversary rules only: whole months before the anniversary date, at ``hour``.
    lead_months = models.JSONField(_("months ahead"), default=default_lead_months)
    hour = models.PositiveSmallIntegerField(
        _("hour"), default=9, validators=[MinValueValidator(0), MaxValueValidator(23)]
    )
    # Blank: the contact's own zone / language. Required for user rules (checked in services).
    timezone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_timezone]
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    unsubscribe_token = models.CharField(
        _("unsubscribe token"),
        max_length=64,
        unique=True,
        default=new_unsubscribe_token,
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = audited()

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(contact__isnull=False) & Q(user__isnull=True))
                | (Q(contact__isnull=True) & Q(user__isnull=False)),
                name="rule_one_recipient",
            ),
            models.CheckConstraint(condition=Q(hour__gte=0, hour__lte=23), name="rule_hour_range"),
            models.CheckConstraint(
                condition=Q(target="city", city__isnull=False)
                | Q(target="partnership", partnership__isnull=False)
                | (Q(target="event_kind") & ~Q(event_kind=""))
                | Q(target="event", event__isnull=False)
                | (
                    Q(target="anniversary") & (Q(partnership__isnull=False) | Q(city__isnull=False))
                ),
                name="rule_target_set",
            ),
        ]
        indexes = [
            models.Index(fields=["target", "is_active"]),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_label()} → {self.get_target_display()}"

    def recipient_label(self) -> str:
        if self.contact_id:
            return str(self.contact)
        return str(self.user)


class ChangeNotice(models.Model):
    """One pending notice per event: each edit in a burst pushes ``due_at`` forward (debounce)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Fanned out")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="change_notices", verbose_name=_("event")
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    first_change_at = models.DateTimeField(_("first change"))
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    # The event's start and place before the first edit of the burst, for the "before the
    # change" lines of the notice: {"start" (UTC ISO) or "start_date", "timezone",
    # "time_mode", "location"}; only what changed is kept.
    before = models.JSONField(_("before the change"), default=dict, blank=True)

    class Meta:
        verbose_name = _("change notice")
        verbose_name_plural = _("change notices")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"], condition=Q(status="pending"), name="one_pending_notice_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="notice_due_idx")]

    def __str__(self) -> str:
        return f"{self.event} seq {self.sequence} ({self.status})"


class Delivery(models.Model):
    """The ledger: one live row per (recipient address, event, occurrence, kind, lead days,
    sequence), or one weekly digest per (contact, ISO week)."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        CHANGE = "change", _("Change notice")
        CANCEL = "cancel", _("Cancellation notice")
        DIGEST = "digest", _("Weekly digest")
        ANNIVERSARY = "anniversary", _("Anniversary reminder")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")  # waiting for next_attempt_at
        QUEUED = "queued", _("Queued")  # a send task is in the broker
        SENDING = "sending", _("Sending")  # a worker claimed it
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")  # permanent error or attempts exhausted
        MISSED = "missed", _("Missed")  # found only after the event started
        SKIPPED = "skipped", _("Skipped")  # rule stopped, occurrence cancelled
        # The event was moved after the row was planned: the row no longer describes it and a
        # row for the new time replaces it. It holds no ledger key, so a move back can re-plan.
        SUPERSEDED = "superseded", _("Superseded")

    # Reminders and notices: a rule and an event. Digests: the contact, and neither.
    rule = models.ForeignKey(
        ReminderRule,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("reminder rule"),
    )
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("event"),
    )
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="digest_deliveries",
        verbose_name=_("contact"),
    )
    # Anniversary reminders: a rule and the partnership, no event.
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="anniversary_deliveries",
        verbose_name=_("partnership"),
    )
    # Reminders: "<recurrence id>@<actual start>" ("" before the @ for a one-off event; the
    # start is the occurrence's UTC instant, or its date when all-day), so a moved occurrence
    # gets a new key. "" for an event-wide notice; the ISO week ("2030-W19", of the local send
    # date) for a digest; the anniversary's date ("2031-06-12") for an anniversary reminder.
    occurrence_key = models.CharField(_("occurrence"), max_length=40, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # Days before the occurrence; for an anniversary reminder, months before the anniversary.
    lead_days = models.PositiveSmallIntegerField(_("days ahead"), default=0)
    # Event SEQUENCE the notice announces (0 for reminders).
    sequence = models.PositiveIntegerField(_("sequence"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # The normalised (lower-case) address the row is for: exactly once per address, not per
    # rule. "" when the rule has no address (such a row fails and holds no address key).
    address_key = models.CharField(_("address key"), max_length=254, blank=True, default="")
    due_at = models.DateTimeField(_("due"))
    # The scan key: first due_at, later the retry time after a temporary error.
    next_attempt_at = models.DateTimeField(_("next attempt"))
    # The instant the occurrence starts (for "missed"); null for notices. For a digest the
    # instant it is out of date (a day after its slot).
    occurrence_start = models.DateTimeField(_("occurrence start"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "event", "occurrence_key", "kind", "lead_days", "sequence"],
                condition=~Q(status="superseded"),
                name="delivery_once",
            ),
            # Skipped rows (rule switched off, unsubscribed) give the key back, so another
            # rule covering the same address can still plan its reminder.
            models.UniqueConstraint(
                fields=["address_key", "event", "occurrence_key", "kind", "lead_days", "sequence"],
                condition=~Q(kind="digest")
                & ~Q(address_key="")
                & ~Q(status__in=["skipped", "superseded"]),
                name="delivery_once_per_address",
            ),
            # Anniversary reminders have no event (NULLs never collide): their own keys.
            models.UniqueConstraint(
                fields=["rule", "partnership", "occurrence_key", "lead_days"],
                condition=Q(kind="anniversary") & ~Q(status="superseded"),
                name="anniversary_once",
            ),
            models.UniqueConstraint(
                fields=["address_key", "partnership", "occurrence_key", "lead_days"],
                condition=Q(kind="anniversary")
                & ~Q(address_key="")
                & ~Q(status__in=["skipped", "superseded"]),
                name="anniversary_once_per_address",
            ),
            models.UniqueConstraint(
                fields=["contact", "occurrence_key"],
                condition=Q(kind="digest"),
                name="digest_once_per_week",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind="digest", contact__isnull=False, rule__isnull=True, event__isnull=True
                )
                | (
                    Q(kind="anniversary")
                    & Q(contact__isnull=True, rule__isnull=False, event__isnull=True)
                    & Q(partnership__isnull=False)
                )
                | (
                    ~Q(kind="digest")
                    & ~Q(kind="anniversary")
                    & Q(contact__isnull=True, rule__isnull=False, event__isnull=False)
                ),
                name="delivery_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["event", "status"], name="delivery_event_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    def recipient_label(self) -> str:
        if self.rule_id and self.rule is not None:
            return self.rule.recipient_label()
        return str(self.contact) if self.contact_id else ""


class PlanRequest(models.Model):
    """Planning that must happen soon: written in the transaction that created an event or
    changed a rule, removed once planned. The Celery publish after commit is the fast path;
    if that message is lost (broker down, Redis restarted) the beat's scan plans what is
    left here within one scan interval, so a reminder due in minutes is never missed."""

    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("event")
    )
    rule = models.ForeignKey(
        ReminderRule,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("reminder rule"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False) | Q(rule__isnull=False),
                name="plan_request_has_target",
            )
        ]

    def __str__(self) -> str:
        return f"plan event {self.event_id}" if self.event_id else f"plan rule {self.rule_id}"
