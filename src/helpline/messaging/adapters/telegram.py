"""Telegram Bot API: webhook updates verified by the secret token header; sendMessage,
sendPhoto/sendDocument; files fetched through getFile."""

from __future__ import annotations

import hmac
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
    client,
    json_of,
)
from helpline.messaging.models import ChannelAccount
from helpline.tickets.attachments import IncomingFile

SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 (a header name)
MEDIA_KINDS = ("document", "audio", "video", "voice", "animation")


class TelegramAdapter:
    identity_kind = IdentityKind.TELEGRAM
    channel = Channel.TELEGRAM

    def verify(self, account: ChannelAccount, headers: dict[str, str], body: bytes, url: str) -> bool:
        secret = account.secret("webhook_secret")
        return bool(secret) and hmac.compare_digest(secret, headers.get(SECRET_HEADER, ""))

    def parse(self, body: bytes, content_type: str) -> ParsedWebhook:
        try:
            update = json.loads(body)
            if not isinstance(update, dict) or "update_id" not in update:
                raise MalformedPayload("not a Telegram update")
            if isinstance(update.get("callback_query"), dict):
                return ParsedWebhook(messages=[callback_choice(update["callback_query"])])
            message = update.get("message") or update.get("edited_message")
            if message is None:
                return ParsedWebhook()  # other update kinds (member changes, callbacks) are not messages
            chat_id = message["chat"]["id"]
            sender: dict[str, Any] = message.get("from") or {}
            media: list[MediaRef] = []
            sticker = message.get("sticker") if isinstance(message.get("sticker"), dict) else {}
            if message.get("photo"):
                largest = max(message["photo"], key=lambda p: p.get("file_size", 0) or p.get("width", 0))
                media.append(MediaRef(ref=largest["file_id"], filename="photo.jpg", content_type="image/jpeg"))
            for kind in MEDIA_KINDS:
                if isinstance(message.get(kind), dict):
                    item = message[kind]
                    media.append(
                        MediaRef(
                            ref=item["file_id"],
                            filename=item.get("file_name") or kind,
                            content_type=item.get("mime_type", ""),
                        )
                    )
            name = " ".join(filter(None, [sender.get("first_name"), sender.get("last_name")])) or sender.get(
                "username", ""
            )
            return ParsedWebhook(
                messages=[
                    InboundMessage(
                        sender=str(chat_id),
                        external_id=f"{chat_id}:{message['message_id']}",
                        text=message.get("text") or message.get("caption") or sticker.get("emoji", ""),
                        name=name,
                        language=sender.get("language_code", ""),
                        media=tuple(media),
                        sticker=bool(sticker),
                    )
                ]
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise MalformedPayload(str(exc) or type(exc).__name__) from exc

    def _api(self, account: ChannelAccount, method: str) -> str:
        return f"{account.api_base_url.rstrip('/')}/bot{account.secret('bot_token')}/{method}"

    def fetch_media(self, account: ChannelAccount, media: MediaRef) -> IncomingFile:
        with client() as http:
            info = http.get(self._api(account, "getFile"), params={"file_id": media.ref})
            data = info.json()
            if not data.get("ok"):
                raise SendError(f"getFile failed: {data.get('description', '')}", transient=info.status_code >= 500)
            path = data["result"]["file_path"]
            url = f"{account.api_base_url.rstrip('/')}/file/bot{account.secret('bot_token')}/{path}"
            content = http.get(url)
            content.raise_for_status()
        filename = media.filename if media.filename not in ("", "file") else path.rsplit("/", 1)[-1]
        return IncomingFile(filename=filename, content=content.content, declared_type=media.content_type)

    def send(self, account: ChannelAccount, message: OutboundMessage) -> str:
        with client() as http:
            last = ""
            if message.text.strip():
                body: dict[str, Any] = {"chat_id": message.to, "text": message.text}
                if message.choices:
                    buttons = [{"text": title, "callback_data": ident} for ident, title in message.choices]
                    body["reply_markup"] = {"inline_keyboard": [buttons]}
                last = self._call(http, account, "sendMessage", json_body=body)
            for attachment in message.attachments:
                method, field = (
                    ("sendPhoto", "photo")
                    if attachment.content_type.startswith("image/")
                    else ("sendDocument", "document")
                )
                with attachment.file.open("rb") as handle:
                    files = {field: (attachment.filename, handle.read(), attachment.content_type)}
                last = self._call(http, account, method, data={"chat_id": message.to}, files=files) or last
        return last

    def answer_button(self, account: ChannelAccount, callback_id: str, text: str) -> None:
        """Acknowledge a pressed inline button (Telegram shows `text` briefly and stops the spinner)."""
        with client() as http:
            self._call(http, account, "answerCallbackQuery", json_body={"callback_query_id": callback_id, "text": text})

    def _call(
        self,
        http: httpx.Client,
        account: ChannelAccount,
        method: str,
        *,
        json_body: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
    ) -> str:
        try:
            response = http.post(self._api(account, method), json=json_body, data=data, files=files)
        except httpx.HTTPError as exc:
            raise SendError(f"{method}: {exc}", transient=True) from exc
        body = json_of(response)
        if not body.get("ok"):
            code = int(body.get("error_code") or response.status_code)
            retry_after = (body.get("parameters") or {}).get("retry_after")
            raise SendError(
                f"{method}: {code} {body.get('description', '')}",
                transient=code == 429 or code >= 500,
                retry_after=float(retry_after) if retry_after else None,
            )
        result = body.get("result") or {}
        if not isinstance(result, dict):
            return ""  # methods answering `true` (answerCallbackQuery)
        return f"{message_chat(result, json_body, data)}:{result.get('message_id', '')}"


def callback_choice(query: dict[str, Any]) -> InboundMessage:
    """A pressed inline-keyboard button: `external_id` is `cb:<callback query id>`, kept for the answer."""
    chat_id = ((query.get("message") or {}).get("chat") or {}).get("id") or query["from"]["id"]
    return InboundMessage(
        sender=str(chat_id),
        external_id=f"cb:{query['id']}",
        language=(query.get("from") or {}).get("language_code", ""),
        choice=str(query.get("data") or ""),
    )


def message_chat(result: dict[str, Any], json_body: dict[str, Any] | None, data: dict[str, Any] | None) -> str:
    chat = (result.get("chat") or {}).get("id")
    if chat is None:
        chat = (json_body or data or {}).get("chat_id", "")
    return str(chat)
