"""WhatsApp Cloud API adapter against a local fake of the Graph API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from helpline.core.actors import Actor
from helpline.customers import actions as customer_actions
from helpline.customers.models import Channel
from helpline.messaging.models import InboundPayload, PayloadStatus
from helpline.tickets.models import DeliveryStatus, Message, Ticket
from tests.messaging.fake_providers import WHATSAPP_PHONE_ID, WHATSAPP_TOKEN, FakeProviders
from tests.messaging.helpers import VERIFY_TOKEN, agent_reply, post_meta, webhook_path, whatsapp_account

pytestmark = pytest.mark.django_db
WA_ID = "995599123456"


def notification(*, messages: list[dict[str, Any]] = (), statuses: list[dict[str, Any]] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": WHATSAPP_PHONE_ID},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": "Nino Beridze"}, "wa_id": WA_ID}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA1", "changes": [{"value": value, "field": "messages"}]}],
    }


def text(mid: str, body: str) -> dict[str, Any]:
    return {"from": WA_ID, "id": mid, "timestamp": "1700000000", "type": "text", "text": {"body": body}}


def status(mid: str, state: str, **extra: Any) -> dict[str, Any]:
    return {"id": mid, "status": state, "timestamp": "1700000100", "recipient_id": WA_ID, **extra}


@pytest.fixture
def account(providers: FakeProviders) -> Any:
    return whatsapp_account(providers.url)


def test_subscription_handshake(account: Any) -> None:
    path = webhook_path(account)
    ok = Client().get(path, {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.content == b"1158201444"
    assert (
        Client().get(path, {"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "1"}).status_code == 403
    )


def test_signature_checked_and_messages_threaded_once_with_identities_linked(
    account: Any, providers: FakeProviders
) -> None:
    phone_customer = customer_actions.create_customer(
        actor=Actor.system(), name="Nino", identities=[("phone", "+995 599 12 34 56")]
    )
    assert post_meta(account, notification(messages=[text("wamid.A", "hi")]), secret="wrong").status_code == 403
    assert post_meta(account, {"object": "whatsapp_business_account", "entry": "nope"}).status_code == 400
    assert post_meta(account, notification(messages=[text("wamid.A", "Where is my parcel?")])).status_code == 200
    assert post_meta(account, notification(messages=[text("wamid.A", "Where is my parcel?")])).status_code == 200
    document = {
        "from": WA_ID,
        "id": "wamid.B",
        "timestamp": "1700000001",
        "type": "document",
        "document": {"id": "media77", "mime_type": "application/pdf", "filename": "receipt.pdf", "caption": "receipt"},
    }
    assert post_meta(account, notification(messages=[document])).status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.WHATSAPP
    assert ticket.requester == phone_customer  # the WhatsApp number is the phone the customer already had
    assert set(phone_customer.identities.values_list("kind", "value")) == {
        ("phone", "+995599123456"),
        ("whatsapp", "+995599123456"),
    }
    assert [m.body_text for m in ticket.messages.order_by("id")] == ["Where is my parcel?", "receipt"]
    assert ticket.messages.get(external_id="wamid.B").attachments.get().filename == "receipt.pdf"
    assert list(InboundPayload.objects.order_by("id").values_list("status", flat=True)) == [
        PayloadStatus.REJECTED,
        PayloadStatus.MALFORMED,
        PayloadStatus.PROCESSED,
        PayloadStatus.PROCESSED,
        PayloadStatus.PROCESSED,
    ]


def test_replies_and_statuses_inside_and_outside_the_24_hour_window(
    account: Any, providers: FakeProviders, commits: Any
) -> None:
    post_meta(account, notification(messages=[text("wamid.C", "Hello")]))
    ticket = Ticket.objects.get()
    reply = agent_reply(ticket, "Hello Nino", commits)
    assert reply.delivery_status == DeliveryStatus.SENT and reply.external_id.startswith("wamid.")
    sent = providers.sent(f"/{WHATSAPP_PHONE_ID}/messages")[-1]
    assert sent.headers["authorization"] == f"Bearer {WHATSAPP_TOKEN}"
    assert sent.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {"preview_url": False, "body": "Hello Nino"},
    }
    post_meta(account, notification(statuses=[status(reply.external_id, "delivered")]))
    post_meta(account, notification(statuses=[status(reply.external_id, "sent")]))  # late: never steps back
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.DELIVERED

    Message.objects.filter(ticket=ticket, kind="inbound").update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    late = agent_reply(ticket, "Are you still there?", commits)
    assert late.delivery_status == DeliveryStatus.FAILED and "template" in late.delivery_error
    from helpline.messaging import actions as messaging_actions
    from tests.factories import make_agent

    messaging_actions.save_channel_account(
        actor=Actor.of_agent(make_agent("admin")),
        account=account,
        name=account.name,
        api_base_url=account.api_base_url,
        credentials={"template_name": "follow_up", "template_language": "ka"},
    )
    templated = agent_reply(ticket, "Are you still there?", commits)
    assert templated.delivery_status == DeliveryStatus.SENT
    body = providers.sent(f"/{WHATSAPP_PHONE_ID}/messages")[-1].json
    assert body["type"] == "template" and body["template"] == {"name": "follow_up", "language": {"code": "ka"}}
    post_meta(
        account,
        notification(
            statuses=[
                status(templated.external_id, "failed", errors=[{"code": 131026, "title": "Message undeliverable"}])
            ]
        ),
    )
    templated.refresh_from_db()
    assert templated.delivery_status == DeliveryStatus.FAILED and "131026" in templated.delivery_error
