"""Time-zone validation and the one rule for turning local wall-clock times into instants.

Rule for DST edge cases (documented in the README and tested):
* A wall-clock time that an API user *types* and that does not exist (spring-forward gap) or
  exists twice (autumn fold) is refused with a message naming the zone and the transition.
* A wall-clock time *generated* by a recurrence (e.g. "10:00 local every 9 May" in a city whose
  rules change one year) that falls in a gap is moved forward by the length of the gap, and one
  that falls in a fold takes the first (earlier) instant -- the interpretation RFC 5545 section
  3.3.5 prescribes, so our feeds and the clients that read them agree.

Which zone names are accepted (``canonical_zone``, applied by every write service):
* the canonical geographic zones of the IANA database (``Area/Location`` such as Asia/Magadan,
  America/Argentina/Ushuaia), and ``UTC``;
* their links, stored under the canonical name: Europe/Kiev becomes Europe/Kyiv, US/Alaska
  America/Anchorage, Etc/UTC and Zulu become UTC -- so one place has one name in feeds, filters
  and exports;
* nothing else: ``localtime`` (the server's own zone), ``Factory``, ``posix/...`` and
  ``right/...`` (alternative copies of the database, ``right/`` counting leap seconds),
  POSIX-style rules (``EST5EDT``, ``CET``, ``EST``) and fixed offsets (``Etc/GMT+3``, whose sign
  is the reverse of what it looks like) are refused: none says where an event takes place.
The lists come from the ``tzdata`` package's ``tzdata.zi``, the data the zones are read from.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache
from importlib import resources

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@lru_cache(maxsize=1024)
def get_zone(name: str) -> zoneinfo.ZoneInfo:
    """Return the zone called ``name``; raise ``ValidationError`` for an unknown zone."""
    if not name or name != name.strip() or len(name) > 64 or name.startswith(("/", ".")):
        raise ValidationError(_("Unknown time zone %(zone)r.") % {"zone": name}, code="zone")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValidationError(
            _("Unknown time zone %(zone)r: use an IANA name such as Asia/Magadan.")
            % {"zone": name},
            code="zone",
        ) from exc


@lru_cache(maxsize=1)
def _iana_names() -> tuple[frozenset[str], dict[str, str]]:
    """(canonical geographic zones and UTC, link name -> canonical name) from tzdata.zi."""
    text = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text("utf-8")
    zones: set[str] = set()
    links: dict[str, str] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "Z":
            zones.add(fields[1])
        elif len(fields) >= 3 and fields[0] == "L":
            links[fields[2]] = fields[1]
    geographic = {z for z in zones if "/" in z and not z.startswith("Etc/")} | {"UTC"}
    canonical: dict[str, str] = {"Etc/UTC": "UTC"}
    for name, target in links.items():
        for _hop in range(8):  # a link to a link (not in current data, allowed by zic)
            if target not in links:
                break
            target = links[target]
        if target == "Etc/UTC":
            canonical[name] = "UTC"
        elif target in geographic and "/" in name and not name.startswith("Etc/"):
            canonical[name] = target
    return frozenset(geographic), canonical


def canonical_zone(name: str) -> str:
    """The canonical IANA name for ``name`` (see the module doc); raise ``ValidationError``
    for a name that is not a geographic zone, a link to one, or UTC."""
    geographic, links = _iana_names()
    if name in geographic:
        return name
    if name in links:
        return links[name]
    raise ValidationError(
        _(
            "%(zone)r is not a geographic IANA time zone: use a name such as Asia/Magadan, "
            "America/Anchorage or UTC."
        )
        % {"zone": name},
        code="zone",
    )


def validate_timezone(name: str) -> None:
    """Model-field validator: a geographic IANA zone, a link to one, or UTC. The write
    services store the canonical name."""
    canonical_zone(name)
    get_zone(name)


class LocalTimeError(ValidationError):
    """A local wall-clock time that is skipped or repeated in its zone."""


def zone_letters(local: dt.datetime) -> str:
    """The zone database's letter abbreviation at ``local`` ("MSK", "AKDT"), or "" where it
    has only digits ("+11" for Magadan) or says plain UTC."""
    letters = local.tzname() or ""
    return "" if not letters or letters[0] in "+-" or letters == "UTC" else letters


def zone_exemplar(name: str) -> str:
    """The place a zone is named after: "Asia/Magadan" → "Magadan"."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


def local_kind(naive: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """Classify a naive wall-clock time in ``zone`` as 'ok', 'gap' or 'fold'."""
    early = naive.replace(tzinfo=zone, fold=0)
    late = naive.replace(tzinfo=zone, fold=1)
    if early.utcoffset() == late.utcoffset():
        return "ok"
    # In a gap, the round trip through UTC lands on a different wall-clock time.
    roundtrip = early.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    return "gap" if roundtrip != naive else "fold"


def make_aware_strict(naive: dt.datetime, zone_name: str) -> dt.datetime:
    """Attach ``zone_name`` to a naive local time typed by a person; refuse gaps and folds."""
    zone = get_zone(zone_name)
    kind = local_kind(naive, zone)
    if kind == "gap":
        raise LocalTimeError(
            _(
                "%(time)s does not exist in %(zone)s: the clocks skip it for daylight "
                "saving time. Choose a time outside the gap."
            )
            % {"time": naive.isoformat(sep=" ", timespec="minutes"), "zone": zone_name},
            code="nonexistent_time",
        )
    if kind == "fold":
        raise LocalTimeError(
            _(
                "%(time)s happens twice in %(zone)s when the clocks go back. Give the UTC "
                "offset explicitly (e.g. +03:00) to say which one you mean."
            )
            % {"time": naive.isoformat(sep=" ", timespec="minutes"), "zone": zone_name},
            code="ambiguous_time",
        )
    return naive.replace(tzinfo=zone)


def make_aware_lenient(naive: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """Attach ``zone`` to a generated wall-clock time by the RFC 5545 rule (see module doc)."""
    kind = local_kind(naive, zone)
    if kind == "gap":
        # Interpret with the offset in force before the gap: this moves the time forward.
        return naive.replace(tzinfo=zone, fold=0).astimezone(dt.UTC).astimezone(zone)
    return naive.replace(tzinfo=zone, fold=0)
