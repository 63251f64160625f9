"""A mailbox's other addresses (aliases, group or old addresses forwarded to it): set on its settings
page, their mail routed to it, never copied on replies, mail from them taken for our own."""

from __future__ import annotations

import pytest
from django.test import Client

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.mail import actions
from helpline.mail.models import Mailbox, MailboxAlias, Participant, RawMessage
from helpline.mail.participant_actions import add_participant
from helpline.mail.selectors import mailbox_for_address
from helpline.tickets.models import Ticket
from tests.factories import PASSWORD, make_agent
from tests.mail.mails import raw_mail

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Support",
    "email_address": "support@desk.example",
    "active": "on",
    "imap_port": 993,
    "imap_security": "ssl",
    "imap_folder": "INBOX",
    "processed_action": "flag",
    "poll_interval": 60,
    "auth_method": "password",
    "smtp_port": 587,
    "smtp_security": "starttls",
    "closed_ticket_policy": "reopen",
    "max_message_bytes": 1000000,
    "sender_rate_limit": 30,
}


def _admin() -> Client:
    client = Client()
    assert client.login(username=make_agent("admin").username, password=PASSWORD)
    return client


def test_other_addresses_are_set_shown_changed_and_checked_on_the_settings_page() -> None:
    client = _admin()
    response = client.post(
        "/admin/mailboxes/new/", {**FORM, "aliases": "Help@Desk.example\nold-support+x@desk.example, help@desk.example"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    box = Mailbox.objects.get()
    assert sorted(box.aliases.values_list("address", flat=True)) == ["help@desk.example", "old-support@desk.example"]
    assert "help@desk.example" in client.get("/admin/mailboxes/").content.decode()
    page = client.get(f"/admin/mailboxes/{box.pk}/").content.decode()
    assert "help@desk.example\nold-support@desk.example</textarea>" in page

    response = client.post(f"/admin/mailboxes/{box.pk}/", {**FORM, "aliases": "help@desk.example"})
    assert response.status_code == 302
    assert list(box.aliases.values_list("address", flat=True)) == ["help@desk.example"]

    other = {**FORM, "name": "Sales", "email_address": "sales@desk.example"}
    clash = client.post("/admin/mailboxes/new/", {**other, "aliases": "help@desk.example"})
    assert clash.status_code == 422 and "Another mailbox uses help@desk.example." in clash.content.decode()
    clash = client.post("/admin/mailboxes/new/", {**other, "email_address": "help@desk.example"})
    assert clash.status_code == 422
    bad = client.post("/admin/mailboxes/new/", {**other, "aliases": "not an address"})
    assert bad.status_code == 422 and "is not an email address" in bad.content.decode()
    assert Mailbox.objects.count() == 1 and MailboxAlias.objects.count() == 1


def _admin_actor() -> Actor:
    return Actor.of_agent(make_agent("admin"))


def _box_with_alias() -> Mailbox:
    return actions.save_mailbox(
        actor=_admin_actor(),
        name="Support",
        email_address="support@desk.example",
        aliases=["help@desk.example"],
    )


def test_mail_to_an_other_address_reaches_its_mailbox() -> None:
    box = _box_with_alias()
    assert mailbox_for_address("help@desk.example") == box
    assert mailbox_for_address("Help+1042@Desk.example") == box  # a plus address is its mailbox's
    assert mailbox_for_address("nobody@desk.example") is None
    Mailbox.objects.filter(pk=box.pk).update(active=False)
    assert mailbox_for_address("help@desk.example") is None


def test_other_addresses_are_never_copied_and_mail_from_them_is_our_own() -> None:
    box = _box_with_alias()
    first = raw_mail(
        "Our printer is broken.",
        to="help@desk.example",
        headers={"Cc": "Bob <bob@example.com>, Help desk <HELP@desk.example>"},
    )
    ticket = Ticket.objects.get(number=actions.receive_message(mailbox=box, raw=first).ticket)
    assert list(Participant.objects.filter(ticket=ticket).values_list("email", flat=True)) == ["bob@example.com"]
    with pytest.raises(InvalidInputError) as refused:
        add_participant(actor=Actor.of_agent(make_agent()), ticket=ticket, address="help@desk.example")
    assert refused.value.code == "cc_own"

    looped = actions.receive_message(mailbox=box, raw=raw_mail("Auto forward", sender="help@desk.example"))
    assert looped.outcome == "ignored" and RawMessage.objects.filter(outcome="loop").count() == 1


def test_unchanged_other_addresses_stay_when_a_caller_does_not_name_them() -> None:
    box = _box_with_alias()
    admin = _admin_actor()
    actions.save_mailbox(actor=admin, mailbox=box, name="Support desk")
    assert list(box.aliases.values_list("address", flat=True)) == ["help@desk.example"]
    actions.save_mailbox(actor=admin, mailbox=box, aliases=[])
    assert not box.aliases.exists()
