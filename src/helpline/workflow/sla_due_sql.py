"""PostgreSQL path for SLA due times after a policy or calendar change, for all open tickets at once.

Every clock of an open ticket that runs (or still carries a due time) is read with a binary COPY
(timestamps and intervals in PostgreSQL's binary form, parsed by numpy without building Python objects). Due and warning
times are computed with numpy: calendar-time targets by addition, business-time targets per calendar
by binary search over its working intervals (`business_vector`). Only the clocks whose times differ
are copied (binary) into a temporary table and written with one UPDATE.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import numpy.typing as npt

from helpline.tickets.models import ACTIVE_STATUSES
from helpline.workflow.business_vector import US, deadlines
from helpline.workflow.models import BusinessCalendar, ClockKind, SlaPolicy

KINDS = list(ClockKind.values)
NONE = np.iinfo(np.int64).min  # stands for NULL: '-infinity' in PostgreSQL's binary timestamps
PG_EPOCH = 946_684_800 * US  # binary timestamps count microseconds from 2000-01-01, UTC
DAY = 86_400 * US
TEMP_TABLE = "wf_sla_due"
HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
# Timestamps and the interval go out in PostgreSQL's own binary form (no per-row conversion in the
# server); NULL times become '-infinity' so every row has the same fixed layout.
SELECT_CLOCKS = """
COPY (
    SELECT c.id, COALESCE(s.policy_id, 0),
           CASE c.kind WHEN 'first_response' THEN 0 WHEN 'next_response' THEN 1 ELSE 2 END::bigint,
           COALESCE(t.team_id, 0)::bigint,
           CASE WHEN c.met_at IS NULL THEN COALESCE(c.started_at, '-infinity') ELSE '-infinity' END,
           c.spent,
           COALESCE(c.due_at, '-infinity'),
           COALESCE(c.warn_at, '-infinity')
    FROM workflow_slaclock c
    JOIN workflow_ticketstate s ON s.ticket_id = c.ticket_id
    JOIN tickets_ticket t ON t.id = c.ticket_id
    WHERE ((c.started_at IS NOT NULL AND c.met_at IS NULL) OR c.due_at IS NOT NULL)
      AND t.status IN ({statuses})
) TO STDOUT (FORMAT BINARY)
"""
IN_DTYPE = np.dtype(
    [("n", ">i2")]
    + [item for name in ("id", "policy", "kind", "team", "start") for item in ((f"len_{name}", ">i4"), (name, ">i8"))]
    + [("len_spent", ">i4"), ("spent_us", ">i8"), ("spent_days", ">i4"), ("spent_months", ">i4")]
    + [item for name in ("due", "warn") for item in ((f"len_{name}", ">i4"), (name, ">i8"))]
)
OUT_DTYPE = np.dtype(
    [("n", ">i2"), ("l0", ">i4"), ("id", ">i8"), ("l1", ">i4"), ("due", ">i8"), ("l2", ">i4"), ("warn", ">i8")]
)
WRITE = f"""
UPDATE workflow_slaclock c
SET due_at = NULLIF(u.due, '-infinity'), warn_at = NULLIF(u.warn, '-infinity')
FROM {TEMP_TABLE} u WHERE c.id = u.id
"""  # noqa: S608 (constants only)


def _from_pg(values: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """Binary timestamps (µs since 2000) as µs since 1970, NONE kept."""
    values = values.astype(np.int64)
    return np.where(values == NONE, NONE, values + PG_EPOCH)


def _to_pg(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return np.where(values == NONE, NONE, values - PG_EPOCH)


def recompute_due_times(cur: Any, policies: list[SlaPolicy]) -> int:
    """Due and warning times of the clocks of open tickets under their ticket's current policy;
    returns how many clocks changed."""
    rows = _read_clocks(cur)
    if rows.size == 0:
        return 0
    due, warn = _compute(rows, {p.pk: p for p in policies})
    changed = (due != _from_pg(rows["due"])) | (warn != _from_pg(rows["warn"]))
    if not changed.any():
        return 0
    out = np.zeros(int(changed.sum()), dtype=OUT_DTYPE)
    out["n"], out["l0"], out["l1"], out["l2"] = 3, 8, 8, 8
    out["id"], out["due"], out["warn"] = rows["id"][changed], _to_pg(due[changed]), _to_pg(warn[changed])
    cur.execute(f"DROP TABLE IF EXISTS {TEMP_TABLE}")
    cur.execute(
        f"CREATE TEMP TABLE {TEMP_TABLE} (id bigint PRIMARY KEY, due timestamptz, warn timestamptz) ON COMMIT DROP"
    )
    with cur.copy(f"COPY {TEMP_TABLE} (id, due, warn) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(HEADER + out.tobytes() + TRAILER)
    cur.execute(f"ANALYZE {TEMP_TABLE}")
    cur.execute(WRITE)
    return int(cur.rowcount)


def _read_clocks(cur: Any) -> npt.NDArray[Any]:
    # Status names are fixed identifiers, written into the statement (COPY takes no parameters
    # through every cursor wrapper).
    assert all(re.fullmatch(r"[a-z_]+", status) for status in ACTIVE_STATUSES)
    statuses = ", ".join(f"'{status}'" for status in ACTIVE_STATUSES)
    chunks: list[bytes] = []
    with cur.copy(SELECT_CLOCKS.format(statuses=statuses, none=NONE)) as copy:
        for chunk in copy:
            chunks.append(bytes(chunk))
    data = b"".join(chunks)
    rows = np.frombuffer(data[len(HEADER) : -len(TRAILER)], dtype=IN_DTYPE)
    if rows.size and (rows["spent_months"] != 0).any():
        raise ValueError("SLA clock spent time in months")  # never written: spent is days and seconds
    return rows


def _compute(rows: npt.NDArray[Any], policies: dict[int, SlaPolicy]) -> tuple[Any, Any]:
    pids, kinds, teams = rows["policy"], rows["kind"], rows["team"]
    starts = _from_pg(rows["start"])
    spent = rows["spent_us"].astype(np.int64) + rows["spent_days"].astype(np.int64) * DAY
    running = starts != NONE
    due = np.full(len(rows), NONE, dtype=np.int64)
    warn = np.full(len(rows), NONE, dtype=np.int64)
    team_calendars = dict(BusinessCalendar.objects.filter(team__isnull=False).values_list("team_id", "pk"))
    default = BusinessCalendar.objects.filter(is_default=True).values_list("pk", flat=True).first()
    records = {c.pk: c.to_calendar() for c in BusinessCalendar.objects.all()}
    for pid, policy in policies.items():
        in_policy = running & (pids == pid)
        for index, kind in enumerate(KINDS):
            minutes = policy.target_minutes(kind)
            selected = in_policy & (kinds == index)
            if minutes is None or not selected.any():
                continue
            spans = minutes * 60 * US - spent
            if not policy.business_hours:
                due[selected] = starts[selected] + np.maximum(spans[selected], 0)
            for team in np.unique(teams[selected]) if policy.business_hours else ():
                here = selected & (teams == team)
                calendar_id = policy.calendar_id or team_calendars.get(int(team)) or default
                calendar = records.get(calendar_id) if calendar_id else None
                if calendar is None:  # no calendar anywhere: calendar time
                    due[here] = starts[here] + np.maximum(spans[here], 0)
                else:
                    due[here] = deadlines(calendar, starts[here], spans[here])
            warn[selected] = due[selected] - policy.warn_before_minutes * 60 * US
    return due, warn
