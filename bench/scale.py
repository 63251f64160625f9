"""Benchmark scale from the environment: BENCH_SCALE=small|full, or explicit counts.

BENCH_SCALE=full  (default)  Helpline 1,000,000 tickets; django-helpdesk 100,000
BENCH_SCALE=small            Helpline 20,000 tickets;    django-helpdesk 20,000
BENCH_TICKETS=N, PEER_TICKETS=N override either.
"""

from __future__ import annotations

import os

SCALES = {"full": (1_000_000, 100_000), "small": (20_000, 20_000)}


def _scale() -> tuple[int, int]:
    name = os.environ.get("BENCH_SCALE", "full").strip().lower() or "full"
    if name not in SCALES:
        raise SystemExit(f"BENCH_SCALE must be one of {', '.join(SCALES)}, not {name!r}")
    return SCALES[name]


def default_tickets() -> int:
    return int(os.environ.get("BENCH_TICKETS") or _scale()[0])


def default_peer_tickets() -> int:
    return int(os.environ.get("PEER_TICKETS") or _scale()[1])
