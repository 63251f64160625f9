"""The agent's side of a chat on the ticket page: the live context panel and transferring the chat."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from helpline.accounts.models import Team, User
from helpline.chat import agent_context
from helpline.chat.assignment import transfer_chat
from helpline.core.errors import HelplineError, InvalidInputError
from helpline.tickets.selectors import get_ticket
from helpline.web.views.common import AgentRequest, agent_required


@require_GET
@agent_required
def context_panel(request: AgentRequest, number: int) -> HttpResponse:
    """The visitor's context as a fragment; the panel fetches it again every few seconds."""
    ticket = get_ticket(actor=request.actor, number=number)
    context = agent_context.chat_context(actor=request.actor, ticket=ticket)
    response = render(request, "chat/agent/_context.html", {"chat": context, "agent": request.user})
    response["Cache-Control"] = "no-store"
    return response


def _target(request: AgentRequest) -> tuple[User | None, Team | None]:
    value = request.POST.get("to", "")
    kind, _sep, pk = value.partition(":")
    if not pk.isdigit():
        raise InvalidInputError(_("Choose one agent or one team."), code="transfer_target")
    if kind == "agent":
        agent = User.objects.filter(pk=int(pk), is_active=True).first()
        if agent is not None:
            return agent, None
    elif kind == "team":
        team = Team.objects.filter(pk=int(pk)).first()
        if team is not None:
            return None, team
    raise InvalidInputError(_("Choose one agent or one team."), code="transfer_target")


@require_POST
@agent_required
def transfer(request: AgentRequest, number: int) -> HttpResponse:
    ticket = get_ticket(actor=request.actor, number=number)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        agent, team = _target(request)
        transfer_chat(actor=request.actor, ticket=ticket, agent=agent, team=team, note=request.POST.get("note", ""))
    except HelplineError as exc:
        if wants_json:
            return JsonResponse({"error": {"code": exc.code, "message": exc.message}}, status=exc.status)
        messages.error(request, exc.message)
        return redirect(reverse("web:ticket", args=[ticket.number]))
    ticket.refresh_from_db()
    done = _("The chat went to %(target)s.") % {"target": str(ticket.assignee or ticket.team or "")}
    if wants_json:
        return JsonResponse({"assignee": ticket.assignee_id, "team": ticket.team_id, "message": done})
    messages.success(request, done)
    return redirect(reverse("web:ticket", args=[ticket.number]))
