"""Automation replies leave on the ticket's own channel (email, chat, Telegram, SMS) through the
usual outbound delivery, in the customer's language when the rule has a variant for it; "notify"
reaches agents in the workspace (stored, pushed live, counted on the bell) as well as by email."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.core import mail
from django.test import Client

from helpline.accounts.models import Role
from helpline.chat import actions as chat_actions
from helpline.chat import presence
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.tickets.models import DeliveryStatus, Message, MessageKind, Ticket
from helpline.workflow import notifications, rule_actions
from helpline.workflow.models import AgentNotification
from tests.factories import make_agent, make_customer, make_team, make_ticket
from tests.messaging.fake_providers import TELEGRAM_TOKEN, TWILIO_SID, TWILIO_TOKEN, FakeProviders
from tests.messaging.helpers import make_account, post_twilio
from tests.messaging.test_sms import inbound as sms_inbound
from tests.messaging.test_telegram import SECRET as TG_SECRET
from tests.messaging.test_telegram import post as post_telegram
from tests.messaging.test_telegram import update as tg_update

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
ENGLISH = "Thanks {{ customer.first_name }}, we have {{ ticket.reference }}."
GEORGIAN = "მადლობა {{ customer.first_name }}, თქვენი მოთხოვნა {{ ticket.reference }} მიღებულია."


@pytest.fixture
def acknowledge(db: Any) -> Any:
    return rule_actions.save_rule(
        actor=SYSTEM,
        name="Acknowledge",
        trigger="ticket_created",
        actions=[{"type": "reply", "body": ENGLISH, "variants": {"ka": GEORGIAN}}],
        active=True,
    )


def _rule_reply(ticket: Ticket) -> Message:
    reply = Message.objects.get(ticket=ticket, kind=MessageKind.REPLY)
    assert reply.channel == ticket.channel
    assert ticket.events.filter(kind="message_added", actor_label="rule:Acknowledge").exists()
    return reply


def test_reply_by_email_in_the_customers_language(acknowledge: Any, commits: Any) -> None:
    nino = make_customer(email="nino@example.com", name="Nino Beridze", language="ka")
    dawit = make_customer(email="dawit@example.com", name="Dawit Bekele", language="en")
    with commits():
        georgian = make_ticket(nino, channel="email")
    with commits():
        english = make_ticket(dawit, channel="email")
    assert _rule_reply(georgian).body_text == f"მადლობა Nino, თქვენი მოთხოვნა #{georgian.number} მიღებულია."
    assert _rule_reply(english).body_text == f"Thanks Dawit, we have #{english.number}."
    sent = {m.to[0]: m.body for m in mail.outbox}
    assert f"#{georgian.number} მიღებულია" in sent["nino@example.com"]
    assert f"Thanks Dawit, we have #{english.number}." in sent["dawit@example.com"]
    assert {_rule_reply(t).delivery_status for t in (georgian, english)} == {DeliveryStatus.SENT}


def test_reply_on_live_chat_reaches_the_open_widget(acknowledge: Any, commits: Any) -> None:
    presence.visitor_connected("v-rule", "conn-1")
    with commits():
        message, _conversation = chat_actions.post_visitor_message(visitor_id="v-rule", client_id="c1", body="Hi")
    reply = _rule_reply(message.ticket)
    assert reply.channel == "chat" and reply.delivery_status == DeliveryStatus.SENT
    assert not mail.outbox  # the widget shows it; nothing is emailed


def test_reply_on_telegram_goes_through_the_bot(acknowledge: Any, providers: FakeProviders, commits: Any) -> None:
    account = make_account("telegram", providers.url, bot_token=TELEGRAM_TOKEN, webhook_secret=TG_SECRET)
    with commits():
        assert post_telegram(account, tg_update(1, 1, text="გამარჯობა, ამანათი არ მოსულა")).status_code == 200
    ticket = Ticket.objects.get()
    reply = _rule_reply(ticket)
    sent = providers.sent("/sendMessage")[-1].json
    assert sent["chat_id"] in (4242, "4242") and sent["text"] == reply.body_text
    assert "მიღებულია" in reply.body_text  # the Telegram user's language is Georgian
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT


def test_reply_by_sms(acknowledge: Any, providers: FakeProviders, commits: Any) -> None:
    account = make_account(
        "sms", providers.url, account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN, from_number="+15005550006"
    )
    with commits():
        assert post_twilio(account, sms_inbound("SM1", "My meter is broken"), token=TWILIO_TOKEN).status_code == 200
    ticket = Ticket.objects.get()
    reply = _rule_reply(ticket)
    assert providers.sent("Messages.json")[-1].form["Body"] == reply.body_text
    assert f"#{ticket.number}" in reply.body_text
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT


@pytest.mark.parametrize(
    ("variants", "code", "words"),
    [
        ({"xx": "Hello"}, "unknown_language", "xx"),
        ({"ka": "გამარჯობა {{ customer.shoe_size }}"}, "unknown_placeholder", "customer.shoe_size"),
        ("ka: hello", "invalid_variants", ""),
    ],
)
def test_broken_language_variants_are_refused(db: Any, variants: Any, code: str, words: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        rule_actions.save_rule(
            actor=SYSTEM,
            name="R",
            trigger="ticket_created",
            actions=[{"type": "reply", "body": "Hello", "variants": variants}],
        )
    assert err.value.code == code and words in err.value.message


def test_rule_builder_keeps_reply_variants(db: Any) -> None:
    admin = make_agent(Role.ADMIN)
    client = Client()
    client.force_login(admin)
    post = {
        "name": "Greet",
        "trigger": "ticket_created",
        "action_type": ["reply", ""],
        "action_target": ["", ""],
        "action_text": ["Hello {{ customer.first_name }}", ""],
        "action_extra": ["", ""],
        "action_secret": ["", ""],
        "action_secret_encrypted": ["", ""],
        "action_variant_ka": ["გამარჯობა {{ customer.first_name }}", ""],
        "action_variant_te": ["", ""],
        "active": "on",
    }
    response = client.post("/admin/automations/new/", post)
    assert response.status_code == 302, response.content.decode()[:2000]
    from helpline.workflow.models import Rule

    saved = Rule.objects.get(name="Greet")
    assert saved.actions == [
        {
            "type": "reply",
            "body": "Hello {{ customer.first_name }}",
            "variants": {"ka": "გამარჯობა {{ customer.first_name }}"},
        }
    ]
    page = client.get(f"/admin/automations/{saved.pk}/").content.decode()
    assert 'name="action_variant_ka"' in page and "გამარჯობა {{ customer.first_name }}" in page
    refused = client.post("/admin/automations/new/", {**post, "name": "Bad", "action_variant_ka": ["{{ nope }}", ""]})
    assert refused.status_code == 422 and "nope" in refused.content.decode()


def test_notify_tells_the_team_in_the_workspace_and_by_email(commits: Any) -> None:
    team = make_team("Billing")
    nino, giorgi = make_agent(teams=[team], username="nino"), make_agent(teams=[team], username="giorgi")
    outsider = make_agent(username="other")
    rule_actions.save_rule(
        actor=SYSTEM,
        name="Tell the team",
        trigger="ticket_created",
        actions=[
            {"type": "notify", "to": "team", "subject": "New {{ ticket.reference }}", "body": "{{ ticket.subject }}"}
        ],
        active=True,
    )
    with commits():
        ticket = make_ticket(team=team, subject="Invoice twice")
    notices = AgentNotification.objects.filter(ticket=ticket)
    assert sorted(n.agent.username for n in notices) == ["giorgi", "nino"]
    assert {(n.title, n.body, n.source) for n in notices} == {
        (f"New #{ticket.number}", "Invoice twice", "Tell the team")
    }
    emailed = {to for m in mail.outbox if m.subject == f"New #{ticket.number}" for to in m.to}
    assert emailed == {nino.email, giorgi.email}
    assert not AgentNotification.objects.filter(agent=outsider).exists()

    client = Client()
    client.force_login(nino)
    page = client.get("/workflow/notifications/").content.decode()
    assert f"New #{ticket.number}" in page and "Invoice twice" in page
    assert "/workflow/notifications/count/" in client.get("/tickets/").content.decode()  # the bell loads it
    assert (
        client.get("/workflow/notifications/count/").content.decode()
        == '<span class="badge" id="notification-count">1</span>'
    )

    assert client.post("/workflow/notifications/").status_code == 302
    assert notifications.unread_count_of(nino.pk) == 0 and notifications.unread_count_of(giorgi.pk) == 1
    assert (
        client.get("/workflow/notifications/count/").content.decode()
        == '<span class="badge" id="notification-count" hidden></span>'
    )


@pytest.mark.django_db(transaction=True)
def test_notification_is_pushed_to_the_agents_open_screens() -> None:
    from tests.web.test_consumers import headers_for, next_of, open_socket

    nino = make_agent(username="nino")
    ticket = make_ticket(assignee=nino)
    headers = headers_for(nino)

    async def run() -> dict[str, Any]:
        desk = await open_socket("/ws/desk/", headers)
        page = await open_socket(f"/ws/tickets/{ticket.public_id}/", headers)
        await database_sync_to_async(notifications.notify_agents)(
            agents=[nino], title="SLA breach on the ticket", body="Look at it", ticket=ticket, source="Escalate"
        )
        pushed = await next_of(desk, "notification.new")
        on_ticket_page = await next_of(page, "notification.new")
        await desk.disconnect()
        await page.disconnect()
        assert on_ticket_page == pushed
        return pushed

    pushed = async_to_sync(run)()
    assert pushed["title"] == "SLA breach on the ticket" and pushed["unread"] == 1
    assert pushed["link"] == f"/tickets/{ticket.number}/"
