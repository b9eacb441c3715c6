"""Writes for cities, partnerships and contacts. Atomic; errors name the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_countries import countries

from common.roles import require
from events.models import City, Contact, Participation, Partnership, PartnershipStatusChange
from events.occurrence_index.maintain import refresh_city_events, refresh_partnership_events
from events.services._common import _error, _full_clean
from events.services.itinerary import touch_events_travelling_via


def normalise_country(value: str | None) -> str:
    """ISO 3166-1 alpha-2, upper case ("ru" is "RU"), an assigned code (django-countries' list:
    "ZZ" is two letters but no country, and its name could never be shown): the one check,
    whatever interface wrote it. Raises ValidationError naming ``country``."""
    code = (value or "").strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha() or not countries.alpha2(code):
        raise _error("country", _("Use an ISO 3166-1 alpha-2 code such as RU or US."))
    return code


def _check_country(city: City) -> None:
    city.country = normalise_country(city.country)


def create_city(*, actor: Any = None, **fields: Any) -> City:
    """Create a city after validating its zone and names. Not idempotent (slug is unique).
    Programme administrators only (``actor=None``: the system)."""
    require(actor, "teams.manage_programme")
    city = City(**fields)
    _check_country(city)
    if not city.slug:
        city.slug = slugify(city.name_en)
    _full_clean(city)
    city.save()
    return city


@transaction.atomic
def update_city(*, city: City, actor: Any = None, **fields: Any) -> City:
    """Update a city. A rename or zone change shows in feeds via ``updated_at``; a zone or
    country change rewrites the occurrence-index rows of the events the city takes part in
    (their times; the country lists holding them). Programme
    administrators only."""
    require(actor, "teams.manage_programme")
    before = City.objects.filter(pk=city.pk).values_list("timezone", "country").first()
    for name, value in fields.items():
        setattr(city, name, value)
    _check_country(city)
    _full_clean(city)
    city.save()
    if before is not None and before != (city.timezone, city.country):
        refresh_city_events(city_id=city.pk)
    touch_events_travelling_via(city_id=city.pk)
    return city


def _ordered_pair(city_a_id: int, city_b_id: int) -> tuple[int, int]:
    if city_a_id == city_b_id:
        raise _error("city_b", _("A city cannot be its own sister city."), "self_pair")
    return (city_a_id, city_b_id) if city_a_id < city_b_id else (city_b_id, city_a_id)


@transaction.atomic
def create_partnership(
    *,
    city_a_id: int,
    city_b_id: int,
    established_on: dt.date | None = None,
    established_precision: str = Partnership.Precision.DAY,
    status: str = Partnership.Status.ACTIVE,
    status_changed_on: dt.date | None = None,
    relationship: str = Partnership.Relationship.SISTER_CITY,
    agreement_url: str = "",
    notes: str = "",
    notes_ru: str = "",
    actor: Any = None,
) -> Partnership:
    """Create the unordered pair; refuse self-pairs and duplicates (A-B equals B-A).
    Programme administrators only."""
    require(actor, "teams.manage_programme")
    low, high = _ordered_pair(city_a_id, city_b_id)
    if Partnership.objects.filter(city_a_id=low, city_b_id=high).exists():
        raise _error("city_b", _("These two cities are already a partnership."), "duplicate_pair")
    partnership = Partnership(
        city_a_id=low,
        city_b_id=high,
        established_on=established_on,
        established_precision=established_precision,
        status=status,
        status_changed_on=status_changed_on,
        relationship=relationship,
        agreement_url=agreement_url,
        notes=notes,
        notes_ru=notes_ru,
    )
    _full_clean(partnership, exclude=["city_a", "city_b"])
    try:
        with transaction.atomic():
            partnership.save()
    except IntegrityError as exc:  # a concurrent request created the same pair
        raise _error(
            "city_b", _("These two cities are already a partnership."), "duplicate_pair"
        ) from exc
    if status != Partnership.Status.ACTIVE or status_changed_on:
        PartnershipStatusChange.objects.create(
            partnership=partnership,
            status=status,
            changed_on=status_changed_on or timezone.now().date(),
        )
    refresh_partnership_events(partnerships=[partnership])
    return partnership


@transaction.atomic
def update_partnership(
    *, partnership: Partnership, actor: Any = None, **fields: Any
) -> Partnership:
    """Update a pair's date, notes or cities; a status change goes through change_status.
    Programme administrators only."""
    require(actor, "teams.manage_programme")
    status = fields.pop("status", None)
    changed_on = fields.pop("status_changed_on", None)
    before = Partnership(
        pk=partnership.pk, city_a_id=partnership.city_a_id, city_b_id=partnership.city_b_id
    )
    if "city_a_id" in fields or "city_b_id" in fields:
        low, high = _ordered_pair(
            fields.pop("city_a_id", partnership.city_a_id),
            fields.pop("city_b_id", partnership.city_b_id),
        )
        if (
            Partnership.objects.filter(city_a_id=low, city_b_id=high)
            .exclude(pk=partnership.pk)
            .exists()
        ):
            raise _error(
                "city_b", _("These two cities are already a partnership."), "duplicate_pair"
            )
        partnership.city_a_id, partnership.city_b_id = low, high
    for name, value in fields.items():
        setattr(partnership, name, value)
    _full_clean(partnership, exclude=["city_a", "city_b"])
    partnership.save()
    if (before.city_a_id, before.city_b_id) != (partnership.city_a_id, partnership.city_b_id):
        refresh_partnership_events(partnerships=[before, partnership])
    if status is not None and status != partnership.status:
        change_partnership_status(
            partnership=partnership, status=status, changed_on=changed_on, note=""
        )
    return partnership


@transaction.atomic
def change_partnership_status(
    *,
    partnership: Partnership,
    status: str,
    changed_on: dt.date | None = None,
    note: str = "",
    actor: Any = None,
) -> PartnershipStatusChange:
    """Record a status change (active, suspended, dormant, ended) with its date.
    Programme administrators only."""
    require(actor, "teams.manage_programme")
    if status not in Partnership.Status.values:
        raise _error("status", _("Unknown partnership status %(s)r.") % {"s": status})
    day = changed_on or timezone.now().date()
    partnership.status = status
    partnership.status_changed_on = day
    partnership.save(update_fields=["status", "status_changed_on", "updated_at"])
    return PartnershipStatusChange.objects.create(
        partnership=partnership, status=status, changed_on=day, note=note
    )


def check_partnership_pair(
    *, city_a_id: int, city_b_id: int, exclude_pk: int | None = None
) -> tuple[int, int]:
    """Return the canonical (low, high) pair; refuse self-pairs and existing pairs. Read-only."""
    low, high = _ordered_pair(city_a_id, city_b_id)
    query = Partnership.objects.filter(city_a_id=low, city_b_id=high)
    if exclude_pk is not None:
        query = query.exclude(pk=exclude_pk)
    if query.exists():
        raise _error("city_b", _("These two cities are already a partnership."), "duplicate_pair")
    return low, high


def check_contact_rights(actor: Any, contact: Contact) -> None:
    """The contact, as it will be saved, is ``actor``'s to write: a city team's contacts are
    of its own cities. Raises PermissionDenied naming ``city``; create_contact and
    update_contact ask it, and a form may ask it first to show the refusal on its field."""
    require(actor, "teams.change_contact", contact, field="city")


def create_contact(*, actor: Any = None, **fields: Any) -> Contact:
    """Create a contact mailbox after validating its zone and address. Not idempotent.
    A city team adds contacts of its own cities only."""
    contact = Contact(**fields)
    check_contact_rights(actor, contact)
    _full_clean(contact)
    contact.save()
    return contact


def update_contact(*, contact: Contact, actor: Any = None, **fields: Any) -> Contact:
    """Update a contact. Idempotent. A city team may not move a contact to another city."""
    require(actor, "teams.change_contact", contact)
    for name, value in fields.items():
        setattr(contact, name, value)
    check_contact_rights(actor, contact)
    _full_clean(contact)
    contact.save()
    return contact


def delete_contact(*, contact: Contact, actor: Any = None) -> None:
    """Delete a contact. Idempotent for an already deleted row."""
    require(actor, "teams.change_contact", contact)
    Contact.objects.filter(pk=contact.pk).delete()


@transaction.atomic
def delete_city(*, city: City, actor: Any = None) -> None:
    """Delete a city nobody refers to; refuse (ValidationError) while events or pairs use it."""
    require(actor, "teams.manage_programme")
    in_use = (
        Participation.objects.filter(city=city).exists()
        or Partnership.objects.filter(Q(city_a=city) | Q(city_b=city)).exists()
    )
    if in_use:
        raise _error(
            "city", _("The city takes part in events or partnerships: it cannot be deleted.")
        )
    city.delete()


@transaction.atomic
def delete_partnership(*, partnership: Partnership, actor: Any = None) -> None:
    """Delete a pair and its status history; its events stay, unlinked."""
    require(actor, "teams.manage_programme")
    partnership.delete()
