"""Workflow benchmarks on PostgreSQL, printing figures:

1. SLA re-evaluation after a policy change: every open ticket re-matched against the policies (one
   UPDATE, its clocks following in the same statement) and its running clocks' due times recomputed
   (binary COPY out, numpy, binary COPY of the changed ones into a temporary table, one UPDATE).
   Target: >= 20,000 tickets/s. Measured twice: calendar-time targets (SQL only), then business-time
   targets for every open ticket (working intervals of the calendar laid out once, deadlines by numpy
   binary search); the first business-time run rewrites every running clock's due time (the worst
   case), the next two change one target; the per-clock Python maths is timed on a subset for reference.
2. Trigger evaluation overhead per ticket event with 200 active rules (facts read once, every rule's
   conditions evaluated, none matching): p50/p99 in ms. Target: p99 <= 2 ms.

The rule facts are read by the PL/pgSQL function helpline_rule_facts (its plan cached per server
session, no PREPARE), so the engine works behind PgBouncer in transaction mode; the bench also times
that read against the same query planned every time and against a session-level PREPARE.

Usage: .venv/bin/python bench/workflow_bench.py [--tickets 100000] [--business 10000] [--events 2000]
       [--port 6432]   (through a pooler, e.g. PgBouncer in transaction mode, on that port)
       [--triggers-only]   (only the trigger figures, on the database a previous run left)
Creates (and drops first) the database `helpline_bench_workflow` at 127.0.0.1:5432 (user postgres).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from bench.pgload import SERVER_URL, database_url, recreate_database  # noqa: E402

NAME = "helpline_bench_workflow"


def setup_django(port: int = 5432) -> None:
    os.environ["DATABASE_URL"] = database_url(NAME, port=port)
    os.environ["HELPLINE_TASKS"] = "immediate"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load_tickets(n: int) -> int:
    """COPY-speed synthetic open tickets with workflow state and three running clocks each."""
    from django.db import connection

    from helpline.core.actors import Actor
    from helpline.customers import actions as customer_actions

    customer = customer_actions.create_customer(
        actor=Actor.system(), name="Bench Customer", identities=[("email", "bench@example.com")]
    )
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute(
            """
            INSERT INTO tickets_ticket (public_id, number, subject, status, priority, ticket_type, channel,
                requester_id, custom_fields, language, created_at, updated_at)
            SELECT md5(g::text), 100000 + g, 'Bench ' || g,
                   (ARRAY['new','open','open','pending'])[1 + g %% 4],
                   (ARRAY['low','normal','high','urgent'])[1 + g %% 4],
                   '', (ARRAY['email','web','chat'])[1 + g %% 3], %s, '{}'::jsonb, 'en',
                   now() - (g %% 10000) * interval '1 minute', now()
            FROM generate_series(1, %s) g
            """,
            [customer.pk, n],
        )
        cur.execute(
            """INSERT INTO workflow_ticketstate (ticket_id, policy_id, status_since, rule_chain)
               SELECT id, NULL, created_at, 0 FROM tickets_ticket"""
        )
        cur.execute(
            """INSERT INTO workflow_slaclock (ticket_id, kind, policy_id, started_at, spent, paused)
               SELECT t.id, k.kind, NULL, CASE WHEN t.status = 'pending' THEN NULL ELSE t.created_at END,
                      interval '0', t.status = 'pending'
               FROM tickets_ticket t CROSS JOIN (VALUES ('first_response'), ('next_response'), ('resolution')) k(kind)"""
        )
        cur.execute("ANALYZE tickets_ticket; ANALYZE workflow_ticketstate; ANALYZE workflow_slaclock")
        cur.execute("SELECT count(*) FROM tickets_ticket WHERE status <> ALL(%s)", [["solved", "closed"]])
        return cur.fetchone()[0]


def vacuum() -> None:
    """This server runs without autovacuum: clear the previous run's dead rows (untimed), as
    autovacuum would between policy changes on a production server."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) workflow_slaclock, workflow_ticketstate, tickets_ticket")


def bench_sla(n_open: int, business: int) -> None:
    from helpline.core.actors import Actor
    from helpline.workflow import sla_actions
    from helpline.workflow.models import SlaClock, SlaPolicy
    from helpline.workflow.sla_reapply import reapply_policies

    system = Actor.system()
    sla_actions.save_policy(
        actor=system,
        name="Urgent",
        conditions={"priority": ["urgent", "high"]},
        first_response_minutes=60,
        next_response_minutes=120,
        resolution_minutes=480,
        business_hours=False,
        position=0,
    )
    sla_actions.save_policy(
        actor=system,
        name="Everyone else",
        conditions={},
        first_response_minutes=480,
        next_response_minutes=480,
        resolution_minutes=2880,
        business_hours=False,
        position=1,
    )
    timings = []
    for target in (45, 30, 60):
        policy = SlaPolicy.objects.get(name="Urgent")
        policy.first_response_minutes = target
        policy.save(update_fields=["first_response_minutes"])
        vacuum()
        started = time.perf_counter()
        reapply_policies()
        timings.append(time.perf_counter() - started)
    running = SlaClock.objects.filter(started_at__isnull=False, due_at__isnull=False).count()
    med = statistics.median(timings)
    print(f"SLA re-evaluation (calendar time): {n_open:,} open tickets, {running:,} running clocks")
    print(
        f"  runs: {', '.join(f'{t:.2f}s' for t in timings)}; median {med:.2f}s = {n_open / med:,.0f} tickets/s "
        f"(target >= 20,000; ratio {n_open / med / 20_000:.2f})"
    )

    # Business-time targets: both policies measured in an office calendar (Berlin, Mon-Fri 09-17,
    # a holiday), every open ticket's running clocks recomputed through the calendar maths.
    calendar = sla_actions.save_calendar(
        actor=system,
        name="Office",
        time_zone="Europe/Berlin",
        shifts=[{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)],
        holidays=["2025-12-25"],
    )
    SlaPolicy.objects.update(business_hours=True, calendar=calendar)
    timings = []
    for target in (45, 30, 60):
        SlaPolicy.objects.filter(name="Urgent").update(first_response_minutes=target)
        vacuum()
        started = time.perf_counter()
        reapply_policies()
        timings.append(time.perf_counter() - started)
    running = SlaClock.objects.filter(started_at__isnull=False, due_at__isnull=False).count()
    med = statistics.median(timings)
    rate = n_open / med
    print(f"SLA re-evaluation (business time, numpy over working intervals): {running:,} running clocks")
    print(
        f"  runs: {', '.join(f'{t:.2f}s' for t in timings)}; median {med:.2f}s = {rate:,.0f} tickets/s "
        f"(target >= 20,000; ratio {rate / 20_000:.2f})"
    )

    if business:
        # The reference: the per-clock Python calendar maths (the path SQLite uses), on a subset.
        subset = list(
            SlaClock.objects.filter(started_at__isnull=False, met_at__isnull=True).values_list("pk", flat=True)[
                :business
            ]
        )
        started = time.perf_counter()
        updated = _python_recompute(subset)
        took = time.perf_counter() - started
        print(
            f"  reference, per-clock Python calendar maths: {updated:,} clocks in {took:.2f}s = {updated / took:,.0f} clocks/s"
        )


def _python_recompute(clock_ids: list[int]) -> int:
    from helpline.workflow.models import SlaClock
    from helpline.workflow.sla_reapply import _recompute_in_python

    count = 0
    for policy in {c.policy for c in SlaClock.objects.filter(pk__in=clock_ids).select_related("policy")}:
        if policy is None:
            continue
        for kind in ("first_response", "next_response", "resolution"):
            minutes = policy.target_minutes(kind)
            if minutes is not None:
                clocks = SlaClock.objects.filter(pk__in=clock_ids, policy=policy, kind=kind)
                count += _recompute_in_python(policy, kind, minutes, clocks)
    return count


def bench_triggers(events: int, *, pooled: bool = False) -> None:
    from django.utils import timezone

    from helpline.core.actors import Actor
    from helpline.tickets.models import EventKind, Ticket, TicketEvent
    from helpline.workflow import engine, rule_actions
    from helpline.workflow.models import Rule

    system = Actor.system()
    fields = [
        ("ticket.subject", "contains", "never-{i}"),
        ("ticket.tags", "includes", "tag-{i}"),
        ("message.text", "matches", r"\bcode-{i}\b"),
        ("customer.attribute.tier", "is", "tier-{i}"),
        ("ticket.priority", "is", "urgent"),
    ]
    for i in range(200):
        field, op, value = fields[i % len(fields)]
        conds = [{"field": field, "op": op, "value": value.format(i=i)}]
        if field == "ticket.priority":
            conds.append({"field": "ticket.channel", "op": "is", "value": "phone"})
        rule_actions.save_rule(
            actor=system,
            name=f"Rule {i}",
            trigger="ticket_updated",
            conditions_all=conds,
            actions=[{"type": "add_tags", "tags": f"r{i}"}],
            position=i,
            active=True,
        )
    assert Rule.objects.filter(active=True).count() == 200
    tickets = list(Ticket.objects.order_by("id").values_list("id", flat=True)[:events])
    fake = TicketEvent(kind=EventKind.PRIORITY_CHANGED, actor_label="", before="low", after="high")
    from helpline.workflow import conditions
    from helpline.workflow.rule_cache import active_rules

    def pct(values: list[float]) -> str:
        values = sorted(values)
        return f"p50 {values[len(values) // 2]:.3f} ms, p99 {values[int(len(values) * 0.99) - 1]:.3f} ms"

    wall, cpu, only_rules = [], [], []
    for ticket_id in tickets:
        started, started_cpu = time.perf_counter(), time.process_time()
        outcome = engine.run_rules("ticket_updated", ticket_id, now=timezone.now(), event=fake)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert not outcome.applied
    rules = active_rules("ticket_updated")
    for ticket_id in tickets:
        facts = engine.facts_for(engine.load_ticket(ticket_id), now=timezone.now(), event=fake)
        started = time.perf_counter()
        for rule in rules:
            conditions.all_hold(rule.conditions_all, rule.conditions_any, facts)
        only_rules.append((time.perf_counter() - started) * 1000)
    reads = compare_fact_reads(tickets, prepared=not pooled)
    print(f"Trigger evaluation, 200 active rules, {len(tickets):,} events (target p99 <= 2 ms):")
    print(f"  per event, wall clock (one-query read of the ticket + all rules): {pct(wall)}")
    print(f"  per event, CPU time of this process:                           {pct(cpu)}")
    print(f"  conditions of all 200 rules only (facts in memory):             {pct(only_rules)}")
    print("  facts read alone, wall clock, interleaved (same load for each):")
    for label, values in reads.items():
        print(f"    {label:<46} {pct(values)}")


def compare_fact_reads(tickets: list[int], *, prepared: bool = True) -> dict[str, list[float]]:
    """The facts read three ways, one after another for each ticket: the PL/pgSQL function (what the
    engine uses; safe behind PgBouncer in transaction mode), the same query planned every time, and
    a session-level PREPARE (fast, but breaks under transaction pooling)."""
    import importlib

    from django.db import connection

    create = importlib.import_module("helpline.workflow.migrations.0004_rule_facts_function").CREATE
    query = create.split("RETURN QUERY", 1)[1].split(";\nEND", 1)[0].replace("t.id = ticket", "t.id = %s")
    ways = {
        "PL/pgSQL function (engine)": ("SELECT * FROM helpline_rule_facts(%s::bigint)", None),
        "plain query, planned each time": (query, None),
        "PREPARE/EXECUTE (not pooler-safe)": ("EXECUTE bench_facts(%s)", None),
    }
    if not prepared:  # behind a transaction pooler the next transaction may run on another session
        del ways["PREPARE/EXECUTE (not pooler-safe)"]
    results: dict[str, list[float]] = {label: [] for label in ways}
    with connection.cursor() as cur:
        if prepared:
            cur.execute(f"PREPARE bench_facts(bigint) AS {query.replace('%s', '$1')}")
        for ticket_id in tickets:
            for label, (sql, _prepare) in ways.items():
                started = time.perf_counter()
                cur.execute(sql, [ticket_id])
                cur.fetchone()
                results[label].append((time.perf_counter() - started) * 1000)
        if prepared:
            cur.execute("DEALLOCATE bench_facts")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--business", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument(
        "--port",
        type=int,
        default=5432,
        help="reach the database through a pooler here (e.g. PgBouncer, transaction mode)",
    )
    parser.add_argument(
        "--triggers-only",
        action="store_true",
        help="time only the triggers, on the database a previous run left (any size), its rules replaced",
    )
    args = parser.parse_args()
    if args.triggers_only:
        setup_django(args.port)
        from helpline.workflow.models import Rule
        from helpline.workflow.rule_cache import invalidate

        Rule.objects.filter(name__startswith="Rule ").delete()
        invalidate()
        from helpline.tickets.models import Ticket

        print(f"scale: {Ticket.objects.count():,} tickets (reused); load {os.getloadavg()[0]:.2f}")
        bench_triggers(args.events, pooled=args.port != 5432)
        return
    recreate_database(SERVER_URL, NAME)
    setup_django(args.port)
    started = time.perf_counter()
    n_open = load_tickets(args.tickets)
    print(
        f"scale: {args.tickets:,} tickets ({n_open:,} open), loaded in {time.perf_counter() - started:.1f}s; load {os.getloadavg()[0]:.2f}"
    )
    bench_sla(n_open, args.business)
    bench_triggers(args.events, pooled=args.port != 5432)


if __name__ == "__main__":
    main()
