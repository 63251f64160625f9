from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from helpline.webhooks.signing import verify_signature
from tests.api.conftest import admin, admin_api  # noqa: F401 (fixtures shared with the API tests)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signature_valid: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server on a free local port that checks each request's signature."""

    url: str = ""
    secrets: set[str] = field(default_factory=set)  # a request is valid if signed with any of them
    statuses: list[int] = field(default_factory=list)  # answered in order; 200 once exhausted
    delay_seconds: float = 0.0
    requests: list[Received] = field(default_factory=list)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            valid = any(
                verify_signature(
                    secret,
                    timestamp=self.headers.get("X-Helpline-Timestamp", ""),
                    body=body,
                    signature=self.headers.get("X-Helpline-Signature", ""),
                )
                for secret in receiver.secrets
            )
            receiver.requests.append(Received(dict(self.headers.items()), body, valid))
            if receiver.delay_seconds:
                time.sleep(receiver.delay_seconds)
            status = (receiver.statuses.pop(0) if receiver.statuses else 200) if valid else 401
            payload = b"nope" if status >= 300 else b"ok"
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/helpline"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
