"""What the WhatsApp Cloud API and the Messenger Platform share, both being Meta's Graph API: the
webhook envelope (`{"object": ..., "entry": [...]}` signed with X-Hub-Signature-256 and the app
secret), versioned endpoint URLs, and one way to call an endpoint and read its errors."""

from __future__ import annotations

import json
from typing import Any

import httpx

from helpline.messaging.adapters.base import MalformedPayload, ParsedWebhook, SendError, hub_signature_ok, json_of
from helpline.messaging.models import ChannelAccount

DEFAULT_VERSION = "v21.0"
# Graph error codes worth another try: temporary, throttled or rate-limited
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


def graph_base(account: ChannelAccount) -> str:
    return f"{account.api_base_url.rstrip('/')}/{account.secret('api_version', DEFAULT_VERSION)}"


def graph_post(http: httpx.Client, url: str, what: str, **request: Any) -> dict[str, Any]:
    """POST to a Graph endpoint; a network failure or an error answer becomes a `SendError`
    (transient or not, from the HTTP status and the Graph error code)."""
    try:
        response = http.post(url, **request)
    except httpx.HTTPError as exc:
        raise SendError(f"{what}: {exc}", transient=True) from exc
    if response.status_code >= 400:
        raise graph_error(response, what)
    return json_of(response)


class GraphWebhook:
    """Verification and the envelope of a Graph webhook; subclasses read each `entry`."""

    webhook_object = ""

    def verify(self, account: ChannelAccount, headers: dict[str, str], body: bytes, url: str) -> bool:
        return hub_signature_ok(account.secret("app_secret"), headers.get("x-hub-signature-256", ""), body)

    def parse(self, body: bytes, content_type: str) -> ParsedWebhook:
        try:
            payload = json.loads(body)
            if payload.get("object") != self.webhook_object:
                raise MalformedPayload(f"not a {self.webhook_object} notification")
            parsed = ParsedWebhook()
            for entry in payload["entry"]:
                self.read_entry(entry, parsed)
            return parsed
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MalformedPayload(str(exc) or type(exc).__name__) from exc

    def read_entry(self, entry: dict[str, Any], parsed: ParsedWebhook) -> None:
        raise NotImplementedError
