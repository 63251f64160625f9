"""Suggested merges: a phone number on one channel matching another customer's number on another, an
email typed into the chat widget that belongs to a known customer; shown on the customer page and the
chat panel; accepting runs the existing merge."""

from __future__ import annotations

import pytest
from django.test import Client

from helpline.chat import actions as chat_actions
from helpline.chat.tokens import new_visitor_token, visitor_from_token
from helpline.core.actors import Actor
from helpline.customers import actions as customer_actions
from helpline.customers.merge_suggestions import suggestions_for
from helpline.customers.models import Customer, IdentityKind
from tests.factories import make_agent, make_customer

pytestmark = pytest.mark.django_db


def whatsapp_customer(number: str, name: str = "") -> Customer:
    customer, _new = customer_actions.resolve_customer(kind=IdentityKind.WHATSAPP, value=number, name=name)
    return customer


def test_a_whatsapp_number_matching_a_phone_number_is_suggested_both_ways() -> None:
    phone_customer, _new = customer_actions.resolve_customer(kind=IdentityKind.PHONE, value="+995 555 12-34-56")
    wa = whatsapp_customer("995555123456", "Giorgi")
    unrelated = whatsapp_customer("+995599000000")
    [suggestion] = suggestions_for(wa)
    assert suggestion.other == phone_customer and suggestion.kind == IdentityKind.PHONE
    assert "+995555123456" in suggestion.reason
    assert [s.other for s in suggestions_for(phone_customer)] == [wa]
    assert suggestions_for(unrelated) == []
    assert suggestion.ordered(wa) == (wa, phone_customer)  # the younger record goes into the older one


def test_an_email_typed_into_the_chat_that_belongs_to_someone_else_is_suggested() -> None:
    known = make_customer("lela@shop.example", name="Lela")
    visitor = visitor_from_token(new_visitor_token())
    assert visitor
    chat_actions.post_visitor_message(visitor_id=visitor, client_id="1", body="Hi")  # anonymous visitor customer
    chat_actions.identify_visitor(visitor_id=visitor, email="Lela@Shop.example")  # already Lela's: not linked
    anonymous = Customer.objects.get(identities__kind=IdentityKind.CHAT, identities__value=visitor)
    assert anonymous != known
    [suggestion] = suggestions_for(anonymous)
    assert (suggestion.other, suggestion.kind, suggestion.value) == (known, IdentityKind.EMAIL, "lela@shop.example")
    assert [s.other for s in suggestions_for(known)] == [anonymous]


def test_the_offline_form_keeps_a_foreign_email_for_a_suggestion() -> None:
    known = make_customer("dawit@shop.example")
    visitor = visitor_from_token(new_visitor_token())
    assert visitor
    ticket = chat_actions.leave_offline_message(
        visitor_id=visitor, email="dawit@shop.example", phone="+251 911 000 111", callback=True
    )
    caller = ticket.requester
    assert caller != known
    assert [s.other for s in suggestions_for(caller)] == [known]


def test_suggestions_show_on_the_customer_page_and_accepting_merges() -> None:
    older, _new = customer_actions.resolve_customer(kind=IdentityKind.PHONE, value="+976 9911 2233", name="Bat")
    younger = whatsapp_customer("+97699112233")
    supervisor = make_agent("supervisor")
    client = Client()
    client.force_login(supervisor)
    html = client.get(f"/customers/{younger.public_id}/").content.decode()
    assert 'id="merge-suggestions"' in html and f'action="/customers/{older.public_id}/merge/"' in html
    assert f'value="{younger.public_id}"' in html
    response = client.post(f"/customers/{older.public_id}/merge/", {"other": younger.public_id})
    assert response.status_code == 302
    younger.refresh_from_db()
    assert younger.merged_into == older
    assert set(older.identities.values_list("kind", flat=True)) == {IdentityKind.PHONE, IdentityKind.WHATSAPP}
    assert suggestions_for(older) == [] and suggestions_for(younger) == []
    # agents who may not merge see the suggestion without the button
    agent_client = Client()
    agent_client.force_login(make_agent())
    third, _new = customer_actions.resolve_customer(kind=IdentityKind.PHONE, value="+97688776655")
    whatsapp_customer("+97688776655")
    html = agent_client.get(f"/customers/{third.public_id}/").content.decode()
    assert (
        'id="merge-suggestions"' in html
        and "/merge/" not in html.split('id="merge-suggestions"')[1].split("</section>")[0]
    )


def test_the_chat_panel_shows_the_suggestion() -> None:
    known = make_customer("nino@shop.example", name="Nino Known")
    agent = make_agent()
    chat_actions.set_chat_status(actor=Actor.of_agent(agent), status="online")
    visitor = visitor_from_token(new_visitor_token())
    assert visitor
    message, _conversation = chat_actions.post_visitor_message(visitor_id=visitor, client_id="1", body="Hi")
    chat_actions.identify_visitor(visitor_id=visitor, email="nino@shop.example")
    client = Client()
    client.force_login(agent)
    html = client.get(f"/chat/agent/{message.ticket.number}/context/").content.decode()
    assert "Nino Known" in html and f"/customers/{known.public_id}/" in html and "#merge-suggestions" in html
