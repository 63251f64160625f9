"""WhatsApp Cloud API: webhooks signed with X-Hub-Signature-256; the /messages endpoint; media
through the media endpoints; template messages outside the 24-hour customer-service window."""

from __future__ import annotations

from typing import Any

import httpx

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
from helpline.messaging.adapters.graph import GraphWebhook, graph_base, graph_error, graph_post
from helpline.messaging.models import ChannelAccount
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import DeliveryStatus

MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")
STATUS_MAP = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "failed": DeliveryStatus.FAILED,
}


class WhatsAppAdapter(GraphWebhook):
    identity_kind = IdentityKind.WHATSAPP
    channel = Channel.WHATSAPP
    webhook_object = "whatsapp_business_account"

    def read_entry(self, entry: dict[str, Any], parsed: ParsedWebhook) -> None:
        for change in entry.get("changes", []):
            value = change.get("value") or {}
            names = {c.get("wa_id"): (c.get("profile") or {}).get("name", "") for c in value.get("contacts", [])}
            for message in value.get("messages", []):
                parsed.messages.append(self._message(message, names))
            for status in value.get("statuses", []):
                mapped = STATUS_MAP.get(status.get("status", ""))
                if mapped:
                    errors = status.get("errors") or []
                    error = "; ".join(f"{e.get('code')} {e.get('title', '')}".strip() for e in errors)
                    parsed.statuses.append(StatusUpdate(status=mapped, external_id=status["id"], error=error))

    def _message(self, message: dict[str, Any], names: dict[str, str]) -> InboundMessage:
        kind = message.get("type", "")
        text = choice = ""
        stand_in = False
        media: list[MediaRef] = []
        if kind == "text":
            text = message["text"]["body"]
        elif kind in MEDIA_TYPES:
            item = message[kind]
            text = item.get("caption", "")
            media.append(
                MediaRef(ref=item["id"], filename=item.get("filename") or kind, content_type=item.get("mime_type", ""))
            )
        elif kind == "button":
            text = message["button"].get("text", "")
        elif kind == "interactive":
            reply = message["interactive"].get("button_reply") or message["interactive"].get("list_reply") or {}
            text = reply.get("title", "")
            choice = str(reply.get("id", ""))
        elif kind == "reaction":  # an emoji on one of our messages, e.g. a thumbs-up to an answer
            text = message["reaction"].get("emoji", "")
        elif kind == "location":
            loc = message["location"]
            text = f"{loc.get('name', '')} {loc.get('latitude')},{loc.get('longitude')}".strip()
        else:
            text, stand_in = f"[{kind}]", True
        sender = message["from"]
        return InboundMessage(
            sender="+" + sender.lstrip("+"),
            external_id=message["id"],
            text=text,
            name=names.get(sender, ""),
            media=tuple(media),
            choice=choice,
            sticker=kind == "sticker",
            stand_in=stand_in,
        )

    def _auth(self, account: ChannelAccount) -> dict[str, str]:
        return {"Authorization": f"Bearer {account.secret('access_token')}"}

    def fetch_media(self, account: ChannelAccount, media: MediaRef) -> IncomingFile:
        with client() as http:
            info = http.get(f"{graph_base(account)}/{media.ref}", headers=self._auth(account))
            if info.status_code >= 400:
                raise graph_error(info, "media lookup")
            data = info.json()
            content = http.get(data["url"], headers=self._auth(account))
            content.raise_for_status()
        return IncomingFile(
            filename=media.filename, content=content.content, declared_type=data.get("mime_type") or media.content_type
        )

    def send(self, account: ChannelAccount, message: OutboundMessage) -> str:
        to = message.to.lstrip("+")
        endpoint = f"{graph_base(account)}/{account.secret('phone_number_id')}/messages"
        bodies: list[dict[str, Any]] = []
        with client() as http:
            if not message.inside_service_window:
                template = account.secret("template_name")
                if not template:
                    raise SendError("outside the 24-hour window and no template message is configured", transient=False)
                language = account.secret("template_language") or message.language or "en"
                bodies.append({"type": "template", "template": {"name": template, "language": {"code": language}}})
            else:
                if message.text.strip() and message.choices:
                    bodies.append({"type": "interactive", "interactive": choice_list(message)})
                elif message.text.strip():
                    bodies.append({"type": "text", "text": {"preview_url": False, "body": message.text}})
                for attachment in message.attachments:
                    media_id = self._upload(http, account, attachment)
                    kind = "image" if attachment.content_type in ("image/jpeg", "image/png") else "document"
                    item: dict[str, Any] = {"id": media_id}
                    if kind == "document":
                        item["filename"] = attachment.filename
                    bodies.append({"type": kind, kind: item})
            last = ""
            for body in bodies:
                payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **body}
                answer = graph_post(http, endpoint, "messages", json=payload, headers=self._auth(account))
                last = str((answer.get("messages") or [{}])[0].get("id", ""))
        return last

    def _upload(self, http: httpx.Client, account: ChannelAccount, attachment: Any) -> str:
        with attachment.file.open("rb") as handle:
            files = {"file": (attachment.filename, handle.read(), attachment.content_type)}
        answer = graph_post(
            http,
            f"{graph_base(account)}/{account.secret('phone_number_id')}/media",
            "media upload",
            data={"messaging_product": "whatsapp", "type": attachment.content_type},
            files=files,
            headers=self._auth(account),
        )
        return str(answer.get("id", ""))


def choice_list(message: OutboundMessage) -> dict[str, Any]:
    """Up to ten choices as an interactive list (reply buttons stop at three)."""
    rows = [{"id": ident, "title": title[:24]} for ident, title in message.choices[:10]]
    return {
        "type": "list",
        "body": {"text": message.text[:1024]},
        "action": {"button": (message.choices_label or "…")[:20], "sections": [{"rows": rows}]},
    }
