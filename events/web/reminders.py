"""The desk's view of the reminder ledger (notifications.Delivery): failures and retries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from events.web import formatting
from notifications import ledger as notification_ledger
from notifications.models import Delivery
from notifications.selectors import ledger

# "Missed" rows are reminders that never went out before the event: a failure to the desk too.
PROBLEM_STATUSES = (Delivery.Status.FAILED, Delivery.Status.MISSED)


@dataclass(frozen=True)
class FailedRow:
    pk: int
    recipient: str
    subject: str
    status: str
    when: str
    attempts: int
    error: str


def failed_deliveries(user: Any = None, limit: int = 50) -> list[FailedRow]:
    """Failed or missed deliveries (weekly digests included) ``user`` may see (a city team:
    its own contacts'), latest due first."""
    rows = ledger(user).filter(status__in=PROBLEM_STATUSES)[:limit]
    return [
        FailedRow(
            pk=delivery.pk,
            recipient=delivery.recipient_label(),
            subject=(
                f"{delivery.get_kind_display()}: {formatting.event_title(delivery.event)}"
                if delivery.event is not None
                else f"{delivery.get_kind_display()} {delivery.occurrence_key}"
            ),
            status=delivery.get_status_display(),
            when=formatting.fmt_datetime(delivery.due_at),
            attempts=delivery.attempts,
            error=delivery.last_error,
        )
        for delivery in rows
    ]


def retry_delivery(*, pk: int, actor: Any) -> tuple[bool, str]:
    """Put one failed delivery back in the queue. Returns (ok, message for the coordinator)."""
    delivery = ledger(actor).filter(pk=pk).first()
    if delivery is None:
        return False, _("That reminder no longer exists.")
    try:
        notification_ledger.retry_delivery(delivery=delivery)
    except ValidationError as exc:
        return False, " ".join(exc.messages)
    return True, _("The reminder is queued again and will be sent shortly.")
