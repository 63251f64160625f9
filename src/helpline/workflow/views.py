"""Workspace endpoints of the workflow app: apply a macro from the ticket page's composer."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from helpline.core.errors import HelplineError
from helpline.tickets.selectors import get_ticket
from helpline.web.views.common import AgentRequest, agent_required
from helpline.workflow.macros import apply_macro, macros_for


@agent_required
@require_POST
def macro_apply(request: AgentRequest, number: int, pk: int) -> HttpResponse:
    """Perform the macro's ticket changes and return its reply text for the composer."""
    ticket = get_ticket(actor=request.actor, number=number)
    macro = get_object_or_404(macros_for(request.user), pk=pk)
    try:
        text = apply_macro(actor=request.actor, ticket=ticket, macro=macro, send_reply=False)
    except HelplineError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    return JsonResponse({"text": text, "changed": bool(macro.actions)})
