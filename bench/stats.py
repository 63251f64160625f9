"""Timing helpers shared by the Helpline and the django-helpdesk harness (standard library only:
this module also runs in the peer's own virtualenv)."""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 200 samples is the 198th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Figure:
    """The timings of one endpoint."""

    name: str
    path: str
    key: str = ""  # the same request on both systems has the same key (for the comparison)
    status: str = "ok"  # ok | missing | error | skipped
    note: str = ""
    target_ms: float | None = None
    samples_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.samples_ms)

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("samples_ms")
        data.pop("queries")
        data["n"] = self.n
        if self.samples_ms:
            data["p50_ms"] = round(statistics.median(self.samples_ms), 2)
            data["p99_ms"] = round(percentile(self.samples_ms, 99), 2)
            data["mean_ms"] = round(statistics.fmean(self.samples_ms), 2)
            data["max_ms"] = round(max(self.samples_ms), 2)
        if self.queries:
            data["queries_p50"] = statistics.median_low(self.queries)
            data["queries_max"] = max(self.queries)
        return data


Probe = Callable[[int], tuple[int, int]]  # request i -> (HTTP status, queries)


def measure(
    figure: Figure,
    probe: Probe,
    *,
    requests: int,
    warmup: int,
    budget_s: float | None = None,
    min_requests: int = 3,
    ok: Callable[[int], bool] = lambda status: status == 200,
) -> Figure:
    """Call `probe` `warmup` times untimed, then up to `requests` times timed (stopping early once
    `budget_s` is spent and `min_requests` are in). A 404 on the first call marks it missing."""
    for i in range(warmup):
        status, _ = probe(-1 - i)
        if status == 404 and i == 0:
            figure.status, figure.note = "missing", "404: endpoint not there yet"
            return figure
        if not ok(status):
            figure.status, figure.note = "error", f"HTTP {status} during warm-up"
            return figure
    started = time.perf_counter()
    for i in range(requests):
        t = time.perf_counter()
        status, queries = probe(i)
        elapsed = (time.perf_counter() - t) * 1000
        if status == 404 and i == 0 and warmup == 0:
            figure.status, figure.note = "missing", "404: endpoint not there yet"
            return figure
        if not ok(status):
            figure.status, figure.note = "error", f"HTTP {status} on request {i}"
            return figure
        figure.samples_ms.append(elapsed)
        figure.queries.append(queries)
        if budget_s is not None and time.perf_counter() - started > budget_s and figure.n >= min_requests:
            figure.note = (
                figure.note + "; " if figure.note else ""
            ) + f"capped at {figure.n} requests ({budget_s:.0f} s budget)"
            break
    return figure


def fmt_ms(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def print_figures(title: str, figures: list[Figure]) -> None:
    print()
    print(title)
    header = f"{'endpoint':<50}{'n':>5}{'p50 ms':>10}{'p99 ms':>10}{'queries':>9}{'target':>9}  note"
    print(header)
    print("-" * len(header))
    for fig in figures:
        s = fig.summary()
        target = f"≤{fig.target_ms:.0f}" if fig.target_ms else ""
        verdict = ""
        if fig.status != "ok":
            verdict = fig.status.upper()
        elif fig.target_ms and s.get("p99_ms") is not None:
            verdict = "meets target" if s["p99_ms"] <= fig.target_ms else "MISSES target"
        queries = str(s.get("queries_p50", "–"))
        note = "; ".join(x for x in (verdict, fig.note) if x)
        print(
            f"{fig.name:<50}{s['n']:>5}{fmt_ms(s.get('p50_ms')):>10}{fmt_ms(s.get('p99_ms')):>10}{queries:>9}{target:>9}  {note}"
        )


def save(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    return path
