"""One pass over everything that has come due at `now`. Safe to run from several workers at once."""

from __future__ import annotations

import datetime as dt
import logging

from helpline.workflow import scheduling, sla_events

log = logging.getLogger("helpline.workflow")


def run_sweep(now: dt.datetime, *, reschedule: bool = False) -> dict[str, int]:
    counts = {"warnings": 0, "breaches": 0}
    for due in sla_events.claim_due(now):
        counts["warnings" if due.what == "warning" else "breaches"] += 1
        _fire_sla(due, now)
    if reschedule:
        upcoming = sla_events.next_due_moment(now)
        if upcoming is not None:
            scheduling.schedule_sweep(upcoming)
    return counts


def _fire_sla(due: sla_events.DueClock, now: dt.datetime) -> None:
    log.info("sla %s ticket=%s clock=%s due=%s", due.what, due.ticket_id, due.kind, due.due_at.isoformat())
