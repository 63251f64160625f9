"""Customer list and page: profile, identities, organisations, attributes, notes, timeline, merge;
organisation page; search page."""

from __future__ import annotations

import re

import pytest

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.customers import actions as customer_actions
from helpline.customers.models import Customer, CustomerIdentity, Organization
from helpline.tickets import actions
from tests.factories import make_agent, make_customer, make_ticket

pytestmark = pytest.mark.django_db


def test_customer_list_pages_by_name(agent_client):
    for i in range(35):
        make_customer(name=f"Customer {i:02d}")
    first = agent_client.get("/customers/").content.decode()
    assert "Customer 00" in first and "Customer 29" in first and "Customer 30" not in first
    cursor = re.search(r'href="\?cursor=([^"]+)"', first)
    assert cursor
    second = agent_client.get(f"/customers/?cursor={cursor.group(1)}").content.decode()
    assert "Customer 30" in second and "Customer 34" in second and "Customer 29" not in second
    assert agent_client.get("/customers/?cursor=garbage!").status_code == 200


def test_customer_search_by_email_phone_and_name(agent_client, commits):
    with commits():
        nino = customer_actions.create_customer(
            actor=Actor.system(),
            name="ნინო ბერიძე",
            identities=[("email", "nino@example.ge"), ("phone", "+995 555 123 456")],
        )
        make_customer(name="Somebody Else")
    for query in ("nino@example.ge", "555123456", "ნინო"):
        body = agent_client.get("/customers/", {"q": query}).content.decode()
        assert f"/customers/{nino.public_id}/" in body, query
        assert "Somebody Else" not in body, query


def test_timeline_shows_every_channel_and_only_this_customer(agent, agent_client):
    customer = make_customer(name="John Carter")
    email = make_ticket(customer, subject="By email", channel="email")
    chat = make_ticket(customer, subject="By chat", channel="chat")
    actions.add_message(actor=Actor.of_customer(customer), ticket=chat, kind="inbound", body_text="again")
    actions.add_internal_note(actor=Actor.of_agent(agent), ticket=chat, body_text="internal")
    stranger = make_ticket(subject="Not John's")
    page = agent_client.get(f"/customers/{customer.public_id}/").content.decode()
    timeline = page.split('id="timeline"')[1].split('id="notes"')[0]
    assert f"#{email.number}" in timeline and f"#{chat.number}" in timeline
    assert "Email" in timeline and "Live chat" in timeline
    assert "2 messages" in timeline and "1 note" in timeline and "1 message" in timeline
    assert stranger.subject not in page


def test_profile_edit_and_invalid_input_keeps_what_was_typed(agent_client):
    customer = make_customer(name="Old Name")
    url = f"/customers/{customer.public_id}/profile/"
    response = agent_client.post(url, {"name": "Bat-Erdene Dorj", "language": "mn", "time_zone": "Asia/Ulaanbaatar"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.language, customer.time_zone) == ("Bat-Erdene Dorj", "mn", "Asia/Ulaanbaatar")

    response = agent_client.post(url, {"name": "Typed Name", "time_zone": "Mars/Olympus"})
    body = response.content.decode()
    assert response.status_code == 422 and "is not a known time zone" in body and 'value="Typed Name"' in body
    customer.refresh_from_db()
    assert customer.name == "Bat-Erdene Dorj"


def test_identities_add_remove_and_errors(agent_client):
    customer = make_customer(email="one@example.com")
    make_customer(email="taken@example.com")
    base = f"/customers/{customer.public_id}"
    assert agent_client.post(f"{base}/identities/", {"kind": "phone", "value": "+1 (555) 010-9999"}).status_code == 302
    assert customer.identities.filter(kind="phone", value="+15550109999").exists()

    response = agent_client.post(f"{base}/identities/", {"kind": "email", "value": "not an email"})
    assert response.status_code == 422 and "is not a valid email address" in response.content.decode()
    assert 'value="not an email"' in response.content.decode()
    response = agent_client.post(f"{base}/identities/", {"kind": "email", "value": "taken@example.com"})
    assert response.status_code == 422 and "already belongs to a customer" in response.content.decode()

    phone = customer.identities.get(kind="phone")
    agent_client.post(f"{base}/identities/{phone.pk}/remove/")
    assert not CustomerIdentity.objects.filter(pk=phone.pk).exists()
    other = CustomerIdentity.objects.get(value="taken@example.com")
    assert agent_client.post(f"{base}/identities/{other.pk}/remove/").status_code == 404


def test_organisations_attributes_and_notes(agent, agent_client):
    customer = make_customer()
    ticket = make_ticket(customer, subject="Org ticket")
    base = f"/customers/{customer.public_id}"
    agent_client.post(f"{base}/organizations/", {"name": "Acme Ltd"})
    org = Organization.objects.get(name="Acme Ltd")
    assert list(customer.organizations.all()) == [org]
    org_page = agent_client.get(f"/organizations/{org.public_id}/").content.decode()
    assert str(customer) in org_page and f"#{ticket.number}" in org_page
    agent_client.post(f"{base}/organizations/{org.public_id}/remove/")
    assert not customer.organizations.exists()

    response = agent_client.post(
        f"{base}/attributes/", {"attr_key": ["plan", "seats", ""], "attr_value": ["pro", "12", ""]}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.custom_attributes == {"plan": "pro", "seats": "12"}
    response = agent_client.post(f"{base}/attributes/", {"attr_key": ["plan", "plan"], "attr_value": ["a", "b"]})
    assert response.status_code == 422 and "appears twice" in response.content.decode()

    assert agent_client.post(f"{base}/notes/", {"body": "Prefers calls after 5pm"}).status_code == 302
    assert "Prefers calls after 5pm" in agent_client.get(f"{base}/").content.decode()
    assert agent_client.post(f"{base}/notes/", {"body": ""}).status_code == 422


def test_light_agent_cannot_edit_customers(login):
    customer = make_customer(name="Keep Me")
    client = login(make_agent(Role.LIGHT_AGENT))
    page = client.get(f"/customers/{customer.public_id}/").content.decode()
    assert "Save profile" not in page and "Merge into this customer" not in page
    response = client.post(f"/customers/{customer.public_id}/profile/", {"name": "Changed"})
    assert response.status_code == 422 and "not allowed" in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "Keep Me"


def test_merge_customers_needs_a_supervisor(agent_client, login):
    keep = make_customer(name="Nino", email="nino@example.ge")
    duplicate = make_customer(name="", email="nino.b@example.ge")
    ticket = make_ticket(duplicate)
    assert "Merge into this customer" not in agent_client.get(f"/customers/{keep.public_id}/").content.decode()
    response = agent_client.post(f"/customers/{keep.public_id}/merge/", {"other": "nino.b@example.ge"})
    assert response.status_code == 403
    assert not Customer.objects.get(pk=duplicate.pk).merged_into_id

    supervisor = login(make_agent(Role.SUPERVISOR))
    response = supervisor.post(f"/customers/{keep.public_id}/merge/", {"other": "nobody@example.ge"})
    assert response.status_code == 422 and "No customer has this" in response.content.decode()
    response = supervisor.post(f"/customers/{keep.public_id}/merge/", {"other": "nino.b@example.ge"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.requester_id == keep.pk
    assert set(keep.identities.values_list("value", flat=True)) == {"nino@example.ge", "nino.b@example.ge"}
    # the old profile now leads to the one it was merged into
    assert supervisor.get(f"/customers/{duplicate.public_id}/").url == f"/customers/{keep.public_id}/"
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id == keep.pk


def test_search_page_finds_tickets_and_customers(agent_client, commits):
    with commits():
        customer = make_customer(name="Lakshmi Reddy", email="lakshmi@example.in")
        ticket = make_ticket(customer, subject="బిల్లు తప్పుగా ఉంది", body_text="invoice number 77 is wrong")
        make_ticket(subject="Unrelated printer")
    body = agent_client.get("/search/", {"q": "invoice"}).content.decode()
    assert f"#{ticket.number}" in body and "Unrelated printer" not in body
    body = agent_client.get("/search/", {"q": "lakshmi@example.in"}).content.decode()
    assert f"/customers/{customer.public_id}/" in body
    assert agent_client.get("/search/", {"q": f"#{ticket.number}"}).url == f"/tickets/{ticket.number}/"
    assert "Type words" in agent_client.get("/search/").content.decode()
