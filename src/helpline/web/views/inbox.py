"""The ticket list: views, filters, sort, keyset pages, bulk changes and saved views."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from helpline.accounts.models import Team, User
from helpline.core.errors import HelplineError, InvalidInputError
from helpline.customers.models import Channel
from helpline.tickets import actions, selectors, workspace_actions
from helpline.tickets.models import Priority, SavedView, Status, Tag
from helpline.web import inbox
from helpline.web.views.common import AgentRequest, agent_required, is_htmx


def _saved_views(agent: User) -> list[SavedView]:
    return list(selectors.saved_views_for(agent))


def _filter_options() -> dict[str, Any]:
    return {
        "agents": list(User.objects.filter(is_active=True).order_by("display_name", "username")),
        "teams": list(Team.objects.order_by("name")),
        "tags": list(Tag.objects.order_by("name").values_list("name", flat=True)[:300]),
        "statuses": inbox.STATUS_FILTER_CHOICES,
        "priorities": Priority.choices,
        "channels": Channel.choices,
        "sorts": inbox.SORT_CHOICES,
        "sla_due_within_choices": inbox.SLA_DUE_WITHIN_CHOICES,
        "sla_due_within_values": [value for value, _label in inbox.SLA_DUE_WITHIN_CHOICES],
        "bulk_statuses": Status.choices,
    }


@require_GET
@agent_required
def ticket_list(request: AgentRequest) -> HttpResponse:
    saved_views = _saved_views(request.user)
    state = inbox.resolve_state(request.GET, agent=request.user, saved_views=saved_views)
    error = ""
    page = None
    try:
        page = selectors.paginate(
            inbox.list_queryset(request.actor, state), sort=state.sort, cursor=state.cursor, limit=inbox.PAGE_SIZE
        )
    except InvalidInputError as exc:
        error = exc.message
    context = {
        **_filter_options(),
        "state": state,
        "page": page,
        "tickets": page.items if page else [],
        "error": error,
        "next_query": state.query_for(cursor=page.next_cursor) if page and page.next_cursor else "",
        "first_query": state.query_for(cursor=None),
        "filters_json": json.dumps(state.filters, ensure_ascii=False),
    }
    if is_htmx(request) and request.htmx.target == "ticket-list":  # type: ignore[attr-defined]
        return render(request, "web/tickets/_list.html", context, status=422 if error else 200)
    # The view counts come from /tickets/counts/, fetched once the page is shown and again as
    # tickets change, so the list itself never waits for them.
    for view in saved_views:
        view.count = None  # type: ignore[attr-defined]
    context.update(
        builtin_views=[(key, label, None) for key, label in inbox.BUILTIN_VIEWS],
        saved_views=saved_views,
        view_label=state.saved.name if state.saved else dict(inbox.BUILTIN_VIEWS)[state.view],
    )
    return render(request, "web/tickets/list.html", context, status=422 if error else 200)


@require_GET
@agent_required
def view_counts(request: AgentRequest) -> HttpResponse:
    return JsonResponse(inbox.view_counts(request.actor, _saved_views(request.user)))


@require_GET
@agent_required
def ticket_row(request: AgentRequest, number: int) -> HttpResponse:
    qs = inbox.list_relations(selectors.visible_tickets(request.actor).filter(number=number))
    ticket = qs.first()
    if ticket is None:
        return HttpResponse(status=204)
    return render(request, "web/tickets/_row.html", {"ticket": ticket})


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("web:tickets")


def _bulk_changes(request: AgentRequest) -> dict[str, Any]:
    action = request.POST.get("action", "")
    value = request.POST.get(action, "").strip()
    if action == "assignee":
        if value == "none":
            return {"assignee": None}
        if value == "me":
            return {"assignee": request.user}
        agent = User.objects.filter(pk=value, is_active=True).first() if value.isdigit() else None
        if agent is None:
            raise InvalidInputError(_("Choose an agent to assign."))
        return {"assignee": agent}
    if action == "team":
        if value == "none":
            return {"team": None}
        team = Team.objects.filter(pk=value).first() if value.isdigit() else None
        if team is None:
            raise InvalidInputError(_("Choose a team."))
        return {"team": team}
    if action in ("status", "priority"):
        if not value:
            raise InvalidInputError(_("Choose a value to set."))
        return {action: value}
    if action == "add_tag":
        if not value:
            raise InvalidInputError(_("Type the tag to add."))
        return {"add_tags": [value]}
    raise InvalidInputError(_("Choose what to change."))


@require_POST
@agent_required
def bulk_update(request: AgentRequest) -> HttpResponse:
    numbers = [int(n) for n in request.POST.getlist("tickets") if n.isdigit()]
    if not numbers:
        messages.warning(request, _("Select at least one ticket."))
        return redirect(_back(request))
    try:
        changes = _bulk_changes(request)
    except InvalidInputError as exc:
        messages.error(request, exc.message)
        return redirect(_back(request))
    tickets = list(selectors.visible_tickets(request.actor).filter(number__in=numbers).order_by("number"))
    changed = 0
    errors: list[str] = []
    for ticket in tickets:
        # One call per ticket so that a refusal on one is reported and the others still apply.
        try:
            changed += actions.bulk_update_tickets(actor=request.actor, tickets=[ticket], **changes)
        except HelplineError as exc:
            errors.append(f"#{ticket.number}: {exc.message}")
    missing = len(set(numbers)) - len(tickets)
    unchanged = len(tickets) - changed - len(errors)
    summary = ngettext("%(count)d ticket changed.", "%(count)d tickets changed.", changed) % {"count": changed}
    if unchanged:
        summary += " " + ngettext("%(count)d was already so.", "%(count)d were already so.", unchanged) % {
            "count": unchanged
        }
    if changed or not errors:
        messages.success(request, summary)
    if errors:
        messages.error(
            request,
            ngettext("%(count)d ticket could not be changed: ", "%(count)d tickets could not be changed: ", len(errors))
            % {"count": len(errors)}
            + "; ".join(errors),
        )
    if missing:
        messages.warning(request, _("%(count)d selected tickets were not found.") % {"count": missing})
    return redirect(_back(request))


@require_POST
@agent_required
def save_view(request: AgentRequest) -> HttpResponse:
    try:
        filters = json.loads(request.POST.get("filters") or "{}")
        if not isinstance(filters, dict):
            raise ValueError
    except ValueError:
        messages.error(request, _("The filters could not be read; try again."))
        return redirect(_back(request))
    try:
        view = workspace_actions.save_view(
            actor=request.actor,
            name=request.POST.get("name", ""),
            filters=filters,
            sort=request.POST.get("sort") or "-updated_at",
            shared=request.POST.get("shared") == "on",
        )
    except HelplineError as exc:
        messages.error(request, exc.message)
        return redirect(_back(request))
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{reverse('web:tickets')}?view=saved-{view.pk}")


@require_POST
@agent_required
def delete_view(request: AgentRequest, view_id: int) -> HttpResponse:
    view = get_object_or_404(selectors.saved_views_for(request.user), pk=view_id)
    workspace_actions.delete_view(actor=request.actor, view=view)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("web:tickets")
