"""Response times of Helpline's busiest reads on a benchmark database, in-process with Django's
test client (a signed-in admin for pages, a personal API token for the API).

    python -m bench.web_bench --database helpline_bench [--requests 200]

For each endpoint: warm-up requests, then `--requests` timed ones with random ticket numbers or
cursors; prints p50/p99 and SQL queries per request next to the targets of issue 2 (list and
ticket page p99 <= 100 ms, search p99 <= 300 ms) and writes bench/results/helpline-<db>.json.
Endpoints that answer 404 are reported as missing, not timed.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import time
import warnings
from typing import Any
from urllib.parse import urlencode

from bench import corpus
from bench.pgload import database_url
from bench.stats import Figure, print_figures, save
from bench.stats import measure as measure_figure

LIST_TARGET_MS = 100
PAGE_TARGET_MS = 100
SEARCH_TARGET_MS = 300


def _setup(url: str) -> None:
    warnings.filterwarnings("ignore", message="No directory at")  # static files are not collected here
    os.environ["DATABASE_URL"] = url
    os.environ["HELPLINE_TASKS"] = "dummy"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()
    # A failing view is reported in the table (first line of the error); no tracebacks in between.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)


class Harness:
    def __init__(self, seed: int):
        from django.db import connection
        from django.test import Client

        from bench.reference import ADMIN_USERNAME
        from helpline.accounts.actions import create_api_token
        from helpline.accounts.models import User

        self.connection = connection
        self.rng = random.Random(seed)
        self.admin = User.objects.get(username=ADMIN_USERNAME)
        _, secret = create_api_token(actor=self.admin, name=f"bench {time.time():.0f}")
        self.api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        self.web = Client()
        self.web.force_login(self.admin)
        with connection.cursor() as cur:
            cur.execute("SELECT min(number), max(number), count(*) FROM tickets_ticket")
            self.first, self.last, self.tickets = cur.fetchone()
        self.queries = 0
        self.last_json: Any = None
        self.last_error = ""

    def _count(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)

    def get(self, client: Any, path: str, *, keep_json: bool = False) -> tuple[int, int]:
        self.queries = 0
        try:
            with self.connection.execute_wrapper(self._count):
                response = client.get(path)
        except Exception as exc:  # a broken view: report it, keep benchmarking the others
            self.last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else exc}"[:200]
            return 500, self.queries
        if keep_json and response.status_code == 200:
            self.last_json = response.json()
        return response.status_code, self.queries

    def number(self) -> int:
        return self.rng.randint(self.first, self.last)

    def deep_cursors(self, status: str, count: int) -> list[str]:
        """Cursors that start a page at random places in the whole `status` list (any depth)."""
        from helpline.tickets.selectors import _encode_cursor

        with self.connection.cursor() as cur:
            cur.execute(
                "SELECT updated_at, id FROM tickets_ticket TABLESAMPLE SYSTEM (5) WHERE status = %s LIMIT %s",
                [status, count * 20],
            )
            rows = cur.fetchall()
        self.rng.shuffle(rows)
        return [_encode_cursor(value, pk) for value, pk in rows[:count]]


def run(args: argparse.Namespace) -> dict[str, Any]:
    url = database_url(args.database, args.host, args.port)
    _setup(url)
    h = Harness(args.seed)
    load_before = [round(x, 2) for x in os.getloadavg()]
    n, warm = args.requests, args.warmup
    figures: list[Figure] = []
    errors: dict[str, str] = {}

    def measure(fig: Figure, probe: Any, **kwargs: Any) -> Figure:
        h.last_error = ""
        result = measure_figure(fig, probe, **kwargs)
        if result.status == "error" and h.last_error:
            errors[fig.path] = h.last_error
        return result

    print(
        f"helpline web bench: {h.tickets:,} tickets in {args.database}, {n} requests per endpoint after {warm} warm-up"
    )

    def api_list(status: str, key: str) -> Figure:
        path = "/api/tickets?" + urlencode({"status": status, "limit": 25})
        fig = Figure(f"API list, first page (status={status})", path, key=key, target_ms=LIST_TARGET_MS)
        return measure(fig, lambda i: h.get(h.api, path), requests=n, warmup=warm)

    figures.append(api_list("active", "list_open"))
    figures.append(api_list("closed", "list_closed"))
    everything = Figure(
        "API list, first page (no filter)", "/api/tickets?limit=25", key="list_all", target_ms=LIST_TARGET_MS
    )
    figures.append(measure(everything, lambda i: h.get(h.api, everything.path), requests=n, warmup=warm))

    # Deep pages: follow next_cursor page after page (200 pages = 5,000 tickets deep) ...
    walk = Figure(
        f"API list, {args.walk} pages deep by next_cursor (closed)",
        "/api/tickets?status=closed&cursor=…",
        key="list_deep_walk",
        target_ms=LIST_TARGET_MS,
    )
    state: dict[str, str | None] = {"cursor": None}

    def follow(i: int) -> tuple[int, int]:
        params = {"status": "closed", "limit": 25}
        if state["cursor"]:
            params["cursor"] = state["cursor"]
        status, queries = h.get(h.api, "/api/tickets?" + urlencode(params), keep_json=True)
        if status == 200:
            state["cursor"] = h.last_json.get("next_cursor")
        return status, queries

    figures.append(measure(walk, follow, requests=args.walk, warmup=0))
    # ... and jump to cursors anywhere in the closed list (up to the oldest ticket).
    try:
        cursors = h.deep_cursors("closed", n + warm)
    except ImportError:
        cursors = []
    deep = Figure(
        "API list, random deep cursor (closed)",
        "/api/tickets?status=closed&cursor=<random>",
        key="list_deep_random",
        target_ms=LIST_TARGET_MS,
    )
    if cursors:
        figures.append(
            measure(
                deep,
                lambda i: h.get(
                    h.api,
                    "/api/tickets?" + urlencode({"status": "closed", "limit": 25, "cursor": cursors[i % len(cursors)]}),
                ),
                requests=n,
                warmup=warm,
            )
        )
    else:
        deep.status, deep.note = "skipped", "cursor format unknown"
        figures.append(deep)

    page = Figure(
        "ticket page /tickets/<number>/ (agent)",
        "/tickets/<random number>/",
        key="ticket_page",
        target_ms=PAGE_TARGET_MS,
    )
    figures.append(measure(page, lambda i: h.get(h.web, f"/tickets/{h.number()}/"), requests=n, warmup=warm))
    inbox = Figure(
        "ticket list page /tickets/?view=all (agent)", "/tickets/?view=all", key="web_list", target_ms=LIST_TARGET_MS
    )
    figures.append(measure(inbox, lambda i: h.get(h.web, "/tickets/?view=all"), requests=n, warmup=warm))
    counts = Figure(
        "view counts /tickets/counts/ (loaded by the list)",
        "/tickets/counts/",
        key="web_counts",
        target_ms=LIST_TARGET_MS,
    )
    figures.append(measure(counts, lambda i: h.get(h.web, "/tickets/counts/"), requests=n, warmup=warm))

    for label, word in (("Latin", corpus.LATIN_RARE_WORD), ("Georgian", corpus.GEORGIAN_RARE_WORD)):
        path = "/api/tickets?" + urlencode({"q": word, "limit": 25})
        fig = Figure(
            f"search API q=<{label} word, ~1% of tickets>",
            path,
            key=f"search_{label.lower()}",
            target_ms=SEARCH_TARGET_MS,
        )
        figures.append(measure(fig, lambda i, p=path: h.get(h.api, p, keep_json=True), requests=n, warmup=warm))
        if fig.status == "ok" and isinstance(h.last_json, dict):
            fig.note = f"{len(h.last_json.get('items', []))} hits on page 1"
    for label, word in (("Latin", corpus.LATIN_RARE_WORD), ("Georgian", corpus.GEORGIAN_RARE_WORD)):
        path = "/search/?" + urlencode({"q": word})
        fig = Figure(
            f"search page /search/?q=<{label} word> (agent)",
            path,
            key=f"web_search_{label.lower()}",
            target_ms=SEARCH_TARGET_MS,
        )
        figures.append(measure(fig, lambda i, p=path: h.get(h.web, p), requests=n, warmup=warm))

    for fig in figures:
        if fig.status == "error" and fig.path in errors:
            fig.note += f" ({errors[fig.path]})"
    print_figures(f"Helpline — {h.tickets:,} tickets ({args.database})", figures)
    payload = {
        "system": "helpline",
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "database": args.database,
        "tickets": h.tickets,
        "requests": n,
        "warmup": warm,
        "python": sys.version.split()[0],
        "figures": [f.summary() for f in figures],
    }
    save(f"helpline-{args.database}", payload)
    return payload


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="helpline_bench")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", "200")))
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--walk", type=int, default=200, help="pages to follow by next_cursor")
    parser.add_argument("--seed", type=int, default=7)
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
