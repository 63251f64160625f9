"""Load a benchmark desk into PostgreSQL: N tickets with 3N messages, N/5 customers with their
identities, the ticket history (created, message_added, status, assignment and delivery events)
and tags on about a quarter of the tickets.

    python -m bench.generate --tickets 1000000          # default database: helpline_bench

The database is dropped and recreated, migrated with `helpline migrate`, given its reference
data (admin, agents, teams, tags, organisations) through the product's actions, then bulk
loaded with COPY (indexes and constraints off during the load, rebuilt after), the ticket
counter set, search documents built with `helpline reindex` when the project has that command,
and ANALYZEd. Prints rows/s per phase and the total time; writes bench/results/generate-<db>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from tqdm import tqdm

from bench import corpus
from bench.copyfmt import to_us
from bench.people import CUSTOMER_COLUMNS, IDENTITY_COLUMNS, MEMBERSHIP_COLUMNS, People
from bench.pgload import (
    SERVER_URL,
    bulk_session,
    database_url,
    recreate_database,
    reset_sequences,
    restore,
    save_and_drop,
)
from bench.scale import default_tickets
from bench.simulate import (
    DAY,
    EVENT_COLUMNS,
    MESSAGE_COLUMNS,
    TICKET_COLUMNS,
    TICKET_NUMBER_START,
    TICKET_TAG_COLUMNS,
    Simulator,
)

RESULTS = Path(__file__).resolve().parent / "results"
BULK_TABLES = {
    "customers_customer": CUSTOMER_COLUMNS,
    "customers_customeridentity": IDENTITY_COLUMNS,
    "customers_customer_organizations": MEMBERSHIP_COLUMNS,
    "tickets_ticket": TICKET_COLUMNS,
    "tickets_message": MESSAGE_COLUMNS,
    "tickets_ticketevent": EVENT_COLUMNS,
    "tickets_ticket_tags": TICKET_TAG_COLUMNS,
}


class Copier:
    """One connection and one open COPY ... FREEZE per table, in one transaction each, so the
    generator and the server work at the same time."""

    def __init__(self, url: str, tables: dict[str, str]):
        self.conns: dict[str, psycopg.Connection] = {}
        self.copies: dict[str, object] = {}
        self._managers = []
        self.rows = dict.fromkeys(tables, 0)
        for table, columns in tables.items():
            conn = psycopg.connect(url)
            bulk_session(conn)
            conn.execute(f"TRUNCATE {table}")
            manager = conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN WITH (FREEZE)")
            self.copies[table] = manager.__enter__()
            self._managers.append(manager)
            self.conns[table] = conn

    def write(self, table: str, lines: list[str]) -> None:
        if lines:
            self.copies[table].write("".join(lines))  # type: ignore[attr-defined]
            self.rows[table] += len(lines)
            lines.clear()

    def close(self) -> None:
        for manager in self._managers:
            manager.__exit__(None, None, None)
        for conn in self.conns.values():
            conn.commit()
            conn.close()


def _migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    helpline = shutil.which("helpline", path=str(Path(sys.executable).parent)) or "helpline"
    subprocess.run([helpline, "migrate", "--noinput", "-v", "0"], check=True, env=env)


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["HELPLINE_TASKS"] = "dummy"  # reference data must not queue background work
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()


def _reindex(url: str) -> float | None:
    from django.core.management import get_commands

    if "reindex" not in get_commands():
        print("search: the project has no `reindex` command yet; search documents not built")
        return None
    from django.core.management import load_command_class

    command = get_commands()["reindex"]
    parser = load_command_class(command, "reindex").create_parser("helpline", "reindex")
    options = [o for action in parser._actions for o in action.option_strings]
    helpline = shutil.which("helpline", path=str(Path(sys.executable).parent)) or "helpline"
    # --fresh: the documents table is empty anyway; its GIN index is then built once at the end.
    argv = [helpline, "reindex", *(["--fresh"] if "--fresh" in options else [])]
    print("search: " + " ".join(argv[1:]))
    started = time.perf_counter()
    subprocess.run(argv, check=True, env={**os.environ, "DATABASE_URL": url})
    return time.perf_counter() - started


def generate(args: argparse.Namespace) -> dict[str, object]:
    url = database_url(args.database, args.host, args.port)
    n = args.tickets
    customers = args.customers or max(1, n // 5)
    phases: dict[str, float] = {}
    t0 = time.perf_counter()

    print(f"generate: {n:,} tickets, {3 * n:,} messages, {customers:,} customers into {args.database}")
    recreate_database(SERVER_URL.replace("127.0.0.1:5432", f"{args.host}:{args.port}"), args.database)
    _migrate(url)
    phases["create + migrate"] = time.perf_counter() - t0

    t = time.perf_counter()
    _setup_django(url)
    from django.db import connections

    from bench.reference import create_reference

    ref, organizations = create_reference(tickets=n, seed=args.seed)
    connections.close_all()
    phases["reference data (actions)"] = time.perf_counter() - t

    t = time.perf_counter()
    with psycopg.connect(url) as conn:
        saved = save_and_drop(conn, BULK_TABLES)
        conn.commit()
    end = dt.datetime.now(dt.UTC).replace(microsecond=0)
    end_us = to_us(end)
    start_us = end_us - args.days * DAY

    copier = Copier(url, {t: c for t, c in BULK_TABLES.items() if t.startswith("customers_")})
    people = People(customers=customers, organizations=organizations, before_us=start_us, seed=args.seed + 1)
    with tqdm(total=customers, unit="customers", desc="customers", smoothing=0.1) as bar:
        for cust, idents, members in people.rows():
            bar.update(len(cust))
            copier.write("customers_customer", cust)
            copier.write("customers_customeridentity", idents)
            copier.write("customers_customer_organizations", members)
    copier.close()
    rows = dict(copier.rows)
    ref.customers_by_language = people.by_language
    del people

    copier = Copier(url, {t: c for t, c in BULK_TABLES.items() if t.startswith("tickets_")})
    sim = Simulator(tickets=n, ref=ref, start_us=start_us, end_us=end_us, seed=args.seed + 2)
    out: dict[str, list[str]] = {"tickets": [], "messages": [], "events": [], "ticket_tags": []}
    tables = {
        "tickets": "tickets_ticket",
        "messages": "tickets_message",
        "events": "tickets_ticketevent",
        "ticket_tags": "tickets_ticket_tags",
    }
    batch = 2000
    with tqdm(total=n, unit="tickets", desc="tickets", smoothing=0.1) as bar:
        for start in range(0, n, batch):
            stop = min(n, start + batch)
            for i in range(start, stop):
                sim.ticket(i, out)
            for key, table in tables.items():
                copier.write(table, out[key])
            bar.update(stop - start)
    copier.close()
    rows.update(copier.rows)
    phases["COPY"] = time.perf_counter() - t
    copy_rows = sum(rows.values())
    print(f"COPY: {copy_rows:,} rows in {phases['COPY']:.1f} s ({copy_rows / phases['COPY']:,.0f} rows/s)")

    t = time.perf_counter()
    total_steps = len(saved.keys) + len(saved.indexes) + len(saved.foreign_keys)
    with tqdm(total=total_steps, unit="index", desc="indexes + keys") as bar:

        def done(label: str, seconds: float) -> None:
            bar.set_postfix_str(f"{label} {seconds:.1f}s", refresh=False)
            bar.update(1)

        restore(url, saved, rows, done)
    with psycopg.connect(url, autocommit=True) as conn:
        reset_sequences(conn, BULK_TABLES)
        conn.execute(
            "INSERT INTO tickets_counter (name, value) VALUES ('ticket', %s) "
            "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            (TICKET_NUMBER_START + n - 1,),
        )
        # the copied events are history: the task workers start reading after them (tickets.event_feed)
        conn.execute(
            "INSERT INTO tickets_eventcursor (name, position, gaps, updated_at) "
            "SELECT 'worker', coalesce(max(id), 0), '[]', now() FROM tickets_ticketevent "
            "ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, gaps = '[]'"
        )
    phases["indexes + constraints"] = time.perf_counter() - t

    if not args.no_reindex:
        seconds = _reindex(url)
        if seconds is not None:
            phases["search reindex"] = seconds

    t = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("VACUUM (ANALYZE)")
    phases["vacuum + analyze"] = time.perf_counter() - t
    total = time.perf_counter() - t0

    result = {
        "database": args.database,
        "tickets": n,
        "customers": customers,
        "rows": rows,
        "phases_s": {k: round(v, 2) for k, v in phases.items()},
        "total_s": round(total, 2),
        "load_s_without_reindex": round(total - phases.get("search reindex", 0.0), 2),
        "rows_per_s": round(copy_rows / phases["COPY"]),
        "rare_words": {
            corpus.LATIN_RARE_WORD: sim.rare_latin,
            corpus.GEORGIAN_RARE_WORD: sim.rare_georgian,
        },
        "seed": args.seed,
        "at": end.isoformat(),
    }
    print()
    print(f"{'phase':<28}{'seconds':>10}")
    for name, seconds in phases.items():
        print(f"{name:<28}{seconds:>10.1f}")
    print(f"{'total':<28}{total:>10.1f}")
    for table, count in rows.items():
        print(f"  {table:<34}{count:>12,}")
    print(
        f"tickets with “{corpus.LATIN_RARE_WORD}”: {sim.rare_latin:,}; "
        f"with “{corpus.GEORGIAN_RARE_WORD}”: {sim.rare_georgian:,}"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"generate-{args.database}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=default_tickets(), help="tickets to load (messages: 3x)")
    parser.add_argument("--customers", type=int, default=0, help="default: tickets / 5")
    parser.add_argument("--database", default="helpline_bench")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--days", type=int, default=730, help="history span")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--no-reindex", action="store_true", help="skip building search documents")
    generate(parser.parse_args(argv))


if __name__ == "__main__":
    main()
