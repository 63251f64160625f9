"""The test database as a separate process (a real worker, `helpline smtpd`) reaches it: the
PostgreSQL test database itself, or on SQLite a file copy of the in-memory test database
(sqlite3's backup API) that is copied back for the checks."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

from helpline.mail.models import RawMessage


class SharedDatabase:
    """The test database as another process reaches it."""

    def __init__(self, tmp: Path) -> None:
        self.sqlite = connection.vendor == "sqlite"
        self.file = tmp / "worker.sqlite3"
        # the same data directory (and so the same secret key for the encrypted mailbox password)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "HELPLINE_DATA_DIR": str(settings.DATA_DIR),
        }
        self.env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
        if self.sqlite:
            connection.ensure_connection()
            with sqlite3.connect(self.file) as target:
                connection.connection.backup(target)
            self.env["DATABASE_URL"] = f"sqlite:///{self.file}"
        else:
            s = connection.settings_dict
            self.env["DATABASE_URL"] = (
                f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
            )

    def stored(self) -> int:
        if not self.sqlite:
            return RawMessage.objects.count()
        try:
            with sqlite3.connect(self.file, timeout=0.2) as db:
                return int(db.execute("SELECT count(*) FROM mail_rawmessage").fetchone()[0])
        except sqlite3.OperationalError:  # the worker holds the write lock just now
            return 0

    def bring_back(self) -> None:
        """Make what the worker wrote visible to this process's connection."""
        if self.sqlite:
            with sqlite3.connect(self.file) as source:
                source.backup(connection.connection)

    def command(self, *args: str) -> list[str]:
        """`helpline ARGS…` as the installed entry point runs it."""
        return [sys.executable, "-m", "helpline.cli", *args]
