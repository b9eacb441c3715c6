"""The desk's full event form: every field a coordinator edits, the recurrence builder, the
participating cities with their venues, and one occurrence's move or cancel.

The forms only read and shape input; writes go through events.services, whose
ValidationErrors the views put back on these fields (``apply_errors``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import City, Event, Partnership
from events.web import recurrence_builder as rb
from events.web.desk_rows import _date_input, _local_input, _naive
from events.web.formatting import city_name
from events.web.forms import PartnershipChoiceField

# Form field -> the service field its errors are reported under (and back).
RECURRENCE_FIELDS = (
    "repeat",
    "rec_month",
    "rec_monthday",
    "rec_nth",
    "rec_weekday",
    "rec_weekdays",
    "rec_end",
    "rec_count",
    "rec_until",
    "rrule",
)
MONTHS = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]
WEEKDAY_CHOICES = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]
NTH_CHOICES = [
    ("1", _("1st")),
    ("2", _("2nd")),
    ("3", _("3rd")),
    ("4", _("4th")),
    ("-1", _("last of the month")),
]


def zone_choices(cities: list[City], current: str = "") -> list[tuple[str, str]]:
    """Each zone the programme's cities use, labelled by its cities ("Magadan — Asia/Magadan");
    the event's stored zone stays choosable even when no city uses it."""
    names: dict[str, list[str]] = {}
    for city in cities:
        names.setdefault(city.timezone, []).append(city_name(city))
    if current and current not in names:
        names[current] = []
    choices = [
        (zone, f"{', '.join(sorted(cities_of))} — {zone}" if cities_of else zone)
        for zone, cities_of in names.items()
    ]
    return sorted(choices, key=lambda item: item[1].casefold())


# Fields the form passes to the services, and shows again, exactly as the model holds them.
_PLAIN_FIELDS = (
    "title_en",
    "title_ru",
    "description_en",
    "description_ru",
    "kind",
    "status",
    "visibility",
    "time_mode",
    "precision",
    "timezone",
)


class EventForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=200, required=False)
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_ru = forms.CharField(
        label=_("Description (Russian)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=Event.Status.choices, initial=Event.Status.TENTATIVE
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Event.Visibility.choices, initial=Event.Visibility.PUBLIC
    )
    time_mode = forms.ChoiceField(
        label=_("Time mode"),
        choices=Event.TimeMode.choices,
        initial=Event.TimeMode.INSTANT,
        widget=forms.RadioSelect,
        help_text=_(
            "One instant: the same moment everywhere (local dates may differ across the date "
            "line). Same local time: each city holds it at this wall-clock time in its own zone."
        ),
    )
    precision = forms.ChoiceField(
        label=_("How precisely the date is known"),
        choices=Event.Precision.choices,
        initial=Event.Precision.TIME,
    )
    timezone = forms.ChoiceField(
        label=_("Time zone of"),
        help_text=_("The zone the start and end below are in: one of the cities' zones."),
    )
    start = _local_input(_("Start (local time in that zone)"))
    end = _local_input(_("End (local time, optional)"))
    start_date = _date_input(_("First day (all day)"))
    end_date = _date_input(_("Last day (all day, optional)"))
    approx_month = forms.TypedChoiceField(
        label=_("Month (month only)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *MONTHS],
    )
    approx_year = forms.IntegerField(
        label=_("Year (month or year only)"), required=False, min_value=1900, max_value=2200
    )
    location = forms.CharField(label=_("Location (English)"), max_length=300, required=False)
    location_ru = forms.CharField(label=_("Location (Russian)"), max_length=300, required=False)
    online_url = forms.URLField(
        label=_("Online link"), max_length=500, required=False, assume_scheme="https"
    )
    partnership = PartnershipChoiceField(
        label=_("Partnership"),
        queryset=Partnership.objects.select_related("city_a", "city_b").order_by("pk"),
        required=False,
        empty_label=_("None"),
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        initial=rb.NONE,
        widget=forms.RadioSelect,
        choices=[
            (rb.NONE, _("Does not repeat")),
            (rb.YEARLY_DATE, _("Every year on a date")),
            (rb.YEARLY_WEEKDAY, _("Every year on a weekday of a month")),
            (rb.WEEKLY, _("Every week")),
            (rb.RAW, _("Custom rule (RRULE)")),
        ],
    )
    rec_month = forms.TypedChoiceField(
        label=_("Month"), required=False, coerce=int, empty_value=None, choices=[("", "—"), *MONTHS]
    )
    rec_monthday = forms.IntegerField(
        label=_("Day of the month"),
        required=False,
        min_value=1,
        max_value=31,
        help_text=_("Leave month and day empty to repeat on the start's date."),
    )
    rec_nth = forms.TypedChoiceField(
        label=_("Which"), required=False, coerce=int, empty_value=None, choices=NTH_CHOICES
    )
    rec_weekday = forms.ChoiceField(label=_("Weekday"), required=False, choices=WEEKDAY_CHOICES)
    rec_weekdays = forms.MultipleChoiceField(
        label=_("On"),
        required=False,
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the start's weekday."),
    )
    rec_end = forms.ChoiceField(
        label=_("Ends"),
        initial="never",
        widget=forms.RadioSelect,
        choices=[
            ("never", _("Never")),
            ("count", _("After a number of times")),
            ("until", _("On a date")),
        ],
    )
    rec_count = forms.IntegerField(label=_("Times"), required=False, min_value=1, max_value=1000)
    rec_until = _date_input(_("Last date"))
    rrule = forms.CharField(
        label=_("Recurrence rule (RRULE, for experts)"),
        max_length=500,
        required=False,
        help_text=_("Used when “Custom rule” is chosen, e.g. FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9."),
    )

    def __init__(self, *args: Any, cities: list[City], event: Event | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["timezone"].choices = zone_choices(cities, event.timezone if event else "")

    def clean_title_en(self) -> str:
        return self.cleaned_data["title_en"].strip()

    def clean_title_ru(self) -> str:
        return self.cleaned_data["title_ru"].strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title_en") and not data.get("title_ru"):
            self.add_error("title_en", _("Give a title in English or Russian."))
        kind = data.get("repeat")
        if kind == rb.YEARLY_DATE and (data.get("rec_month") is None) != (
            data.get("rec_monthday") is None
        ):
            self.add_error("rec_monthday", _("Give both the month and the day, or neither."))
        if kind == rb.YEARLY_WEEKDAY:
            for name in ("rec_month", "rec_nth", "rec_weekday"):
                if data.get(name) in (None, ""):
                    self.add_error(name, _("Needed for a yearly weekday rule."))
        if kind not in (rb.NONE, rb.RAW):
            if data.get("rec_end") == "count" and data.get("rec_count") is None:
                self.add_error("rec_count", _("Give how many times the event takes place."))
            if data.get("rec_end") == "until" and data.get("rec_until") is None:
                self.add_error("rec_until", _("Give the last date."))
        if kind == rb.RAW and not data.get("rrule", "").strip():
            self.add_error("rrule", _("Write the rule, or choose another way to repeat."))
        return data

    def repeat_value(self) -> rb.Repeat:
        data = self.cleaned_data
        end = data.get("rec_end")
        return rb.Repeat(
            kind=data["repeat"],
            month=data.get("rec_month"),
            monthday=data.get("rec_monthday"),
            nth=data.get("rec_nth"),
            weekday=data.get("rec_weekday") or "",
            weekdays=tuple(data.get("rec_weekdays") or ()),
            count=data.get("rec_count") if end == "count" else None,
            until=data.get("rec_until") if end == "until" else None,
        )

    def rule(self) -> str:
        data = self.cleaned_data
        if data["repeat"] == rb.RAW:
            rule = data["rrule"].strip()
        else:
            rule = rb.build(self.repeat_value(), all_day=data["precision"] == Event.Precision.DAY)
        # An unchanged rule written in another order is kept as stored: no spurious change.
        if self.event is not None and rule and rb.same_rule(rule, self.event.rrule):
            return self.event.rrule
        return rule

    def service_fields(self) -> dict[str, Any]:
        """The keyword arguments of services.create_event / update_event."""
        data = self.cleaned_data
        precision = data["precision"]
        fields: dict[str, Any] = {
            name: data[name]
            for name in (*_PLAIN_FIELDS, "location", "location_ru", "online_url", "partnership")
        }
        fields["location"] = fields["location"].strip()
        fields["location_ru"] = fields["location_ru"].strip()
        if precision == Event.Precision.TIME:
            fields["start"] = _naive(data.get("start"))
            fields["end"] = _naive(data.get("end"))
        elif precision == Event.Precision.DAY:
            fields["start_date"] = data.get("start_date")
            fields["end_date"] = data.get("end_date")
        elif precision in (Event.Precision.MONTH, Event.Precision.YEAR):
            fields["approx_year"] = data.get("approx_year")
            fields["approx_month"] = data.get("approx_month")
        fields["rrule"] = self.rule()
        if not fields["rrule"]:
            fields["exdates"] = []
        return fields

    def add_service_error(self, field: str, messages: list[str]) -> None:
        if field == "rrule" and self.cleaned_data.get("repeat") not in (rb.RAW, None):
            self.add_error("repeat", messages)
        elif field in self.fields and field != "version":
            self.add_error(field, messages)
        else:
            self.add_error(None, messages)


def event_initial(event: Event) -> dict[str, Any]:
    """The form's values for an existing event, the rule in the builder when it can show it."""
    initial: dict[str, Any] = {
        name: getattr(event, name)
        for name in (
            *_PLAIN_FIELDS,
            "start_date",
            "end_date",
            "approx_year",
            "approx_month",
            "location",
            "location_ru",
            "online_url",
            "rrule",
        )
    }
    initial["partnership"] = event.partnership_id
    if event.start is not None:
        initial["start"] = event.start.astimezone(event.zone).replace(tzinfo=None)
    if event.end is not None:
        initial["end"] = event.end.astimezone(event.zone).replace(tzinfo=None)
    repeat = rb.parse(event.rrule, all_day=event.is_all_day)
    if repeat is None:
        initial["repeat"] = rb.RAW
        return initial
    initial.update(
        repeat=repeat.kind,
        rec_month=repeat.month,
        rec_monthday=repeat.monthday,
        rec_nth=repeat.nth,
        rec_weekday=repeat.weekday,
        rec_weekdays=list(repeat.weekdays),
        rec_end="count" if repeat.count else "until" if repeat.until else "never",
        rec_count=repeat.count,
        rec_until=repeat.until,
    )
    return initial
