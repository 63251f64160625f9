"""The ticket list's state (view, filters, sort, cursor) read from the query string, and view counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from helpline.accounts.models import User
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotFoundError
from helpline.customers.models import CustomerIdentity
from helpline.tickets import selectors
from helpline.tickets.models import SavedView, Status, Ticket

DEFAULT_VIEW = "open"
VIEW_COUNT_CAP = 1000  # a view holding more shows "999+"
SAVED_VIEW_COUNT_BUDGET_MS = 60
PAGE_SIZE = 25
FILTER_PARAMS = ("status", "priority", "assignee", "team", "tag", "channel", "sla", "sla_due_within", "q")
BUILTIN_VIEWS: list[tuple[str, Any]] = [
    ("mine", _("My open tickets")),
    ("unassigned", _("Unassigned")),
    ("my_teams", _("My teams")),
    ("open", _("All unsolved")),
    ("all", _("All tickets")),
    ("solved", _("Solved and closed")),
]
SORT_CHOICES: list[tuple[str, Any]] = [
    ("-updated_at", _("Recently updated")),
    ("updated_at", _("Least recently updated")),
    ("-created_at", _("Newest first")),
    ("created_at", _("Oldest first")),
    ("-number", _("Number, high to low")),
    ("number", _("Number, low to high")),
    ("sla_due", _("SLA due soonest")),
]
SLA_DUE_WITHIN_CHOICES: list[tuple[str, Any]] = [
    ("1", _("1 hour")),
    ("4", _("4 hours")),
    ("8", _("8 hours")),
    ("24", _("24 hours")),
    ("72", _("3 days")),
]
STATUS_FILTER_CHOICES: list[tuple[str, Any]] = [
    ("active", _("Unsolved")),
    ("solved,closed", _("Solved or closed")),
    *Status.choices,
]


@dataclass
class InboxState:
    view: str
    saved: SavedView | None
    filters: dict[str, Any]
    sort: str
    cursor: str | None
    overridden: bool = False
    form_values: dict[str, str] = field(default_factory=dict)

    def query_for(self, **changes: Any) -> str:
        """The query string for this state with some parameters changed (None drops one)."""
        params = QueryDict(mutable=True)
        params["view"] = self.view
        for key, value in self.form_values.items():
            if value:
                params[key] = value
        if self.sort and (self.saved is None or self.sort != self.saved.sort) and self.sort != "-updated_at":
            params["sort"] = self.sort
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return params.urlencode()


def _display(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


def resolve_state(params: QueryDict, *, agent: User, saved_views: list[SavedView]) -> InboxState:
    """View first (built-in or saved), then explicit filter parameters on top; an empty parameter
    clears the view's own condition on that key."""
    view = params.get("view") or DEFAULT_VIEW
    saved = None
    if view.startswith("saved-"):
        saved = next((v for v in saved_views if f"saved-{v.pk}" == view), None)
        if saved is None:
            raise NotFoundError(str(_("This saved view does not exist or is not shared with you.")))
        filters = dict(saved.filters)
    elif view in dict(BUILTIN_VIEWS):
        filters = selectors.builtin_view_filters(view, agent)
    else:
        raise NotFoundError(str(_("Unknown view.")))
    overridden = False
    for key in FILTER_PARAMS:
        if key not in params:
            continue
        value = params.get(key, "").strip()
        if _display(filters.get(key)) == value:
            continue
        overridden = True
        if value:
            filters[key] = value
        else:
            filters.pop(key, None)
    sort = params.get("sort") or (saved.sort if saved else "-updated_at")
    return InboxState(
        view=view,
        saved=saved,
        filters=filters,
        sort=sort,
        cursor=params.get("cursor") or None,
        overridden=overridden,
        form_values={key: _display(filters.get(key)) for key in FILTER_PARAMS},
    )


def list_queryset(actor: Actor, state: InboxState) -> QuerySet[Ticket]:
    assert actor.agent is not None
    qs = selectors.filter_tickets(selectors.visible_tickets(actor), state.filters, agent=actor.agent)
    return list_relations(qs)


def list_relations(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Everything a list row shows, in a constant number of queries."""
    return selectors.with_list_relations(qs).prefetch_related(
        Prefetch("requester__identities", queryset=CustomerIdentity.objects.order_by("kind", "value"))
    )


def view_counts(actor: Actor, saved_views: list[SavedView]) -> dict[str, int | str | None]:
    """How many tickets each built-in and saved view holds, with the same filters as the list, in
    one query. Past VIEW_COUNT_CAP a view shows "999+": counting a million closed tickets exactly
    would read them all on every refresh. Saved views (any filter) get SAVED_VIEW_COUNT_BUDGET_MS
    together; one not counted by then shows no count."""
    agent = actor.agent
    assert agent is not None
    base = selectors.visible_tickets(actor)
    views = {
        key: selectors.filter_tickets(base, selectors.builtin_view_filters(key, agent), agent=agent)
        for key, _label in BUILTIN_VIEWS
    }
    saved: dict[str, QuerySet[Ticket]] = {}
    for view in saved_views:
        if view.filters.get("q"):
            continue  # full-text counts are too costly for a sidebar
        try:
            saved[f"saved-{view.pk}"] = selectors.filter_tickets(base, dict(view.filters), agent=agent)
        except InvalidInputError:
            continue
    counts: dict[str, int | None] = {**selectors.capped_counts(views, cap=VIEW_COUNT_CAP)}
    counts.update(selectors.capped_counts_within(saved, cap=VIEW_COUNT_CAP, budget_ms=SAVED_VIEW_COUNT_BUDGET_MS))
    return {key: _shown(n) for key, n in counts.items()}


def _shown(count: int | None) -> int | str | None:
    """None (not counted in time) leaves the view's count blank."""
    if count is None or count < VIEW_COUNT_CAP:
        return count
    return f"{VIEW_COUNT_CAP - 1}+"
