"""Email ingest throughput: raw bytes to stored, threaded and indexed ticket messages.

Creates its own PostgreSQL database (helpline_mailbench), migrates it, then receives 2,000 mixed
mails (5-50 KB, ~60 % new conversations and ~40 % replies threaded by In-Reply-To, some with an
HTML part and a PDF attachment, bodies in en/ru/ka/ja/te) through `helpline.mail.actions.receive_message`
exactly as the IMAP fetcher, the SMTP receiver and `helpline mail import` do (raw store, row per
Message-ID, parse, thread, ticket actions, search indexing with immediate tasks). Acknowledgements are switched off (no
mail is sent). Runs with one
worker process and with two, several times each, and prints the medians next to the peer figure
(django-helpdesk 2.6.1 `get_email`, 22.5 messages/s on this machine class, see
../shared/peer/django-helpdesk.md).

    .venv/bin/python bench/mail_ingest.py [--messages 2000] [--runs 3] [--keep]
    .venv/bin/python bench/mail_ingest.py --profile 100   # cProfile, queries and CPU per message

Messages are received in chunks of 25 inside `helpline.core.batching.batch()`, as the IMAP fetcher
does, so search indexing runs once per chunk. The peer figure is the recorded one: bench/peer_helpdesk
drives django-helpdesk's web pages only and has no `get_email` harness.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "helpline_mailbench"
PEER_RATE = 22.5
os.environ["DATABASE_URL"] = f"{PG}/{DB}"
os.environ["HELPLINE_TASKS"] = "immediate"
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


def _work(mailbox_id: int, conversations: list[list[bytes]], done: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    _setup()
    from django.db import connection

    from helpline.core import batching
    from helpline.mail.actions import receive_message
    from helpline.mail.models import Mailbox

    box = Mailbox.objects.get(pk=mailbox_id)
    outcomes: dict[str, int] = {}
    for chunk in _chunks([raw for thread in conversations for raw in thread]):
        with batching.batch():  # as the IMAP fetcher does: one batch per fetched chunk
            for raw in chunk:
                outcome = receive_message(mailbox=box, raw=raw, source="bench").outcome
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    connection.close()
    done.put(outcomes)


def run_once(mailbox_id: int, conversations: list[list[bytes]], workers: int) -> tuple[float, dict[str, int]]:
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    done = ctx.Queue()
    shares = [conversations[i::workers] for i in range(workers)]
    procs = [ctx.Process(target=_work, args=(mailbox_id, share, done)) for share in shares]
    start = time.perf_counter()
    for proc in procs:
        proc.start()
    results = [done.get() for _ in procs]
    for proc in procs:
        proc.join()
    elapsed = time.perf_counter() - start
    merged: dict[str, int] = {}
    for result in results:
        for key, value in result.items():
            merged[key] = merged.get(key, 0) + value
    return elapsed, merged


def profile(count: int) -> None:
    """cProfile of one worker's ingest, the top functions by cumulative and by own time."""
    import cProfile
    import pstats

    from helpline.mail.actions import receive_message
    from helpline.mail.models import Mailbox

    box = Mailbox.objects.create(
        name="profile", email_address="support-profile@bench.example", send_acknowledgement=False
    )
    mails = [raw for thread in make_mails(count, "profile") for raw in thread]
    profiler = cProfile.Profile()
    start = time.perf_counter()
    from django.db import connection

    from helpline.core import batching

    queries = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    cpu = time.process_time()
    with connection.execute_wrapper(count):
        profiler.enable()
        for chunk in _chunks(mails):
            with batching.batch():
                for raw in chunk:
                    receive_message(mailbox=box, raw=raw, source="bench")
        profiler.disable()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"{len(mails)} messages in {elapsed:.1f} s = {len(mails) / elapsed:.1f} msg/s under the profiler; "
        f"{queries / len(mails):.1f} queries and {cpu / len(mails) * 1000:.0f} ms of this process's CPU per message; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    stats = pstats.Stats(profiler)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", type=int, default=0, help="profile N messages in this process and stop")
    args = parser.parse_args()
    create_database()
    _setup()
    from django.core.management import call_command

    from helpline.mail.models import Mailbox

    call_command("migrate", verbosity=0)
    if args.profile:
        profile(args.profile)
        return
    rates: dict[int, list[float]] = {1: [], 2: []}
    sizes: list[int] = []
    try:
        for run in range(args.runs):
            for workers in (1, 2):
                tag = f"r{run}w{workers}"
                conversations = make_mails(args.messages, tag, seed=run)
                sizes += [len(raw) for thread in conversations for raw in thread]
                box = Mailbox.objects.create(
                    name=tag, email_address=f"support-{tag}@bench.example", send_acknowledgement=False
                )
                elapsed, outcomes = run_once(box.pk, conversations, workers)
                count = sum(outcomes.values())
                rate = count / elapsed
                rates[workers].append(rate)
                print(
                    f"run {run + 1} workers={workers}: {count} messages in {elapsed:.1f} s = {rate:.1f} msg/s {outcomes}"
                )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database()
    print(
        f"mail sizes: median {statistics.median(sizes) / 1024:.1f} KB, min {min(sizes) / 1024:.1f} KB, max {max(sizes) / 1024:.1f} KB"
    )
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    print(f"median ingest, 1 worker:  {one:.1f} messages/s ({one:.1f} per worker; target >= 200)")
    print(f"median ingest, 2 workers: {two:.1f} messages/s ({two / 2:.1f} per worker)")
    print(f"django-helpdesk 2.6.1 get_email (peer notes): {PEER_RATE} messages/s")
    print(f"ratio 1 worker / peer: {one / PEER_RATE:.1f}x; 2 workers / peer: {two / PEER_RATE:.1f}x (target >= 10x)")


if __name__ == "__main__":
    main()
