"""What every channel adapter turns provider payloads into, and the errors it raises when sending."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from django.conf import settings

from helpline.tickets.attachments import IncomingFile

if TYPE_CHECKING:
    from helpline.messaging.models import ChannelAccount
    from helpline.tickets.models import Attachment


class MalformedPayload(ValueError):
    """The body cannot be understood: answered with 400 and kept for inspection."""


class SendError(Exception):
    def __init__(self, message: str, *, transient: bool, retry_after: float | None = None):
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after


@dataclass(frozen=True)
class MediaRef:
    """Where to fetch a file the customer sent (provider file id or URL)."""

    ref: str
    filename: str = "file"
    content_type: str = ""


@dataclass(frozen=True)
class InboundMessage:
    sender: str  # the provider's address of the customer (chat id, phone number, PSID)
    external_id: str
    text: str = ""
    name: str = ""
    language: str = ""
    media: tuple[MediaRef, ...] = ()
    choice: str = ""  # the id of a button the customer pressed (Telegram callback data, WhatsApp reply id)
    sticker: bool = False  # a sticker: a picture standing for an emoji, nothing to answer
    stand_in: bool = False  # `text` is ours, naming what was sent (e.g. "[contacts]"), not the customer's words


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery receipt: `external_id` of our message, or all sent to `recipient` up to `watermark`."""

    status: str  # helpline DeliveryStatus value
    external_id: str = ""
    error: str = ""
    recipient: str = ""
    watermark_ms: int = 0


@dataclass
class ParsedWebhook:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)


@dataclass(frozen=True)
class OutboundMessage:
    to: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    language: str = ""
    inside_service_window: bool = True  # the customer wrote within the last 24 hours
    since_customer_wrote: dt.timedelta | None = None  # None: they never wrote on this channel
    media_url: str = ""  # public signed URL of the first attachment (for providers fetching media)
    choices: tuple[tuple[str, str], ...] = ()  # (id, title) buttons offered with the text, e.g. a rating
    choices_label: str = ""  # the button that opens a list of choices (WhatsApp)


class Adapter(Protocol):
    @property
    def identity_kind(self) -> str: ...

    @property
    def channel(self) -> str: ...

    def verify(self, account: ChannelAccount, headers: dict[str, str], body: bytes, url: str) -> bool: ...

    def parse(self, body: bytes, content_type: str) -> ParsedWebhook: ...

    def fetch_media(self, account: ChannelAccount, media: MediaRef) -> IncomingFile: ...

    def send(self, account: ChannelAccount, message: OutboundMessage) -> str: ...


def client() -> httpx.Client:
    timeout = float(getattr(settings, "MESSAGING_HTTP_TIMEOUT", 10))
    return httpx.Client(timeout=timeout, follow_redirects=True)


def hub_signature_ok(secret: str, header: str, body: bytes) -> bool:
    """Meta's `X-Hub-Signature-256: sha256=<hex hmac of the raw body with the app secret>`."""
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


def raise_for_response(response: httpx.Response, message: str) -> None:
    """429 and 5xx are worth retrying; other client errors are not."""
    if response.status_code < 400:
        return
    retry_after: float | None = None
    try:
        retry_after = float(response.headers.get("Retry-After", ""))
    except ValueError:
        retry_after = None
    transient = response.status_code == 429 or response.status_code >= 500
    raise SendError(
        f"{message}: HTTP {response.status_code} {response.text[:300]}", transient=transient, retry_after=retry_after
    )


def json_of(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError as exc:
        raise SendError(f"unreadable answer: {response.text[:200]}", transient=True) from exc
    return data if isinstance(data, dict) else {}
