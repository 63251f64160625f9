"""Real local servers for mail tests: an aiosmtpd sink and a fake OAuth2 token endpoint."""

from __future__ import annotations

import base64
import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def send_json(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class SinkHandler:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.envelopes: list[Any] = []
        self.fail_next = 0
        self.reject_permanently = False
        self.auth_seen: list[str] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.reject_permanently:
            return "550 5.1.1 no such user"
        if self.fail_next > 0:
            self.fail_next -= 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    async def auth_XOAUTH2(self, server: Any, args: list[str]) -> AuthResult:
        blob = args[1] if len(args) > 1 else ""
        decoded = base64.b64decode(blob).decode()
        self.auth_seen.append(decoded)
        return AuthResult(success="auth=Bearer fresh-token" in decoded, handled=False)


class SmtpSink:
    def __init__(self, auth: bool = False) -> None:
        self.handler = SinkHandler()
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if auth:
            kwargs = {"auth_require_tls": False, "auth_required": True}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.controller.stop()


class TokenEndpoint:
    """Speaks the OAuth2 token endpoint wire format (RFC 6749 section 6)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, list[str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                if self.path.startswith("/introspect"):  # RFC 7662, asked by the IMAP server
                    active = form.get("token") == ["fresh-token"]
                    body = {"active": active, "username": "support"} if active else {"active": False}
                    send_json(self, 200, body)
                    return
                outer.requests.append(form)
                if form.get("grant_type") == ["authorization_code"]:  # RFC 6749 4.1.3
                    if form.get("code") == ["good-code"] and form.get("code_verifier"):
                        status, body = (
                            200,
                            {"access_token": "fresh-token", "expires_in": 3600, "refresh_token": "consented"},
                        )
                    else:
                        status, body = 400, {"error": "invalid_grant", "error_description": "bad authorization code"}
                elif form.get("refresh_token") == ["good-refresh"]:
                    status, body = 200, {"access_token": "fresh-token", "expires_in": 3600, "refresh_token": "rotated"}
                else:
                    status, body = 400, {"error": "invalid_grant", "error_description": "bad refresh token"}
                send_json(self, status, body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/token"
        self.introspection_url = f"http://127.0.0.1:{self.server.server_port}/introspect"

    def __enter__(self) -> TokenEndpoint:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakePostmark:
    """Speaks Postmark's send API (POST /email with the X-Postmark-Server-Token header), as
    django-anymail's Postmark backend calls it; records what was sent."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.tokens: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length))
                outer.tokens.append(self.headers.get("X-Postmark-Server-Token", ""))
                outer.sent.append(payload)
                body = {
                    "To": payload.get("To", ""),
                    "SubmittedAt": "2026-12-02T01:00:00.0000000Z",
                    "MessageID": f"pm-{len(outer.sent)}-0a1b2c3d",
                    "ErrorCode": 0,
                    "Message": "OK",
                }
                send_json(self, 200, body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def __enter__(self) -> FakePostmark:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def sink_mailbox(sink: SmtpSink, *, team_name: str = "Support") -> Any:
    """A Support mailbox (its own team) that sends through `sink` in plain SMTP, acknowledgements off."""
    from helpline.mail.models import Mailbox, Security
    from tests.factories import make_team

    return Mailbox.objects.create(
        name="Support",
        email_address="support@desk.example",
        team=make_team(team_name),
        smtp_host="127.0.0.1",
        smtp_port=sink.port,
        smtp_security=Security.PLAIN,
        send_acknowledgement=False,
    )
