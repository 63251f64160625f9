"""The peer side of bench/mail_ingest.py: the same generated mails fed to django-helpdesk 2.6.1's
`get_email` (bench/peer_helpdesk/mail_ingest.py, in its own virtualenv bench/.venv-peer, built
here from PyPI when missing) on the same PostgreSQL server, in its own database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEER_VENV = ROOT / "bench" / ".venv-peer"
PEER_PACKAGES = ["django-helpdesk==2.6.1", "psycopg[binary]"]
RECORDED_RATE = 22.5  # ../shared/peer/django-helpdesk.md, only printed when the peer cannot run


def backend_cpu(pid: int) -> float:
    """CPU seconds (user+sys) a PostgreSQL backend on this machine has used."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class PeerRun:
    messages: int
    wall_s: float
    cpu_s: float
    left_unprocessed: int
    db_cpu_s: float
    tickets: int
    follow_ups: int

    @property
    def rate(self) -> float:
        return self.messages / self.wall_s

    def describe(self) -> str:
        n = self.messages
        return (
            f"{n} messages in {self.wall_s:.1f} s = {self.rate:.1f} msg/s; per message "
            f"{self.cpu_s / n * 1000:.1f} ms CPU + {self.db_cpu_s / n * 1000:.1f} ms PostgreSQL CPU; "
            f"{self.tickets} tickets, {self.follow_ups} follow-ups, {self.left_unprocessed} left unprocessed; "
            f"load average {os.getloadavg()[0]:.1f}"
        )


def peer_python() -> Path | None:
    """The peer virtualenv's interpreter, built when missing; None when it cannot be built."""
    python = PEER_VENV / "bin" / "python"
    if (
        python.exists()
        and subprocess.run([python, "-c", "import helpdesk, psycopg"], capture_output=True).returncode == 0
    ):
        return python
    print(f"building {PEER_VENV} ({', '.join(PEER_PACKAGES)}) ...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"the peer virtualenv could not be built: {exc}")
        return None
    return python


def _write_rounds(conversations: list[list[bytes]], folder: Path) -> None:
    """Round N holds the N-th mail of every conversation, so replies come after what they answer."""
    for n, thread in enumerate(conversations):
        for i, raw in enumerate(thread):
            target = folder / str(i)
            target.mkdir(exist_ok=True)
            (target / f"{n:06d}.eml").write_bytes(raw)


def run_peer(conversations: list[list[bytes]], server: str, database: str) -> PeerRun | None:
    """Time `get_email` over these mails in a fresh database `database` on `server`."""
    import psycopg

    python = peer_python()
    if python is None:
        return None
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {database}")
    try:
        with tempfile.TemporaryDirectory(prefix="peer-mails-") as folder:
            _write_rounds(conversations, Path(folder))
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            env.pop("DJANGO_SETTINGS_MODULE", None)
            done = subprocess.run(
                [python, "-m", "bench.peer_helpdesk.mail_ingest", "--database", database, "--mails", folder],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
        if done.returncode != 0:
            print(f"the peer run failed:\n{done.stderr[-3000:]}")
            return None
        return PeerRun(**json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
