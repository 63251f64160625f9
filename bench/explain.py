"""Profile one Helpline request on a benchmark database: every SQL query it runs with its time,
and EXPLAIN ANALYZE of the slowest ones.

    python -m bench.explain --database helpline_bench "/api/tickets?status=closed&cursor=..."
    python -m bench.explain --database helpline_bench --web /tickets/123456/

API paths use a personal token of the bench admin; `--web` uses the admin's session.
"""

from __future__ import annotations

import argparse
import time
import warnings

from bench.pgload import database_url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--database", default="helpline_bench")
    parser.add_argument("--web", action="store_true", help="request as a signed-in agent (pages)")
    parser.add_argument("--top", type=int, default=3, help="queries to EXPLAIN ANALYZE")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message="No directory at")

    from bench.web_bench import _setup

    _setup(database_url(args.database))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.web_bench import Harness

    h = Harness(seed=1)
    client = h.web if args.web else h.api
    client.get(args.path)  # warm
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(args.path)
        elapsed = (time.perf_counter() - started) * 1000
    print(f"{args.path}: HTTP {response.status_code}, {elapsed:.1f} ms, {len(captured)} queries")
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    for ms, sql in queries:
        print(f"  {ms:8.1f} ms  {sql[:160]}")
    for ms, sql in sorted(queries, reverse=True)[: args.top]:
        print(f"\n-- {ms:.1f} ms\n{sql}\n")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
