"""The signed-in customer's tickets: the list, one ticket with its public thread, reply, solve,
and attachment downloads. Anything not the customer's own is a 404."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from helpline.core.actors import Actor
from helpline.core.errors import HelplineError, InvalidInputError, NotFoundError
from helpline.core.realtime import portal_group
from helpline.customers.models import Channel, Customer
from helpline.portal import selectors
from helpline.portal.auth import customer_required
from helpline.portal.forms import ReplyForm, incoming_files
from helpline.portal.views.common import add_action_error, render_portal
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import MessageKind, Status, Ticket
from helpline.tickets.selectors import paginate

PAGE_SIZE = 20


def _ticket_or_404(customer: Customer, public_id: str) -> Ticket:
    try:
        return selectors.customer_ticket(customer, public_id)
    except NotFoundError:
        raise Http404 from None


@require_GET
@customer_required
def ticket_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    try:
        page = paginate(selectors.customer_tickets(customer), cursor=request.GET.get("cursor"), limit=PAGE_SIZE)
    except InvalidInputError:
        return redirect("portal:tickets")
    return render_portal(request, "portal/tickets.html", {"page": page, "customer": customer})


def _ticket_context(ticket: Ticket, customer: Customer, form: ReplyForm | None = None) -> dict[str, Any]:
    merged_into = ticket.merged_into if ticket.merged_into_id else None
    return {
        "ticket": ticket,
        "customer": customer,
        "messages": list(selectors.public_messages(ticket)),
        "form": form or ReplyForm(),
        "can_reply": ticket.status != Status.CLOSED and merged_into is None,
        "can_solve": ticket.is_active and merged_into is None,
        "merged_into": merged_into if merged_into and merged_into.requester_id == customer.pk else None,
        "ws_path": f"/ws/portal/{ticket.public_id}/",
        "group": portal_group(ticket.public_id),
    }


@require_GET
@customer_required
def ticket_detail(request: HttpRequest, customer: Customer, public_id: str) -> HttpResponse:
    ticket = _ticket_or_404(customer, public_id)
    return render_portal(request, "portal/ticket.html", _ticket_context(ticket, customer))


@require_GET
@customer_required
def ticket_thread(request: HttpRequest, customer: Customer, public_id: str) -> HttpResponse:
    """The thread and status alone, fetched by the page when the WebSocket says something changed."""
    ticket = _ticket_or_404(customer, public_id)
    return render_portal(request, "portal/_thread.html", _ticket_context(ticket, customer))


@require_POST
@customer_required
def reply(request: HttpRequest, customer: Customer, public_id: str) -> HttpResponse:
    ticket = _ticket_or_404(customer, public_id)
    form = ReplyForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        try:
            ticket_actions.add_message(
                actor=Actor.of_customer(customer),
                ticket=ticket,
                kind=MessageKind.INBOUND,
                body_text=form.cleaned_data["body"],
                channel=Channel.PORTAL,
                attachments=incoming_files(form.cleaned_data["attachments"]),
            )
        except HelplineError as exc:
            add_action_error(form, exc)
            status = exc.status
        else:
            return redirect(reverse("portal:ticket", args=[ticket.public_id]) + "#latest")
    context = {**_ticket_context(ticket, customer, form), "files_dropped": bool(request.FILES)}
    return render_portal(request, "portal/ticket.html", context, status=status)


@require_POST
@customer_required
def solve(request: HttpRequest, customer: Customer, public_id: str) -> HttpResponse:
    ticket = _ticket_or_404(customer, public_id)
    try:
        ticket_actions.update_ticket(actor=Actor.of_customer(customer), ticket=ticket, status=Status.SOLVED)
    except HelplineError as exc:
        context = {**_ticket_context(ticket, customer), "error": exc.message}
        return render_portal(request, "portal/ticket.html", context, status=exc.status)
    return redirect("portal:ticket", public_id=ticket.public_id)


@require_GET
@customer_required
def attachment(request: HttpRequest, customer: Customer, public_id: str) -> FileResponse:
    try:
        found = selectors.customer_attachment(customer, public_id)
    except NotFoundError:
        raise Http404 from None
    response = FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.filename, content_type=found.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
