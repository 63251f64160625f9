"""Load django-helpdesk 2.6.1 with the same data as a Helpline benchmark database.

    bench/.venv-peer/bin/python -m bench.peer_helpdesk.load --source helpline_bench --tickets 100000

Reads the first N tickets of the Helpline database (by number) with their messages and writes
them into the peer's own database (`helpdesk_bench`, dropped and recreated, migrated):
teams become queues (tickets without a team go to a "General" queue), agents become staff users,
tickets keep their number as id, subject, dates, priority and assignee; the status maps to the
peer's (new/open/pending -> Open, on hold -> Open with on_hold, solved -> Resolved, closed ->
Closed); every message becomes a follow-up (internal notes are non-public), and the first one is
also the ticket's description, the last reply of a solved ticket its resolution; the requester's
e-mail is the submitter address. Loaded with COPY, indexes rebuilt after, then VACUUM ANALYZE.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
from tqdm import tqdm

from bench.copyfmt import NULL, esc
from bench.pgload import (
    SERVER_URL,
    bulk_session,
    database_url,
    recreate_database,
    reset_sequences,
    restore,
    save_and_drop,
)

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
STATUS = {
    "new": (1, "f"),
    "open": (1, "f"),
    "pending": (1, "f"),
    "on_hold": (1, "t"),
    "solved": (3, "f"),
    "closed": (4, "f"),
}
PRIORITY = {"urgent": 1, "high": 2, "normal": 3, "low": 4}
TICKET_COLUMNS = (
    "id, title, created, modified, submitter_email, status, on_hold, description, resolution, priority, "
    "due_date, last_escalation, assigned_to_id, queue_id, secret_key, kbitem_id, merged_to_id"
)
FOLLOWUP_COLUMNS = (
    "id, date, title, comment, public, new_status, ticket_id, user_id, message_id, time_spent, email_recipients"
)
BULK = {"helpdesk_ticket": TICKET_COLUMNS, "helpdesk_followup": FOLLOWUP_COLUMNS}
ADMIN_USERNAME = "bench-admin"


def _django(database: str) -> None:
    os.environ["PEER_DATABASE"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer_helpdesk.settings")
    import django

    django.setup()


def _reference(source: psycopg.Connection) -> tuple[dict[int, int], dict[int | None, int]]:
    """Staff users for the agents and queues for the teams, made with the peer's ORM."""
    from django.contrib.auth import get_user_model
    from helpdesk.models import Queue

    User = get_user_model()
    User.objects.create_superuser(ADMIN_USERNAME, "admin@bench.example", "bench-admin-password-7f3k")
    users = {}
    for pk, username, email, display in source.execute(
        "SELECT id, username, email, display_name FROM accounts_user WHERE username <> %s ORDER BY id",
        (ADMIN_USERNAME,),
    ):
        first, _, last = (display or "").partition(" ")
        users[pk] = User.objects.create_user(username, email, first_name=first, last_name=last, is_staff=True).pk
    queues: dict[int | None, int] = {}
    for pk, name in source.execute("SELECT id, name FROM accounts_team ORDER BY id"):
        slug = name.lower().replace(" ", "-")
        queues[pk] = Queue.objects.create(title=name, slug=slug, email_address=f"{slug}@bench.example").pk
    queues[None] = Queue.objects.create(title="General", slug="general", email_address="general@bench.example").pk
    return users, queues


def load(args: argparse.Namespace) -> dict[str, object]:
    started = time.perf_counter()
    source_url = database_url(args.source, args.host, args.port)
    url = database_url(args.database, args.host, args.port)
    phases: dict[str, float] = {}
    with psycopg.connect(source_url) as source:
        available = source.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]
        n = min(args.tickets, available)
        print(f"peer load: {n:,} tickets of {args.source} ({available:,}) into {args.database}")
        recreate_database(SERVER_URL.replace("127.0.0.1:5432", f"{args.host}:{args.port}"), args.database)
        env = {**os.environ, "PEER_DATABASE": args.database, "DJANGO_SETTINGS_MODULE": "bench.peer_helpdesk.settings"}
        env["PYTHONPATH"] = str(ROOT)
        subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0"], check=True, env=env, cwd=ROOT)
        _django(args.database)
        users, queues = _reference(source)
        from django.db import connections

        connections.close_all()
        phases["create + migrate + users/queues"] = time.perf_counter() - started

        t = time.perf_counter()
        emails = dict(
            source.execute(
                "SELECT DISTINCT ON (customer_id) customer_id, value FROM customers_customeridentity "
                "WHERE kind = 'email' ORDER BY customer_id, id"
            ).fetchall()
        )
        last_id = source.execute("SELECT id FROM tickets_ticket ORDER BY id LIMIT 1 OFFSET %s", (n - 1,)).fetchone()[0]
        with psycopg.connect(url) as conn:
            saved = save_and_drop(conn, BULK)
            conn.commit()
        conns = {table: psycopg.connect(url) for table in BULK}
        copies = {}
        for table, columns in BULK.items():
            bulk_session(conns[table])
            conns[table].execute(f"TRUNCATE {table}")
            copies[table] = conns[table].cursor().copy(f"COPY {table} ({columns}) FROM STDIN WITH (FREEZE)")
        writers = {table: manager.__enter__() for table, manager in copies.items()}
        tickets = source.cursor(name="tickets")
        tickets.itersize = 5000
        tickets.execute(
            "SELECT id, number, subject, created_at, updated_at, requester_id, status, priority, assignee_id, team_id "
            "FROM tickets_ticket WHERE id <= %s ORDER BY id",
            (last_id,),
        )
        messages = source.cursor(name="messages")
        messages.itersize = 20000
        messages.execute(
            "SELECT ticket_id, kind, author_agent_id, body_text, external_id, created_at FROM tickets_message "
            "WHERE ticket_id <= %s ORDER BY ticket_id, created_at, id",
            (last_id,),
        )
        message_rows = iter(messages)
        pending = next(message_rows, None)
        followup_id = 0
        rows = {"helpdesk_ticket": 0, "helpdesk_followup": 0}
        ticket_lines: list[str] = []
        followup_lines: list[str] = []
        with tqdm(total=n, unit="tickets", desc="peer tickets", smoothing=0.1) as bar:
            for tid, number, subject, created, updated, requester, status, priority, assignee, team in tickets:
                thread = []
                while pending is not None and pending[0] == tid:
                    thread.append(pending)
                    pending = next(message_rows, None)
                for k, (_, kind, author, body, external_id, at) in enumerate(thread):
                    followup_id += 1
                    followup_lines.append(
                        f"{followup_id}\t{at.isoformat()}\t{'Ticket Opened' if k == 0 else 'Comment'}\t{esc(body)}\t"
                        f"{'f' if kind == 'note' else 't'}\t{NULL}\t{number}\t{users.get(author, NULL) if author else NULL}\t"
                        f"{esc(external_id) if external_id else NULL}\t{NULL}\t{NULL}\n"
                    )
                peer_status, on_hold = STATUS[status]
                description = esc(thread[0][3]) if thread else NULL
                replies = [m for m in thread if m[1] == "reply"]
                resolution = esc(replies[-1][3]) if peer_status in (3, 4) and replies else NULL
                email = emails.get(requester)
                ticket_lines.append(
                    f"{number}\t{esc(subject[:200])}\t{created.isoformat()}\t{updated.isoformat()}\t{esc(email) if email else NULL}\t"
                    f"{peer_status}\t{on_hold}\t{description}\t{resolution}\t{PRIORITY[priority]}\t{NULL}\t{NULL}\t"
                    f"{users.get(assignee, NULL) if assignee else NULL}\t{queues[team]}\t{uuid.uuid4()}\t{NULL}\t{NULL}\n"
                )
                if len(ticket_lines) >= 2000:
                    for table, lines in (("helpdesk_ticket", ticket_lines), ("helpdesk_followup", followup_lines)):
                        writers[table].write("".join(lines))
                        rows[table] += len(lines)
                        lines.clear()
                    bar.update(2000)
            for table, lines in (("helpdesk_ticket", ticket_lines), ("helpdesk_followup", followup_lines)):
                if lines:
                    writers[table].write("".join(lines))
                    rows[table] += len(lines)
            bar.update(n - bar.n)
        for manager in copies.values():
            manager.__exit__(None, None, None)
        for conn in conns.values():
            conn.commit()
            conn.close()
        phases["COPY"] = time.perf_counter() - t
    total_rows = sum(rows.values())
    print(f"COPY: {total_rows:,} rows in {phases['COPY']:.1f} s ({total_rows / phases['COPY']:,.0f} rows/s)")

    t = time.perf_counter()
    restore(url, saved, rows, lambda label, seconds: None)
    with psycopg.connect(url, autocommit=True) as conn:
        reset_sequences(conn, BULK)
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("VACUUM (ANALYZE)")
    phases["indexes + vacuum analyze"] = time.perf_counter() - t
    total = time.perf_counter() - started
    result = {
        "database": args.database,
        "source": args.source,
        "tickets": n,
        "rows": rows,
        "phases_s": {k: round(v, 2) for k, v in phases.items()},
        "total_s": round(total, 2),
        "tickets_per_s": round(n / phases["COPY"]),
    }
    print(f"peer load: {n:,} tickets, {rows['helpdesk_followup']:,} follow-ups in {total:.1f} s")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"peer-load-{args.database}.json").write_text(json.dumps(result, indent=2))
    return result


def main(argv: list[str] | None = None) -> None:
    from bench.scale import default_peer_tickets

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default="helpline_bench", help="Helpline benchmark database to copy from")
    parser.add_argument("--database", default="helpdesk_bench")
    parser.add_argument("--tickets", type=int, default=default_peer_tickets())
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    load(parser.parse_args(argv))


if __name__ == "__main__":
    main()
