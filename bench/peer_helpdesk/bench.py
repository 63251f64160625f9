"""The same figures for django-helpdesk 2.6.1, through its own endpoints, in-process with Django's
test client and a signed-in superuser (runs in bench/.venv-peer).

    bench/.venv-peer/bin/python -m bench.peer_helpdesk.bench --database helpdesk_bench

- list: the rows of its ticket list come from `/datatables_ticket_list/<base64 query>`; open
  tickets (status Open or Reopened), newest first, 25 rows; the deep page is `start=5000`
  (page 200) and random offsets anywhere in the closed tickets;
- ticket page: `/tickets/<id>/` (ids are the Helpline ticket numbers);
- search: the same datatables endpoint with `search_string` (its keyword search);
- REST: `/api/tickets/?status=1,2` and `/api/tickets/` (DRF, 25 per page). These load every
  matching ticket's custom fields before paging, so they are capped to a few requests.
Each endpoint stops after its time budget once a minimum of requests is in (noted in the output).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import sys
from typing import Any
from urllib.parse import urlencode

from bench import corpus
from bench.stats import Figure, measure, print_figures, save


def _setup(database: str) -> None:
    os.environ["PEER_DATABASE"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer_helpdesk.settings")
    import django

    django.setup()


def datatables(
    *, statuses: list[int] | None = None, search: str = "", start: int = 0, length: int = 25, column: int = 5
) -> str:
    query: dict[str, Any] = {"filtering": {}, "sorting": "created", "sortreverse": True, "search_string": search}
    if statuses:
        query["filtering"]["status__in"] = statuses
    encoded = base64.b64encode(json.dumps(query).encode()).decode()
    params = {"draw": 1, "start": start, "length": length, "order[0][column]": column, "order[0][dir]": "desc"}
    return f"/datatables_ticket_list/{encoded}?{urlencode(params)}"


class Harness:
    def __init__(self, seed: int):
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        from bench.peer_helpdesk.load import ADMIN_USERNAME

        self.connection = connection
        self.rng = random.Random(seed)
        self.client = Client()
        self.client.force_login(get_user_model().objects.get(username=ADMIN_USERNAME))
        with connection.cursor() as cur:
            cur.execute("SELECT min(id), max(id), count(*), count(*) FILTER (WHERE status = 4) FROM helpdesk_ticket")
            self.first, self.last, self.tickets, self.closed = cur.fetchone()
        self.queries = 0
        self.last_json: Any = None

    def _count(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries += 1
        return execute(sql, params, many, context)

    def get(self, path: str, *, keep_json: bool = False) -> tuple[int, int]:
        self.queries = 0
        with self.connection.execute_wrapper(self._count):
            response = self.client.get(path)
        if keep_json and response.status_code == 200:
            self.last_json = response.json()
        return response.status_code, self.queries


def run(args: argparse.Namespace) -> dict[str, Any]:
    _setup(args.database)
    h = Harness(args.seed)
    load_before = [round(x, 2) for x in os.getloadavg()]
    n, warm, budget = args.requests, args.warmup, args.budget
    print(
        f"django-helpdesk bench: {h.tickets:,} tickets in {args.database}, up to {n} requests per endpoint "
        f"({budget:.0f} s budget each)"
    )
    figures: list[Figure] = []

    def timed(key: str, name: str, path: str, probe: Any, *, requests: int = n, warmup: int = warm) -> Figure:
        fig = Figure(name, path, key=key)
        figures.append(measure(fig, probe, requests=requests, warmup=warmup, budget_s=budget))
        print(f"  {name}: {fig.n} requests", file=sys.stderr)
        return fig

    open_list = datatables(statuses=[1, 2])
    timed("list_open", "list rows, first page (open tickets)", open_list, lambda i: h.get(open_list))
    closed_first = datatables(statuses=[4])
    timed("list_closed", "list rows, first page (closed)", closed_first, lambda i: h.get(closed_first))
    deep = datatables(statuses=[4], start=5000)
    timed("list_deep_walk", "list rows, page 200 (closed, start=5000)", deep, lambda i: h.get(deep))
    timed(
        "list_deep_random",
        "list rows, random deep offset (closed)",
        datatables(statuses=[4], start=0) + "&start=<random>",
        lambda i: h.get(datatables(statuses=[4], start=25 * h.rng.randrange(max(1, h.closed // 25)))),
    )
    timed(
        "ticket_page",
        "ticket page /tickets/<id>/",
        "/tickets/<random id>/",
        lambda i: h.get(f"/tickets/{h.rng.randint(h.first, h.last)}/"),
    )
    for label, word in (("Latin", corpus.LATIN_RARE_WORD), ("Georgian", corpus.GEORGIAN_RARE_WORD)):
        path = datatables(search=word)
        fig = timed(
            f"search_{label.lower()}",
            f"search q=<{label} word> (list rows)",
            path,
            lambda i, p=path: h.get(p, keep_json=True),
        )
        if fig.status == "ok" and isinstance(h.last_json, dict):
            fig.note = f"{h.last_json.get('recordsFiltered')} matches"
    rest_open = "/api/tickets/?status=1,2"
    timed(
        "rest_open",
        "REST /api/tickets/?status=1,2",
        rest_open,
        lambda i: h.get(rest_open),
        requests=args.rest_requests,
        warmup=1,
    )
    if args.rest_unfiltered and h.tickets > args.rest_unfiltered_max:
        fig = Figure("REST /api/tickets/ (all)", "/api/tickets/", key="rest_all", status="skipped")
        fig.note = (
            f"not run above {args.rest_unfiltered_max:,} tickets (one query per ticket: many minutes per request)"
        )
        figures.append(fig)
    elif args.rest_unfiltered:
        timed(
            "rest_all",
            "REST /api/tickets/ (all)",
            "/api/tickets/",
            lambda i: h.get("/api/tickets/"),
            requests=args.rest_unfiltered,
            warmup=0,
        )

    print_figures(f"django-helpdesk 2.6.1 — {h.tickets:,} tickets ({args.database})", figures)
    payload = {
        "system": "django-helpdesk 2.6.1",
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "database": args.database,
        "tickets": h.tickets,
        "requests": n,
        "budget_s": budget,
        "figures": [f.summary() for f in figures],
    }
    save(f"peer-{args.database}", payload)
    return payload


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="helpdesk_bench")
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", "200")))
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--budget", type=float, default=float(os.environ.get("PEER_BUDGET_S", "60")))
    parser.add_argument("--rest-requests", type=int, default=5, help="cap for the filtered REST list")
    parser.add_argument(
        "--rest-unfiltered",
        type=int,
        default=int(os.environ.get("PEER_REST_ALL", "1")),
        help="requests to the unfiltered REST list (one query per ticket; 0 skips it)",
    )
    parser.add_argument("--rest-unfiltered-max", type=int, default=200_000, help="skip it above this many tickets")
    parser.add_argument("--seed", type=int, default=7)
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
