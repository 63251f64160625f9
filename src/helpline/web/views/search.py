"""The search page: tickets (subject and messages) and customers matching the query."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from helpline.core.errors import InvalidInputError
from helpline.tickets import selectors
from helpline.web import customer_page, inbox
from helpline.web.views.common import AgentRequest, agent_required

CUSTOMER_LIMIT = 12


@require_GET
@agent_required
def search(request: AgentRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context: dict = {"query": query, "tickets": [], "customers": [], "next_cursor": None, "error": ""}
    if query:
        digits = query.lstrip("#")
        if digits.isdigit() and selectors.visible_tickets(request.actor).filter(number=int(digits)).exists():
            if query.startswith("#"):
                return redirect("web:ticket", number=int(digits))
            context["number_match"] = int(digits)
        try:
            qs = selectors.filter_tickets(selectors.visible_tickets(request.actor), {"q": query}, agent=request.user)
            page = selectors.paginate(
                inbox.list_relations(qs), sort="-updated_at", cursor=request.GET.get("cursor") or None, limit=25
            )
        except InvalidInputError as exc:
            context["error"] = exc.message
        else:
            context.update(tickets=page.items, next_cursor=page.next_cursor)
        if not request.GET.get("cursor"):
            context["customers"] = customer_page.search(query, CUSTOMER_LIMIT)
    return render(request, "web/search/results.html", context)
