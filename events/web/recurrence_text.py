"""Words for the yearly "nth weekday of a month" rules the desk's builder writes
(BYMONTH=6;BYDAY=2SA). Whole phrases ("on the second Saturday"), so that each language keeps
its grammar in its catalogue: the Russian ordinal agrees with the weekday's gender and the
preposition with the ordinal ("в первый понедельник", "во вторую субботу", "в последнее
воскресенье"); the month is Django's own genitive form ("июня")."""

from __future__ import annotations

from django.utils.dates import MONTHS_ALT
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# (nth, weekday) -> the phrase; nth -1 is the last one of the month (BYDAY=-1FR).
NTH_WEEKDAY: dict[tuple[int, str], Promise] = {
    (1, "MO"): _("on the first Monday"),
    (1, "TU"): _("on the first Tuesday"),
    (1, "WE"): _("on the first Wednesday"),
    (1, "TH"): _("on the first Thursday"),
    (1, "FR"): _("on the first Friday"),
    (1, "SA"): _("on the first Saturday"),
    (1, "SU"): _("on the first Sunday"),
    (2, "MO"): _("on the second Monday"),
    (2, "TU"): _("on the second Tuesday"),
    (2, "WE"): _("on the second Wednesday"),
    (2, "TH"): _("on the second Thursday"),
    (2, "FR"): _("on the second Friday"),
    (2, "SA"): _("on the second Saturday"),
    (2, "SU"): _("on the second Sunday"),
    (3, "MO"): _("on the third Monday"),
    (3, "TU"): _("on the third Tuesday"),
    (3, "WE"): _("on the third Wednesday"),
    (3, "TH"): _("on the third Thursday"),
    (3, "FR"): _("on the third Friday"),
    (3, "SA"): _("on the third Saturday"),
    (3, "SU"): _("on the third Sunday"),
    (4, "MO"): _("on the fourth Monday"),
    (4, "TU"): _("on the fourth Tuesday"),
    (4, "WE"): _("on the fourth Wednesday"),
    (4, "TH"): _("on the fourth Thursday"),
    (4, "FR"): _("on the fourth Friday"),
    (4, "SA"): _("on the fourth Saturday"),
    (4, "SU"): _("on the fourth Sunday"),
    (-1, "MO"): _("on the last Monday"),
    (-1, "TU"): _("on the last Tuesday"),
    (-1, "WE"): _("on the last Wednesday"),
    (-1, "TH"): _("on the last Thursday"),
    (-1, "FR"): _("on the last Friday"),
    (-1, "SA"): _("on the last Saturday"),
    (-1, "SU"): _("on the last Sunday"),
}


def yearly_weekday_text(nth: int, weekday: str, month: int) -> str:
    """ "Every year on the second Saturday of June", in the active language."""
    # Translators: %(day)s is a phrase such as "on the second Saturday" ("во вторую
    # субботу"), %(month)s a month name in the genitive ("июня").
    return gettext("Every year %(day)s of %(month)s") % {
        "day": NTH_WEEKDAY[(nth, weekday)],
        "month": MONTHS_ALT[month],
    }
