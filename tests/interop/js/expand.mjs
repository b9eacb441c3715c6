// ICAL.js engine for tests/interop: stdin = {"calendars": [ics, ...], "start": ISO, "end": ISO}
// (UTC). Prints one result per calendar: instances [uid, utc start, status] and parse errors.
import ICAL from "ical.js";

const MAX_PER_EVENT = 5000;

function toUtcIso(time) {
  if (time.isDate) return time.toString(); // all-day: the date itself, "2030-07-01"
  const utc = time.convertToZone(ICAL.Timezone.utcTimezone);
  return utc.toJSDate().toISOString().replace(".000Z", "Z");
}

function expandCalendar(text, start, end) {
  const result = { instances: [], errors: [] };
  let root;
  try {
    root = new ICAL.Component(ICAL.parse(text));
  } catch (err) {
    result.errors.push(`parse: ${err.message}`);
    return result;
  }
  ICAL.TimezoneService.reset();
  for (const vtz of root.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  }
  const byUid = new Map();
  for (const vevent of root.getAllSubcomponents("vevent")) {
    const uid = vevent.getFirstPropertyValue("uid");
    if (!byUid.has(uid)) byUid.set(uid, { master: null, overrides: [] });
    if (vevent.hasProperty("recurrence-id")) byUid.get(uid).overrides.push(vevent);
    else byUid.get(uid).master = vevent;
  }
  for (const [uid, group] of byUid) {
    try {
      if (!group.master) {
        // RECURRENCE-ID VEVENTs with no master: each shows as itself.
        for (const o of group.overrides) {
          const ev = new ICAL.Event(o);
          const s = ev.startDate.toJSDate();
          if (s >= start && s < end) result.instances.push([uid, toUtcIso(ev.startDate), ev.component.getFirstPropertyValue("status") || ""]);
        }
        continue;
      }
      const event = new ICAL.Event(group.master);
      for (const o of group.overrides) event.relateException(o);
      if (!event.isRecurring()) {
        const s = event.startDate.toJSDate();
        if (s >= start && s < end) result.instances.push([uid, toUtcIso(event.startDate), group.master.getFirstPropertyValue("status") || ""]);
        continue;
      }
      const it = event.iterator();
      let next;
      let n = 0;
      while ((next = it.next()) && n++ < MAX_PER_EVENT) {
        const details = event.getOccurrenceDetails(next);
        const s = details.startDate.toJSDate();
        if (next.toJSDate() >= end && s >= end) break;
        if (s >= start && s < end) {
          result.instances.push([uid, toUtcIso(details.startDate), details.item.component.getFirstPropertyValue("status") || ""]);
        }
      }
    } catch (err) {
      result.errors.push(`${uid}: ${err.message}`);
    }
  }
  return result;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const start = new Date(request.start);
  const end = new Date(request.end);
  const out = request.calendars.map((text) => expandCalendar(text, start, end));
  process.stdout.write(JSON.stringify(out));
});
