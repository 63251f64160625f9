"""Local stand-ins for the Telegram Bot API, WhatsApp Cloud API, a Twilio-compatible SMS API and
the Messenger Send API, speaking their documented wire formats (paths, authentication, request
bodies, success and error answers), so the adapters run against them unchanged."""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

TELEGRAM_TOKEN = "123456:TEST-bot-token"
WHATSAPP_TOKEN = "EAAG-wa-access-token"
WHATSAPP_PHONE_ID = "109876543210"
TWILIO_SID = "AC0123456789abcdef0123456789abcdef"
TWILIO_TOKEN = "twilio-auth-token"
MESSENGER_TOKEN = "EAAG-page-token"
FILE_BYTES = b"%PDF-1.4\n%fake pdf for tests\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _valid_quick_replies(quick: Any) -> bool:
    """Messenger's rules: a list of at most 13; text ones need a title (at most 20 characters) and a
    payload (at most 1000)."""
    if not isinstance(quick, list) or not 1 <= len(quick) <= 13:
        return False
    for reply in quick:
        if reply.get("content_type") not in ("text", "user_phone_number", "user_email"):
            return False
        if reply["content_type"] == "text":
            title, payload = reply.get("title"), reply.get("payload")
            if not title or len(title) > 20 or not payload or len(str(payload)) > 1000:
                return False
    return True


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    form: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if filename:
            files[str(name)] = (filename, payload)
        else:
            form[str(name)] = payload.decode()
    return form, files


class FakeProviders:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.failures: list[int] = []  # statuses for the next API calls
        self.counter = 1000
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeProviders:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, *statuses: int) -> None:
        self.failures.extend(statuses)

    def sent(self, marker: str) -> list[Recorded]:
        return [r for r in self.requests if marker in r.path]

    def next_id(self) -> int:
        self.counter += 1
        return self.counter

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _answer(self, status: int, body: Any, content_type: str = "application/json") -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self) -> Recorded:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                content_type = self.headers.get("Content-Type", "")
                record = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
                if content_type.startswith("application/json"):
                    record.json = json.loads(raw)
                elif content_type.startswith("application/x-www-form-urlencoded"):
                    record.form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                elif content_type.startswith("multipart/form-data"):
                    record.form, record.files = _multipart(content_type, raw)
                fake.requests.append(record)
                return record

            def do_GET(self) -> None:  # noqa: N802
                record = self._record()
                self._route(record)

            def do_POST(self) -> None:  # noqa: N802
                record = self._record()
                if fake.failures:
                    status = fake.failures.pop(0)
                    self._fail(record, status)
                    return
                self._route(record)

            def _fail(self, record: Recorded, status: int) -> None:
                path = urlparse(record.path).path
                if path.startswith("/bot"):
                    body: Any = {
                        "ok": False,
                        "error_code": status,
                        "description": "Too Many Requests: retry after 1" if status == 429 else "Internal Server Error",
                    }
                    if status == 429:
                        body["parameters"] = {"retry_after": 0}
                elif path.startswith("/2010-04-01"):
                    body = {"code": 20500, "message": "Internal Server Error", "status": status}
                else:
                    body = {
                        "error": {
                            "message": "(#2) Service temporarily unavailable",
                            "type": "OAuthException",
                            "code": 2,
                            "fbtrace_id": "AbC",
                        }
                    }
                self._answer(status, body)

            def _route(self, record: Recorded) -> None:
                url = urlparse(record.path)
                path, query = url.path, parse_qs(url.query)
                # -- Telegram Bot API
                if match := re.fullmatch(r"/bot([^/]+)/(\w+)", path):
                    if match.group(1) != TELEGRAM_TOKEN:
                        return self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    method = match.group(2)
                    if method == "getFile":
                        file_id = query["file_id"][0]
                        return self._answer(
                            200,
                            {
                                "ok": True,
                                "result": {
                                    "file_id": file_id,
                                    "file_unique_id": "u1",
                                    "file_size": 64,
                                    "file_path": f"documents/{file_id}.pdf",
                                },
                            },
                        )
                    params = record.json or record.form
                    if method == "sendMessage" and not (params or {}).get("text"):
                        return self._answer(
                            400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
                        )
                    if method == "answerCallbackQuery":
                        return self._answer(200, {"ok": True, "result": True})
                    if method in ("sendMessage", "sendPhoto", "sendDocument"):
                        chat = int(params["chat_id"])
                        return self._answer(
                            200,
                            {
                                "ok": True,
                                "result": {
                                    "message_id": fake.next_id(),
                                    "date": 1700000000,
                                    "chat": {"id": chat, "type": "private"},
                                },
                            },
                        )
                    return self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                if path.startswith(f"/file/bot{TELEGRAM_TOKEN}/"):
                    return self._answer(200, FILE_BYTES, "application/octet-stream")
                # -- WhatsApp Cloud API / Messenger Send API (Graph API)
                if match := re.fullmatch(r"/v[\d.]+/me/messages", path):
                    if query.get("access_token", [""])[0] != MESSENGER_TOKEN:
                        return self._answer(
                            400,
                            {
                                "error": {
                                    "message": "Invalid OAuth access token.",
                                    "type": "OAuthException",
                                    "code": 190,
                                }
                            },
                        )
                    recipient = (record.json or {}).get("recipient") or json.loads(record.form.get("recipient", "{}"))
                    quick = ((record.json or {}).get("message") or {}).get("quick_replies")
                    if quick is not None and not _valid_quick_replies(quick):
                        return self._answer(
                            400,
                            {
                                "error": {
                                    "message": "(#100) Invalid quick_replies",
                                    "type": "OAuthException",
                                    "code": 100,
                                }
                            },
                        )
                    return self._answer(200, {"recipient_id": recipient["id"], "message_id": f"m_out{fake.next_id()}"})
                bearer = record.headers.get("authorization", "")
                if match := re.fullmatch(r"/v[\d.]+/(\w+)/(messages|media)", path):
                    if bearer != f"Bearer {WHATSAPP_TOKEN}" or match.group(1) != WHATSAPP_PHONE_ID:
                        return self._answer(
                            401,
                            {
                                "error": {
                                    "message": "Invalid OAuth access token.",
                                    "type": "OAuthException",
                                    "code": 190,
                                }
                            },
                        )
                    if match.group(2) == "media":
                        return self._answer(200, {"id": f"media{fake.next_id()}"})
                    body = record.json or {}
                    if body.get("messaging_product") != "whatsapp" or not body.get("to") or not body.get("type"):
                        return self._answer(
                            400,
                            {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}},
                        )
                    return self._answer(
                        200,
                        {
                            "messaging_product": "whatsapp",
                            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                            "messages": [{"id": f"wamid.{fake.next_id()}"}],
                        },
                    )
                if match := re.fullmatch(r"/v[\d.]+/(media\w+)", path):
                    return self._answer(
                        200,
                        {
                            "messaging_product": "whatsapp",
                            "url": f"{fake.url}/wa-media/{match.group(1)}",
                            "mime_type": "application/pdf",
                            "sha256": "x",
                            "file_size": 64,
                            "id": match.group(1),
                        },
                    )
                if path.startswith("/wa-media/"):
                    if bearer != f"Bearer {WHATSAPP_TOKEN}":
                        return self._answer(401, {"error": {"message": "unauthorized", "code": 190}})
                    return self._answer(200, FILE_BYTES, "application/pdf")
                if path.startswith("/cdn/"):
                    return self._answer(200, PNG_BYTES, "image/png")
                # -- Twilio
                if match := re.fullmatch(r"/2010-04-01/Accounts/(\w+)/Messages\.json", path):
                    expected = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
                    if bearer != expected or match.group(1) != TWILIO_SID:
                        return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                    if not record.form.get("To") or not record.form.get("From"):
                        return self._answer(
                            400, {"code": 21604, "message": "A 'To' phone number is required.", "status": 400}
                        )
                    sid = f"SM{fake.next_id():032d}"
                    return self._answer(
                        201,
                        {
                            "sid": sid,
                            "status": "queued",
                            "to": record.form["To"],
                            "from": record.form["From"],
                            "body": record.form.get("Body", ""),
                        },
                    )
                if path.startswith("/twilio-media/"):
                    return self._answer(200, PNG_BYTES, "image/png")
                return self._answer(404, {"error": "not found"})

        return Handler
