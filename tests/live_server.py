"""Browser-test fixtures (a pytest plugin loaded by tests/conftest.py): a real Helpline server (uvicorn, HTTP + WebSockets) on a file SQLite database,
driven by headless Debian Chromium through Playwright."""

from __future__ import annotations

import asyncio
import email
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
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

# LiveServer.run_python's runner: reads one JSON-encoded piece of code per line, runs it with its print()s
# captured and answers one JSON line {"ok": ..., "output": ...}.
PYTHON_RUNNER = """
import contextlib, io, json, os, sys, traceback
answer = os.fdopen(os.dup(1), "w")  # the answers' own channel: whatever else writes to stdout goes to the log
os.dup2(2, 1)
import django
django.setup()
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connections
from django.utils import translation
for line in sys.stdin:
    output, ok = io.StringIO(), True
    try:
        with contextlib.redirect_stdout(output):
            exec(compile(json.loads(line), "<run_python>", "exec"), {"__name__": "__main__"})
    except BaseException:
        ok = False
        output.write(traceback.format_exc())
    finally:
        connections.close_all()
        for cache in caches.all():
            if isinstance(cache, LocMemCache):
                cache.clear()
        translation.deactivate()
    answer.write(json.dumps({"ok": ok, "output": output.getvalue()}) + "\\n")
    answer.flush()
"""


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
        self._python: subprocess.Popen[str] | None = None
        self._python_lock = threading.Lock()

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
        """Run `code` in the server's environment (after django.setup()); it must print one JSON value.

        The code runs in a Python process kept beside the server (started with it), as if in a fresh one:
        its own globals, and afterwards the database connections closed, the local-memory caches emptied and
        the language reset. This spares a Django start-up (a second or more) per call."""
        with self._python_lock:
            if self._python is None or self._python.poll() is not None:
                self._start_python()
            assert self._python is not None and self._python.stdin and self._python.stdout
            self._python.stdin.write(json.dumps(code) + "\n")
            self._python.stdin.flush()
            line = self._python.stdout.readline()
        if not line:
            raise RuntimeError("script runner exited:\n" + (self.data_dir / "python.log").read_text())
        result = json.loads(line)
        if not result["ok"]:
            raise RuntimeError(f"script failed:\n{result['output']}")
        return json.loads(result["output"].strip().splitlines()[-1])

    def _start_python(self) -> None:
        log = open(self.data_dir / "python.log", "ab")  # noqa: SIM115
        self._python = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", PYTHON_RUNNER],
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )

    def start(self, template: Path | None = None) -> None:
        """Start the server; `template` is a data folder already migrated (see `migrated_template`), whose
        database and collected static files are copied in instead of migrating from scratch."""
        if template is None:
            self.helpline("migrate", "--noinput", "-v", "0")
        elif not (self.data_dir / "helpline.sqlite3").exists():  # a second server on the same folder shares it
            copy_database(template / "helpline.sqlite3", self.data_dir / "helpline.sqlite3")
            shutil.copytree(template / "static", self.data_dir / "static", dirs_exist_ok=True)
        self._start_python()  # its Django start-up overlaps the server's
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
        if self._python is not None:
            assert self._python.stdin is not None
            self._python.stdin.close()  # the runner ends at the end of its input
            try:
                self._python.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._python.kill()
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database (WAL included), through SQLite's backup API."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder migrated once per session (and per xdist worker), with its static files collected:
    each test server starts from a copy of it instead of running every migration again."""
    folder = tmp_path_factory.mktemp("helpline-template")
    server = LiveServer(folder, 0)
    server.helpline("migrate", "--noinput", "-v", "0")
    server.helpline("collectstatic", "--noinput", "-v", "0")
    return folder


@pytest.fixture(scope="module")
def live_server_process(migrated_template: Path) -> Iterator[LiveServer]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium")
    with tempfile.TemporaryDirectory(prefix="helpline-e2e-") as tmp:
        server = LiveServer(Path(tmp), _free_port())
        server.start(migrated_template)
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[tuple[Any, asyncio.AbstractEventLoop | None]]:
    """One headless Chromium per session (and per xdist worker), and Playwright's event loop; each module gets
    fresh contexts (see `browser`).

    Between its calls Playwright's sync API marks its loop as running in this thread, which would keep the
    tests that run after a browser module on the same xdist worker from running a loop of their own
    (asyncio.run, async_to_sync): the mark is set only while a browser module runs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        loop = asyncio._get_running_loop()
        asyncio._set_running_loop(None)
        try:
            yield instance, loop
        finally:
            asyncio._set_running_loop(loop)
            instance.close()


@pytest.fixture(scope="module")
def browser(chromium: tuple[Any, asyncio.AbstractEventLoop | None]) -> Iterator[Any]:
    """The session's Chromium; the contexts (profiles: cookies, storage, pages) a module opens are closed
    after it, so no page of one module is left talking to a server that has gone."""
    instance, loop = chromium
    asyncio._set_running_loop(loop)
    try:
        before = set(instance.contexts)
        yield instance
        for context in instance.contexts:
            if context not in before:
                context.close()
    finally:
        asyncio._set_running_loop(None)


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
