"""Facebook Messenger: webhook verification (hub challenge, X-Hub-Signature-256) and the Send API;
delivery and read events become delivery statuses.

Choices offered with a message (a CSAT rating) go out as quick replies (up to 13, titles up to 20
characters); a tapped quick reply, or a postback button, comes back as `InboundMessage.choice`.

Messaging window: within 24 hours of the customer's last message a reply is a standard `RESPONSE`;
from 24 hours to 7 days a person may still answer with `messaging_type: MESSAGE_TAG` and
`tag: HUMAN_AGENT`; beyond 7 days Messenger accepts nothing until the customer writes again, so the
reply is refused here (not sent) with that reason on the message."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from helpline.customers.models import Channel, IdentityKind
from helpline.messaging.adapters.base import (
    InboundMessage,
    MediaRef,
    OutboundMessage,
    ParsedWebhook,
    SendError,
    StatusUpdate,
    client,
)
from helpline.messaging.adapters.graph import GraphWebhook, graph_base, graph_post
from helpline.messaging.models import ChannelAccount
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import DeliveryStatus

STANDARD_WINDOW = dt.timedelta(hours=24)
QUICK_REPLIES_MAX = 13
QUICK_REPLY_TITLE_MAX = 20
HUMAN_AGENT_WINDOW = dt.timedelta(days=7)


class MessengerAdapter(GraphWebhook):
    identity_kind = IdentityKind.MESSENGER
    channel = Channel.MESSENGER
    webhook_object = "page"

    def read_entry(self, entry: dict[str, Any], parsed: ParsedWebhook) -> None:
        for event in entry.get("messaging", []):
            self._event(event, parsed)

    def _event(self, event: dict[str, Any], parsed: ParsedWebhook) -> None:
        sender = str(event["sender"]["id"])
        if "message" in event:
            message = event["message"]
            if message.get("is_echo"):
                return  # our own message, echoed back
            media = tuple(
                MediaRef(ref=a["payload"]["url"], filename=a.get("type", "file"))
                for a in message.get("attachments", [])
                if (a.get("payload") or {}).get("url")
            )
            choice = str((message.get("quick_reply") or {}).get("payload") or "")
            parsed.messages.append(
                InboundMessage(
                    sender=sender,
                    external_id=message["mid"],
                    text=message.get("text", ""),
                    media=media,
                    choice=choice,
                    sticker="sticker_id" in message,
                )
            )
        elif "postback" in event:
            postback = event["postback"]
            external_id = str(postback.get("mid") or f"pb:{sender}:{event.get('timestamp', '')}")
            parsed.messages.append(
                InboundMessage(
                    sender=sender,
                    external_id=external_id,
                    text=str(postback.get("title") or ""),
                    choice=str(postback.get("payload") or ""),
                )
            )
        elif "delivery" in event:
            for mid in event["delivery"].get("mids", []):
                parsed.statuses.append(StatusUpdate(status=DeliveryStatus.DELIVERED, external_id=mid))
        elif "read" in event:
            parsed.statuses.append(
                StatusUpdate(
                    status=DeliveryStatus.DELIVERED, recipient=sender, watermark_ms=int(event["read"]["watermark"])
                )
            )

    def fetch_media(self, account: ChannelAccount, media: MediaRef) -> IncomingFile:
        with client() as http:
            response = http.get(media.ref)
            response.raise_for_status()
        name = media.ref.split("?", 1)[0].rsplit("/", 1)[-1] or media.filename
        return IncomingFile(
            filename=name[:200], content=response.content, declared_type=response.headers.get("content-type", "")
        )

    def send(self, account: ChannelAccount, message: OutboundMessage) -> str:
        url = f"{graph_base(account)}/me/messages"
        params = {"access_token": account.secret("page_access_token")}
        envelope: dict[str, Any] = {"recipient": {"id": message.to}, **messaging_type(message)}
        last = ""
        with client() as http:
            if message.text.strip():
                answer = graph_post(
                    http, url, "Send API", params=params, json={**envelope, "message": text_message(message)}
                )
                last = str(answer.get("message_id", ""))
            for attachment in message.attachments:
                kind = "image" if attachment.content_type.startswith("image/") else "file"
                with attachment.file.open("rb") as handle:
                    files = {"filedata": (attachment.filename, handle.read(), attachment.content_type)}
                form = {key: json.dumps(value) if isinstance(value, dict) else value for key, value in envelope.items()}
                form["message"] = json.dumps({"attachment": {"type": kind, "payload": {"is_reusable": False}}})
                answer = graph_post(http, url, "Send API", params=params, data=form, files=files)
                last = str(answer.get("message_id", "")) or last
        return last


def text_message(message: OutboundMessage) -> dict[str, Any]:
    """The Send API `message`: the text, with its choices as quick replies."""
    body: dict[str, Any] = {"text": message.text}
    if message.choices:
        body["quick_replies"] = [
            {"content_type": "text", "title": title[:QUICK_REPLY_TITLE_MAX], "payload": ident}
            for ident, title in message.choices[:QUICK_REPLIES_MAX]
        ]
    return body


def messaging_type(message: OutboundMessage) -> dict[str, str]:
    """How a reply may go out, from the time since the customer last wrote (see the module doc)."""
    since = message.since_customer_wrote
    if since is not None and since <= STANDARD_WINDOW:
        return {"messaging_type": "RESPONSE"}
    if since is None or since <= HUMAN_AGENT_WINDOW:  # unknown: the tag is the one that may still pass
        return {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
    raise SendError(
        f"not sent: the customer last wrote {since.days} days ago and Messenger allows replies only within "
        f"7 days of their last message (human agent tag); it can go out once they write again",
        transient=False,
    )
