"""Which zone names the app accepts, and under which name it stores them."""

import pytest
from django.core.exceptions import ValidationError

from events.timezones import canonical_zone


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Asia/Magadan", "Asia/Magadan"),
        ("America/Argentina/Ushuaia", "America/Argentina/Ushuaia"),
        ("UTC", "UTC"),
        ("Etc/UTC", "UTC"),
        ("Zulu", "UTC"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("US/Alaska", "America/Anchorage"),
    ],
)
def test_canonical_zone_keeps_geographic_zones_and_maps_links(name, canonical):
    assert canonical_zone(name) == canonical


@pytest.mark.parametrize(
    "name",
    [
        "localtime",
        "Factory",
        "posix/Europe/Moscow",
        "right/UTC",
        "posixrules",
        "EST5EDT",
        "CET",
        "EST",
        "GMT",
        "Etc/GMT+3",
        "W-SU",
        "Europe/Moscow ",
        "",
        "Mars/Olympus_Mons",
    ],
)
def test_canonical_zone_refuses_non_geographic_names(name):
    with pytest.raises(ValidationError) as info:
        canonical_zone(name)

    assert "not a geographic IANA time zone" in info.value.messages[0]
