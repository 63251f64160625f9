"""SMS through a Twilio-compatible API: form-encoded webhooks signed with X-Twilio-Signature,
Messages.json to send (media by public URL), status callbacks for delivery receipts."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl

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
    json_of,
)
from helpline.messaging.models import ChannelAccount
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import DeliveryStatus

STATUS_MAP = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
}


def twilio_signature(auth_token: str, url: str, params: list[tuple[str, str]]) -> str:
    """base64(HMAC-SHA1(auth token, URL + each POST parameter name and value, sorted by name))."""
    data = url + "".join(k + v for k, v in sorted(params, key=lambda kv: kv[0]))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


class TwilioSmsAdapter:
    identity_kind = IdentityKind.PHONE
    channel = Channel.SMS

    def verify(self, account: ChannelAccount, headers: dict[str, str], body: bytes, url: str) -> bool:
        token = account.secret("auth_token")
        given = headers.get("x-twilio-signature", "")
        if not token or not given:
            return False
        params = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        return hmac.compare_digest(twilio_signature(token, url, params), given)

    def parse(self, body: bytes, content_type: str) -> ParsedWebhook:
        try:
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body)))
        except (UnicodeDecodeError, ValueError) as exc:
            raise MalformedPayload(str(exc)) from exc
        sid = form.get("MessageSid") or form.get("SmsSid")
        if not sid:
            raise MalformedPayload("MessageSid is missing")
        status = form.get("MessageStatus", "")
        if status and "Body" not in form:
            mapped = STATUS_MAP.get(status)
            if not mapped:
                return ParsedWebhook()  # queued, accepted, sending: nothing to record yet
            error = form.get("ErrorCode", "")
            return ParsedWebhook(
                statuses=[StatusUpdate(status=mapped, external_id=sid, error=f"error {error}" if error else "")]
            )
        sender = form.get("From", "")
        if not sender:
            raise MalformedPayload("From is missing")
        try:
            count = int(form.get("NumMedia") or 0)
        except ValueError as exc:
            raise MalformedPayload("NumMedia is not a number") from exc
        media = tuple(
            MediaRef(ref=form[f"MediaUrl{i}"], filename=f"media-{i}", content_type=form.get(f"MediaContentType{i}", ""))
            for i in range(count)
            if form.get(f"MediaUrl{i}")
        )
        return ParsedWebhook(
            messages=[InboundMessage(sender=sender, external_id=sid, text=form.get("Body", ""), media=media)]
        )

    def _auth(self, account: ChannelAccount) -> tuple[str, str]:
        return (account.secret("account_sid"), account.secret("auth_token"))

    def fetch_media(self, account: ChannelAccount, media: MediaRef) -> IncomingFile:
        with client() as http:
            response = http.get(media.ref, auth=self._auth(account))
            response.raise_for_status()
        extension = (media.content_type.split("/")[-1] or "bin")[:8]
        return IncomingFile(
            filename=f"{media.filename}.{extension}", content=response.content, declared_type=media.content_type
        )

    def send(self, account: ChannelAccount, message: OutboundMessage, status_callback: str = "") -> str:
        sid = account.secret("account_sid")
        url = f"{account.api_base_url.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
        form = {"To": message.to, "From": account.secret("from_number"), "Body": message.text}
        if message.media_url:
            form["MediaUrl"] = message.media_url
        if status_callback:
            form["StatusCallback"] = status_callback
        try:
            with client() as http:
                response = http.post(url, data=form, auth=self._auth(account))
        except httpx.HTTPError as exc:
            raise SendError(f"Messages.json: {exc}", transient=True) from exc
        body = json_of(response) if response.content else {}
        if response.status_code >= 400:
            transient = response.status_code == 429 or response.status_code >= 500
            raise SendError(
                f"Messages.json: HTTP {response.status_code} {body.get('code', '')} {body.get('message', '')}".strip(),
                transient=transient,
            )
        return str(body.get("sid", ""))
