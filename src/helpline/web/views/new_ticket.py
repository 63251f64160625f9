"""An agent opens a ticket on behalf of a customer (phone call, walk-in, letter...)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from helpline.accounts.models import Team
from helpline.core.errors import HelplineError, NotFoundError
from helpline.customers import actions as customer_actions
from helpline.customers.models import Customer, CustomerIdentity, IdentityKind
from helpline.tickets import actions, permissions
from helpline.tickets.models import CustomFieldDefinition, Tag, Ticket
from helpline.web.forms.tickets import NewTicketForm, add_action_error
from helpline.web.ticket_page import active_agents
from helpline.web.views.common import AgentRequest, agent_required, uploaded_files


def _customer(public_id: str) -> Customer:
    customer = Customer.objects.filter(public_id=public_id).prefetch_related("identities").first()
    if customer is None:
        raise NotFoundError(_("No such customer."))
    while customer.merged_into_id and customer.merged_into is not None:
        customer = customer.merged_into
    return customer


def _requester_for(request: AgentRequest, contact: str, name: str) -> Customer:
    """The customer behind an email address or phone number, created if nobody has it yet."""
    kind = IdentityKind.EMAIL if "@" in contact else IdentityKind.PHONE
    value = customer_actions.normalize_identity(kind, contact)
    identity = CustomerIdentity.objects.select_related("customer").filter(kind=kind, value=value).first()
    if identity is not None:
        customer = identity.customer
        while customer.merged_into_id and customer.merged_into is not None:
            customer = customer.merged_into
        return customer
    return customer_actions.create_customer(actor=request.actor, name=name, identities=[(kind, value)])


@agent_required
def new_ticket(request: AgentRequest) -> HttpResponse:
    public_id = request.GET.get("customer") or request.POST.get("customer") or ""
    customer = _customer(public_id) if public_id else None
    allowed = permissions.can_update(request.actor, Ticket())
    form = NewTicketForm(
        request.POST or None,
        agents=active_agents(),
        teams=list(Team.objects.order_by("name")),
        definitions=list(CustomFieldDefinition.objects.filter(active=True)),
        with_contact=customer is None,
    )
    status = 200
    if request.method == "POST":
        status = 422
        if not allowed:
            form.add_error(None, _("Light agents cannot open tickets."))
            status = 403
        elif form.is_valid():
            contact = form.cleaned_data.get("contact", "").strip() if customer is None else ""
            if customer is None and not contact:
                form.add_error("contact", _("Give the requester's email address or phone number."))
            else:
                try:
                    files = uploaded_files(request)
                    with transaction.atomic():
                        requester = customer or _requester_for(request, contact, form.cleaned_data.get("name", ""))
                        ticket = actions.open_ticket(
                            actor=request.actor, requester=requester, attachments=files, **form.ticket_arguments()
                        )
                except HelplineError as exc:
                    add_action_error(form, exc)
                else:
                    messages.success(request, _("Ticket #%(number)s opened.") % {"number": ticket.number})
                    return redirect("web:ticket", number=ticket.number)
    context = {
        "form": form,
        "customer": customer,
        "allowed": allowed,
        "tag_options": list(Tag.objects.order_by("name").values_list("name", flat=True)[:300]),
    }
    return render(request, "web/tickets/new.html", context, status=status)
