"""The ticket page and its writes: reply or note, properties, merge, links; plus live fragments."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from helpline.core.errors import HelplineError, NotFoundError
from helpline.tickets import actions, merge_actions, permissions, selectors
from helpline.tickets.models import LinkKind, Message, MessageKind, Ticket
from helpline.web import ticket_page
from helpline.web.forms.tickets import ReplyForm, TicketNumberForm, add_action_error
from helpline.web.views.common import AgentRequest, agent_required, is_htmx, uploaded_files

TEMPLATE = "web/tickets/detail.html"


def _ticket(request: AgentRequest, number: int) -> Ticket:
    return selectors.get_ticket(actor=request.actor, number=number)


def _url(ticket: Ticket, anchor: str = "") -> str:
    return reverse("web:ticket", args=[ticket.number]) + (f"#{anchor}" if anchor else "")


@require_GET
@agent_required
def ticket_detail(request: AgentRequest, number: int) -> HttpResponse:
    ticket = _ticket(request, number)
    return render(request, TEMPLATE, ticket_page.page_context(request.actor, ticket))


@require_GET
@agent_required
def ticket_live(request: AgentRequest, number: int) -> HttpResponse:
    """Out-of-band fragments the page swaps in after a live change: header, thread, history,
    links, requester panel and (unless the agent is editing them) the properties."""
    ticket = _ticket(request, number)
    context = ticket_page.page_context(request.actor, ticket)
    context["include_props"] = request.GET.get("props") != "0"
    return render(request, "web/tickets/_live.html", context)


@require_POST
@agent_required
def ticket_reply(request: AgentRequest, number: int) -> HttpResponse:
    ticket = _ticket(request, number)
    form = ReplyForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    kind = data.get("kind") or request.POST.get("kind") or MessageKind.REPLY
    composer = ticket_page.Composer(
        kind=kind,
        body=request.POST.get("body", ""),
        seen=data.get("seen") or 0,
    )
    if not form.is_valid():
        composer.error = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return _composer_error(request, ticket, composer)
    if kind == MessageKind.REPLY and not permissions.can_reply(request.actor, ticket):
        composer.kind = MessageKind.NOTE
        composer.error = _("You may add internal notes only; your text is kept as a note draft.")
        return _composer_error(request, ticket, composer, status=403)
    # Collision check: messages by others since the page was loaded (the form says what it showed).
    fresh: list[Message] = []
    if request.POST.get("seen"):
        fresh = list(
            ticket.messages.filter(pk__gt=composer.seen)
            .exclude(author_agent=request.user)
            .select_related("author_agent", "author_customer")
            .order_by("id")
        )
    if fresh and not data.get("confirm"):
        names = sorted({m.author_name for m in fresh})
        composer.warning = ngettext(
            "A new message from %(names)s arrived while you were writing. Read it above, then send again.",
            "%(count)d new messages from %(names)s arrived while you were writing. Read them above, then send again.",
            len(fresh),
        ) % {"count": len(fresh), "names": ", ".join(names)}
        composer.confirm = True
        composer.fresh = fresh
        return _composer_error(request, ticket, composer, status=409)
    try:
        message = actions.add_message(
            actor=request.actor,
            ticket=ticket,
            kind=kind,
            body_text=composer.body,
            attachments=uploaded_files(request),
            new_status=data.get("new_status") or None,
        )
    except HelplineError as exc:
        composer.error = exc.message
        return _composer_error(request, ticket, composer, status=exc.status)
    if message.kind == MessageKind.NOTE:
        messages.success(request, _("Internal note added."))
    else:
        messages.success(request, _("Reply sent."))
    return redirect(_url(ticket, f"m-{message.public_id}"))


def _composer_error(
    request: AgentRequest, ticket: Ticket, composer: ticket_page.Composer, status: int = 422
) -> HttpResponse:
    ticket = _ticket(request, ticket.number)
    context = ticket_page.page_context(request.actor, ticket, composer=composer)
    return render(request, TEMPLATE, context, status=status)


@require_POST
@agent_required
def ticket_properties(request: AgentRequest, number: int) -> HttpResponse:
    ticket = _ticket(request, number)
    form = ticket_page.property_form(ticket, request.POST)
    saved = False
    if form.is_valid():
        try:
            events = actions.update_ticket(actor=request.actor, ticket=ticket, **form.changes())
        except HelplineError as exc:
            add_action_error(form, exc)
        else:
            saved = True
            if not is_htmx(request):
                if events:
                    messages.success(request, _("Ticket updated."))
                return redirect(_url(ticket))
            ticket = _ticket(request, number)
            form = ticket_page.property_form(ticket)
    status = 200 if saved else 422
    if is_htmx(request):
        context = {"ticket": ticket, "props": form, "saved": saved, "can_update": True}
        response = render(request, "web/tickets/_properties.html", context, status=status)
        if saved:
            response["HX-Trigger"] = "ticket-changed"
        return response
    context = ticket_page.page_context(request.actor, ticket, props=form)
    return render(request, TEMPLATE, context, status=status)


@require_POST
@agent_required
def ticket_merge(request: AgentRequest, number: int) -> HttpResponse:
    ticket = _ticket(request, number)
    form = TicketNumberForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "; ".join(str(e) for e in form.errors.get("number") or []) or _("Type a ticket number.")
        )
        return redirect(_url(ticket))
    try:
        target = selectors.get_ticket(actor=request.actor, number=form.cleaned_data["number"])
        merge_actions.merge_tickets(actor=request.actor, source=ticket, target=target)
    except NotFoundError:
        messages.error(request, _("Ticket #%(number)s does not exist.") % {"number": form.cleaned_data["number"]})
        return redirect(_url(ticket))
    except HelplineError as exc:
        messages.error(request, exc.message)
        return redirect(_url(ticket))
    messages.success(request, _("#%(source)s was merged into this ticket.") % {"source": ticket.number})
    return redirect(_url(target))


@require_POST
@agent_required
def ticket_link(request: AgentRequest, number: int) -> HttpResponse:
    ticket = _ticket(request, number)
    form = TicketNumberForm(request.POST)
    kind = request.POST.get("kind") or LinkKind.RELATED
    if not form.is_valid():
        messages.error(
            request, "; ".join(str(e) for e in form.errors.get("number") or []) or _("Type a ticket number.")
        )
        return redirect(_url(ticket, "links"))
    try:
        target = selectors.get_ticket(actor=request.actor, number=form.cleaned_data["number"])
        merge_actions.link_tickets(actor=request.actor, source=ticket, target=target, kind=kind)
    except NotFoundError:
        messages.error(request, _("Ticket #%(number)s does not exist.") % {"number": form.cleaned_data["number"]})
    except HelplineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Linked to #%(number)s.") % {"number": target.number})
    return redirect(_url(ticket, "links"))


@require_POST
@agent_required
def ticket_unlink(request: AgentRequest, number: int, other: int) -> HttpResponse:
    ticket = _ticket(request, number)
    try:
        target = selectors.get_ticket(actor=request.actor, number=other)
        merge_actions.unlink_tickets(actor=request.actor, source=ticket, target=target)
    except HelplineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Link to #%(number)s removed.") % {"number": other})
    return redirect(_url(ticket, "links"))


@require_GET
@agent_required
def message_fragment(request: AgentRequest, public_id: str) -> HttpResponse:
    """One thread item (for a live insert); 404 unless the agent may see the ticket."""
    message = (
        Message.objects.select_related("ticket", "author_agent", "author_customer")
        .prefetch_related("attachments")
        .filter(public_id=public_id)
        .first()
    )
    if message is None or not permissions.can_view_ticket(request.actor, message.ticket):
        raise NotFoundError(_("No such message."))
    return render(request, "web/tickets/_message.html", {"message": message, "ticket": message.ticket})
