"""libical engine for tests/interop, run with the SYSTEM python (python3-gi + gir1.2-ical-3.0).

stdin = {"calendars": [ics, ...], "start": ISO, "end": ISO, "itip": [bool, ...]}; prints one
result per calendar: instances [uid, utc start, status], parse errors, iTIP check failures.
"""

import datetime as dt
import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

MAX_PER_EVENT = 5000
UTC = ICalGLib.Timezone.get_utc_timezone()


def _iso(t):
    if t.is_date():  # all-day: the date itself
        return f"{t.get_year():04d}-{t.get_month():02d}-{t.get_day():02d}"
    u = t.clone()
    u.convert_to_zone_inplace(UTC)
    return f"{u.get_year():04d}-{u.get_month():02d}-{u.get_day():02d}T{u.get_hour():02d}:{u.get_minute():02d}:{u.get_second():02d}Z"


def _errors(comp):
    found = []
    prop = comp.get_first_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    while prop is not None:
        found.append(prop.get_xlicerror())
        prop = comp.get_next_property(ICalGLib.PropertyKind.XLICERROR_PROPERTY)
    sub = comp.get_first_component(ICalGLib.ComponentKind.ANY_COMPONENT)
    while sub is not None:
        found.extend(_errors(sub))
        sub = comp.get_next_component(ICalGLib.ComponentKind.ANY_COMPONENT)
    return found


def _recurrence_id(calendar, vevent):
    """RECURRENCE-ID with its TZID resolved through the calendar's VTIMEZONEs (libical's
    getter leaves it floating, unlike DTSTART's)."""
    rid = vevent.get_recurrenceid()
    if rid.is_null_time():
        return None
    prop = vevent.get_first_property(ICalGLib.PropertyKind.RECURRENCEID_PROPERTY)
    param = prop.get_first_parameter(ICalGLib.ParameterKind.TZID_PARAMETER) if prop else None
    if param is not None and not rid.is_date():
        zone = calendar.get_timezone(param.get_tzid())
        if zone is not None:
            rid = rid.clone()
            rid.set_timezone(zone)
    return rid


def _status(comp):
    prop = comp.get_first_property(ICalGLib.PropertyKind.STATUS_PROPERTY)
    return prop.get_value_as_string() if prop is not None else ""


def expand(text, start, end, itip):
    result = {"instances": [], "errors": [], "itip": []}
    comp = ICalGLib.Component.new_from_string(text)
    if comp is None:
        result["errors"].append("parse: libical returned no component")
        return result
    result["errors"].extend(_errors(comp))
    if itip:
        copy = comp.clone()
        if not ICalGLib.restriction_check(copy):
            result["itip"].extend(
                _errors(copy)[len(result["errors"]) :] or ["restriction_check failed"]
            )
    # TZIDs resolve through the calendar's own VTIMEZONEs (libical looks them up in the root).
    vevents = []
    sub = comp.get_first_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    while sub is not None:
        vevents.append(sub)
        sub = comp.get_next_component(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    overrides = {}
    for v in vevents:
        rid = _recurrence_id(comp, v)
        if rid is not None:
            overrides.setdefault(v.get_uid(), {})[_iso(rid)] = v
    lo = ICalGLib.Time.new_from_string(start.strftime("%Y%m%dT%H%M%SZ"))
    hi = ICalGLib.Time.new_from_string(end.strftime("%Y%m%dT%H%M%SZ"))
    masters = {v.get_uid() for v in vevents if v.get_recurrenceid().is_null_time()}
    end_key = end.strftime("%Y-%m-%dT%H:%M:%SZ")
    for v in vevents:
        uid = v.get_uid()
        if not v.get_recurrenceid().is_null_time():
            if uid not in masters:  # an orphan override shows as itself
                s = v.get_dtstart()
                if lo.compare(s) <= 0 < hi.compare(s):
                    result["instances"].append([uid, _iso(s), _status(v)])
            continue
        dtstart = v.get_dtstart()
        starts = [dtstart]
        rrule = v.get_first_property(ICalGLib.PropertyKind.RRULE_PROPERTY)
        if rrule is not None:
            starts = []
            it = ICalGLib.RecurIterator.new(rrule.get_rrule(), dtstart)
            t = it.next()
            while t is not None and not t.is_null_time() and len(starts) < MAX_PER_EVENT:
                starts.append(t.clone())
                if _iso(t) > end_key:
                    break
                t = it.next()
        rdate = v.get_first_property(ICalGLib.PropertyKind.RDATE_PROPERTY)
        while rdate is not None:
            starts.append(rdate.get_rdate().get_time())
            rdate = v.get_next_property(ICalGLib.PropertyKind.RDATE_PROPERTY)
        excluded = set()
        exprop = v.get_first_property(ICalGLib.PropertyKind.EXDATE_PROPERTY)
        while exprop is not None:
            excluded.add(_iso(exprop.get_exdate()))
            exprop = v.get_next_property(ICalGLib.PropertyKind.EXDATE_PROPERTY)
        seen = set()
        for t in starts:
            key = _iso(t)
            if key in seen or key in excluded:
                continue
            seen.add(key)
            instance = overrides.get(uid, {}).get(key)
            s = instance.get_dtstart() if instance is not None else t
            if lo.compare(s) <= 0 < hi.compare(s):
                result["instances"].append([uid, _iso(s), _status(instance or v)])
    return result


def main():
    request = json.load(sys.stdin)
    start = dt.datetime.fromisoformat(request["start"].replace("Z", "+00:00"))
    end = dt.datetime.fromisoformat(request["end"].replace("Z", "+00:00"))
    itips = request.get("itip") or [False] * len(request["calendars"])
    out = []
    for text, itip in zip(request["calendars"], itips, strict=True):
        try:
            out.append(expand(text, start, end, itip))
        except Exception as exc:
            out.append({"instances": [], "errors": [f"crash: {exc!r}"], "itip": []})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
