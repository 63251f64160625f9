"""WhatsApp Cloud API: webhooks signed with X-Hub-Signature-256; the /messages endpoint; media
through the media endpoints; template messages outside the 24-hour customer-service window."""

from __future__ import annotations

import json
from typing import Any

import httpx

from helpline.customers.models import Channel, IdentityKind
from helpline.messaging.adapters.base import (
    InboundMessage,
    MalformedPayload,
    MediaRef,
    OutboundMessage,
    ParsedWebhook,
    SendError,
    StatusUpdate,
    client,
    hub_signature_ok,
    json_of,
)
from helpline.messaging.models import ChannelAccount
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import DeliveryStatus

DEFAULT_VERSION = "v21.0"
MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")
STATUS_MAP = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "failed": DeliveryStatus.FAILED,
}
TRANSIENT_CODES = {1, 2, 4, 80007, 130429, 131000, 131016, 131048, 131056}


def graph_error(response: httpx.Response, what: str) -> SendError:
    try:
        error = response.json().get("error") or {}
    except ValueError:
        error = {}
    code = int(error.get("code") or 0)
    transient = response.status_code == 429 or response.status_code >= 500 or code in TRANSIENT_CODES
    return SendError(
        f"{what}: HTTP {response.status_code} {code} {error.get('message', response.text[:200])}", transient=transient
    )


class WhatsAppAdapter:
    identity_kind = IdentityKind.WHATSAPP
    channel = Channel.WHATSAPP

    def verify(self, account: ChannelAccount, headers: dict[str, str], body: bytes, url: str) -> bool:
        return hub_signature_ok(account.secret("app_secret"), headers.get("x-hub-signature-256", ""), body)

    def parse(self, body: bytes, content_type: str) -> ParsedWebhook:
        try:
            payload = json.loads(body)
            if payload.get("object") != "whatsapp_business_account":
                raise MalformedPayload("not a WhatsApp Business Account notification")
            parsed = ParsedWebhook()
            for entry in payload["entry"]:
                for change in entry.get("changes", []):
                    value = change.get("value") or {}
                    names = {
                        c.get("wa_id"): (c.get("profile") or {}).get("name", "") for c in value.get("contacts", [])
                    }
                    for message in value.get("messages", []):
                        parsed.messages.append(self._message(message, names))
                    for status in value.get("statuses", []):
                        mapped = STATUS_MAP.get(status.get("status", ""))
                        if mapped:
                            errors = status.get("errors") or []
                            error = "; ".join(f"{e.get('code')} {e.get('title', '')}".strip() for e in errors)
                            parsed.statuses.append(StatusUpdate(status=mapped, external_id=status["id"], error=error))
            return parsed
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MalformedPayload(str(exc) or type(exc).__name__) from exc

    def _message(self, message: dict[str, Any], names: dict[str, str]) -> InboundMessage:
        kind = message.get("type", "")
        text = choice = ""
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
        elif kind == "location":
            loc = message["location"]
            text = f"{loc.get('name', '')} {loc.get('latitude')},{loc.get('longitude')}".strip()
        else:
            text = f"[{kind}]"
        sender = message["from"]
        return InboundMessage(
            sender="+" + sender.lstrip("+"),
            external_id=message["id"],
            text=text,
            name=names.get(sender, ""),
            media=tuple(media),
            choice=choice,
        )

    def _base(self, account: ChannelAccount) -> str:
        return f"{account.api_base_url.rstrip('/')}/{account.secret('api_version', DEFAULT_VERSION)}"

    def _auth(self, account: ChannelAccount) -> dict[str, str]:
        return {"Authorization": f"Bearer {account.secret('access_token')}"}

    def fetch_media(self, account: ChannelAccount, media: MediaRef) -> IncomingFile:
        with client() as http:
            info = http.get(f"{self._base(account)}/{media.ref}", headers=self._auth(account))
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
        endpoint = f"{self._base(account)}/{account.secret('phone_number_id')}/messages"
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
                try:
                    response = http.post(endpoint, json=payload, headers=self._auth(account))
                except httpx.HTTPError as exc:
                    raise SendError(f"messages: {exc}", transient=True) from exc
                if response.status_code >= 400:
                    raise graph_error(response, "messages")
                last = str((json_of(response).get("messages") or [{}])[0].get("id", ""))
        return last

    def _upload(self, http: httpx.Client, account: ChannelAccount, attachment: Any) -> str:
        with attachment.file.open("rb") as handle:
            files = {"file": (attachment.filename, handle.read(), attachment.content_type)}
        try:
            response = http.post(
                f"{self._base(account)}/{account.secret('phone_number_id')}/media",
                data={"messaging_product": "whatsapp", "type": attachment.content_type},
                files=files,
                headers=self._auth(account),
            )
        except httpx.HTTPError as exc:
            raise SendError(f"media upload: {exc}", transient=True) from exc
        if response.status_code >= 400:
            raise graph_error(response, "media upload")
        return str(json_of(response).get("id", ""))


def choice_list(message: OutboundMessage) -> dict[str, Any]:
    """Up to ten choices as an interactive list (reply buttons stop at three)."""
    rows = [{"id": ident, "title": title[:24]} for ident, title in message.choices[:10]]
    return {
        "type": "list",
        "body": {"text": message.text[:1024]},
        "action": {"button": (message.choices_label or "…")[:20], "sections": [{"rows": rows}]},
    }
