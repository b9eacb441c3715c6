"""Feed tokens, stored VEVENT fragments and import bookkeeping.

events.models is not changed by this app: everything feeds need to remember lives here.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.audit import audited
from events.models import City, Event


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class FeedToken(models.Model):
    """A private feed URL. Only the SHA-256 of the secret is stored; the secret is shown once."""

    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    label = models.CharField(_("label"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    # Filter: empty means "all".
    cities = models.ManyToManyField(City, blank=True, related_name="+", verbose_name=_("cities"))
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    include_tentative = models.BooleanField(_("include tentative events"), default=True)
    include_internal = models.BooleanField(_("include internal events"), default=True)
    language = models.CharField(
        _("language"), max_length=2, blank=True, help_text=_("Empty: from the request")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # The cities filter too: simple_history records an m2m change as a new row of its own.
    history = audited(excluded_fields=["token_hash"], m2m_fields=["cities"])

    class Meta:
        verbose_name = _("feed token")
        verbose_name_plural = _("feed tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class FeedFragment(models.Model):
    """The rendered VEVENTs of one event, for one display zone and language.

    ``variant`` is "" (the event's own zone) or a city feed's zone name. ``version`` is
    events.feeds.fragments.version_key(...) of the data rendered; a mismatch means "render again".
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feed_fragments")
    variant = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=2)
    version = models.CharField(max_length=120)
    body = models.TextField()
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "variant", "language"], name="feed_fragment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id}/{self.variant or 'own'}/{self.language}"


class ImportRun(models.Model):
    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("Succeeded")
        REFUSED = "refused", _("Refused (nothing changed)")

    source = models.CharField(_("source"), max_length=200)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} @ {self.started_at:%Y-%m-%d %H:%M}"


class ImportedEvent(models.Model):
    """Which event an external UID of a source became: re-imports update, never duplicate."""

    source = models.CharField(max_length=200)
    external_uid = models.CharField(max_length=500)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    content_hash = models.CharField(max_length=64, blank=True)
    last_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_uid"], name="imported_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.external_uid}"


class FeedVersion(models.Model):
    """One row whose ``counter`` every write to what feeds show moves, in the writing
    transaction (database triggers on events, cities, participations, partnerships, occurrence
    changes and feed tokens; see migration 0002). Feed validators read this row: a 304 costs one
    primary-key lookup whatever the number of events."""

    counter = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"feeds version {self.counter}"


class ImportJob(models.Model):
    """One uploaded file waiting for, or done by, a worker (events.feeds.jobs): the bytes, the
    options, the state and the live counters the API, the admin and the desk show."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed (nothing changed)")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    source = models.CharField(_("source"), max_length=200)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    # At most ics_file.MAX_IMPORT_BYTES: checked before the row is written.
    data = models.BinaryField(_("data"))
    options = models.JSONField(_("options"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("events in the file"), default=0)
    parsed = models.PositiveIntegerField(_("read"), default=0)
    written = models.PositiveIntegerField(_("written"), default=0)
    # [{"uid": ..., "line": <line of BEGIN:VEVENT or null>, "error": ...}]; file-level
    # problems have an empty uid.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    run = models.ForeignKey(
        ImportRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("import run"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "published_at"])]

    def __str__(self) -> str:
        return f"{self.source} ({self.get_state_display()})"
