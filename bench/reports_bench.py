"""Dashboard KPI queries on the benchmark database: every KPI for a 90-day range, timed.

    python -m bench.reports_bench --database helpline_bench [--days 90] [--repeat 5]

Migrates the surveys app into the database if needed and, when it holds no CSAT answers, adds
synthetic ones (set-based INSERT … SELECT) for `--survey-share` of the solved tickets so the CSAT
figures have rows to read; likewise SLA clocks, NPS answers and reopens (`_prepare_sla_nps_reopens`),
which the generated desk does not hold. The range ends at the newest ticket. For each KPI: one warm-up call,
then `--repeat` timed calls; prints p50 / max in ms, SQL queries per call and the value, against
the issue's target (p50 <= 1 s each), and writes bench/results/reports-<db>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

from bench.pgload import database_url
from bench.stats import RESULTS

TARGET_MS = 1000.0


def _setup(url: str) -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ["DATABASE_URL"] = url
    os.environ["HELPLINE_TASKS"] = "dummy"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    import django

    django.setup()


def _prepare(survey_share: float) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "surveys", verbosity=0)
    call_command("migrate", "reports", verbosity=0)
    from helpline.surveys.models import CsatSurvey

    _prepare_sla_nps_reopens()
    if CsatSurvey.objects.exists() or survey_share <= 0:
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO surveys_csatsurvey (public_id, ticket_id, customer_id, agent_id, team_id, channel, language,
                sent_at, rating, comment, first_answered_at, answered_at, kudos_shared_at, kudos_shared_by_id)
            SELECT md5('csat' || t.id::text), t.id, t.requester_id, t.assignee_id, t.team_id, t.channel, t.language,
                t.solved_at, 1 + (abs(hashtext(t.id::text)) %% 100) / 20,
                CASE WHEN t.id %% 7 = 0 THEN 'Thank you, very helpful' ELSE '' END,
                t.solved_at + interval '2 hours', t.solved_at + interval '2 hours', NULL, NULL
            FROM tickets_ticket t
            WHERE t.solved_at IS NOT NULL AND t.merged_into_id IS NULL AND (abs(hashtext('s' || t.id::text)) %% 1000) < %s
            """,
            [int(survey_share * 1000)],
        )
        inserted = cursor.rowcount
        cursor.execute("ANALYZE surveys_csatsurvey")
    print(f"added {inserted:,} synthetic CSAT answers in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _prepare_sla_nps_reopens() -> None:
    """The generated desk has no SLA clocks, NPS answers or reopened tickets; give those KPIs rows to
    read (set-based, once): first-response and resolution clocks for every ticket (8 h and 48 h
    targets, met or breached from the ticket's own times), NPS answers from 5% of customers per
    month-long campaign over the last 120 days, and a reopen (solved → open) on 3% of solved tickets."""
    from django.db import connection

    from helpline.surveys.models import NpsSurvey
    from helpline.tickets.models import TicketEvent
    from helpline.workflow.models import SlaClock

    started = time.perf_counter()
    with connection.cursor() as cursor:
        if not SlaClock.objects.exists():
            for kind, hours, met in (("first_response", 8, "first_response_at"), ("resolution", 48, "solved_at")):
                cursor.execute(
                    f"""
                    INSERT INTO workflow_slaclock (ticket_id, kind, policy_id, started_at, spent, paused, due_at,
                        warn_at, met_at, warned_at, breached_at)
                    SELECT t.id, %s, NULL, t.created_at, interval '0', false,
                        t.created_at + %s * interval '1 hour', t.created_at + (%s * 60 - 30) * interval '1 minute',
                        t.{met}, NULL,
                        CASE WHEN coalesce(t.{met}, now()) > t.created_at + %s * interval '1 hour'
                             THEN t.created_at + %s * interval '1 hour' END
                    FROM tickets_ticket t WHERE t.merged_into_id IS NULL
                    """,  # noqa: S608 (column names are constants above)
                    [kind, hours, hours, hours, hours],
                )
            cursor.execute("ANALYZE workflow_slaclock")
        if not NpsSurvey.objects.exists():
            for month in range(4):
                cursor.execute(
                    """
                    INSERT INTO surveys_npscampaign (public_id, name, follow_up_question, sample_size, throttle_days,
                        scheduled_for, status, created_at, sent_at, repeat_every_days)
                    VALUES (md5('nps' || %s::text), 'Bench NPS ' || %s::text, '', 10000, 90,
                        now() - (%s * 30 + 30) * interval '1 day', 'sent', now() - (%s * 30 + 30) * interval '1 day',
                        now() - (%s * 30 + 30) * interval '1 day', 0)
                    RETURNING id
                    """,
                    [month, month, month, month, month],
                )
                campaign = cursor.fetchone()[0]
                cursor.execute(
                    """
                    INSERT INTO surveys_npssurvey (public_id, campaign_id, customer_id, language, sent_at, score,
                        comment, first_answered_at, answered_at)
                    SELECT md5('nps' || %s::text || '-' || c.id::text), %s, c.id, 'en', cp.sent_at,
                        CASE WHEN abs(hashtext('a' || c.id::text || %s::text)) %% 3 = 0 THEN NULL
                             ELSE abs(hashtext('s' || c.id::text || %s::text)) %% 11 END,
                        '', cp.sent_at + interval '1 day', cp.sent_at + interval '1 day'
                    FROM customers_customer c, surveys_npscampaign cp
                    WHERE cp.id = %s AND abs(hashtext('n' || c.id::text || %s::text)) %% 100 < 5
                    """,
                    [month, campaign, month, month, campaign, month],
                )
            cursor.execute("UPDATE surveys_npssurvey SET first_answered_at = NULL, answered_at = NULL WHERE score IS NULL")
            cursor.execute("ANALYZE surveys_npssurvey")
        if not TicketEvent.objects.filter(kind="status_changed", before="solved", after="open").exists():
            cursor.execute(
                """
                INSERT INTO tickets_ticketevent (ticket_id, kind, actor_label, before, after, data, created_at)
                SELECT t.id, 'status_changed', '', '"solved"'::jsonb, '"open"'::jsonb, '{}'::jsonb,
                    t.solved_at - interval '1 hour'
                FROM tickets_ticket t
                WHERE t.solved_at IS NOT NULL AND t.solved_at - interval '1 hour' > t.created_at
                  AND abs(hashtext('r' || t.id::text)) %% 100 < 3
                """,
                [],
            )
            cursor.execute("ANALYZE tickets_ticketevent")
    print(f"prepared SLA clocks, NPS answers and reopens in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _with_calendar(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Business-time KPIs need a calendar: when the database has none, each call runs with a
    default Mon–Fri 09:00–17:00 (Tbilisi) calendar created in a savepoint and rolled back, so the
    timing includes laying out its working intervals and the database is left as it was."""

    def run() -> Any:
        from django.db import transaction

        from helpline.workflow.models import BusinessCalendar

        if BusinessCalendar.objects.exists():
            return fn()
        with transaction.atomic():
            savepoint = transaction.savepoint()
            try:
                BusinessCalendar.objects.create(
                    name="bench office hours",
                    time_zone="Asia/Tbilisi",
                    shifts=[{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)],
                    is_default=True,
                )
                return fn()
            finally:
                transaction.savepoint_rollback(savepoint)

    return run


def _kpis(f: Any) -> list[tuple[str, Callable[[], Any]]]:
    from helpline.reports import breakdowns, dashboard, kpis, wallboard

    def short(value: Any) -> str:
        text = repr(value)
        return text if len(text) <= 70 else text[:67] + "..."

    items: list[tuple[str, Callable[[], Any]]] = [
        ("tickets opened", lambda: kpis.created_count(f)),
        ("tickets solved", lambda: kpis.solved_count(f)),
        ("first response time", lambda: kpis.first_response_time(f)),
        ("response time", lambda: kpis.response_time(f)),
        ("resolution time", lambda: kpis.resolution_time(f)),
        ("first response time, business hours", _with_calendar(lambda: kpis.first_response_business_time(f))),
        ("resolution time, business hours", _with_calendar(lambda: kpis.resolution_business_time(f))),
        ("response time, business hours", _with_calendar(lambda: kpis.response_business_time(f))),
        ("CSAT", lambda: kpis.csat(f)),
        ("NPS", lambda: kpis.nps(f)),
        ("first-contact resolution", lambda: kpis.first_contact_resolution(f)),
        ("repeat contacts", lambda: kpis.repeat_contact_rate(f)),
        ("reopen rate", lambda: kpis.reopen_rate(f)),
        ("backlog and age", lambda: kpis.backlog(f)),
        ("SLA compliance", lambda: kpis.sla_compliance(f)),
        ("SLA breaching now", lambda: kpis.sla_breaching_now(f)),
        ("retention and churn", lambda: kpis.retention(f)),
        ("loyal customers", lambda: kpis.loyal_customers(f)),
        ("volume by channel", lambda: breakdowns.volume_by(f, "channel")),
        ("volume by language", lambda: breakdowns.volume_by(f, "language")),
        ("volume by type", lambda: breakdowns.volume_by(f, "type")),
        ("volume by team", lambda: breakdowns.volume_by(f, "team")),
        ("volume by agent", lambda: breakdowns.volume_by(f, "agent")),
        ("volume by priority", lambda: breakdowns.volume_by(f, "priority")),
        ("daily trend", lambda: breakdowns.daily_trend(f)),
        ("day x hour heat map", lambda: breakdowns.heatmap(f)),
        ("CSAT distribution", lambda: breakdowns.csat_distribution(f)),
        ("CSAT by channel", lambda: breakdowns.csat_by(f, "channel")),
        ("CSAT by team", lambda: breakdowns.csat_by(f, "team")),
        ("CSAT by language", lambda: breakdowns.csat_by(f, "language")),
        ("leaderboard", lambda: breakdowns.leaderboard(f)),
        ("wall board (now)", lambda: wallboard.now_figures(f)),
        ("whole dashboard (all of the above, both periods)", lambda: dashboard.build(f)),
    ]
    return [(name, fn) for name, fn in items] + [("_short", lambda: short)]  # type: ignore[list-item]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="helpline_bench")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--survey-share", type=float, default=0.3)
    args = parser.parse_args(argv)
    _setup(database_url(args.database))
    _prepare(args.survey_share)

    from django.db import connection
    from django.db.models import Max
    from django.test.utils import CaptureQueriesContext

    from helpline.reports.filters import ReportFilter
    from helpline.reports.sql import report_queries
    from helpline.tickets.models import Ticket

    newest = Ticket.objects.aggregate(at=Max("created_at"))["at"]
    end = newest + dt.timedelta(seconds=1)
    f = ReportFilter(start=end - dt.timedelta(days=args.days), end=end)
    total = Ticket.objects.count()
    in_range = Ticket.objects.filter(created_at__gte=f.start, created_at__lt=f.end).count()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (the machine is shared)")
    print(f"{total:,} tickets; range {f.start:%Y-%m-%d %H:%M} to {f.end:%Y-%m-%d %H:%M} ({in_range:,} opened in it)")
    print(f"{'KPI':<50} {'p50 ms':>9} {'max ms':>9} {'queries':>8}  {'<=1 s':<6} value")
    rows = []
    items = _kpis(f)
    short = items.pop()[1]()
    with CaptureQueriesContext(connection) as ctx, report_queries():
        pass
    overhead = len(ctx.captured_queries)  # SET LOCAL jit = off
    for name, fn in items:
        with report_queries():  # as the dashboard runs them: JIT off on PostgreSQL
            value = fn()  # warm-up
        samples, queries = [], 0
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                with report_queries():
                    value = fn()
                samples.append((time.perf_counter() - started) * 1000)
            queries = len(ctx.captured_queries) - overhead
        p50 = statistics.median(samples)
        whole = name.startswith("whole")
        ok = "-" if whole else ("yes" if p50 <= TARGET_MS else "NO")
        print(f"{name:<50} {p50:>9.1f} {max(samples):>9.1f} {queries:>8}  {ok:<6} {short(value)}")
        rows.append({"kpi": name, "p50_ms": round(p50, 1), "max_ms": round(max(samples), 1), "queries": queries})
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"reports-{args.database}.json"
    out.write_text(json.dumps({"tickets": total, "days": args.days, "in_range": in_range, "kpis": rows}, indent=2))
    print(f"written {out}")
    slow = [r for r in rows if not r["kpi"].startswith("whole") and r["p50_ms"] > TARGET_MS]
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
