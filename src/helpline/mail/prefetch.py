"""Fetched chunks received as a pipeline: while one chunk's messages go through the database (its
rows, its transaction, its commit), the next chunk's bytes are already being stored durably and
parsed in a second thread, and their bodies readied (quotes folded, remote images blocked,
attachments checked, language detected: `chunk.ready`), by the worker's parse process when it has
one (`parse_process`: the thread then only waits for it). Storing waits on the disk and readying is
pure Python, so both overlap with the waits on PostgreSQL; the chunks are still received one after
the other, in order, each in its own `core.batching` batch, exactly as `actions.receive_messages`
receives one.

The chunks are pulled from the caller's iterable in the calling thread (an IMAP connection is used
by one thread only), one chunk ahead of the one being received. Nothing reaches the database from
the second thread: a crash between storing a chunk and recording its rows leaves files without rows,
and the same messages are fetched and stored again (content-addressed: the same files)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from helpline.core import batching
from helpline.mail import parse_process
from helpline.mail.chunk import Readied, Unparsable
from helpline.mail.ingest import Outcome
from helpline.mail.models import Mailbox
from helpline.mail.parsing import quick_message_id
from helpline.mail.store import store_raws

K = TypeVar("K")


@dataclass
class Prepared:
    """A chunk's messages stored durably, with their Message-IDs and parsed and readied forms (None:
    too large or not parsable; the one-by-one path quarantines it with the reason; `Unparsable`:
    the parse process hung or died on it, quarantined with that reason)."""

    raws: list[bytes]
    stored: list[tuple[str, str]]  # (sha256, relative path) per message
    message_ids: list[str]
    parsed: list[Readied | Unparsable | None]


def prepare(raws: list[bytes], *, max_bytes: int) -> Prepared:
    stored = store_raws(raws)  # durably, before anything is parsed
    message_ids = [quick_message_id(raw) for raw in raws]
    return Prepared(raws, stored, message_ids, parse_process.ready_all(raws, message_ids, max_bytes))


def receive_chunks(
    *, mailbox: Mailbox, chunks: Iterable[tuple[K, list[bytes]]], source: str
) -> Iterator[tuple[K, list[Outcome]]]:
    """Receive each (key, raw messages) chunk as `actions.receive_messages` would, the next chunk
    stored and parsed meanwhile; yields (key, outcomes in the order of its messages) chunk by chunk,
    each once its batch has ended (its subscribers' work done)."""
    from helpline.mail.actions import receive_messages

    pending = iter(chunks)
    with ThreadPoolExecutor(1, thread_name_prefix="mail-prefetch") as pool:

        def ahead() -> tuple[K, Future[Prepared]] | None:
            item = next(pending, None)
            if item is None:
                return None
            return item[0], pool.submit(prepare, item[1], max_bytes=mailbox.max_message_bytes)

        current = ahead()
        while current is not None:
            key, future = current
            current = ahead()  # the next chunk fetched here, stored and parsed in the other thread
            prepared = future.result()
            with batching.batch():
                outcomes = receive_messages(mailbox=mailbox, raws=prepared.raws, source=source, prepared=prepared)
            yield key, outcomes
