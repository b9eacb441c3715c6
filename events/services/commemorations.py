"""Planning a partnership's milestone anniversary: one click on the desk creates a tentative
commemoration linked to the pair, with both cities taking part (co-hosts: an anniversary
belongs to both sides). Idempotent: the event's slug is derived from the pair and the year, so
a second click opens the event already planned instead of creating another."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from events.models import Event, Participation, Partnership
from events.selectors import Anniversary, commemoration_slug
from events.services.schedule import ParticipationInput, create_event


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _titles(anniversary: Anniversary) -> dict[str, str]:
    pair = anniversary.partnership
    nth = _ordinal(anniversary.years)
    return {
        "title_en": (
            f"{nth} anniversary of the {pair.city_a.name('en')} – {pair.city_b.name('en')} "
            "partnership"
        ),
        "title_ru": (
            f"{anniversary.years}-летие партнёрства {pair.city_a.name('ru')} – "
            f"{pair.city_b.name('ru')}"
        ),
    }


def _when(anniversary: Anniversary) -> dict[str, Any]:
    pair = anniversary.partnership
    if anniversary.date is not None:
        return {"precision": Event.Precision.DAY, "start_date": anniversary.date}
    assert pair.established_on is not None
    if pair.established_precision == Partnership.Precision.MONTH:
        return {
            "precision": Event.Precision.MONTH,
            "approx_year": anniversary.year,
            "approx_month": pair.established_on.month,
        }
    return {"precision": Event.Precision.YEAR, "approx_year": anniversary.year}


@transaction.atomic
def plan_commemoration(*, anniversary: Anniversary, actor: Any = None) -> tuple[Event, bool]:
    """The commemoration of ``anniversary`` and whether it was created now."""
    slug = commemoration_slug(anniversary)
    existing = Event.objects.select_for_update().filter(slug=slug).first()
    if existing is not None:
        return existing, False
    pair = anniversary.partnership
    event = create_event(
        participations=[
            ParticipationInput(city_id=pair.city_a_id, role=Participation.Role.CO_HOST),
            ParticipationInput(city_id=pair.city_b_id, role=Participation.Role.CO_HOST),
        ],
        actor=actor,
        slug=slug,
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.TENTATIVE,
        timezone=pair.city_a.timezone,
        partnership=pair,
        **_titles(anniversary),
        **_when(anniversary),
    )
    return event, True
