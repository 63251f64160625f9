"""The final summary of a benchmark run: data loading, Helpline against its targets, and Helpline
side by side with django-helpdesk on the same data with the ratio (peer / Helpline).

    python -m bench.compare --helpline helpline_bench --matched helpline_bench_100k --peer helpdesk_bench

Reads the JSON files the other benchmarks wrote to bench/results/ and writes bench/results/summary.md.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.stats import RESULTS, fmt_ms

ROWS = [
    ("list_open", "list, first page, open/active tickets"),
    ("list_closed", "list, first page, closed tickets"),
    ("list_deep_walk", "list, deep: Helpline pages 1–200 by cursor / peer page 200"),
    ("list_deep_random", "list, deep: random place in the closed tickets"),
    ("ticket_page", "ticket page"),
    ("search_latin", "search, Latin word (~1% of tickets)"),
    ("search_georgian", "search, Georgian word (~1% of tickets)"),
]
# The peer's REST list against Helpline's API list with the same filter.
REST_ROWS = [("rest_open", "list_open", "REST list, open tickets"), ("rest_all", "list_all", "REST list, all tickets")]


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _by_key(result: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    if not result:
        return {}
    return {f["key"]: f for f in result["figures"] if f.get("key")}


def _cell(fig: dict[str, Any] | None) -> str:
    if not fig:
        return "–"
    if fig.get("status") != "ok":
        return fig.get("status", "–")
    queries = fig.get("queries_p50", "–")
    return f"{fmt_ms(fig.get('p50_ms'))} / {fmt_ms(fig.get('p99_ms'))} ({queries} q, n={fig['n']})"


def _ratio(peer: dict[str, Any] | None, ours: dict[str, Any] | None, key: str) -> str:
    if not peer or not ours or peer.get("status") != "ok" or ours.get("status") != "ok":
        return "–"
    if not ours.get(key):
        return "–"
    ratio = peer[key] / ours[key]
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def summary(args: argparse.Namespace) -> str:
    out: list[str] = []
    gen = _load(f"generate-{args.helpline}")
    if gen:
        rows = sum(gen["rows"].values())
        phases = gen["phases_s"]
        reindex = phases.get("search reindex")
        out.append(
            f"Data: {gen['tickets']:,} tickets, {gen['rows'].get('tickets_message', 0):,} messages, "
            f"{gen['rows'].get('tickets_ticketevent', 0):,} events, {gen['customers']:,} customers "
            f"({rows:,} rows) loaded in {gen['load_s_without_reindex']:.0f} s "
            f"(COPY {gen['rows_per_s']:,} rows/s)"
            + (f", search documents built in {reindex:.0f} s" if reindex else ", search documents NOT built")
            + f"; total {gen['total_s']:.0f} s."
        )
        out.append("")
    ours = _load(f"helpline-{args.helpline}")
    if ours:
        load = ours.get("load_average_before")
        out.append(
            f"Helpline at {ours['tickets']:,} tickets (p50 / p99 ms, SQL queries per request, target on p99)"
            + (f"; machine load average {load[0]:.1f} on 2 cores when it started" if load else "")
            + ":"
        )
        out.append("")
        rows_: list[list[str]] = []
        for fig in ours["figures"]:
            target = f"≤ {fig['target_ms']:.0f}" if fig.get("target_ms") else ""
            verdict = ""
            if fig.get("status") != "ok":
                note = " ".join(fig.get("note", "").split())  # one line: it sits in a table cell
                verdict = fig.get("status", "") + (f": {note}" if note else "")
            elif fig.get("target_ms"):
                verdict = "ok" if fig["p99_ms"] <= fig["target_ms"] else "**misses**"
            rows_.append([fig["name"], _cell(fig), target, verdict])
        out += _table(["request", "p50 / p99 ms (queries)", "target p99", ""], rows_)
        out.append("")
    matched = _load(f"helpline-{args.matched}") if args.matched else ours
    peer = _load(f"peer-{args.peer}")
    if matched and peer:
        load = _load(f"peer-load-{args.peer}")
        out.append(
            f"Side by side on the same data: Helpline at {matched['tickets']:,} tickets ({matched['database']}), "
            f"django-helpdesk 2.6.1 at {peer['tickets']:,} tickets ({peer['database']})"
            + (f", peer loaded in {load['total_s']:.0f} s" if load else "")
            + ". Ratio = django-helpdesk / Helpline (higher is better for Helpline)."
        )
        out.append("")
        ours_by, peer_by = _by_key(matched), _by_key(peer)
        rows_ = []
        for key, label in ROWS:
            a, b = ours_by.get(key), peer_by.get(key)
            rows_.append([label, _cell(a), _cell(b), _ratio(b, a, "p50_ms"), _ratio(b, a, "p99_ms")])
        for key, our_key, label in REST_ROWS:
            a, b = ours_by.get(our_key), peer_by.get(key)
            rows_.append([label, _cell(a), _cell(b), _ratio(b, a, "p50_ms"), _ratio(b, a, "p99_ms")])
        out += _table(["request", "Helpline p50 / p99", "django-helpdesk p50 / p99", "ratio p50", "ratio p99"], rows_)
        notes = [f"{f['name']}: {f['note']}" for f in peer["figures"] if f.get("note")]
        if notes:
            out.append("")
            out += [f"- peer {note}" for note in notes]
    elif not peer:
        out.append("django-helpdesk figures: not run.")
    text = "\n".join(out)
    RESULTS.mkdir(exist_ok=True)
    Path(RESULTS / "summary.md").write_text(text + "\n")
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--helpline", default="helpline_bench", help="the full-scale Helpline database")
    parser.add_argument("--matched", default="", help="the Helpline database at the peer's scale, if different")
    parser.add_argument("--peer", default="helpdesk_bench")
    print(summary(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
