"""The ticket page's Cc list: add an address, drop someone (both through the participant actions)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.core.errors import HelplineError, NotPermittedError
from helpline.mail import participant_actions
from helpline.tickets import selectors
from helpline.web.views.common import AgentRequest, agent_required


def _back(number: int) -> str:
    return reverse("web:ticket", args=[number]) + "#cc"


@require_POST
@agent_required
def cc_add(request: AgentRequest, number: int) -> HttpResponse:
    ticket = selectors.get_ticket(actor=request.actor, number=number)
    try:
        person = participant_actions.add_participant(
            actor=request.actor, ticket=ticket, address=request.POST.get("address", "")
        )
    except NotPermittedError:
        raise  # a 403 page
    except HelplineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Replies now copy %(address)s.") % {"address": person.email})
    return redirect(_back(ticket.number))


@require_POST
@agent_required
def cc_remove(request: AgentRequest, number: int, pk: int) -> HttpResponse:
    ticket = selectors.get_ticket(actor=request.actor, number=number)
    try:
        participant_actions.remove_participant(actor=request.actor, ticket=ticket, participant_id=pk)
    except NotPermittedError:
        raise  # a 403 page
    except HelplineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Removed from the copy."))
    return redirect(_back(ticket.number))
