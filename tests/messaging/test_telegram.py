"""Telegram Bot API adapter against a local fake of the Bot API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from helpline.customers.models import Channel
from helpline.messaging.models import InboundPayload, PayloadStatus
from helpline.tickets.models import DeliveryStatus, EventKind, Message, Ticket, TicketEvent
from tests.messaging.fake_providers import TELEGRAM_TOKEN, FakeProviders
from tests.messaging.helpers import agent_reply, make_account, webhook_path

pytestmark = pytest.mark.django_db
SECRET = "tg-webhook-secret"


def update(update_id: int, message_id: int, **message: Any) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "from": {"id": 4242, "is_bot": False, "first_name": "Giorgi", "last_name": "K", "language_code": "ka"},
            "chat": {"id": 4242, "first_name": "Giorgi", "type": "private"},
            "date": 1700000000,
            **message,
        },
    }


def post(account: Any, payload: Any, secret: str | None = SECRET) -> Any:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Client().generic("POST", webhook_path(account), body, content_type="application/json", headers=headers)


@pytest.fixture
def account(providers: FakeProviders) -> Any:
    return make_account("telegram", providers.url, bot_token=TELEGRAM_TOKEN, webhook_secret=SECRET)


def test_unsigned_and_malformed_updates_are_refused_and_kept(account: Any) -> None:
    assert post(account, update(1, 1, text="hi"), secret=None).status_code == 403
    assert post(account, update(1, 1, text="hi"), secret="wrong").status_code == 403
    assert post(account, b"{not json").status_code == 400
    assert post(account, {"no": "update"}).status_code == 400
    statuses = list(InboundPayload.objects.order_by("id").values_list("status", flat=True))
    assert statuses == [PayloadStatus.REJECTED] * 2 + [PayloadStatus.MALFORMED] * 2
    assert InboundPayload.objects.filter(body__contains="{not json").exists()
    assert not Ticket.objects.exists()


def test_messages_thread_into_one_ticket_once_each_with_files(account: Any, providers: FakeProviders) -> None:
    assert post(account, update(10, 1, text="გამარჯობა, შეკვეთა არ მოსულა")).status_code == 200
    assert post(account, update(10, 1, text="გამარჯობა, შეკვეთა არ მოსულა")).status_code == 200  # retried by Telegram
    document = {"file_id": "DOC1", "file_unique_id": "u", "file_name": "invoice.pdf", "mime_type": "application/pdf"}
    assert post(account, update(11, 2, document=document, caption="the invoice")).status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.TELEGRAM
    assert ticket.requester.name == "Giorgi K" and ticket.requester.language == "ka"
    assert ticket.requester.identities.get().value == "4242"
    messages = list(ticket.messages.order_by("id"))
    assert [m.body_text for m in messages] == ["გამარჯობა, შეკვეთა არ მოსულა", "the invoice"]
    assert messages[1].attachments.get().filename == "invoice.pdf"
    assert providers.sent("getFile")[0].path.endswith("file_id=DOC1")
    assert InboundPayload.objects.filter(status=PayloadStatus.PROCESSED).count() == 3


def test_replies_go_out_with_sendmessage_and_senddocument(account: Any, providers: FakeProviders, commits: Any) -> None:
    from helpline.tickets.attachments import IncomingFile

    post(account, update(20, 5, text="Hello"))
    ticket = Ticket.objects.get()
    reply = agent_reply(
        ticket, "Your order ships today", commits, attachments=[IncomingFile("label.pdf", b"%PDF-1.4\n%x\n%%EOF\n")]
    )
    assert reply.delivery_status == DeliveryStatus.SENT
    sent = providers.sent("/sendMessage")[0]
    assert sent.json == {"chat_id": "4242", "text": "Your order ships today"}
    document = providers.sent("/sendDocument")[0]
    assert document.form["chat_id"] == "4242" and document.files["document"][0] == "label.pdf"
    assert reply.external_id.startswith("4242:")


def test_outage_is_retried_with_backoff_and_visible_then_fails_for_good(
    account: Any, providers: FakeProviders, commits: Any
) -> None:
    post(account, update(30, 7, text="Hello"))
    ticket = Ticket.objects.get()
    providers.fail_next(503, 429)
    reply = agent_reply(ticket, "after two failures", commits)
    assert reply.delivery_status == DeliveryStatus.SENT
    errors = list(
        TicketEvent.objects.filter(message=reply, kind=EventKind.DELIVERY_CHANGED).values_list("data", flat=True)
    )
    assert any("attempt 1 of 3 failed" in (d or {}).get("error", "") for d in errors)
    providers.fail_next(503, 503, 503)
    failed = agent_reply(ticket, "never arrives", commits)
    assert failed.delivery_status == DeliveryStatus.FAILED and "503" in failed.delivery_error
    providers.fail_next(400)
    refused = agent_reply(ticket, "bad request", commits)
    assert refused.delivery_status == DeliveryStatus.FAILED
    assert len([r for r in providers.sent("/sendMessage") if r.json["text"] == "bad request"]) == 1  # not retried
    assert Message.objects.filter(kind="reply").count() == 3
