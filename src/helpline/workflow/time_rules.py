"""Time-based rules ("pending for 3 days → remind; 7 days → solve"): found by the sweep, each fired
once per ticket per anchor moment (the run row is claimed before anything is done)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef

from helpline.tickets.models import Ticket
from helpline.workflow.engine import Outcome, run_rules
from helpline.workflow.models import Rule, RuleRun, TicketState, TimeAnchor, Trigger
from helpline.workflow.rule_cache import active_rules

BATCH = 500


def _status_filter(rule: Rule) -> list[str] | None:
    """Status conditions of the rule, applied in SQL so old tickets that cannot match never crowd the batch."""
    for cond in rule.conditions_all:
        if cond["field"] == "ticket.status" and cond["op"] in ("is", "in"):
            return cond["value"] if isinstance(cond["value"], list) else [cond["value"]]
    return None


def _candidates(rule: Rule, now: dt.datetime) -> list[tuple[int, dt.datetime]]:
    cutoff = now - dt.timedelta(minutes=rule.delay_minutes or 0)
    statuses = _status_filter(rule)
    if rule.anchor == TimeAnchor.STATUS_SINCE:
        done = RuleRun.objects.filter(rule=rule, ticket_id=OuterRef("ticket_id"), anchor_at=OuterRef("status_since"))
        states = TicketState.objects.filter(status_since__lte=cutoff)
        if statuses is not None:
            states = states.filter(ticket__status__in=statuses)
        rows = states.exclude(Exists(done)).order_by("status_since").values_list("ticket_id", "status_since")[:BATCH]
        return list(rows)
    field = rule.anchor
    done = RuleRun.objects.filter(rule=rule, ticket_id=OuterRef("pk"), anchor_at=OuterRef(field))
    tickets = Ticket.objects.filter(**{f"{field}__lte": cutoff, "merged_into__isnull": True})
    if statuses is not None:
        tickets = tickets.filter(status__in=statuses)
    ticket_rows = tickets.exclude(Exists(done)).order_by(field).values_list("pk", field)[:BATCH]
    return list(ticket_rows)


def run_time_rules(now: dt.datetime) -> int:
    fired = 0
    for rule in active_rules(Trigger.TIME):
        for ticket_id, anchor_at in _candidates(rule, now):
            outcome: Outcome = run_rules(Trigger.TIME, ticket_id, now=now, anchor_at=anchor_at, rules=[rule])
            fired += len(outcome.applied) + len(outcome.failed)
    return fired
