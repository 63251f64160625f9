"""Follow-ups: a logged phone call and its confirmation (email or SMS), greetings on a special date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotPermittedError
from helpline.customers import actions as customer_actions
from helpline.customers.models import Channel
from helpline.tickets.models import DeliveryStatus, Message, MessageKind
from helpline.workflow import call_log, greetings, sweep
from helpline.workflow.models import GreetingSent
from tests.factories import make_agent, make_customer, make_ticket
from tests.messaging.fake_providers import TWILIO_SID, TWILIO_TOKEN, FakeProviders
from tests.messaging.helpers import make_account
from tests.workflow.conftest import in_two_workers

pytestmark = pytest.mark.django_db
UTC = dt.UTC
PHONE = "+97699112233"


@pytest.fixture
def admin() -> Any:
    return make_agent("admin", username="boss")


@pytest.fixture
def agent() -> Any:
    return make_agent(username="caller")


def _settings(admin: Any, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "call_confirmation_enabled": False,
        "call_confirmation_templates": {},
        "call_confirmation_prefer_sms": False,
        "greeting_enabled": False,
        "greeting_attribute": "",
        "greeting_templates": {},
    }
    return greetings.save_follow_up_settings(actor=Actor.of_agent(admin), **{**values, **changes})


# -- logging a call --------------------------------------------------------------------------------


def test_logged_call_is_a_phone_note_and_no_confirmation_when_off(run: Any, agent: Any) -> None:
    ticket = run(make_ticket)
    logged = run(
        call_log.log_call,
        actor=Actor.of_agent(agent),
        ticket=ticket,
        direction="inbound",
        duration_seconds=300,
        notes="Router reset together.",
    )
    note = logged.note
    assert note.kind == MessageKind.NOTE and note.channel == Channel.PHONE
    assert note.meta["call"]["direction"] == "inbound" and note.meta["call"]["duration"] == 300
    assert "Router reset together." in note.body_text and "5 min" in note.body_text
    assert logged.confirmation is None
    assert ticket.events.filter(kind="message_added").count() == 2


def test_confirmation_by_email_in_the_customer_language(run: Any, agent: Any, admin: Any) -> None:
    _settings(
        admin,
        call_confirmation_enabled=True,
        call_confirmation_templates={
            "en": "Thanks {{ customer.first_name }}, your reference is {{ ticket.reference }}.",
            "ka": "გმადლობთ, {{ customer.first_name }}! ნომერი: {{ ticket.reference }}.",
        },
    )
    customer = make_customer(name="Nino Beridze", language="ka")
    ticket = run(make_ticket, customer, channel=Channel.PHONE)
    mail.outbox.clear()
    logged = run(
        call_log.log_call, actor=Actor.of_agent(agent), ticket=ticket, direction="outbound", duration_seconds=60
    )
    confirmation = Message.objects.get(pk=logged.confirmation.pk)
    assert confirmation.kind == MessageKind.REPLY
    assert confirmation.body_text == f"გმადლობთ, Nino! ნომერი: #{ticket.number}."
    assert confirmation.delivery_status == DeliveryStatus.SENT
    sent = [m for m in mail.outbox if customer.email in m.to]
    assert len(sent) == 1 and f"#{ticket.number}" in sent[0].body


def test_confirmation_by_sms_when_preferred_and_possible(
    run: Any, agent: Any, admin: Any, providers: FakeProviders
) -> None:
    make_account("sms", providers.url, account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN, from_number="+15005550006")
    _settings(admin, call_confirmation_enabled=True, call_confirmation_prefer_sms=True)
    customer = customer_actions.create_customer(
        actor=Actor.system(), name="Bat", identities=[("email", "bat@example.com"), ("phone", PHONE)]
    )
    ticket = run(make_ticket, customer, channel=Channel.PHONE)
    mail.outbox.clear()
    logged = run(
        call_log.log_call, actor=Actor.of_agent(agent), ticket=ticket, direction="inbound", duration_seconds=90
    )
    confirmation = Message.objects.get(pk=logged.confirmation.pk)
    assert confirmation.delivery_status == DeliveryStatus.SENT and confirmation.external_id.startswith("SM")
    sms = providers.sent("/Messages.json")
    assert len(sms) == 1 and sms[0].form["To"] == PHONE
    assert f"#{ticket.number}" in sms[0].form["Body"]
    assert not [m for m in mail.outbox if "bat@example.com" in m.to]


def test_sms_is_the_fallback_for_a_customer_without_email(
    run: Any, agent: Any, admin: Any, providers: FakeProviders
) -> None:
    make_account("sms", providers.url, account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN, from_number="+15005550006")
    _settings(admin, call_confirmation_enabled=True)
    customer = customer_actions.create_customer(actor=Actor.system(), name="Caller", identities=[("phone", PHONE)])
    ticket = run(make_ticket, customer, channel=Channel.PHONE, actor=Actor.of_agent(agent))
    logged = run(
        call_log.log_call, actor=Actor.of_agent(agent), ticket=ticket, direction="inbound", duration_seconds=30
    )
    assert Message.objects.get(pk=logged.confirmation.pk).delivery_status == DeliveryStatus.SENT
    assert providers.sent("/Messages.json")[0].form["To"] == PHONE


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"direction": "sideways", "duration_seconds": 10}, "invalid_direction"),
        ({"direction": "inbound", "duration_seconds": -1}, "invalid_duration"),
        ({"direction": "inbound", "duration_seconds": 90_000}, "invalid_duration"),
    ],
)
def test_bad_call_input_is_refused(run: Any, agent: Any, kwargs: dict[str, Any], code: str) -> None:
    ticket = run(make_ticket)
    with pytest.raises(InvalidInputError) as info:
        call_log.log_call(actor=Actor.of_agent(agent), ticket=ticket, **kwargs)
    assert info.value.code == code
    assert not Message.objects.filter(ticket=ticket, channel=Channel.PHONE).exists()


def test_customer_cannot_log_a_call(run: Any) -> None:
    ticket = run(make_ticket)
    with pytest.raises(NotPermittedError):
        call_log.log_call(
            actor=Actor.of_customer(ticket.requester), ticket=ticket, direction="inbound", duration_seconds=5
        )


def test_log_a_call_form_on_the_ticket_page(run: Any, agent: Any, admin: Any) -> None:
    _settings(admin, call_confirmation_enabled=True)
    ticket = run(make_ticket)
    client = Client()
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "data-call-log" in page and "Log a call" in page
    response = client.post(
        f"/workflow/tickets/{ticket.number}/calls/", {"direction": "inbound", "minutes": "2.5", "notes": "Asked again"}
    )
    assert response.status_code == 302
    note = Message.objects.get(ticket=ticket, channel=Channel.PHONE)
    assert note.meta["call"]["duration"] == 150
    assert Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY, meta__call_confirmation=note.public_id)
    bad = client.post(f"/workflow/tickets/{ticket.number}/calls/", {"direction": "inbound", "minutes": "lots"})
    assert bad.status_code == 302 and Message.objects.filter(ticket=ticket, channel=Channel.PHONE).count() == 1


# -- greetings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"greeting_enabled": True, "greeting_templates": {"en": "Hi"}}, "attribute_required"),
        ({"greeting_enabled": True, "greeting_attribute": "birthday"}, "template_required"),
        ({"greeting_attribute": "Birth Day!"}, "invalid_attribute"),
        ({"greeting_templates": {"en": "Hi {{ ticket.number }}"}}, "unknown_placeholder"),
        ({"greeting_templates": {"xx": "Hi"}}, "invalid_language"),
        ({"call_confirmation_templates": {"en": "Ref {{ ticket.nope }}"}}, "unknown_placeholder"),
    ],
)
def test_broken_follow_up_settings_are_refused(admin: Any, changes: dict[str, Any], code: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        _settings(admin, **changes)
    assert info.value.code == code


def test_only_admins_change_follow_up_settings(agent: Any) -> None:
    with pytest.raises(NotPermittedError):
        _settings(agent)


@pytest.fixture
def birthday_desk(admin: Any) -> Any:
    return _settings(
        admin,
        greeting_enabled=True,
        greeting_attribute="birthday",
        greeting_templates={
            "en": "Happy birthday, {{ customer.first_name }}!",
            "mn": "Төрсөн өдрийн мэнд, {{ customer.first_name }}!",
        },
    )


def _customer(agent: Any, *, birthday: str, opted: bool, language: str = "en", tz: str = "UTC", email: str = "") -> Any:
    customer = make_customer(email or None, name="Saraa Bold", language=language, time_zone=tz)
    customer.custom_attributes = {"birthday": birthday}
    customer.save(update_fields=["custom_attributes"])
    if opted:
        greetings.set_greeting_opt_in(actor=Actor.of_agent(agent), customer=customer, opted_in=True)
    return customer


def test_greeting_once_a_year_for_opted_in_customers(clock: Any, birthday_desk: Any, agent: Any) -> None:
    opted = _customer(agent, birthday="1990-03-14", opted=True, language="mn", email="saraa@example.com")
    _customer(agent, birthday="1985-03-14", opted=False, email="nope@example.com")
    clock.set(dt.datetime(2025, 3, 14, 8, 30, tzinfo=UTC))
    assert sweep.run_sweep(clock())["greetings"] == 0  # before 09:00
    clock.set(dt.datetime(2025, 3, 14, 9, 5, tzinfo=UTC))
    mail.outbox.clear()
    assert sweep.run_sweep(clock())["greetings"] == 1
    assert sweep.run_sweep(clock())["greetings"] == 0
    clock.set(dt.datetime(2025, 3, 14, 23, 0, tzinfo=UTC))
    assert sweep.run_sweep(clock())["greetings"] == 0
    assert [m.to for m in mail.outbox] == [["saraa@example.com"]]
    assert mail.outbox[0].body == "Төрсөн өдрийн мэнд, Saraa!"
    clock.set(dt.datetime(2026, 3, 14, 10, 0, tzinfo=UTC))
    assert sweep.run_sweep(clock())["greetings"] == 1  # next year again
    assert GreetingSent.objects.filter(customer=opted).count() == 2


def test_greeting_follows_the_customer_time_zone_and_leap_days(clock: Any, birthday_desk: Any, agent: Any) -> None:
    tokyo = _customer(agent, birthday="03-14", opted=True, tz="Asia/Tokyo", email="tokyo@example.com")
    leap = _customer(agent, birthday="2000-02-29", opted=True, email="leap@example.com")
    clock.set(dt.datetime(2025, 3, 14, 0, 30, tzinfo=UTC))  # 09:30 in Tokyo
    mail.outbox.clear()
    assert sweep.run_sweep(clock())["greetings"] == 1 and mail.outbox[0].to == [tokyo.email]
    clock.set(dt.datetime(2025, 2, 28, 12, 0, tzinfo=UTC))
    assert sweep.run_sweep(clock())["greetings"] == 1 and mail.outbox[-1].to == [leap.email]


def test_opting_out_stops_greetings(clock: Any, birthday_desk: Any, agent: Any) -> None:
    customer = _customer(agent, birthday="03-14", opted=True)
    greetings.set_greeting_opt_in(actor=Actor.of_agent(agent), customer=customer, opted_in=False)
    assert "greetings_opt_in" not in customer.custom_attributes and customer.custom_attributes["birthday"] == "03-14"
    clock.set(dt.datetime(2025, 3, 14, 12, 0, tzinfo=UTC))
    assert sweep.run_sweep(clock())["greetings"] == 0


def test_greeting_opt_in_from_the_ticket_page(run: Any, agent: Any, admin: Any) -> None:
    ticket = run(make_ticket)
    client = Client()
    client.force_login(agent)
    assert "Customer opts in to greetings" not in client.get(f"/tickets/{ticket.number}/").content.decode()
    _settings(admin, greeting_enabled=True, greeting_attribute="birthday", greeting_templates={"en": "Hello"})
    assert "Customer opts in to greetings" in client.get(f"/tickets/{ticket.number}/").content.decode()
    client.post(f"/workflow/tickets/{ticket.number}/greeting/", {"opt_in": "1"})  # no date known: refused
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Give the date you would like to be greeted on." in page and "Stop greetings" not in page
    client.post(f"/workflow/tickets/{ticket.number}/greeting/", {"opt_in": "1", "date": "1991-05-02"})
    assert "Stop greetings" in client.get(f"/tickets/{ticket.number}/").content.decode()
    ticket.requester.refresh_from_db()
    assert ticket.requester.custom_attributes == {"greetings_opt_in": True, "birthday": "1991-05-02"}


def test_greeting_opt_in_on_the_customer_page(clock: Any, birthday_desk: Any, agent: Any) -> None:
    customer = make_customer("nomin@example.com", name="Nomin Bat")
    client = Client()
    client.force_login(agent)
    page = client.get(f"/customers/{customer.public_id}/").content.decode()
    assert "Special-date greeting" in page
    refused = client.post(f"/customers/{customer.public_id}/greeting/", {"opted_in": "on"})
    assert refused.status_code == 422 and "Give the date" in refused.content.decode()
    bad_date = client.post(f"/customers/{customer.public_id}/greeting/", {"opted_in": "on", "date": "31.02.1990"})
    assert bad_date.status_code == 422
    saved = client.post(f"/customers/{customer.public_id}/greeting/", {"opted_in": "on", "date": "1990-06-09"})
    assert saved.status_code == 302
    customer.refresh_from_db()
    assert greetings.is_opted_in(customer) and customer.custom_attributes["birthday"] == "1990-06-09"
    clock.set(dt.datetime(2025, 6, 9, 10, 0, tzinfo=UTC))
    mail.outbox.clear()
    assert sweep.run_sweep(clock())["greetings"] == 1 and mail.outbox[0].to == ["nomin@example.com"]
    client.force_login(agent)  # the frozen clock moved past the session's age
    client.post(f"/customers/{customer.public_id}/greeting/", {"date": "1990-06-09"})
    customer.refresh_from_db()
    assert not greetings.is_opted_in(customer)


def test_customers_set_only_their_own_greeting(birthday_desk: Any) -> None:
    one, other = make_customer("one@example.com"), make_customer("two@example.com")
    with pytest.raises(NotPermittedError):
        customer_actions.set_special_date_greeting(
            actor=Actor.of_customer(one),
            customer=other,
            opted_in=True,
            date_attribute="birthday",
            date=dt.date(1990, 1, 2),
        )
    customer_actions.set_special_date_greeting(
        actor=Actor.of_customer(one), customer=one, opted_in=True, date_attribute="birthday", date=dt.date(1990, 1, 2)
    )
    one.refresh_from_db()
    assert one.custom_attributes == {"greetings_opt_in": True, "birthday": "1990-01-02"}


def test_admin_page_saves_and_refuses_with_the_reason(admin: Any) -> None:
    client = Client()
    client.force_login(admin)
    assert client.get("/workflow/settings/follow-ups/").status_code == 200
    bad = client.post("/workflow/settings/follow-ups/", {"greeting_enabled": "on", "greeting_en": "Hi"})
    assert bad.status_code == 422 and "attribute" in bad.content.decode()
    good = client.post(
        "/workflow/settings/follow-ups/",
        {"call_confirmation_enabled": "on", "call_en": "Ref {{ ticket.reference }}", "greeting_attribute": "birthday"},
    )
    assert good.status_code == 302
    assert call_log.desk_settings().call_confirmation_templates == {"en": "Ref {{ ticket.reference }}"}


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_greeting_once(admin: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("claiming under real concurrency is checked on PostgreSQL")
    _settings(admin, greeting_enabled=True, greeting_attribute="birthday", greeting_templates={"en": "Hello"})
    agent = make_agent(username="opt")
    for n in range(30):
        _customer(agent, birthday="07-01", opted=True, email=f"g{n}@example.com")
    at = dt.datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
    mail.outbox.clear()
    totals = in_two_workers(lambda: greetings.run_greetings(at))
    assert sum(totals) == 30 and len(mail.outbox) == 30
    assert GreetingSent.objects.count() == 30
