"""Customer list, customer page (profile, identities, organisations, attributes, notes, timeline,
merge) and organisation page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from helpline.accounts.page_helpers import submit_form
from helpline.core.errors import HelplineError, InvalidInputError, NotFoundError, NotPermittedError
from helpline.customers import actions
from helpline.customers.models import Customer, CustomerIdentity, Organization
from helpline.reports import segments
from helpline.tickets import permissions
from helpline.tickets.models import Ticket
from helpline.web import customer_page
from helpline.web.forms.customers import (
    CustomerNoteForm,
    CustomerProfileForm,
    GreetingForm,
    IdentityForm,
    MergeCustomerForm,
    OrganizationAddForm,
    parse_attributes,
)
from helpline.web.views.common import AgentRequest, agent_required

TEMPLATE = "web/customers/detail.html"


@require_GET
@agent_required
def customer_list(request: AgentRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {"query": query, "error": "", "segments": segments.segments()}
    segment = segments.segment_by_public_id(request.GET.get("segment", "")) if request.GET.get("segment") else None
    if segment is not None:  # a saved customer filter (reports.segments)
        context.update(segment=segment, customers=segments.segment_page(segment), next_cursor=None)
    elif query:
        context["customers"] = customer_page.search(query)
        context["next_cursor"] = None
    else:
        try:
            page = customer_page.customer_page(request.GET.get("cursor") or None)
        except InvalidInputError as exc:
            context.update(customers=[], next_cursor=None, error=exc.message)
        else:
            context.update(customers=page.items, next_cursor=page.next_cursor)
    context["paged"] = bool(request.GET.get("cursor"))
    return render(request, "web/customers/list.html", context)


def _context(request: AgentRequest, customer: Customer, **forms: Any) -> dict[str, Any]:
    tickets = customer_page.timeline(request.actor, customer)
    context = {
        "customer": customer,
        "tickets": tickets,
        "channels": customer_page.channels_used(tickets),
        "notes": customer_page.notes(customer),
        "attributes": sorted((customer.custom_attributes or {}).items()),
        "profile_form": CustomerProfileForm(customer=customer),
        "identity_form": IdentityForm(),
        "organization_form": OrganizationAddForm(),
        "note_form": CustomerNoteForm(),
        "merge_form": MergeCustomerForm(),
        "attributes_error": "",
        **_greeting(customer),
        "organization_names": customer_page.organization_names(),
        "time_zones": customer_page.time_zones(),
        "can_edit": permissions.can_update(request.actor, Ticket()),
        "can_merge": request.user.is_supervisor_or_admin,
    }
    context.update(forms)
    return context


def _greeting(customer: Customer) -> dict[str, Any]:
    from helpline.workflow.greetings import is_opted_in, offered_attribute, special_date_of

    attribute = offered_attribute()
    if not attribute:
        return {"greeting_attribute": ""}
    initial = {"opted_in": is_opted_in(customer), "date": special_date_of(customer, attribute)}
    return {"greeting_attribute": attribute, "greeting_form": GreetingForm(initial=initial)}


def _customer(public_id: str) -> Customer:
    return customer_page.get_customer(public_id)


def _page(customer: Customer, anchor: str = "") -> str:
    return reverse("web:customer", args=[customer.public_id]) + (f"#{anchor}" if anchor else "")


def _invalid(request: AgentRequest, customer: Customer, **forms: Any) -> HttpResponse:
    return render(request, TEMPLATE, _context(request, customer, **forms), status=422)


def _submit(
    request: AgentRequest,
    customer: Customer,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], str],
    *,
    form_name: str,
    error_field: str | None = None,
    anchor: str = "",
    **invalid: Any,
) -> HttpResponse:
    """Validate `form` and `save` it (one action; returns the confirmation to show), then back to the
    customer page at `anchor`; else the page again with the form and its errors."""

    def done(data: dict[str, Any]) -> HttpResponse:
        messages.success(request, save(data))
        return redirect(_page(customer, anchor))

    response, _status = submit_form(request, form, done, error_field=error_field)
    if response is not None:
        return response
    return _invalid(request, customer, **{form_name: form}, **invalid)


@require_GET
@agent_required
def customer_detail(request: AgentRequest, public_id: str) -> HttpResponse:
    customer = _customer(public_id)
    if customer.merged_into_id and customer.merged_into is not None:
        messages.info(request, _("This customer was merged; showing the profile they were merged into."))
        return redirect(_page(customer.merged_into))
    return render(request, TEMPLATE, _context(request, customer))


@require_POST
@agent_required
def customer_profile(request: AgentRequest, public_id: str) -> HttpResponse:
    customer = _customer(public_id)

    def save(data: dict[str, Any]) -> str:
        actions.update_customer(actor=request.actor, customer=customer, **data)
        return _("Profile saved.")

    return _submit(
        request, customer, CustomerProfileForm(request.POST), save, form_name="profile_form", open_section="profile"
    )


@require_POST
@agent_required
def customer_greeting(request: AgentRequest, public_id: str) -> HttpResponse:
    from helpline.workflow.greetings import offered_attribute

    customer = _customer(public_id)

    def save(data: dict[str, Any]) -> str:
        actions.set_special_date_greeting(
            actor=request.actor,
            customer=customer,
            opted_in=data["opted_in"],
            date_attribute=offered_attribute(),
            date=data["date"],
        )
        return _("Greetings switched on for this customer.") if data["opted_in"] else _("Greetings switched off.")

    return _submit(
        request,
        customer,
        GreetingForm(request.POST),
        save,
        form_name="greeting_form",
        error_field="date",
        anchor="greeting",
    )


@require_POST
@agent_required
def customer_identity_add(request: AgentRequest, public_id: str) -> HttpResponse:
    customer = _customer(public_id)

    def save(data: dict[str, Any]) -> str:
        actions.add_identity(actor=request.actor, customer=customer, **data)
        return _("Identity added.")

    return _submit(
        request,
        customer,
        IdentityForm(request.POST),
        save,
        form_name="identity_form",
        error_field="value",
        anchor="identities",
    )


@require_POST
@agent_required
def customer_identity_remove(request: AgentRequest, public_id: str, identity_id: int) -> HttpResponse:
    customer = _customer(public_id)
    identity = CustomerIdentity.objects.filter(pk=identity_id, customer=customer).first()
    if identity is None:
        raise NotFoundError(_("No such identity."))
    actions.remove_identity(actor=request.actor, identity=identity)
    messages.success(request, _("%(value)s removed.") % {"value": identity.value})
    return redirect(_page(customer, "identities"))


@require_POST
@agent_required
def customer_organization_add(request: AgentRequest, public_id: str) -> HttpResponse:
    customer = _customer(public_id)

    def save(data: dict[str, Any]) -> str:
        name = data["name"].strip()
        with transaction.atomic():
            organization = Organization.objects.filter(name__iexact=name).first()
            if organization is None:
                organization = actions.create_organization(actor=request.actor, name=name)
            current = list(customer.organizations.all())
            if organization not in current:
                actions.update_customer(actor=request.actor, customer=customer, organizations=[*current, organization])
        return _("Added to %(name)s.") % {"name": organization.name}

    return _submit(
        request,
        customer,
        OrganizationAddForm(request.POST),
        save,
        form_name="organization_form",
        error_field="name",
        anchor="organizations",
    )


@require_POST
@agent_required
def customer_organization_remove(request: AgentRequest, public_id: str, org_id: str) -> HttpResponse:
    customer = _customer(public_id)
    current = list(customer.organizations.all())
    remaining = [o for o in current if o.public_id != org_id]
    if len(remaining) == len(current):
        raise NotFoundError(_("The customer is not in this organisation."))
    actions.update_customer(actor=request.actor, customer=customer, organizations=remaining)
    messages.success(request, _("Organisation removed."))
    return redirect(_page(customer, "organizations"))


@require_POST
@agent_required
def customer_attributes(request: AgentRequest, public_id: str) -> HttpResponse:
    customer = _customer(public_id)
    attributes, error = parse_attributes(request.POST.getlist("attr_key"), request.POST.getlist("attr_value"))
    if not error:
        try:
            actions.update_customer(actor=request.actor, customer=customer, custom_attributes=attributes)
        except HelplineError as exc:
            error = exc.message
        else:
            messages.success(request, _("Attributes saved."))
            return redirect(_page(customer, "attributes"))
    return _invalid(request, customer, attributes=list(attributes.items()), attributes_error=error)


@require_POST
@agent_required
def customer_note(request: AgentRequest, public_id: str) -> HttpResponse:
    customer = _customer(public_id)

    def save(data: dict[str, Any]) -> str:
        actions.add_customer_note(actor=request.actor, customer=customer, body=data["body"])
        return _("Note added.")

    return _submit(
        request,
        customer,
        CustomerNoteForm(request.POST),
        save,
        form_name="note_form",
        error_field="body",
        anchor="notes",
    )


@require_POST
@agent_required
def customer_merge(request: AgentRequest, public_id: str) -> HttpResponse:
    customer = _customer(public_id)
    form = MergeCustomerForm(request.POST)
    if form.is_valid():
        other = customer_page.find_customer(form.cleaned_data["other"])
        if other is None:
            form.add_error("other", _("No customer has this id, email address or phone number."))
        else:
            try:
                actions.merge_customers(actor=request.actor, source=other, target=customer)
            except NotPermittedError:
                raise  # a 403 page: the form is not offered to agents who may not merge
            except HelplineError as exc:
                form.add_error("other", exc.message)
            else:
                messages.success(request, _("%(name)s was merged into this customer.") % {"name": str(other)})
                return redirect(_page(customer))
    return _invalid(request, customer, merge_form=form)


@require_GET
@agent_required
def organization_detail(request: AgentRequest, public_id: str) -> HttpResponse:
    organization = Organization.objects.filter(public_id=public_id).first()
    if organization is None:
        raise NotFoundError(_("No such organisation."))
    try:
        context = customer_page.organization_context(request.actor, organization, request.GET.get("cursor"))
    except InvalidInputError:
        return redirect("web:organization", public_id=public_id)
    return render(request, "web/organizations/detail.html", context)
