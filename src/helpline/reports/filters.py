"""What a report covers: a half-open time range [start, end) and optional team, agent, channel,
language and tag. Every KPI selector takes one `ReportFilter`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from django.db.models import Q

MAX_RANGE = dt.timedelta(days=3 * 366)


@dataclass(frozen=True)
class ReportFilter:
    start: dt.datetime
    end: dt.datetime
    tz: dt.tzinfo = ZoneInfo("UTC")
    team_id: int | None = None
    agent_id: int | None = None
    channel: str = ""
    language: str = ""
    tag: str = ""

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("report ranges are timezone-aware")
        if self.end <= self.start:
            raise ValueError("a report range ends after it starts")

    @property
    def length(self) -> dt.timedelta:
        return self.end - self.start

    def previous(self) -> ReportFilter:
        """The period of the same length just before this one (for comparisons)."""
        return replace(self, start=self.start - self.length, end=self.start)

    def ticket_q(self, prefix: str = "", *, agent_field: str | None = None, include_merged: bool = False) -> Q:
        """Conditions on the ticket (reached through `prefix`, e.g. "ticket__") other than time.
        `agent_field` names the agent column when it is not the ticket's assignee (no prefix added);
        `include_merged` keeps tickets merged into another (their messages were real contacts)."""
        q = Q()
        if self.team_id:
            q &= Q(**{f"{prefix}team_id": self.team_id})
        if self.agent_id:
            q &= Q(**{agent_field or f"{prefix}assignee_id": self.agent_id})
        if self.channel:
            q &= Q(**{f"{prefix}channel": self.channel})
        if self.language:
            q &= Q(**{f"{prefix}language": self.language})
        if self.tag:
            q &= Q(**{f"{prefix}tags__name": self.tag})
        if not include_merged and prefix:
            # Merged tickets are few: an anti-join on their ids (index on merged_into) keeps a report
            # on surveys or messages from joining every ticket just to drop them.
            from helpline.tickets.models import Ticket

            merged = Ticket.objects.filter(merged_into__isnull=False).values("id")
            q &= ~Q(**{f"{prefix[:-2]}_id__in": merged})
        elif not include_merged:
            q &= Q(merged_into__isnull=True)
        return q

    def in_range(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})
