"""The processing behind `helpline smtpd`: the receiver stores each message (raw bytes and its
`received` row) before it answers 250, then puts it on one queue shared by all its SMTP sessions; a
thread drains the queue in chunks through the IMAP fetcher's chunked path
(`actions.receive_messages`: the usual messages of a chunk together, the others one by one, a
message that fails quarantined with its reason, visible to admins with a retry button).

Nothing depends on the queue surviving: what was stored and not yet processed (the process was
stopped or killed, a chunk failed because the database was away) is still `received` in the
database. The thread picks such rows up when it starts and every `SWEEP_EVERY` seconds after, and a
failed chunk is tried again after a growing pause; processing is idempotent on the row, so every
message is processed exactly once."""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from dataclasses import dataclass

from django.utils import timezone

from helpline.core import batching
from helpline.core.worker_thread import WorkerThread
from helpline.mail.ingest import _quarantine
from helpline.mail.models import Mailbox, RawMessage, RawStatus
from helpline.mail.store import read_raw

log = logging.getLogger("helpline.mail.receiver")
CHUNK = 50
LINGER = 0.05  # seconds a chunk waits for more messages once the first is there
SWEEP_EVERY = 60.0
SOURCE = "smtp"


@dataclass(frozen=True)
class Stored:
    """A message the receiver stored: its row, and its bytes when still at hand."""

    raw_id: int
    mailbox_id: int
    raw: bytes | None = None


class ProcessingQueue(WorkerThread):
    thread_name = "helpline-smtpd-processing"

    def __init__(
        self, *, chunk: int = CHUNK, linger: float = LINGER, pause: float = 0.5, sweep_every: float = SWEEP_EVERY
    ) -> None:
        super().__init__("smtpd", pause=pause)
        self.chunk, self.linger, self.sweep_every = chunk, linger, sweep_every
        self._queue: queue.Queue[Stored] = queue.Queue()
        self._held: list[Stored] = []  # taken from the queue and not yet processed: tried again after a failure
        self._lock = threading.Lock()
        self._pending = 0  # put and not yet processed
        self._next_sweep = 0.0  # at once when it starts
        self.processed = 0

    def put(self, item: Stored) -> None:
        with self._lock:
            self._pending += 1
        self._queue.put(item)

    def idle(self) -> bool:
        """Nothing queued and nothing being processed."""
        return self._pending == 0

    def stop(self, timeout: float | None = 30) -> None:
        """Process what is queued (up to `timeout` seconds), then stop; what is left is still
        stored and found by the next start."""
        deadline = time.monotonic() + (timeout or 0)
        while not self.idle() and time.monotonic() < deadline and self.thread.is_alive():
            time.sleep(0.02)
        super().stop(timeout)

    def step(self) -> bool:
        if time.monotonic() >= self._next_sweep:
            self._sweep(initial=self._next_sweep == 0.0)
            self._next_sweep = time.monotonic() + self.sweep_every
        if not self._held:
            self._held = self._take()
        if self._held:
            self._process(self._held)  # on a failure they stay held, for the next step
            with self._lock:
                self._pending -= len(self._held)
            self._held = []
        return True  # `_take` waited for work already

    def _take(self) -> list[Stored]:
        try:
            items = [self._queue.get(timeout=self.pause)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + self.linger
        while len(items) < self.chunk:
            try:
                items.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        return items

    def _sweep(self, *, initial: bool) -> None:
        """Stored by this receiver (or one before it) and never processed. Later sweeps leave the
        rows of the last minute alone: they are still on the queue."""
        rows = RawMessage.objects.filter(source=SOURCE, status=RawStatus.RECEIVED)
        if not initial:
            rows = rows.filter(received_at__lt=timezone.now() - dt.timedelta(seconds=self.sweep_every))
        found = list(rows.order_by("id").values_list("pk", "mailbox_id")[:10_000])
        if found:
            log.info("smtpd: %s stored messages not processed yet, queued again", len(found))
        for raw_id, mailbox_id in found:
            self.put(Stored(raw_id, mailbox_id))

    def _process(self, items: list[Stored]) -> None:
        from helpline.mail import actions

        rows = {
            row.pk: row
            for row in RawMessage.objects.filter(pk__in=[i.raw_id for i in items], status=RawStatus.RECEIVED)
        }
        boxes = Mailbox.objects.in_bulk({row.mailbox_id for row in rows.values()})
        by_box: dict[int, list[bytes]] = {}
        for item in items:
            row = rows.pop(item.raw_id, None)  # popped: a message twice in the chunk is processed once
            if row is None:
                continue
            try:
                raw = item.raw if item.raw is not None else read_raw(row.path)
            except OSError as exc:  # its file is gone: shown in the quarantine, never holding up the rest
                _quarantine(row, f"raw_missing: {exc}", row.attempts + 1)
                continue
            by_box.setdefault(row.mailbox_id, []).append(raw)
        for mailbox_id, raws in by_box.items():
            with batching.batch():  # as the IMAP fetcher: the chunk together, its subscribers once
                outcomes = actions.receive_messages(mailbox=boxes[mailbox_id], raws=raws, source=SOURCE)
            self.processed += len(outcomes)
            counts: dict[str, int] = {}
            for outcome in outcomes:
                counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
            log.info("smtpd: processed %s messages for mailbox %s: %s", len(outcomes), mailbox_id, counts)
