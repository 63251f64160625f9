"""Running automation rules: ordered, stop-processing, loop protection, failures recorded and
repeatedly failing rules switched off. One broken rule never stops the others."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.customers.models import CustomerIdentity
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import Tag, Ticket
from helpline.workflow import conditions, effects
from helpline.workflow.facts_sql import fast_facts
from helpline.workflow.models import Rule, RuleRun, TicketState
from helpline.workflow.rule_cache import active_rules

log = logging.getLogger("helpline.workflow")

LOOP_LIMIT = 10  # rule firings on one ticket before a person (or the clock) acts again
DISABLE_AFTER_FAILURES = 3


def rule_actor(rule: Rule) -> Actor:
    return Actor.system(f"rule:{rule.name}"[:60])


@dataclass
class Outcome:
    applied: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    loop_stopped: bool = False


def load_ticket(ticket_id: int) -> Ticket:
    """The ticket with everything rule conditions read, in one query on PostgreSQL."""
    email = CustomerIdentity.objects.filter(customer_id=OuterRef("requester_id"), kind="email").order_by("id")
    since = TicketState.objects.filter(ticket_id=OuterRef("pk")).values("status_since")[:1]
    qs = Ticket.objects.select_related("requester", "assignee", "team", "organization").annotate(
        requester_email=Subquery(email.values("value")[:1]), status_since=Subquery(since)
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        names = Tag.objects.filter(tickets=OuterRef("pk")).order_by("name").values("name")
        return qs.annotate(tag_names=ArraySubquery(names)).get(pk=ticket_id)
    return qs.prefetch_related("tags").get(pk=ticket_id)


def facts_for(
    ticket: Ticket, *, now: dt.datetime, event: Any = None, message: Any = None, sla_target: str = ""
) -> dict[str, Any]:
    state = getattr(ticket, "status_since", None)
    if state is None:
        state = TicketState.objects.filter(ticket_id=ticket.pk).values_list("status_since", flat=True).first()

    def business_open() -> bool:
        from helpline.workflow.models import SlaPolicy
        from helpline.workflow.sla_clocks import calendar_for

        probe = SlaPolicy(business_hours=True)
        calendar = calendar_for(probe, ticket)
        return calendar is None or calendar.is_open(now)

    return conditions.ticket_facts(
        ticket,
        now=now,
        event=event,
        message=message,
        sla_target=sla_target,
        status_since=state,
        business_open=business_open,
    )


def _business_open(now: dt.datetime) -> Any:
    def probe(team_id: int | None) -> bool:
        from helpline.workflow.models import BusinessCalendar

        record = None
        if team_id is not None:
            record = BusinessCalendar.objects.filter(team_id=team_id).first()
        if record is None:
            record = BusinessCalendar.objects.filter(is_default=True).first()
        return record is None or record.to_calendar().is_open(now)

    return probe


def run_rules(
    trigger: str,
    ticket_id: int,
    *,
    now: dt.datetime,
    event: Any = None,
    message: Any = None,
    sla_target: str = "",
    anchor_at: dt.datetime | None = None,
    rules: list[Rule] | None = None,
    extra_facts: dict[str, Any] | None = None,
) -> Outcome:
    """Evaluate the active rules of `trigger` against the ticket and perform the matching ones.
    `extra_facts` adds what only this trigger knows (the survey answer of "survey answered")."""
    outcome = Outcome()
    candidates = rules if rules is not None else active_rules(trigger)
    if not candidates:
        return outcome
    ticket: Ticket | None = None
    facts = fast_facts(
        ticket_id, now=now, event=event, message=message, sla_target=sla_target, business_open=_business_open(now)
    )
    if facts is None:
        ticket = load_ticket(ticket_id)
        facts = facts_for(ticket, now=now, event=event, message=message, sla_target=sla_target)
    if extra_facts:
        facts.update(extra_facts)
    from_rule = bool(event is not None and (event.actor_label or "").startswith("rule:"))
    chain = None
    for rule in candidates:
        if not conditions.all_hold(rule.conditions_all, rule.conditions_any, facts):
            continue
        if ticket is None:
            ticket = load_ticket(ticket_id)
        if chain is None:
            chain = _chain_start(ticket.pk, now, continuing=from_rule)
        if chain >= LOOP_LIMIT:
            # Stays stopped until a person, a customer or the clock acts on the ticket again.
            outcome.loop_stopped = True
            if chain == LOOP_LIMIT:
                TicketState.objects.filter(ticket_id=ticket.pk).update(rule_chain=LOOP_LIMIT + 1)
                _note_loop(ticket, rule, now)
            break
        if not _claim(rule, ticket, anchor_at or now, now):
            continue
        chain += 1
        TicketState.objects.filter(ticket_id=ticket.pk).update(rule_chain=chain)
        if _apply(rule, ticket, now, trigger):
            outcome.applied.append(rule.name)
        else:
            outcome.failed.append(rule.name)
        if rule.stop_processing:
            break
        ticket = load_ticket(ticket_id)
        facts = facts_for(ticket, now=now, event=event, message=message, sla_target=sla_target)
    if extra_facts:
        facts.update(extra_facts)
    return outcome


def _chain_start(ticket_id: int, now: dt.datetime, *, continuing: bool) -> int:
    state, _created = TicketState.objects.get_or_create(ticket_id=ticket_id, defaults={"status_since": now})
    if not continuing and state.rule_chain:
        TicketState.objects.filter(ticket_id=ticket_id).update(rule_chain=0)
        return 0
    return state.rule_chain


def _claim(rule: Rule, ticket: Ticket, anchor_at: dt.datetime, now: dt.datetime) -> bool:
    """Insert the run row first: a rule fires once per ticket per anchor, whoever gets there first."""
    try:
        with transaction.atomic():
            RuleRun.objects.create(rule=rule, ticket=ticket, anchor_at=anchor_at, ran_at=now)
    except IntegrityError:
        return False
    return True


def _apply(rule: Rule, ticket: Ticket, now: dt.datetime, trigger: str) -> bool:
    actor = rule_actor(rule)
    try:
        with transaction.atomic():
            for effect in rule.actions:
                effects.perform(effect, ticket=ticket, actor=actor, context={"trigger": trigger})
    except Exception as exc:  # one broken rule never stops the others
        log.warning("rule failed rule=%s ticket=%s error=%s", rule.name, ticket.pk, exc)
        record_failure(rule, ticket, exc, now)
        return False
    if rule.failure_count:
        Rule.objects.filter(pk=rule.pk).update(failure_count=0)
        rule.failure_count = 0
    return True


def record_failure(rule: Rule, ticket: Ticket, exc: Exception, now: dt.datetime) -> None:
    message = getattr(exc, "message", None) or str(exc) or exc.__class__.__name__
    run = RuleRun.objects.filter(rule=rule, ticket=ticket).order_by("-id").first()
    if run is not None:
        RuleRun.objects.filter(pk=run.pk).update(ok=False, error=message[:2000])
    Rule.objects.filter(pk=rule.pk).update(failure_count=F("failure_count") + 1, last_error=message[:2000])
    rule.refresh_from_db(fields=["failure_count", "active", "last_error"])
    try:
        ticket_actions.add_internal_note(
            actor=rule_actor(rule),
            ticket=ticket,
            body_text=_("Automation “%(rule)s” failed: %(error)s") % {"rule": rule.name, "error": message},
        )
    except Exception:
        log.exception("could not record rule failure on ticket=%s", ticket.pk)
    if rule.active and rule.failure_count >= DISABLE_AFTER_FAILURES:
        from helpline.workflow.rule_actions import disable_failing_rule

        disable_failing_rule(rule=rule, now=now)


def _note_loop(ticket: Ticket, rule: Rule, now: dt.datetime) -> None:
    log.warning("rule loop stopped ticket=%s at rule=%s", ticket.pk, rule.name)
    ticket_actions.add_internal_note(
        actor=Actor.system("automations"),
        ticket=ticket,
        body_text=_("Automations stopped after %(n)s changes in a row (loop protection); last rule: “%(rule)s”.")
        % {"n": LOOP_LIMIT, "rule": rule.name},
    )
