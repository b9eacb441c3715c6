"""The host team's notice of a partner's proposed change (events.services.proposals)."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from common import roles
from common.urls import absolute_url
from events.models import ChangeProposal
from events.recurrence import CityTime
from events.services.proposals import proposed_city_times

log = logging.getLogger(__name__)


def _when(item: CityTime) -> str:
    if item.start is not None:
        return f"{item.start:%Y-%m-%d %H:%M} ({item.city.timezone})"
    if item.start_date is not None:
        return f"{item.start_date:%Y-%m-%d}"
    return _("date not known")


def send_proposal_notice(*, proposal_id: int) -> int:
    """Mail the host team members (active, with an address) of the proposal's event: who
    proposed what, with each participating city's local time. Sent at most once: the
    proposal's ``notified_at`` is claimed with a conditional UPDATE first, so a redelivered
    task sends nothing (a failed send is logged; the proposal itself stays on the API and in
    the admin). Returns the number of addresses mailed."""
    claimed = ChangeProposal.objects.filter(pk=proposal_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    proposal = ChangeProposal.objects.select_related("event", "proposed_by").get(pk=proposal_id)
    event = proposal.event
    hosts = roles.host_cities(event)
    addresses = sorted(
        set(
            get_user_model()
            .objects.filter(team_memberships__city_id__in=hosts, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not addresses:
        return 0
    title = event.title_en or event.title_ru
    lines = [
        _("%(user)s proposes a change to “%(title)s”:")
        % {"user": proposal.proposed_by.get_username(), "title": title},
        "",
        *(f"  {name}: {value}" for name, value in sorted(proposal.fields.items())),
        "",
        _("Local time in each city:"),
        *(f"  {item.city.name_en}: {_when(item)}" for item in proposed_city_times(proposal)),
        "",
        _("Accept or reject it: %(url)s")
        % {"url": absolute_url("proposal-detail", pk=proposal.pk)},
    ]
    try:
        send_mail(
            _("Proposed change to “%(title)s”") % {"title": title},
            "\n".join(lines),
            None,
            addresses,
        )
    except OSError:
        log.warning("Could not mail the proposal %s to its host team", proposal_id)
        return 0
    return len(addresses)
