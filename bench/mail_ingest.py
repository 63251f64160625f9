"""Email ingest throughput: raw bytes to stored, threaded and indexed ticket messages, against
django-helpdesk 2.6.1 on the same mails.

Creates its own PostgreSQL database (helpline_mailbench, or $BENCH_MAIL_DB), migrates it, then
receives 2,000 mixed mails (4-40 KB of text, ~60 % new conversations and ~40 % replies threaded by
In-Reply-To, half with an HTML part, 15 % with a 20 KB PDF; bodies in en/ru/ka/ja/te) through
`helpline.mail.actions.receive_messages` in chunks of 25 inside `core.batching.batch()`, exactly as
the IMAP fetcher does: every raw message written and fsync'd (content-addressed), the chunk's rows
recorded, then the messages parsed, their customers found or created, threaded, and added through
the ticket actions (events recorded), the chunk's usual messages together in one transaction
(`mail/chunk.py`; the others one by one); after commit the realtime pushes.

Each worker process is what `helpline worker` is in production: the chunks are received in its main
thread (the `mail.poll` task's fetch), readied ahead by its parse process (`mail.parse_process`,
started and warm before the timing, its CPU counted as the worker's; HELPLINE_MAIL_PARSE_PROCESS=0
readies them in a thread of the worker instead) while its event-feed thread (`tickets.event_feed.FeedReader`,
the production class, batch size and poll interval) runs every ticket-event worker subscriber on the
stored events: search indexing, SLA clocks and the delayed sweeps they store, routing, automations,
language detection, answer bot, webhooks, agent notifications; then the tasks the fetch queued are
run by the database task worker. A run ends when every worker has received its mails and the feed is
drained (no event left unclaimed, no batch left). `--inline` runs the subscribers in the fetching
thread at each chunk's end instead (immediate tasks, as the tests do; note that the immediate backend
cannot defer, so the SLA sweeps are not stored there). Acknowledgements are off (no mail is sent).
Runs with one worker process and with two (conversations split between them), several times each;
workers start warm (imports, the language model) and are timed from a common start.

Printed per run and as medians: messages/s, wall per message per worker, the workers' CPU (all their
threads) and their PostgreSQL backends' CPU per message (user+sys, from /proc), SQL statements per
message (every connection of the workers), the load average. BENCH_DEBUG=1 adds the time spent in
each kind of statement, per thread.

The peer: `get_email` of django-helpdesk 2.6.1 (PyPI, its own virtualenv bench/.venv-peer, built
here when missing) on the same mails of the first run(s), in its own database (helpdesk_mailbench,
or $BENCH_PEER_MAIL_DB) on the same server, through bench/peer_helpdesk/mail_ingest.py: a queue with
`email_box_type="local"` reading a folder of .eml copies, replies fed after what they answer; only
the command runs are timed. If the peer cannot be built, the recorded figure (22.5 messages/s,
../shared/peer/django-helpdesk.md) is printed, marked "recorded".

    .venv/bin/python bench/mail_ingest.py [--messages 2000] [--runs 3] [--peer-runs 1] [--keep] [--inline]
    .venv/bin/python bench/mail_ingest.py --profile 100   # cProfile, queries and CPU per message

Figures of 2026-12-06 (fourth session, another 2-core machine, at a fast moment of it), production
topology, 2,000 mails, median of 3 (load 0.9-2.2): 1 worker 311.8 msg/s (3.1 ms worker CPU with its
parse process + 2.2 ms PostgreSQL CPU per message), 2 workers 352.1 msg/s; django-helpdesk get_email
measured in the same run 49.5 msg/s (14.6 + 4.5 ms): 6.3x and 7.1x. 200/s per worker met with one
worker, not with two (CPU-bound on two cores); 10x not met. bench/README.md has the history and what
is left.
BENCH_PROFILE_OUT=FILE with --profile keeps the whole profile.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
from bench.mail_peer import RECORDED_RATE, backend_cpu, run_peer  # noqa: E402

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_MAIL_DB", "helpline_mailbench")
PEER_DB = os.environ.get("BENCH_PEER_MAIL_DB", "helpdesk_mailbench")
os.environ["DATABASE_URL"] = f"{PG}/{DB}"
os.environ.setdefault("HELPLINE_DATA_DIR", tempfile.mkdtemp(prefix="helpline-mailbench-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "helpline.settings"

TEXTS = [
    "Hello, the invoice for last month shows the wrong amount and the delivery was late again. ",
    "Здравствуйте, счёт за прошлый месяц неверный, и доставка снова опоздала. ",
    "გამარჯობა, გასული თვის ინვოისი არასწორია და მიწოდება ისევ დაგვიანდა. ",
    "こんにちは、先月の請求書の金額が間違っており、配送もまた遅れました。",
    "నమస్కారం, గత నెల ఇన్వాయిస్ తప్పుగా ఉంది, డెలివరీ మళ్ళీ ఆలస్యమైంది. ",
]
PDF = b"%PDF-1.4\n" + b"0" * 20_000 + b"\n%%EOF\n"


def make_mails(count: int, run: str, seed: int = 7) -> list[list[bytes]]:
    """Conversations (lists of raw mails, first then replies) totalling `count` messages."""
    rng = random.Random(seed)
    conversations: list[list[bytes]] = []
    total = 0
    n = 0
    while total < count:
        n += 1
        size = rng.randint(2, 3) if rng.random() < 0.45 else 1
        size = min(size, count - total)
        sender = f"customer{n}-{run}@example.com"
        thread = []
        previous = None
        for i in range(size):
            text = TEXTS[(n + i) % len(TEXTS)]
            body = (text * (rng.randint(5_000, 50_000) // len(text.encode()) + 1))[: rng.randint(4_000, 40_000)]
            msg = EmailMessage()
            msg["From"] = f"Customer {n} <{sender}>"
            msg["To"] = f"support-{run}@bench.example"
            msg["Subject"] = ("Re: " if i else "") + f"Order {n} problem"
            mid = f"<{run}-{n}-{i}@client.example>"
            msg["Message-ID"] = mid
            if previous:
                msg["In-Reply-To"] = previous
                msg["References"] = previous
                body += "\n\nOn Mon, 3 Jun 2024 at 10:00, Support <support@bench.example> wrote:\n> earlier"
            msg.set_content(body)
            if rng.random() < 0.5:
                msg.add_alternative(f"<div>{body[:2000]}</div>", subtype="html")
            if rng.random() < 0.15:
                msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="invoice.pdf")
            thread.append(msg.as_bytes())
            previous = mid
        conversations.append(thread)
        total += size
    return conversations


def _chunks(mails: list[bytes]) -> list[list[bytes]]:
    from helpline.mail.imap import BATCH

    return [mails[i : i + BATCH] for i in range(0, len(mails), BATCH)]


def _setup() -> None:
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)


def warm_up() -> None:
    """What a long-running worker has loaded before its first mail (imports, hook registries, the
    language model), done once in the parent so forked workers start warm."""
    from helpline.assist.language import _identifier
    from helpline.core import hooks
    from helpline.core.events import TICKET_EVENT_HOOK, TICKET_EVENT_WORKER_HOOK

    hooks.get(TICKET_EVENT_HOOK)
    hooks.get(TICKET_EVENT_WORKER_HOOK)
    _identifier()  # the n-gram model (about 0.5 s to load)
    from django.core.validators import validate_email

    validate_email("warm@example.com")  # Django compiles its address patterns on first use (about 0.1 s)
    import helpline.mail.ingest  # noqa: F401
    import helpline.search.indexing  # noqa: F401


@dataclass
class WorkerResult:
    outcomes: dict[str, int]
    cpu_s: float  # the worker process (all its threads) and its parse process, user+sys
    finished: float  # perf_counter() when its work was done (the same clock in every process)
    queries: int  # SQL statements of all its connections


_statements = itertools.count()


def _count_statements(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Every connection of a worker process (the fetch's and the feed thread's) counts its statements."""

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        next(_statements)
        if not os.environ.get("BENCH_DEBUG"):
            return execute(sql, params, many, context)
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            import threading

            key = (threading.current_thread().name[:12], " ".join(sql.split())[:90])
            _timings[key] = _timings.get(key, 0.0) + time.perf_counter() - start

    connection.execute_wrappers.append(count)


_timings: dict[tuple[str, str], float] = {}


def _work(mailbox_id: int, conversations: list[list[bytes]], ready: Any, go: Any, done: Any, stop: Any) -> None:
    """One worker process. Inline mode (`HELPLINE_TASKS=immediate`): the subscribers run in this
    thread at each chunk's end. Deployed mode: as `helpline worker` runs, the chunks are received in
    the main thread (the `mail.poll` task's fetch) while the event-feed thread (`FeedReader`, the
    production class and batch size) runs the subscribers on the stored events; the queued tasks are
    then run by the database task worker in the main thread; the worker reports once no event and no
    task is left waiting (for every worker: the feed is shared)."""
    from django.conf import settings
    from django.db import connection
    from django.db.backends.signals import connection_created

    from helpline.mail.models import Mailbox
    from helpline.mail.prefetch import receive_chunks

    connection_created.connect(_count_statements)
    box = Mailbox.objects.get(pk=mailbox_id)
    deployed = settings.TASKS_BACKEND == "database"
    feed = None
    if deployed:
        from helpline.tickets.event_feed import FeedReader

        feed = FeedReader(f"bench-{os.getpid()}").start()
    connection.ensure_connection()
    from helpline.mail import parse_process

    parse_process.start()  # as `helpline worker` does at start-up (unless HELPLINE_MAIL_PARSE_PROCESS=0)
    parser_pid = parse_process.wait_until_warm()
    from helpline.core import gc_policy

    gc_policy.settle_worker()  # as `helpline worker` does once started (unless WORKER_GC_POLICY=0)
    outcomes: dict[str, int] = {}
    ready.put(True)
    go.wait()
    times, queries = os.times(), next(_statements)
    parser_before = backend_cpu(parser_pid) if parser_pid else 0.0
    chunks = ((None, chunk) for chunk in _chunks([raw for thread in conversations for raw in thread]))
    # as the IMAP fetcher does: one batch per fetched chunk, the next one stored and parsed meanwhile
    for _key, results in receive_chunks(mailbox=box, chunks=chunks, source="bench"):
        for result in results:
            outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    if deployed:
        fetched = time.perf_counter()
        _run_queued_tasks()
        tasks_done = time.perf_counter()
        _wait_for_feed()
        if os.environ.get("BENCH_DEBUG"):  # how long the feed and the queued tasks took after the last chunk
            print(
                f"worker {os.getpid()}: queued tasks {tasks_done - fetched:.2f} s, feed drained "
                f"{time.perf_counter() - tasks_done:.2f} s after the last chunk",
                flush=True,
            )
    after = os.times()
    cpu = after.user + after.system - times.user - times.system
    if parser_pid:  # the worker's parse process is part of the worker
        cpu += backend_cpu(parser_pid) - parser_before
        if os.environ.get("BENCH_DEBUG"):
            print(f"worker {os.getpid()}: chunks readied {parse_process.counts()}", flush=True)
    if os.environ.get("BENCH_DEBUG"):
        n = max(sum(outcomes.values()), 1)
        parser = backend_cpu(parser_pid) - parser_before if parser_pid else 0.0
        print(
            f"worker {os.getpid()}: CPU per message {(after.user - times.user) / n * 1000:.2f} ms user + "
            f"{(after.system - times.system) / n * 1000:.2f} ms system, parse process {parser / n * 1000:.2f} ms",
            flush=True,
        )
    done.put(WorkerResult(outcomes, cpu, time.perf_counter(), next(_statements) - queries - 1))
    if os.environ.get("BENCH_DEBUG"):
        for (thread, sql), spent in sorted(_timings.items(), key=lambda kv: -kv[1])[:30]:
            print(f"{spent:7.3f} s {thread:12} {sql}", flush=True)
    stop.wait()
    if feed is not None:
        feed.stop(timeout=60)
    parse_process.stop()
    connection.close()


def _run_queued_tasks() -> None:
    """What the fetch queued (SLA sweeps, say), run as the worker's task loop would."""
    from helpline.cli import task_worker

    task_worker(f"bench-{os.getpid()}", interval=0, batch=True).run()


def _wait_for_feed() -> None:
    """Until every stored event has been claimed and its batch run (the shared feed drained)."""
    from helpline.tickets.event_feed import CURSOR
    from helpline.tickets.models import EventBatch, EventCursor, TicketEvent

    while True:
        position = EventCursor.objects.filter(name=CURSOR).values_list("position", flat=True).first() or 0
        if not TicketEvent.objects.filter(pk__gt=position).exists() and not EventBatch.objects.exists():
            return
        time.sleep(0.01)


@dataclass
class RunResult:
    workers: int
    elapsed: float
    outcomes: dict[str, int]
    cpu_s: float
    db_cpu_s: float
    queries: int
    load: float

    @property
    def count(self) -> int:
        return sum(self.outcomes.values())

    @property
    def rate(self) -> float:
        return self.count / self.elapsed

    def describe(self) -> str:
        n = self.count
        return (
            f"{n} messages in {self.elapsed:.1f} s = {self.rate:.1f} msg/s; per message "
            f"{self.elapsed * self.workers / n * 1000:.1f} ms wall per worker, "
            f"{self.cpu_s / n * 1000:.1f} ms worker CPU + {self.db_cpu_s / n * 1000:.1f} ms PostgreSQL CPU, "
            f"{self.queries / n:.1f} queries; load average {self.load:.1f}; {self.outcomes}"
        )


def run_once(mailbox_id: int, conversations: list[list[bytes]], workers: int) -> RunResult:
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    ready, done, go, stop = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Event()
    shares = [conversations[i::workers] for i in range(workers)]
    procs = [ctx.Process(target=_work, args=(mailbox_id, share, ready, go, done, stop)) for share in shares]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get()
    backends = _backend_pids()  # the workers' connections (fetch, feed thread), all open by now
    db_before = {pid: backend_cpu(pid) for pid in backends}
    start = time.perf_counter()
    go.set()
    results: list[WorkerResult] = [done.get() for _ in procs]
    elapsed = max(r.finished for r in results) - start
    db_cpu = 0.0
    for pid in _backend_pids() | backends:  # a backend that ended meanwhile counts as 0 from then
        after = backend_cpu(pid)
        db_cpu += (after - db_before.get(pid, 0.0)) if after == after else 0.0
    stop.set()
    for proc in procs:
        proc.join()
    connections.close_all()
    merged: dict[str, int] = {}
    for result in results:
        for key, value in result.outcomes.items():
            merged[key] = merged.get(key, 0) + value
    return RunResult(
        workers=workers,
        elapsed=elapsed,
        outcomes=merged,
        cpu_s=sum(r.cpu_s for r in results),
        db_cpu_s=db_cpu,
        queries=sum(r.queries for r in results),
        load=os.getloadavg()[0],
    )


def _backend_pids() -> set[int]:
    """The PostgreSQL backends connected to the bench database, but this (parent) process's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {int(row[0]) for row in cursor.fetchall()}


def profile(count: int) -> None:
    """cProfile of one worker's ingest, the top functions by cumulative and by own time."""
    import cProfile
    import pstats

    from django.db import connection

    from helpline.core import batching
    from helpline.mail.actions import receive_messages
    from helpline.mail.models import Mailbox

    box = Mailbox.objects.create(
        name="profile", email_address="support-profile@bench.example", send_acknowledgement=False
    )
    mails = [raw for thread in make_mails(count, "profile") for raw in thread]
    warm_up()
    profiler = cProfile.Profile()
    queries = 0

    def count_query(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    start, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count_query):
        profiler.enable()
        for chunk in _chunks(mails):
            with batching.batch():
                receive_messages(mailbox=box, raws=chunk, source="bench")
        profiler.disable()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"{len(mails)} messages in {elapsed:.1f} s = {len(mails) / elapsed:.1f} msg/s under the profiler; "
        f"{queries / len(mails):.1f} queries and {cpu / len(mails) * 1000:.0f} ms of this process's CPU per message; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    stats = pstats.Stats(profiler)
    if os.environ.get("BENCH_PROFILE_OUT"):  # the whole profile, for pstats
        stats.dump_stats(os.environ["BENCH_PROFILE_OUT"])
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    drop_database()


def create_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


INCLUDED = (
    "timed per message: raw bytes written and fsync'd (content-addressed), the chunk's RawMessage rows, parse, "
    "customer lookup, threading, the ticket actions with their events, after-commit realtime pushes, and every "
    "ticket-event worker subscriber (search indexing, SLA clocks and their stored sweeps, routing, automations, "
    "language detection, answer bot, webhooks, agent notifications) run by each worker's event-feed thread "
    "until the feed is drained; acknowledgements off"
)


def _median(results: list[RunResult], value: Any) -> float:
    return statistics.median(value(r) for r in results)


def _summary(label: str, results: list[RunResult]) -> str:
    n = [r.count for r in results]
    return (
        f"median ingest, {label}: {_median(results, lambda r: r.rate):.1f} messages/s "
        f"({_median(results, lambda r: r.rate / r.workers):.1f} per worker), per message "
        f"{statistics.median(r.cpu_s / c * 1000 for r, c in zip(results, n, strict=True)):.1f} ms worker CPU + "
        f"{statistics.median(r.db_cpu_s / c * 1000 for r, c in zip(results, n, strict=True)):.1f} ms PostgreSQL CPU, "
        f"{statistics.median(r.queries / c for r, c in zip(results, n, strict=True)):.1f} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--peer-runs",
        type=int,
        default=0 if os.environ.get("BENCH_SKIP_PEER") == "1" else 1,
        help="django-helpdesk get_email runs on the mails of the first runs (0, or BENCH_SKIP_PEER=1: none)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", type=int, default=0, help="profile N messages in this process and stop")
    parser.add_argument(
        "--inline",
        action="store_true",
        help="run the subscribers in the fetching thread at each chunk's end (immediate tasks), not in the feed thread",
    )
    args = parser.parse_args()
    os.environ["HELPLINE_TASKS"] = "immediate" if args.inline or args.profile else "database"
    create_database()
    _setup()
    from django.core.management import call_command

    from helpline.mail.models import Mailbox

    call_command("migrate", verbosity=0)
    if args.profile:
        profile(args.profile)
        return
    warm_up()
    print(INCLUDED)
    results: dict[int, list[RunResult]] = {1: [], 2: []}
    sizes: list[int] = []
    peer_mails: list[list[list[bytes]]] = []
    try:
        for run in range(args.runs):
            for workers in (1, 2):
                tag = f"r{run}w{workers}"
                conversations = make_mails(args.messages, tag, seed=run)
                if workers == 1 and run < args.peer_runs:
                    peer_mails.append(conversations)
                sizes += [len(raw) for thread in conversations for raw in thread]
                box = Mailbox.objects.create(
                    name=tag, email_address=f"support-{tag}@bench.example", send_acknowledgement=False
                )
                result = run_once(box.pk, conversations, workers)
                results[workers].append(result)
                print(f"run {run + 1} workers={workers}: {result.describe()}", flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database()
    print(
        f"mail sizes: median {statistics.median(sizes) / 1024:.1f} KB, min {min(sizes) / 1024:.1f} KB, "
        f"max {max(sizes) / 1024:.1f} KB"
    )
    print(_summary("1 worker ", results[1]) + " (target >= 200 per worker)")
    print(_summary("2 workers", results[2]))
    one, two = _median(results[1], lambda r: r.rate), _median(results[2], lambda r: r.rate)
    peer_rates = []
    for n, conversations in enumerate(peer_mails):
        peer = run_peer(conversations, PG, PEER_DB)
        if peer is None:
            break
        peer_rates.append(peer.rate)
        print(f"django-helpdesk 2.6.1 get_email run {n + 1}: {peer.describe()}", flush=True)
    if peer_rates:
        peer_rate, how = statistics.median(peer_rates), f"measured, median of {len(peer_rates)}"
    else:
        peer_rate, how = RECORDED_RATE, "recorded in ../shared/peer/django-helpdesk.md, not measured here"
    print(f"django-helpdesk 2.6.1 get_email ({how}): {peer_rate:.1f} messages/s (one process)")
    print(f"ratio 1 worker / peer: {one / peer_rate:.1f}x; 2 workers / peer: {two / peer_rate:.1f}x (target >= 10x)")


if __name__ == "__main__":
    main()
