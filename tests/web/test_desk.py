import datetime as dt
import re

import pytest
from django.urls import reverse

from events import services
from events.models import Event
from notifications.models import Delivery, ReminderRule
from tests.factories import ContactFactory


def test_desk_anonymous_is_redirected_to_login(client, world):
    response = client.get(reverse("web:desk"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_desk_non_coordinator_is_403(client, world, django_user_model):
    user = django_user_model.objects.create_user("visitor", password="visitor-pass-123")
    client.force_login(user)

    assert client.get(reverse("web:desk")).status_code == 403
    assert client.post(reverse("web:desk_confirm", args=[world.tentative.pk])).status_code == 403


def test_desk_shows_tentative_events_to_confirm(coordinator_client, world):
    response = coordinator_client.get(reverse("web:desk"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Secret tentative visit" in html
    assert reverse("web:desk_confirm", args=[world.tentative.pk]) in html


def test_desk_confirm_goes_through_update_event(coordinator_client, world):
    response = coordinator_client.post(reverse("web:desk_confirm", args=[world.tentative.pk]))

    world.tentative.refresh_from_db()
    assert response.status_code == 302
    assert world.tentative.status == Event.Status.CONFIRMED
    assert world.tentative.sequence == 1


def _loaded_version(client, event):
    html = client.get(reverse("web:desk")).content.decode()
    action = reverse("web:desk_confirm", args=[event.pk])
    form = html[html.index(f'action="{action}"') :]
    marker = 'name="version" value="'
    start = form.index(marker) + len(marker)
    return form[start : form.index('"', start)]


def test_desk_confirm_with_the_loaded_version_confirms(coordinator_client, world):
    version = _loaded_version(coordinator_client, world.tentative)

    coordinator_client.post(
        reverse("web:desk_confirm", args=[world.tentative.pk]), {"version": version}
    )

    world.tentative.refresh_from_db()
    assert world.tentative.status == Event.Status.CONFIRMED


def test_desk_confirm_after_someone_moved_the_event_shows_a_conflict(
    coordinator_client, coordinator, world
):
    version = _loaded_version(coordinator_client, world.tentative)
    moved = world.tentative.start + dt.timedelta(days=1)
    services.update_event(event=world.tentative, start=moved, actor=coordinator)

    response = coordinator_client.post(
        reverse("web:desk_confirm", args=[world.tentative.pk]), {"version": version}, follow=True
    )

    world.tentative.refresh_from_db()
    html = response.content.decode()
    assert world.tentative.status == Event.Status.TENTATIVE
    assert world.tentative.start == moved
    assert "was changed by someone else after you loaded this page" in html
    assert "Nothing was confirmed" in html


def test_desk_confirm_needs_post(coordinator_client, world):
    response = coordinator_client.get(reverse("web:desk_confirm", args=[world.tentative.pk]))

    assert response.status_code == 405


def test_desk_login_page_logs_a_coordinator_in(client, coordinator):
    response = client.post(
        reverse("web:login"), {"username": "coord", "password": "coord-pass-123"}, follow=True
    )

    assert response.status_code == 200
    assert "<h1>Coordinator's desk</h1>" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("web:desk")


def _create_payload(**overrides):
    data = {
        "title_en": "Jazz evening",
        "title_ru": "Джазовый вечер",
        "kind": "festival",
        "status": "tentative",
        "timezone": "America/New_York",
        "start": "2031-06-01T19:00",
        "end": "2031-06-01T21:00",
        "location": "Riverfront",
        "cities-TOTAL_FORMS": "3",
        "cities-INITIAL_FORMS": "0",
        "cities-MIN_NUM_FORMS": "0",
        "cities-MAX_NUM_FORMS": "10",
        "cities-0-city": "",
        "cities-0-role": "host",
        "cities-1-city": "",
        "cities-1-role": "guest_delegation",
        "cities-2-city": "",
        "cities-2-role": "participant",
    }
    data.update(overrides)
    return data


def test_desk_create_event_with_cities(coordinator_client, world):
    payload = _create_payload(**{"cities-0-city": world.albany.pk, "cities-1-city": world.tula.pk})

    response = coordinator_client.post(reverse("web:desk_create"), payload)

    event = Event.objects.get(title_en="Jazz evening")
    assert response.status_code == 302
    assert response["Location"] == reverse("web:event_detail", args=[event.slug])
    assert event.start == dt.datetime(2031, 6, 1, 23, 0, tzinfo=dt.UTC)
    assert sorted(event.participations.values_list("city__slug", "role")) == [
        ("albany", "host"),
        ("tula", "guest_delegation"),
    ]


def test_desk_create_in_dst_gap_shows_field_error(coordinator_client, world):
    payload = _create_payload(start="2031-03-09T02:30", end="")

    response = coordinator_client.post(reverse("web:desk_create"), payload)

    assert response.status_code == 400
    assert 'id="id_start-error"' in response.content.decode()
    assert "does not exist in America/New_York" in response.content.decode()
    assert not Event.objects.filter(title_en="Jazz evening").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"title_en": "", "title_ru": ""}, "title_en"),
        ({"start": "not a date"}, "start"),
        ({"kind": "rave"}, "kind"),
        ({"end": "2031-06-01T18:00"}, "end"),
    ],
)
def test_desk_create_bad_input_is_400_naming_the_field(coordinator_client, world, overrides, field):
    response = coordinator_client.post(reverse("web:desk_create"), _create_payload(**overrides))

    assert response.status_code == 400
    assert f'id="id_{field}-error"' in response.content.decode()
    assert not Event.objects.filter(title_en="Jazz evening").exists()


def test_desk_create_same_city_twice_is_refused(coordinator_client, world):
    payload = _create_payload(
        **{"cities-0-city": world.albany.pk, "cities-1-city": world.albany.pk}
    )

    response = coordinator_client.post(reverse("web:desk_create"), payload)

    assert response.status_code == 400
    assert "only once" in response.content.decode()


def test_desk_create_broken_management_form_is_400(coordinator_client, world):
    payload = _create_payload()
    del payload["cities-TOTAL_FORMS"]

    response = coordinator_client.post(reverse("web:desk_create"), payload)

    assert response.status_code == 400


def _failed_delivery(world) -> Delivery:
    contact = ContactFactory(city=world.fairbanks)
    rule = ReminderRule.objects.create(
        contact=contact, target=ReminderRule.Target.CITY, city=world.fairbanks
    )
    now = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)
    return Delivery.objects.create(
        rule=rule,
        event=world.victory_day,
        kind=Delivery.Kind.REMINDER,
        status=Delivery.Status.FAILED,
        due_at=now,
        next_attempt_at=now,
        attempts=5,
        last_error="550 mailbox unavailable",
    )


def test_desk_lists_failed_reminders_with_retry(coordinator_client, world):
    delivery = _failed_delivery(world)

    html = coordinator_client.get(reverse("web:desk")).content.decode()

    assert "550 mailbox unavailable" in html
    assert reverse("web:desk_retry", args=[delivery.pk]) in html


def test_desk_retry_requeues_failed_reminder(coordinator_client, world):
    delivery = _failed_delivery(world)

    response = coordinator_client.post(reverse("web:desk_retry", args=[delivery.pk]))

    delivery.refresh_from_db()
    assert response.status_code == 302
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 0


def test_desk_retry_of_sent_reminder_is_refused_with_message(coordinator_client, world):
    delivery = _failed_delivery(world)
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT)

    response = coordinator_client.post(reverse("web:desk_retry", args=[delivery.pk]), follow=True)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert "Only failed" in response.content.decode()


def test_desk_retry_unknown_delivery_is_a_message_not_500(coordinator_client, world):
    response = coordinator_client.post(reverse("web:desk_retry", args=[999999]), follow=True)

    assert response.status_code == 200
    assert "no longer exists" in response.content.decode()


def test_desk_lists_failed_weekly_digest(coordinator_client, world):
    contact = ContactFactory(city=world.fairbanks, name="Fairbanks mayor's office")
    now = dt.datetime(2031, 1, 6, tzinfo=dt.UTC)
    delivery = Delivery.objects.create(
        contact=contact,
        kind=Delivery.Kind.DIGEST,
        occurrence_key="2031-W02",
        status=Delivery.Status.FAILED,
        due_at=now,
        next_attempt_at=now,
        attempts=1,
        last_error="550 no such user",
    )

    response = coordinator_client.get(reverse("web:desk"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "550 no such user" in html
    assert "2031-W02" in html
    assert reverse("web:desk_retry", args=[delivery.pk]) in html


@pytest.fixture
def jubilee(db):
    from django.utils import timezone

    from events.models import Partnership
    from tests.factories import CityFactory, PartnershipFactory

    today = timezone.localdate()
    return PartnershipFactory(
        city_a=CityFactory(
            name_en="Magadan", name_native="Магадан", country="RU", timezone="Asia/Magadan"
        ),
        city_b=CityFactory(name_en="Anchorage", name_ru="Анкоридж", timezone="America/Anchorage"),
        established_on=dt.date(today.year - 24, 6, 9),
        established_precision=Partnership.Precision.DAY,
    )


def test_desk_lists_milestone_anniversaries_with_a_plan_button(coordinator_client, jubilee):
    from django.utils import timezone

    year = timezone.localdate().year + 1
    html = coordinator_client.get(reverse("web:desk")).content.decode()

    assert "Milestone anniversaries" in html
    assert "25 years" in html
    assert reverse("web:desk_plan_anniversary", args=[jubilee.pk, year]) in html


def test_plan_a_commemoration_creates_one_tentative_event_for_both_cities(
    coordinator_client, jubilee
):
    from django.utils import timezone

    year = timezone.localdate().year + 1
    url = reverse("web:desk_plan_anniversary", args=[jubilee.pk, year])

    first = coordinator_client.post(url)
    again = coordinator_client.post(url, follow=True)

    event = Event.objects.get(partnership=jubilee)
    assert first.status_code == 302
    assert first["Location"] == reverse("web:event_detail", args=[event.slug])
    assert event.title_en == "25th anniversary of the Magadan – Anchorage partnership"
    assert event.title_ru == "25-летие партнёрства Магадан – Анкоридж"
    assert event.status == Event.Status.TENTATIVE
    assert event.kind == Event.Kind.COMMEMORATION
    assert event.precision == Event.Precision.DAY
    assert event.start_date == dt.date(year, 6, 9)
    assert sorted(p.city_id for p in event.participations.all()) == sorted(
        [jubilee.city_a_id, jubilee.city_b_id]
    )
    assert "was already planned" in again.content.decode()
    assert Event.objects.filter(partnership=jubilee).count() == 1
    desk = coordinator_client.get(reverse("web:desk")).content.decode()
    assert "planned" in desk
    assert url not in desk


def test_plan_a_year_without_a_milestone_is_404(coordinator_client, jubilee):
    from django.utils import timezone

    year = timezone.localdate().year + 2  # the 26th: not a milestone
    response = coordinator_client.post(
        reverse("web:desk_plan_anniversary", args=[jubilee.pk, year])
    )

    assert response.status_code == 404
    assert not Event.objects.filter(partnership=jubilee).exists()


def test_plan_needs_a_coordinator(client, jubilee):
    response = client.post(reverse("web:desk_plan_anniversary", args=[jubilee.pk, 2030]))

    assert response.status_code == 302
    assert not Event.objects.filter(partnership=jubilee).exists()


def test_desk_quick_form_city_choices_are_in_the_readers_alphabet(coordinator_client, db):
    from tests.factories import CityFactory

    for english, russian in (
        ("Albany", "Олбани"),
        ("Anchorage", "Анкоридж"),
        ("Magadan", "Магадан"),
    ):
        CityFactory(name_en=english, name_ru=russian)
    coordinator_client.cookies["django_language"] = "ru"

    html = coordinator_client.get(reverse("web:desk")).content.decode()

    select = re.search(r'<select[^>]*name="cities-0-city"[^>]*>(.*?)</select>', html, re.S)
    assert select
    names = [n for n in re.findall(r"<option[^>]*>([^<]*)</option>", select[1]) if "-" not in n]
    assert names[:3] == ["Анкоридж", "Магадан", "Олбани"]
