from __future__ import annotations

import pytest
from django.test import Client

from helpline.reports.customer360 import customer_360
from tests.factories import make_agent, make_customer
from tests.reports.dataset import Desk, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk() -> Desk:
    return build()


def test_relationship_figures(desk: Desk, django_assert_max_num_queries: object) -> None:
    c1 = desk.customers["c1"]
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        c = customer_360(c1)
    assert (c.lifetime_tickets, c.open_tickets) == (3, 0)
    assert c.channels == [("email", 4)]  # three opening messages and the reopening one
    assert (c.csat_answers, c.csat_average, c.csat_percent) == (2, 4.5, 100.0)
    assert [s.rating for s in c.csat_history] == [4, 5]  # newest first
    assert c.nps is not None and c.nps.score == 10
    # every interaction: 9 messages on t0, t1, t3 (no notes), 2 CSAT answers, 1 NPS answer; newest first
    assert len(c.timeline) == 12
    assert [(e.kind, e.rating) for e in c.timeline[:3]] == [("nps", 10), ("csat", 4), ("reply", None)]
    assert {e.kind for e in c.timeline} == {"inbound", "reply", "csat", "nps"}
    empty = customer_360(make_customer())
    assert (empty.lifetime_tickets, empty.csat_answers, empty.nps, empty.last_contact) == (0, 0, None, None)


def test_customer_page_shows_the_relationship(desk: Desk) -> None:
    client = Client()
    client.force_login(make_agent())
    page = client.get(f"/customers/{desk.customers['c1'].public_id}/").content.decode()
    assert 'id="customer-360"' in page
    assert 'data-c360="lifetime">3<' in page
    assert "Satisfaction history" in page and "★★★★★" in page
    assert "NPS 10/10" in page
    assert 'id="customer-timeline"' in page and page.count('data-kind="inbound"') == 4


def test_every_channel_in_one_timeline_and_the_customers_segments(db: None) -> None:
    """One customer writing by email, live chat, SMS and WhatsApp and called once: one timeline,
    newest first, each entry with its channel; the page lists the saved segments they are in."""
    import datetime as dt

    from django.utils import timezone

    from helpline.accounts.models import Role
    from helpline.core.actors import Actor
    from helpline.reports import actions as report_actions
    from helpline.tickets import actions as ticket_actions
    from helpline.tickets.models import Ticket

    customer = make_customer(name="Saraa Bold", language="mn")
    agent = make_agent()
    start = timezone.now() - dt.timedelta(days=5)
    for n, channel in enumerate(("email", "chat", "sms", "whatsapp")):
        ticket = ticket_actions.open_ticket(
            actor=Actor.of_customer(customer),
            requester=customer,
            subject=f"On {channel}",
            body_text=f"Hello by {channel}",
            channel=channel,
            tags=["meter"] if channel == "sms" else [],
            created_at=start + dt.timedelta(days=n),
        )
        ticket_actions.add_message(
            actor=Actor.of_agent(agent),
            ticket=Ticket.objects.get(pk=ticket.pk),
            kind="reply",
            body_text=f"Answer on {channel}",
            created_at=start + dt.timedelta(days=n, hours=1),
        )
    ticket_actions.open_ticket(
        actor=Actor.of_agent(agent),
        requester=customer,
        subject="Call",
        body_text="Called about the meter",
        channel="phone",
        message_kind="note",
        created_at=start + dt.timedelta(days=4),
    )
    supervisor = Actor.of_agent(make_agent(Role.SUPERVISOR))
    meters = report_actions.save_segment(actor=supervisor, name="Meter trouble", filters={"tag": "meter"})
    report_actions.save_segment(actor=supervisor, name="Georgian speakers", filters={"language": "ka"})
    mongolian = report_actions.save_segment(actor=supervisor, name="Mongolian speakers", filters={"language": "mn"})

    c = customer_360(customer)
    assert [(e.kind, e.channel) for e in c.timeline] == [
        ("reply", "whatsapp"),
        ("inbound", "whatsapp"),
        ("reply", "sms"),
        ("inbound", "sms"),
        ("reply", "chat"),
        ("inbound", "chat"),
        ("reply", "email"),
        ("inbound", "email"),
    ]  # the call's internal note is not an interaction with the customer
    assert dict(c.channels) == {"email": 1, "chat": 1, "sms": 1, "whatsapp": 1}
    assert (c.lifetime_tickets, c.open_tickets) == (5, 5)
    assert [s.name for s in c.segments] == ["Meter trouble", "Mongolian speakers"]

    client = Client()
    client.force_login(agent)
    page = client.get(f"/customers/{customer.public_id}/").content.decode()
    listed = page.split('data-c360="segments">', 1)[1].split("</dd>", 1)[0]
    assert f"?segment={meters.public_id}" in listed and f"?segment={mongolian.public_id}" in listed
    assert "Georgian speakers" not in listed
    assert [page.count(f'data-channel="{ch}"') for ch in ("email", "chat", "sms", "whatsapp")] == [2, 2, 2, 2]
