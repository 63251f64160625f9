"""SMS through a Twilio-compatible API, against a local fake of Messages.json."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from helpline.customers.models import Channel
from helpline.messaging.adapters.sms import twilio_signature
from helpline.messaging.models import PayloadStatus
from helpline.tickets.models import DeliveryStatus, Ticket
from tests.messaging.fake_providers import TWILIO_SID, TWILIO_TOKEN, FakeProviders
from tests.messaging.helpers import agent_reply, make_account, post_twilio, webhook_path

pytestmark = pytest.mark.django_db
CUSTOMER = "+97699112233"


@pytest.fixture
def account(providers: FakeProviders) -> Any:
    return make_account(
        "sms", providers.url, account_sid=TWILIO_SID, auth_token=TWILIO_TOKEN, from_number="+15005550006"
    )


def inbound(sid: str, body: str, **extra: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": TWILIO_SID,
        "From": CUSTOMER,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
        "SmsStatus": "received",
        **extra,
    }


def test_signature_follows_twilio_documented_example() -> None:
    params = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    assert (
        twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params)
        == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    )


def test_inbound_sms_signed_stored_and_threaded(account: Any, providers: FakeProviders) -> None:
    path = webhook_path(account)
    unsigned = Client().post(path, urlencode(inbound("SM1", "hi")), content_type="application/x-www-form-urlencoded")
    assert unsigned.status_code == 403
    assert post_twilio(account, inbound("SM1", "hi"), token="wrong").status_code == 403
    assert post_twilio(account, {"From": CUSTOMER}, token=TWILIO_TOKEN).status_code == 400
    response = post_twilio(account, inbound("SM1", "My meter is broken"), token=TWILIO_TOKEN)
    assert response.status_code == 200 and b"<Response>" in response.content
    assert post_twilio(account, inbound("SM1", "My meter is broken"), token=TWILIO_TOKEN).status_code == 200
    media = inbound(
        "SM2", "photo", NumMedia="1", MediaUrl0=f"{providers.url}/twilio-media/ME1", MediaContentType0="image/png"
    )
    assert post_twilio(account, media, token=TWILIO_TOKEN).status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.SMS and ticket.requester.identities.get().value == CUSTOMER
    assert [m.body_text for m in ticket.messages.order_by("id")] == ["My meter is broken", "photo"]
    assert ticket.messages.get(external_id="SM2").attachments.get().content_type == "image/png"
    assert account.payloads.filter(status=PayloadStatus.PROCESSED).count() == 3


def test_replies_sent_and_status_callbacks_recorded(account: Any, providers: FakeProviders, commits: Any) -> None:
    post_twilio(account, inbound("SM9", "Hello"), token=TWILIO_TOKEN)
    ticket = Ticket.objects.get()
    providers.fail_next(503)
    reply = agent_reply(ticket, "A technician comes tomorrow", commits)
    assert reply.delivery_status == DeliveryStatus.SENT and reply.external_id.startswith("SM")
    sent = providers.sent("/Messages.json")[-1]
    assert sent.form["To"] == CUSTOMER and sent.form["From"] == "+15005550006"
    assert sent.form["Body"] == "A technician comes tomorrow"
    assert sent.form["StatusCallback"].endswith(webhook_path(account, status=True))
    callback = {"MessageSid": reply.external_id, "MessageStatus": "delivered", "AccountSid": TWILIO_SID, "To": CUSTOMER}
    assert post_twilio(account, callback, token=TWILIO_TOKEN, status=True).status_code == 200
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.DELIVERED
    other = agent_reply(ticket, "Second", commits)
    failed = {"MessageSid": other.external_id, "MessageStatus": "undelivered", "ErrorCode": "30003", "To": CUSTOMER}
    post_twilio(account, failed, token=TWILIO_TOKEN, status=True)
    other.refresh_from_db()
    assert other.delivery_status == DeliveryStatus.FAILED and "30003" in other.delivery_error
