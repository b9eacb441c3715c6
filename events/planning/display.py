"""The planner's answer worded in the active language: plain JSON-ready dicts that the desk page
renders, the API returns and the page's script fills in. One wording for all three."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import City
from events.planning import Plan
from events.planning.clocks import FOLD, GAP, Clock, Hours, Reference, RollEntry
from events.planning.slots import Fit, Slot, Window
from events.web.formatting import city_name, fmt_date, zone_label


def _iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="minutes")


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def _offset(value: dt.datetime) -> str:
    return value.strftime("%z")[:3] + ":" + value.strftime("%z")[3:]


def _abbreviation(value: dt.datetime) -> str:
    """The zone's abbreviation (AKDT, MSK); empty where tzdata has only a number (+11)."""
    name = value.tzname() or ""
    return "" if name[:1] in "+-" or name == "UTC" else name


def _hours(value: Hours) -> str:
    return f"{value.start:%H:%M}–{value.end:%H:%M}"


def day_note(shift: int) -> str:
    if shift == 0:
        return ""
    if shift == 1:
        return _("next day")
    if shift == -1:
        return _("previous day")
    if shift > 0:
        return ngettext("%(n)d day later", "%(n)d days later", shift) % {"n": shift}
    return ngettext("%(n)d day earlier", "%(n)d days earlier", -shift) % {"n": -shift}


def _moment(local: dt.datetime) -> dict[str, str]:
    """The parts of a local time the tables show."""
    return {
        "local": _iso(local),
        "weekday": formats.date_format(local, "l"),
        "date": fmt_date(local),
        "time": f"{local:%H:%M}",
        "utc_offset": _offset(local),
        "offset_label": zone_label(local),
        "abbreviation": _abbreviation(local),
    }


def _short(local: dt.datetime) -> str:
    """ "Tue, May 12, 2026, 13:00" in the active language (the locale's DATE_FORMAT: Russian
    MONTH_DAY_FORMAT names the month in the nominative, "4 Май")."""
    return f"{formats.date_format(local, 'D')}, {fmt_date(local)}, {local:%H:%M}"


def _city(city: City) -> dict[str, str]:
    return {"city": city.slug, "name": city_name(city), "zone": city.timezone}


def _clock(clock: Clock, city: City) -> dict[str, Any]:
    return {
        **_city(city),
        **_moment(clock.local),
        "is_reference": clock.is_reference,
        "day_shift": clock.day_shift,
        "day_note": day_note(clock.day_shift),
        "night": clock.night,
        "weekend": clock.weekend,
        "working": clock.working,
        "dst": "" if clock.dst == "ok" else clock.dst,
    }


def _outside_note(fit: Fit) -> str:
    if fit.inside:
        return ""
    hours = round(fit.hours_outside, 1)
    text = f"{hours:g}"
    return _("%(hours)s h outside working hours") % {"hours": text}


def _fit(fit: Fit, city: City, home_date: dt.date) -> dict[str, Any]:
    shift = (fit.local.date() - home_date).days
    return {
        **_city(city),
        "local": _iso(fit.local),
        "text": _short(fit.local),
        "inside": fit.inside,
        "hours_outside": round(fit.hours_outside, 2),
        "note": _outside_note(fit),
        "night": fit.night,
        "weekend": fit.weekend,
        "day_shift": shift,
        "day_note": day_note(shift),
    }


def _slot(slot: Slot, rank: int, cities: dict[str, City]) -> dict[str, Any]:
    home_date = slot.fits[0].local.date()
    return {
        "rank": rank,
        "start": _utc(slot.start),
        "end": _utc(slot.end),
        "outside": slot.outside,
        "hours_outside": round(slot.hours_outside, 2),
        "summary": ngettext(
            "%(n)d city outside working hours",
            "%(n)d cities outside working hours",
            slot.outside,
        )
        % {"n": slot.outside}
        if slot.outside
        else _("Every city within working hours"),
        "cities": [_fit(fit, cities[fit.place.slug], home_date) for fit in slot.fits],
    }


def _window(window: Window, plan: Plan) -> dict[str, Any]:
    rows = []
    for city in plan.query.cities:
        zone = city.zone
        start, end = window.start.astimezone(zone), window.end.astimezone(zone)
        rows.append({**_city(city), "text": f"{_short(start)} – {end:%H:%M}"})
    return {"start": _utc(window.start), "end": _utc(window.end), "cities": rows}


def _roll(entry: RollEntry, city: City, reference_city: City) -> dict[str, Any]:
    hours = entry.after_first.total_seconds() / 3600
    return {
        **_city(city),
        **_moment(entry.local),
        "utc": _utc(entry.instant),
        "utc_text": f"{fmt_date(entry.instant.astimezone(dt.UTC))}, {entry.instant:%H:%M} UTC",
        "in_reference": _short(entry.in_reference),
        "in_reference_name": city_name(reference_city),
        "day_shift": entry.day_shift,
        "day_note": day_note(entry.day_shift),
        "after_first_hours": round(hours, 2),
        "after_first": _("+%(hours)s h") % {"hours": f"{round(hours, 2):g}"} if hours else "",
        "dst": "" if entry.dst == "ok" else entry.dst,
    }


def _typed(wall: dt.datetime) -> str:
    return f"{fmt_date(wall)}, {wall:%H:%M}"


def _reference_warning(reference: Reference, city: City) -> str:
    shown = reference.local
    values = {"time": _typed(reference.wall), "city": city_name(city), "shown": f"{shown:%H:%M}"}
    if reference.kind == GAP:
        return (
            _(
                "%(time)s does not exist in %(city)s: the clocks skip it for daylight saving "
                "time. Shown as %(shown)s, the time after the gap."
            )
            % values
        )
    if reference.kind == FOLD:
        which = _("the first of the two") if reference.fold == 0 else _("the second of the two")
        return _(
            "%(time)s happens twice in %(city)s when the clocks go back; shown: %(which)s "
            "(%(offset)s)."
        ) % {**values, "which": which, "offset": zone_label(shown)}
    return ""


def _warnings(plan: Plan, cities: dict[str, City]) -> list[str]:
    warnings = []
    reference_city = plan.query.reference
    text = _reference_warning(plan.reference, reference_city)
    if text:
        warnings.append(text)
    for clock in plan.clocks:
        if clock.dst == FOLD and not clock.is_reference:
            warnings.append(
                _(
                    "In %(city)s this moment is %(time)s, a time that happens twice there when "
                    "the clocks go back; here it is the one at %(offset)s."
                )
                % {
                    "city": city_name(cities[clock.place.slug]),
                    "time": f"{clock.local:%H:%M}",
                    "offset": zone_label(clock.local),
                }
            )
    for entry in plan.roll:
        city = cities[entry.place.slug]
        values = {"time": _typed(plan.reference.wall), "city": city_name(city)}
        if entry.dst == GAP and entry.place != plan.reference.place:
            warnings.append(
                _(
                    "Same local time: %(time)s does not exist in %(city)s; the ceremony there "
                    "is at %(shown)s, after the gap."
                )
                % {**values, "shown": f"{entry.local:%H:%M}"}
            )
        elif entry.dst == FOLD and (entry.place != plan.reference.place or plan.reference.fold):
            warnings.append(
                _(
                    "Same local time: %(time)s happens twice in %(city)s; the ceremony there "
                    "takes the first (%(offset)s)."
                )
                % {**values, "offset": zone_label(entry.local)}
            )
    return warnings


def present(plan: Plan) -> dict[str, Any]:
    """The whole answer as JSON-ready data (the API's response body)."""
    query = plan.query
    cities = {city.slug: city for city in query.cities}
    suggestion = plan.suggestion
    other = {GAP: None, FOLD: 1 - plan.reference.fold}.get(plan.reference.kind)
    return {
        "reference": {
            **_city(query.reference),
            "wall": f"{query.wall:%Y-%m-%dT%H:%M}",
            "instant": _utc(plan.reference.instant),
            "dst": "" if plan.reference.kind == "ok" else plan.reference.kind,
            "fold": plan.reference.fold,
            "other_fold": other,
            "caption": _("%(city)s, %(local)s = %(utc)s UTC")
            % {
                "city": city_name(query.reference),
                "local": _typed(plan.reference.local),
                "utc": _typed(plan.reference.instant),
            },
        },
        "rules": {
            "work": _hours(query.rules.work),
            "night": _hours(query.rules.night),
            "weekends_work": query.rules.weekends_work,
            "duration_minutes": int(query.duration.total_seconds() // 60),
        },
        "warnings": _warnings(plan, cities),
        "clocks": [_clock(clock, cities[clock.place.slug]) for clock in plan.clocks],
        "week": {
            "start": suggestion.week_start.isoformat(),
            "label": _("Week of %(date)s") % {"date": fmt_date(suggestion.week_start)},
            "common": suggestion.common,
            "message": ""
            if suggestion.common
            else _(
                "No hour of this week is within working hours (%(hours)s) in every city. "
                "The least bad slots follow."
            )
            % {"hours": _hours(query.rules.work)},
            "considered": suggestion.considered,
            "windows": [_window(window, plan) for window in suggestion.windows],
            "slots": [
                _slot(slot, rank, cities) for rank, slot in enumerate(suggestion.slots, start=1)
            ],
        },
        "same_local": [
            _roll(entry, cities[entry.place.slug], query.reference) for entry in plan.roll
        ],
    }
