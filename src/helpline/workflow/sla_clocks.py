"""SLA clocks maintained from ticket events: start, pause while pending, resume, meet, recompute.

Every function takes the moment it acts at (`now`), so clocks can be driven by a frozen clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from helpline.core import batching
from helpline.core.business_hours import Calendar, add_business_time, business_time_between
from helpline.tickets.models import ACTIVE_STATUSES, Status, Ticket
from helpline.workflow.models import BusinessCalendar, ClockKind, SlaClock, SlaPolicy, TicketState

PAUSED_STATUSES = (Status.PENDING,)
DONE_STATUSES = (Status.SOLVED, Status.CLOSED)
ZERO = dt.timedelta(0)


# -- choosing a policy and a calendar ------------------------------------------------------------


FACT_KEYS = ("priority", "channel", "ticket_type", "organization", "tags", "customer_tier")


def ticket_facts(ticket: Ticket, keys: Iterable[str] = FACT_KEYS) -> dict[str, object]:
    """What SLA conditions look at (those of `keys` only: the others may need reads), read once per
    evaluation."""
    facts: dict[str, object] = {}
    for key in keys:
        if key == "organization":
            org = ticket.organization if ticket.organization_id else None
            facts[key] = org.public_id if org else None
        elif key == "tags":
            facts[key] = {tag.name for tag in ticket.tags.all()}  # prefetched when read for a batch
        elif key == "customer_tier":
            requester = ticket.requester
            facts[key] = str((requester.custom_attributes or {}).get("tier", "")) if requester else ""
        elif key in FACT_KEYS:
            facts[key] = getattr(ticket, key)
    return facts


def condition_keys(policies: Iterable[SlaPolicy]) -> set[str]:
    """The facts the policies' conditions look at."""
    return {key for policy in policies for key, wanted in (policy.conditions or {}).items() if wanted}


def policy_matches(policy: SlaPolicy, facts: dict[str, object]) -> bool:
    for key, wanted in (policy.conditions or {}).items():
        if not wanted:
            continue
        if key == "tags":
            if not set(wanted) & facts["tags"]:  # type: ignore[operator]
                return False
        elif facts.get(key) not in wanted:
            return False
    return True


def active_policies() -> list[SlaPolicy]:
    """Active policies in order (read once per batch of events)."""
    return batching.memo(
        "workflow.sla_policies", lambda: list(SlaPolicy.objects.filter(active=True).order_by("position", "id"))
    )


def choose_policy(ticket: Ticket, policies: Iterable[SlaPolicy] | None = None) -> SlaPolicy | None:
    candidates = list(policies) if policies is not None else active_policies()
    if not candidates:
        return None
    facts = ticket_facts(ticket, condition_keys(candidates))
    for policy in candidates:
        if policy.active and policy_matches(policy, facts):
            return policy
    return None


def calendar_for(policy: SlaPolicy | None, ticket: Ticket) -> Calendar | None:
    """The working-hours calendar a policy measures in, or None for calendar (wall-clock) time."""
    if policy is None or not policy.business_hours:
        return None
    record = policy.calendar
    if record is None and ticket.team_id:
        record = BusinessCalendar.objects.filter(team_id=ticket.team_id).first()
    if record is None:
        record = BusinessCalendar.objects.filter(is_default=True).first()
    return record.to_calendar() if record is not None else None


def elapsed(calendar: Calendar | None, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    if b <= a:
        return ZERO
    return business_time_between(calendar, a, b) if calendar else b - a


def deadline(calendar: Calendar | None, start: dt.datetime, span: dt.timedelta) -> dt.datetime:
    if span <= ZERO:
        return start
    return add_business_time(calendar, start, span) if calendar else start + span


# -- clock transitions ---------------------------------------------------------------------------


def _set_due(clock: SlaClock, policy: SlaPolicy | None, calendar: Calendar | None) -> None:
    minutes = policy.target_minutes(clock.kind) if policy else None
    if clock.started_at is None or minutes is None or clock.met_at is not None:
        clock.due_at = clock.warn_at = None
        return
    clock.due_at = deadline(calendar, clock.started_at, dt.timedelta(minutes=minutes) - clock.spent)
    clock.warn_at = clock.due_at - dt.timedelta(minutes=policy.warn_before_minutes if policy else 0)


def _start(clock: SlaClock, now: dt.datetime, *, fresh: bool) -> None:
    if fresh:
        clock.spent = ZERO
        clock.met_at = clock.breached_at = clock.warned_at = None
    clock.started_at = now
    clock.paused = False


def _stop(clock: SlaClock, calendar: Calendar | None, now: dt.datetime, *, paused: bool) -> None:
    if clock.started_at is not None:
        clock.spent += elapsed(calendar, clock.started_at, now)
    clock.started_at = None
    clock.paused = paused


def _meet(clock: SlaClock, calendar: Calendar | None, now: dt.datetime) -> None:
    if clock.met_at is not None or (clock.started_at is None and not clock.paused):
        return
    if clock.due_at is not None and now > clock.due_at and clock.breached_at is None:
        clock.breached_at = clock.due_at
    _stop(clock, calendar, now, paused=False)
    clock.met_at = now


CLOCK_FIELDS = ("policy_id", "started_at", "spent", "paused", "due_at", "warn_at", "met_at", "warned_at", "breached_at")


def _clock_values(clock: SlaClock) -> tuple[object, ...]:
    return tuple(getattr(clock, name) for name in CLOCK_FIELDS)


class TicketClocks:
    """The clocks of one ticket, loaded once, changed in memory, saved together (only what changed)."""

    def __init__(self, ticket: Ticket, now: dt.datetime):
        self.ticket = ticket
        self.now = now
        state = TicketState.objects.select_related("policy").filter(ticket=ticket).first()
        self.new_state = state is None
        self.state = state if state is not None else TicketState(ticket=ticket, status_since=now)
        self.loaded_state = (self.state.policy_id, self.state.status_since)
        existing = {c.kind: c for c in SlaClock.objects.filter(ticket=ticket)}
        self.loaded = {kind: _clock_values(clock) for kind, clock in existing.items()}
        for kind in ClockKind.values:
            if kind not in existing:
                existing[kind] = SlaClock(ticket=ticket, kind=kind)
        self.clocks = existing
        self.policy = self.state.policy
        self.calendar = calendar_for(self.policy, ticket)

    @classmethod
    def fresh(cls, ticket: Ticket, now: dt.datetime) -> TicketClocks:
        """The clocks of a ticket known to have none yet (no state, no clock rows): nothing to read."""
        clocks = cls.__new__(cls)
        clocks.ticket, clocks.now = ticket, now
        clocks.new_state = True
        clocks.state = TicketState(ticket=ticket, status_since=now)
        clocks.loaded_state = (None, now)
        clocks.loaded = {}
        clocks.clocks = {kind: SlaClock(ticket=ticket, kind=kind) for kind in ClockKind.values}
        clocks.policy = None
        clocks.calendar = None
        return clocks

    def rows(self) -> tuple[TicketState, list[SlaClock]]:
        """A fresh ticket's state and clocks as they are to be inserted (`save` does it for one)."""
        for clock in self.clocks.values():
            clock.policy = self.policy
            _set_due(clock, self.policy, self.calendar)
        return self.state, list(self.clocks.values())

    def __getitem__(self, kind: str) -> SlaClock:
        return self.clocks[kind]

    def rematch(self) -> None:
        policy = choose_policy(self.ticket)
        if policy != self.policy:
            # Time already spent stays measured as it was; remaining time follows the new policy.
            self.policy = policy
            self.calendar = calendar_for(policy, self.ticket)
            self.state.policy = policy

    def start(self, kind: str, *, fresh: bool = True) -> None:
        _start(self.clocks[kind], self.now, fresh=fresh)

    def meet(self, kind: str) -> None:
        _meet(self.clocks[kind], self.calendar, self.now)

    def pause_all(self) -> None:
        for clock in self.clocks.values():
            if clock.started_at is not None:
                _stop(clock, self.calendar, self.now, paused=True)

    def resume_all(self) -> None:
        for clock in self.clocks.values():
            if clock.paused and clock.met_at is None:
                _start(clock, self.now, fresh=False)

    def save(self) -> None:
        if self.new_state:  # another writer (the rules engine) may create it meanwhile: upsert
            TicketState.objects.bulk_create(
                [self.state], update_conflicts=True, unique_fields=["ticket"], update_fields=["policy", "status_since"]
            )
        elif (self.state.policy_id, self.state.status_since) != self.loaded_state:
            self.state.save(update_fields=["policy", "status_since"])
        new = []
        for kind, clock in self.clocks.items():
            clock.policy = self.policy
            _set_due(clock, self.policy, self.calendar)
            if kind not in self.loaded:
                new.append(clock)
            elif _clock_values(clock) != self.loaded[kind]:
                clock.save(update_fields=[name.removesuffix("_id") for name in CLOCK_FIELDS])
        if new:
            SlaClock.objects.bulk_create(new)


def status_changed(clocks: TicketClocks, before: str, after: str) -> None:
    clocks.state.status_since = clocks.now
    if after in PAUSED_STATUSES:
        clocks.pause_all()
    elif after in DONE_STATUSES:
        clocks.meet(ClockKind.RESOLUTION)
        for kind in (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_RESPONSE):
            clock = clocks[kind]
            if clock.met_at is None and (clock.started_at or clock.paused):
                _stop(clock, clocks.calendar, clocks.now, paused=False)
    elif after in ACTIVE_STATUSES:
        if before in DONE_STATUSES:
            resolution = clocks[ClockKind.RESOLUTION]
            if resolution.met_at is not None:
                resolution.met_at = None
                resolution.paused = True
        clocks.resume_all()
