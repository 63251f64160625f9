"""A background thread of a task worker that repeats one step until stopped (the periodic
scheduler, the ticket-event feed reader). Each step starts with fresh database connections; a step
that raises is logged and retried after a growing pause (the database may be restarting)."""

from __future__ import annotations

import logging
import threading
from typing import Self

from django.db import close_old_connections

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 30.0


class WorkerThread:
    """Subclasses name the thread and implement `step()`: True when it did work (step again at
    once), False to wait `pause` seconds first."""

    thread_name = "helpline-worker-thread"

    def __init__(self, worker_id: str, *, pause: float):
        self.worker_id = worker_id
        self.pause = pause
        self._stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=self.thread_name, daemon=True)

    def step(self) -> bool:
        raise NotImplementedError

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the step in hand."""
        self._stopped.set()
        self.thread.join(timeout)

    def _loop(self) -> None:
        from django.db import connections

        failures = 0
        try:
            while not self._stopped.is_set():
                close_old_connections()
                try:
                    busy = self.step()
                    failures = 0
                except Exception:
                    failures += 1
                    log.exception("%s failed", self.thread_name)
                    self._stopped.wait(min(MAX_BACKOFF_SECONDS, self.pause * 2**failures))
                    continue
                if not busy:
                    self._stopped.wait(self.pause)
        finally:
            connections.close_all()
