"""Mail templates filled in per recipient (notifications/mailwire.py) give, byte for byte, the
mail a full build gives; recipients a template cannot take are built in full."""

from __future__ import annotations

import email.policy
import re

import icalendar
import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.models import Contact, Event
from events.recurrence import expand
from notifications import emails, ledger, mailwire, planning, sending, subscriptions
from notifications.models import Delivery, ReminderRule
from tests.factories import CityFactory, ContactFactory, EventFactory, ParticipationFactory
from tests.notifications.conftest import utc
from tests.notifications.procs import SmtpServer

pytestmark = pytest.mark.django_db
DATE = "Mon, 06 May 2030 09:00:00 -0000"


@pytest.fixture
def ceremony(monkeypatch):
    """A Magadan ceremony with two participating cities, and a fixed Date header."""
    monkeypatch.setattr(emails, "formatdate", lambda **kwargs: DATE)
    magadan = CityFactory(slug="magadan", timezone="Asia/Magadan", name_en="Magadan",
                          name_native="Магадан", country="RU")  # fmt: skip
    anchorage = CityFactory(slug="anchorage", timezone="America/Anchorage", name_en="Anchorage")
    event = EventFactory(
        kind=Event.Kind.COMMEMORATION,
        timezone="Asia/Magadan",
        title_en="Wreath laying at the ALSIB memorial, Magadan and Anchorage",
        title_ru="Возложение венков",
        start=utc(2030, 5, 8, 23, 0),
        end=None,
    )
    ParticipationFactory(event=event, city=magadan, venue="Memorial")
    ParticipationFactory(event=event, city=anchorage)
    return Event.objects.prefetch_related("participations__city", "changes").get(pk=event.pk)


def delivery_for(event: Event, *, address: str, token: str, kind: str, pk: int) -> Delivery:
    """An unsaved row and rule (only what building reads), so examples cost no queries."""
    city = event.participations.all()[1].city
    contact = Contact(pk=pk, name="Office", email=address, city=city, city_id=city.pk)
    rule = ReminderRule(
        pk=pk, contact=contact, target="event", event=event, unsubscribe_token=token
    )
    return Delivery(pk=pk, rule=rule, event=event, kind=kind, sequence=pk % 7, lead_days=1)


def build(delivery: Delivery, language: str, templates: dict | None) -> EmailMultiAlternatives:
    [occurrence] = expand(delivery.event, utc(2030, 5, 1), utc(2030, 6, 1))
    return emails.build_email(
        delivery=delivery,
        occurrence=occurrence,
        recipient=delivery.rule.contact.email,
        language=language,
        zone_name="America/Anchorage",
        instant=occurrence.start,
        day=None,
        days_ahead=2,
        templates=templates,
    )


def wire(message: EmailMultiAlternatives) -> bytes:
    """The bytes the SMTP backend sends, MIME boundaries numbered by first appearance."""
    data = message.message().as_bytes(linesep="\r\n")
    found = list(dict.fromkeys(re.findall(rb"={15}\d+==", data)))
    for n, boundary in enumerate(found):
        data = data.replace(boundary, b"BOUNDARY-%d" % n)
    return data


def fields(message: EmailMultiAlternatives) -> tuple:
    return (
        message.subject,
        message.body,
        message.from_email,
        message.to,
        message.extra_headers,
        [tuple(a) for a in message.alternatives],
        [tuple(a) for a in message.attachments],
    )


simple_addresses = st.from_regex(
    r"[A-Za-z0-9_+-]{1,30}(\.[A-Za-z0-9_+-]{1,15}){0,2}@[a-zA-Z0-9-]{1,40}(\.[a-z0-9-]{1,40}){1,3}",
    fullmatch=True,
)
tokens = st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    address=simple_addresses,
    token=tokens,
    pk=st.integers(1, 10**12),
    language=st.sampled_from(["en", "ru"]),
    kind=st.sampled_from([Delivery.Kind.REMINDER, Delivery.Kind.CHANGE, Delivery.Kind.CANCEL]),
)
def test_filled_template_equals_full_build(ceremony, address, token, pk, language, kind):
    templates: dict = {}
    # The template is made for another recipient first, as in a batch.
    build(delivery_for(ceremony, address="first@x.example", token="t" * 43, kind=kind, pk=1),
          language, templates)  # fmt: skip
    delivery = delivery_for(ceremony, address=address, token=token, kind=kind, pk=pk)

    filled = build(delivery, language, templates)
    full = build(delivery, language, None)

    assert isinstance(filled, mailwire.FilledEmail)
    assert len(templates) == 1
    assert wire(filled) == wire(full)
    assert fields(filled) == fields(full)
    # The SMTP envelope the transport sends without asking Django's backend to derive it.
    assert filled.to == [sanitize_address(address, "utf-8")]
    assert filled.envelope_from == sanitize_address(full.from_email, "utf-8")


@pytest.mark.parametrize("length", range(55, 95, 3))
@pytest.mark.parametrize("name", ["To", "Message-ID", "List-Unsubscribe"])
def test_header_lines_fold_as_the_email_package_folds_them(name, length):
    value = "<" + "a" * length + "@x.example>"
    policy = email.policy.compat32.clone(linesep="\r\n")

    assert mailwire._fold_header(name, value) == policy.fold_binary(name, value)


@pytest.mark.parametrize(
    "address",
    ["mer@магадан.рф", '"quoted local"@city.example', "a=b@city.example", "o'brien@city.example"],
)
def test_recipient_a_template_cannot_take_is_built_in_full(ceremony, address):
    templates: dict = {}
    build(delivery_for(ceremony, address="first@x.example", token="t" * 43, kind="reminder",
                       pk=1), "en", templates)  # fmt: skip
    delivery = delivery_for(ceremony, address=address, token="u" * 43, kind="reminder", pk=2)

    message = build(delivery, "en", templates)

    assert wire(message) == wire(build(delivery, "en", None))
    assert message.to == [address]
    [vevent] = icalendar.Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")
    assert str(vevent["ATTENDEE"]) == f"mailto:{address}"


def test_template_with_a_long_line_is_not_used(ceremony):
    """A line over 998 octets makes the part quoted-printable, which may split a placeholder."""
    Event.objects.filter(pk=ceremony.pk).update(description_en="word " * 300)
    ceremony.refresh_from_db()
    templates: dict = {}
    delivery = delivery_for(ceremony, address="office@city.example", token="u" * 43,
                            kind="reminder", pk=2)  # fmt: skip

    message = build(delivery, "en", templates)

    assert list(templates.values()) == [None]
    assert not isinstance(message, mailwire.FilledEmail)
    assert wire(message) == wire(build(delivery, "en", None))


def test_batch_over_smtp_gives_each_recipient_its_own_values(settings, app_clock):
    """Five offices, one template: each mail names its own address, token and Message-ID."""
    app_clock.move_to(utc(2030, 5, 7, 17, 1))
    event = EventFactory(kind=Event.Kind.FORUM, title_en="Forum", start=utc(2030, 5, 8, 23, 0),
                         end=None, timezone="UTC")  # fmt: skip
    rules = [
        subscriptions.create_rule(
            contact_id=ContactFactory(timezone="UTC", language="en", email=f"o{i}@x.example").pk,
            target=ReminderRule.Target.EVENT,
            event_id=event.pk,
            lead_days=[1],
            hour=0,
        )
        for i in range(5)
    ]
    for rule in rules:
        planning.plan_rule(rule_id=rule.pk)
    ledger.enqueue_due(enqueue=lambda ids: None)
    ids = list(Delivery.objects.filter(status=Delivery.Status.QUEUED).values_list("pk", flat=True))
    assert len(ids) == 5
    with SmtpServer() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port

        assert set(sending.send_deliveries(delivery_ids=ids).values()) == {"sent"}

        received = smtp.handler.snapshot()
    assert mail.outbox == []
    by_address = {str(m["To"]): m for m in received}
    for rule in rules:
        message = by_address[rule.contact.email]
        assert message["X-Envelope-To"] == rule.contact.email
        row = Delivery.objects.get(rule=rule)
        assert str(message["Message-ID"]) == row.message_id
        assert rule.unsubscribe_token in str(message["List-Unsubscribe"])
        [text] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
        assert f"/api/unsubscribe/{rule.unsubscribe_token}/" in text.get_content()
        [ics] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        [vevent] = icalendar.Calendar.from_ical(ics.get_content()).walk("VEVENT")
        assert str(vevent["ATTENDEE"]) == f"mailto:{rule.contact.email}"
