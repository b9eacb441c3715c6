"""Sending an anniversary reminder: re-check the claimed row against the rule and the
partnership as they are now, then build the mail (text and HTML, the recipient's language)
naming the anniversary, its date, both cities and the partnership's page.

Like an event reminder, the mail says how far ahead the anniversary is from the send time
("in 6 months", "in 12 days"), never from the planned lead.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import ngettext

from common import languages
from common.urls import absolute_url
from events.models import Partnership
from events.selectors import anniversary_day, is_milestone
from events.timezones import get_zone
from notifications import emails, ledger
from notifications.anniversary_planning import (
    SUPERSEDED_REDATED,
    months_before,
    pairs_for_rule,
    plan_anniversary_rule,
    planned_for,
)
from notifications.models import Delivery, ReminderRule
from notifications.recipients import Recipient

log = logging.getLogger(__name__)


def ahead_phrase(day: dt.date, today: dt.date, language: str) -> str:
    """Whole months from ``today`` to ``day`` ("in 6 months"), or days when under a month."""
    months = (day.year - today.year) * 12 + day.month - today.month
    if months > 0 and months_before(day, months) < today:
        months -= 1
    if months >= 1:
        with translation.override(language):
            return ngettext("in %(months)d month", "in %(months)d months", months) % {
                "months": months
            }
    return emails.days_phrase((day - today).days, language)


def _recheck(delivery: Delivery, rule: ReminderRule, pair: Partnership, now: dt.datetime) -> str:
    """The status to record instead of sending ("" to send): the rule no longer covers the
    partnership → skipped; its anniversary or the rule's hour/zone changed → superseded (and
    re-planned); the anniversary day has begun → missed."""
    if not pairs_for_rule(rule).filter(pk=pair.pk).exists():
        ledger.mark_final(
            delivery=delivery, status=Delivery.Status.SKIPPED, error="No longer scheduled."
        )
        return Delivery.Status.SKIPPED
    assert pair.established_on is not None  # pairs_for_rule keeps dated ones only
    year = int(delivery.occurrence_key[:4])
    day = anniversary_day(pair.established_on, year)
    planned = planned_for(Recipient.of_rule(rule), pair, day, delivery.lead_days)
    if (
        day.isoformat() != delivery.occurrence_key
        or not is_milestone(year - pair.established_on.year)
        or planned.due_at != delivery.due_at
    ):
        ledger.mark_final(
            delivery=delivery, status=Delivery.Status.SUPERSEDED, error=SUPERSEDED_REDATED
        )
        plan_anniversary_rule(rule, now)
        return Delivery.Status.SUPERSEDED
    # A row a coordinator put back after it was missed has no start: it is sent anyway.
    if delivery.occurrence_start is not None and planned.day_start <= now:
        ledger.mark_final(
            delivery=delivery,
            status=Delivery.Status.MISSED,
            error="Found only after the anniversary began.",
        )
        return Delivery.Status.MISSED
    return ""


def prepare_anniversary(*, delivery: Delivery, now: dt.datetime) -> Any:
    """For a claimed anniversary row: (message, address), or the status already recorded."""
    rule, pair = delivery.rule, delivery.partnership
    if rule is None or pair is None:
        ledger.mark_final(delivery=delivery, status=Delivery.Status.SKIPPED, error="No rule.")
        return Delivery.Status.SKIPPED
    if not rule.is_active or (rule.contact is not None and not rule.contact.is_active):
        ledger.mark_final(delivery=delivery, status=Delivery.Status.SKIPPED, error="Rule is off.")
        return Delivery.Status.SKIPPED
    recipient = Recipient.of_rule(rule)
    if not recipient.address:
        ledger.mark_final(delivery=delivery, status=Delivery.Status.FAILED, error="No address.")
        return Delivery.Status.FAILED
    status = _recheck(delivery, rule, pair, now)
    if status:
        return status
    try:
        message = build_anniversary_email(
            delivery=delivery, rule=rule, pair=pair, recipient=recipient, now=now
        )
    except Exception as exc:
        log.exception("Cannot build anniversary reminder %s", delivery.pk)
        ledger.mark_final(
            delivery=delivery, status=Delivery.Status.FAILED, error=f"Cannot build: {exc!r}"
        )
        return Delivery.Status.FAILED
    return message, recipient.address


def build_anniversary_email(
    *,
    delivery: Delivery,
    rule: ReminderRule,
    pair: Partnership,
    recipient: Recipient,
    now: dt.datetime,
) -> EmailMultiAlternatives:
    language = languages.normalise(recipient.language)
    assert pair.established_on is not None
    day = dt.date.fromisoformat(delivery.occurrence_key)
    today = now.astimezone(get_zone(recipient.zone_name)).date()
    city_a, city_b = pair.city_a.name(language), pair.city_b.name(language)
    context = {
        "years": day.year - pair.established_on.year,
        "pair": f"{city_a} – {city_b}",
        "city_a": city_a,
        "city_b": city_b,
        "date": emails.format_date(day, language),
        "established": emails.format_date(pair.established_on, language),
        "ahead": ahead_phrase(day, today, language),
        "url": absolute_url("web:partnership_detail", pk=pair.pk),
        "unsubscribe_url": emails.unsubscribe_url(rule.unsubscribe_token),
    }
    return emails.assemble(
        emails.render_parts("anniversary.", context, language),
        to=recipient.address,
        message_id=emails.message_id(delivery),
        unsubscribe=emails.unsubscribe_url(rule.unsubscribe_token),
        language=language,
    )
