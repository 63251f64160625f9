"""Facebook Messenger adapter against a local fake of the Send API."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from helpline.customers.models import Channel
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import DeliveryStatus, Message, Ticket
from tests.messaging.fake_providers import MESSENGER_TOKEN, FakeProviders
from tests.messaging.helpers import APP_SECRET, VERIFY_TOKEN, agent_reply, make_account, post_meta, webhook_path

pytestmark = pytest.mark.django_db
PSID = "6254853021234567"


def page(*events: dict[str, Any]) -> dict[str, Any]:
    return {"object": "page", "entry": [{"id": "PAGE1", "time": 1700000000000, "messaging": list(events)}]}


def event(**body: Any) -> dict[str, Any]:
    return {"sender": {"id": PSID}, "recipient": {"id": "PAGE1"}, "timestamp": 1700000000000, **body}


@pytest.fixture
def account(providers: FakeProviders) -> Any:
    return make_account(
        "messenger", providers.url, page_access_token=MESSENGER_TOKEN, app_secret=APP_SECRET, verify_token=VERIFY_TOKEN
    )


def test_messenger_inbound_outbound_and_receipts(account: Any, providers: FakeProviders, commits: Any) -> None:
    path = webhook_path(account)
    assert (
        Client().get(path, {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}).content
        == b"42"
    )
    assert post_meta(account, page(event(message={"mid": "m_1", "text": "hi"})), secret="bad").status_code == 403
    assert post_meta(account, {"object": "page", "entry": [{"messaging": [{"nope": 1}]}]}).status_code == 400
    picture = {"type": "image", "payload": {"url": f"{providers.url}/cdn/photo.png?oh=1"}}
    assert (
        post_meta(
            account,
            page(
                event(message={"mid": "m_1", "text": "The box arrived broken"}),
                event(message={"mid": "m_2", "attachments": [picture]}),
                event(message={"mid": "m_3", "text": "echo", "is_echo": True}),
            ),
        ).status_code
        == 200
    )
    assert post_meta(account, page(event(message={"mid": "m_1", "text": "The box arrived broken"}))).status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.MESSENGER and ticket.requester.identities.get().value == PSID
    assert ticket.messages.count() == 2
    assert ticket.messages.get(external_id="m_2").attachments.get().filename == "photo.png"

    reply = agent_reply(
        ticket,
        "Sorry! A new one is on its way",
        commits,
        attachments=[IncomingFile("label.pdf", b"%PDF-1.4\n%x\n%%EOF\n")],
    )
    assert reply.delivery_status == DeliveryStatus.SENT
    text_call, file_call = providers.sent("/me/messages")[-2:]
    assert text_call.json == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Sorry! A new one is on its way"},
    }
    assert "access_token=" + MESSENGER_TOKEN in text_call.path
    assert file_call.files["filedata"][0] == "label.pdf" and '"type": "file"' in file_call.form["message"]
    first = agent_reply(ticket, "One more thing", commits)
    post_meta(account, page(event(delivery={"mids": [first.external_id], "watermark": 1700000000000})))
    first.refresh_from_db()
    assert first.delivery_status == DeliveryStatus.DELIVERED
    post_meta(account, page(event(read={"watermark": int(time.time() * 1000) + 1000})))
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.DELIVERED


def test_the_messaging_window_tag_after_24_hours_and_refusal_after_7_days(
    account: Any, providers: FakeProviders, commits: Any
) -> None:
    post_meta(account, page(event(message={"mid": "m_w1", "text": "Is my refund done?"})))
    ticket = Ticket.objects.get()
    inbound = Message.objects.filter(ticket=ticket, kind="inbound")

    inbound.update(created_at=timezone.now() - dt.timedelta(hours=23))
    assert agent_reply(ticket, "Checking now", commits).delivery_status == DeliveryStatus.SENT
    assert providers.sent("/me/messages")[-1].json["messaging_type"] == "RESPONSE"

    inbound.update(created_at=timezone.now() - dt.timedelta(days=3))
    late = agent_reply(ticket, "Your refund went out today", commits)
    assert late.delivery_status == DeliveryStatus.SENT
    body = providers.sent("/me/messages")[-1].json
    assert (body["messaging_type"], body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    assert body["message"] == {"text": "Your refund went out today"}

    calls = len(providers.sent("/me/messages"))
    inbound.update(created_at=timezone.now() - dt.timedelta(days=8))
    too_late = agent_reply(ticket, "Anything else?", commits)
    assert too_late.delivery_status == DeliveryStatus.FAILED
    assert "7 days" in too_late.delivery_error and "8 days ago" in too_late.delivery_error
    assert len(providers.sent("/me/messages")) == calls  # nothing was sent to Messenger


def test_send_api_errors_show_on_the_message(providers: FakeProviders, commits: Any) -> None:
    wrong = make_account(
        "messenger", providers.url, page_access_token="not-the-token", app_secret=APP_SECRET, verify_token=VERIFY_TOKEN
    )
    post_meta(wrong, page(event(message={"mid": "m_e1", "text": "hello"})))
    reply = agent_reply(Ticket.objects.get(), "Hi!", commits)
    assert reply.delivery_status == DeliveryStatus.FAILED  # code 190 is not worth retrying
    assert "Send API: HTTP 400 190 Invalid OAuth access token." in reply.delivery_error
