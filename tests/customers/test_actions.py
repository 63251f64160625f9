from __future__ import annotations

import pytest

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.core.errors import ConflictError, InvalidInputError, NotPermittedError
from helpline.customers import actions
from helpline.customers.models import Customer, CustomerIdentity
from helpline.tickets.models import EventKind, Ticket
from tests.factories import make_agent, make_customer, make_ticket

pytestmark = pytest.mark.django_db


def test_identities_are_normalised_and_unique():
    customer = make_customer(email="Tamar@Example.COM")
    assert customer.email == "tamar@example.com"
    agent = Actor.of_agent(make_agent())
    phone = actions.add_identity(actor=agent, customer=customer, kind="phone", value="+995 (555) 12-34-56")
    assert phone.value == "+995555123456"
    with pytest.raises(ConflictError):
        make_customer(email="tamar@example.com")
    with pytest.raises(InvalidInputError):
        actions.add_identity(actor=agent, customer=customer, kind="email", value="not an email")


def test_resolve_customer_creates_once_and_follows_merges():
    first, created = actions.resolve_customer(kind="email", value="abebe@example.et", name="አበበ")
    again, created_again = actions.resolve_customer(kind="email", value="ABEBE@example.et")
    assert created and not created_again and first.pk == again.pk and first.name == "አበበ"
    target = make_customer()
    actions.merge_customers(actor=Actor.of_agent(make_agent(Role.SUPERVISOR)), source=first, target=target)
    resolved, _ = actions.resolve_customer(kind="email", value="abebe@example.et")
    assert resolved.pk == target.pk


def test_merge_keeps_every_ticket_and_identity():
    supervisor = Actor.of_agent(make_agent(Role.SUPERVISOR))
    source = make_customer(email="bat@example.mn", name="Бат", language="mn")
    target = make_customer(email="bat.work@example.mn", name="Bat (work)")
    t1 = make_ticket(source)
    t2 = make_ticket(source)
    make_ticket(target)
    actions.merge_customers(actor=supervisor, source=source, target=target)
    target.refresh_from_db()
    source.refresh_from_db()
    assert source.merged_into_id == target.pk
    assert set(Ticket.objects.filter(requester=target).values_list("pk", flat=True)) >= {t1.pk, t2.pk}
    assert Ticket.objects.filter(requester=target).count() == 3
    assert set(CustomerIdentity.objects.filter(customer=target).values_list("value", flat=True)) == {
        "bat@example.mn",
        "bat.work@example.mn",
    }
    assert target.name == "Bat (work)" and target.language == "mn"
    assert t1.events.filter(kind=EventKind.REQUESTER_CHANGED).exists()
    assert t1.messages.get().author_customer_id == target.pk


def test_merge_needs_supervisor_and_light_agents_cannot_edit():
    source, target = make_customer(), make_customer()
    with pytest.raises(NotPermittedError):
        actions.merge_customers(actor=Actor.of_agent(make_agent(Role.AGENT)), source=source, target=target)
    with pytest.raises(NotPermittedError):
        actions.update_customer(actor=Actor.of_agent(make_agent(Role.LIGHT_AGENT)), customer=source, name="x")
    assert Customer.objects.get(pk=source.pk).merged_into_id is None


def test_organisation_is_attached_by_email_domain():
    agent = Actor.of_agent(make_agent())
    org = actions.create_organization(actor=agent, name="Tbilisi Post", domain="post.ge")
    customer = make_customer(email="giorgi@post.ge")
    assert list(customer.organizations.all()) == [org]
    ticket = make_ticket(customer)
    assert ticket.organization_id == org.pk


def test_profile_values_are_checked():
    agent = Actor.of_agent(make_agent())
    with pytest.raises(InvalidInputError):
        actions.create_customer(actor=agent, name="x", language="klingon")
    customer = make_customer()
    with pytest.raises(InvalidInputError):
        actions.update_customer(actor=agent, customer=customer, time_zone="Mars/Base")
    with pytest.raises(InvalidInputError):
        actions.update_customer(actor=agent, customer=customer, preferred_channel="pigeon")
    actions.update_customer(actor=agent, customer=customer, language="am", time_zone="Africa/Addis_Ababa")
    resolved, _ = actions.resolve_customer(kind="email", value="new@example.com", language="xx")
    assert resolved.language == ""
