"""Facebook Messenger: webhook verification (hub challenge, X-Hub-Signature-256) and the Send API;
delivery and read events become delivery statuses."""

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
from helpline.messaging.adapters.whatsapp import DEFAULT_VERSION, graph_error
from helpline.messaging.models import ChannelAccount
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import DeliveryStatus


class MessengerAdapter:
    identity_kind = IdentityKind.MESSENGER
    channel = Channel.MESSENGER

    def verify(self, account: ChannelAccount, headers: dict[str, str], body: bytes, url: str) -> bool:
        return hub_signature_ok(account.secret("app_secret"), headers.get("x-hub-signature-256", ""), body)

    def parse(self, body: bytes, content_type: str) -> ParsedWebhook:
        try:
            payload = json.loads(body)
            if payload.get("object") != "page":
                raise MalformedPayload("not a page notification")
            parsed = ParsedWebhook()
            for entry in payload["entry"]:
                for event in entry.get("messaging", []):
                    self._event(event, parsed)
            return parsed
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MalformedPayload(str(exc) or type(exc).__name__) from exc

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
            parsed.messages.append(
                InboundMessage(sender=sender, external_id=message["mid"], text=message.get("text", ""), media=media)
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
        url = f"{account.api_base_url.rstrip('/')}/{account.secret('api_version', DEFAULT_VERSION)}/me/messages"
        params = {"access_token": account.secret("page_access_token")}
        envelope: dict[str, Any] = {"recipient": {"id": message.to}}
        if message.inside_service_window:
            envelope["messaging_type"] = "RESPONSE"
        else:  # after 24 hours a human agent may still answer for 7 days with this tag
            envelope.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
        last = ""
        with client() as http:
            try:
                if message.text.strip():
                    response = http.post(url, params=params, json={**envelope, "message": {"text": message.text}})
                    last = self._result(response)
                for attachment in message.attachments:
                    kind = "image" if attachment.content_type.startswith("image/") else "file"
                    with attachment.file.open("rb") as handle:
                        files = {"filedata": (attachment.filename, handle.read(), attachment.content_type)}
                    form = {
                        key: json.dumps(value) if isinstance(value, dict) else value for key, value in envelope.items()
                    }
                    form["message"] = json.dumps({"attachment": {"type": kind, "payload": {"is_reusable": False}}})
                    last = self._result(http.post(url, params=params, data=form, files=files)) or last
            except httpx.HTTPError as exc:
                raise SendError(f"Send API: {exc}", transient=True) from exc
        return last

    def _result(self, response: httpx.Response) -> str:
        if response.status_code >= 400:
            raise graph_error(response, "Send API")
        return str(json_of(response).get("message_id", ""))
