"""Browser-test fixtures (a pytest plugin loaded by tests/conftest.py): a real Helpline server (uvicorn, HTTP + WebSockets) on a file SQLite database,
driven by headless Debian Chromium through Playwright."""

from __future__ import annotations

import email
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("HELPLINE_CHROMIUM", "/usr/bin/chromium")
AGENT_PASSWORD = "e2e-Password-1"  # noqa: S105 (the throwaway accounts the browser tests seed)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, data_dir: Path, port: int):
        self.data_dir = data_dir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "HELPLINE_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "helpline.settings",
            "HELPLINE_TASKS": "immediate",
            "SITE_URL": self.url,
            "LOG_LEVEL": "WARNING",
        }
        self.env.pop("DATABASE_URL", None)
        self.env.pop("REDIS_URL", None)
        self.process: subprocess.Popen[bytes] | None = None

    def helpline(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "helpline.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"helpline {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def run_python(self, code: str) -> Any:
        """Run `code` in the server's environment (after django.setup()); it must print one JSON value."""
        script = "import django; django.setup()\n" + code
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", script], env=self.env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"script failed:\n{result.stdout}\n{result.stderr}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def start(self) -> None:
        self.helpline("migrate", "--noinput", "-v", "0")
        log = open(self.data_dir / "server.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "helpline.cli", "run", "--port", str(self.port), "--no-worker"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited:\n" + (self.data_dir / "server.log").read_text())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start:\n" + (self.data_dir / "server.log").read_text())

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="module")
def live_server_process() -> Iterator[LiveServer]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium")
    with tempfile.TemporaryDirectory(prefix="helpline-e2e-") as tmp:
        server = LiveServer(Path(tmp), _free_port())
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


def sign_in(page: Any, server: LiveServer, username: str, password: str = AGENT_PASSWORD) -> Any:
    """Sign `page` in as the agent `username` through the login form; returns the page (on the inbox)."""
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/.*"))
    return page


def mailed_texts(outbox: Path, to: str) -> Iterator[str]:
    """The plain-text bodies of the mails the server wrote to its file outbox for `to`, oldest first."""
    for path in sorted(outbox.glob("*.log")):
        for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
            if not chunk.strip():
                continue
            message = email.message_from_string(chunk.strip())
            if to not in (message.get("To") or ""):
                continue
            for part in message.walk():
                if part.get_content_type() == "text/plain":
                    payload = part.get_payload(decode=True)
                    yield payload.decode(part.get_content_charset() or "utf-8")


def file_portal_request(page: Any, server: LiveServer, *, name: str, email: str, subject: str, message: str) -> Any:
    """A customer sends the portal's request form and lands on its confirmation page."""
    page.goto(f"{server.url}/portal/new/")
    page.fill("input[name=name]", name)
    page.fill("input[name=email]", email)
    page.fill("input[name=subject]", subject)
    page.fill("textarea[name=message]", message)
    page.click("form:has(textarea[name=message]) button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal/new/received/.*"))
    return page
