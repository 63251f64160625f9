"""One pass over everything that has come due at `now`. Safe to run from several workers at once:
every piece of work is claimed with a conditional UPDATE or a unique run row before it is done."""

from __future__ import annotations

import datetime as dt
import logging

from helpline.core import realtime
from helpline.workflow import scheduling, sla_events
from helpline.workflow.engine import run_rules
from helpline.workflow.models import Trigger

log = logging.getLogger("helpline.workflow")


def run_sweep(now: dt.datetime, *, reschedule: bool = False) -> dict[str, int]:
    from helpline.workflow.follow_ups import run_due_follow_ups
    from helpline.workflow.greetings import run_greetings
    from helpline.workflow.time_rules import run_time_rules

    counts = {"warnings": 0, "breaches": 0}
    for due in sla_events.claim_due(now):
        counts["warnings" if due.what == "warning" else "breaches"] += 1
        trigger = Trigger.SLA_WARNING if due.what == "warning" else Trigger.SLA_BREACHED
        try:
            run_rules(trigger, due.ticket_id, now=now, sla_target=due.kind, anchor_at=due.due_at)
        except Exception:
            log.exception("sla rules failed ticket=%s", due.ticket_id)
    if counts["breaches"]:
        realtime.push_figures_changed("sla")  # the wall board's "SLA breached now"
    counts["time_rules"] = run_time_rules(now)
    counts["follow_ups"] = run_due_follow_ups(now)
    counts["greetings"] = run_greetings(now)
    if reschedule:
        upcoming = sla_events.next_due_moment(now)
        if upcoming is not None:
            scheduling.schedule_sweep(upcoming, unless_waiting=True)
    return counts
