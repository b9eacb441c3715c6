"""Existing rows: fill the address key, give reminder keys the occurrence's start, and take
the address key away from duplicates (two rules, one address) before the constraint exists.

Reminder keys gain "@<start>" so a re-plan finds the row it already has (a sent reminder
must not be planned again under the new key format). For a timed, one-instant event the
row's own ``occurrence_start`` is exactly the start it was planned for; otherwise (all-day,
LOCAL time mode) the start is read from the event as it is now.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations

INSTANT = "%Y%m%dT%H%M%SZ"
# Which duplicate keeps the address key: the one that was (or is being) sent.
PREFERENCE = {"sent": 0, "sending": 1, "queued": 2, "pending": 3}


def _start_part(row, changes) -> str:
    event = row.event
    rid = row.occurrence_key
    if event.precision == "time" and event.time_mode != "local" and row.occurrence_start:
        return row.occurrence_start.astimezone(dt.UTC).strftime(INSTANT)
    change = None
    original = None
    if rid:
        original = dt.datetime.strptime(rid, INSTANT).replace(tzinfo=dt.UTC)
        change = changes.get((event.pk, original))
    if change is not None and change.start is not None:
        return change.start.astimezone(dt.UTC).strftime(INSTANT)
    if change is not None and change.start_date is not None:
        return change.start_date.strftime("%Y%m%d")
    if original is not None:
        if event.precision == "day":
            return original.astimezone(ZoneInfo(event.timezone)).date().strftime("%Y%m%d")
        return original.strftime(INSTANT)
    if event.precision == "day" and event.start_date is not None:
        return event.start_date.strftime("%Y%m%d")
    if event.start is not None:
        return event.start.astimezone(dt.UTC).strftime(INSTANT)
    return ""


def forwards(apps, schema_editor):
    Delivery = apps.get_model("notifications", "Delivery")
    OccurrenceChange = apps.get_model("events", "OccurrenceChange")
    changes = {(c.event_id, c.original_start): c for c in OccurrenceChange.objects.all()}
    rows = Delivery.objects.select_related("rule__contact", "rule__user", "contact", "event")
    groups: dict[tuple, list] = {}
    for row in rows.iterator(chunk_size=2000):
        fields = []
        if row.kind == "digest":
            address = row.contact.email if row.contact_id else ""
        elif row.rule_id and row.rule.contact_id:
            address = row.rule.contact.email
        elif row.rule_id and row.rule.user_id:
            address = row.rule.user.email
        else:
            address = ""
        row.address_key = (address or "").strip().lower()
        fields.append("address_key")
        if row.kind == "reminder" and "@" not in row.occurrence_key and row.event_id:
            row.occurrence_key = f"{row.occurrence_key}@{_start_part(row, changes)}"
            fields.append("occurrence_key")
        row.save(update_fields=fields)
        if row.kind != "digest" and row.address_key and row.status not in ("skipped",):
            key = (
                row.address_key,
                row.event_id,
                row.occurrence_key,
                row.kind,
                row.lead_days,
                row.sequence,
            )
            groups.setdefault(key, []).append((PREFERENCE.get(row.status, 4), row.pk, row.status))
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort()
        keeper = members[0][1]
        for _rank, pk, status in members[1:]:
            if status in ("pending", "queued"):
                Delivery.objects.filter(pk=pk).update(
                    status="skipped",
                    last_error=f"Duplicate of delivery #{keeper} for the same address.",
                )
            else:  # history: kept as it is, but it holds no address key
                Delivery.objects.filter(pk=pk).update(address_key="")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_delivery_address_key_superseded"),
        ("events", "0002_city_name_ru"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
