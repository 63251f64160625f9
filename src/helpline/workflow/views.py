"""Workspace endpoints of the workflow app: macros in the composer; follow-up tasks, logged calls and the
requester's greeting opt-in on the ticket page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.core.errors import HelplineError
from helpline.tickets.selectors import get_ticket
from helpline.web.views.common import AgentRequest, agent_required
from helpline.workflow import call_log, follow_ups, greetings, notifications
from helpline.workflow.macros import apply_macro, macros_for
from helpline.workflow.models import FollowUp


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


@agent_required
@require_POST
def follow_up_create(request: AgentRequest, number: int) -> HttpResponse:
    """Add a follow-up task for the signed-in agent (call back on a date, check in after delivery)."""
    ticket = get_ticket(actor=request.actor, number=number)
    back = reverse("web:ticket", args=[ticket.number])
    try:
        when = dt.datetime.fromisoformat(request.POST.get("due_at", ""))
    except ValueError:
        messages.error(request, _("Pick the date and time to follow up."))
        return redirect(back)
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_current_timezone())
    try:
        follow_ups.create_follow_up(
            actor=request.actor,
            ticket=ticket,
            agent=request.user,
            title=request.POST.get("title", ""),
            due_at=when,
            remind_before=dt.timedelta(minutes=int(request.POST.get("remind_minutes") or 0)),
        )
    except (HelplineError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", None) or _("Check the reminder."))
    else:
        messages.success(request, _("Follow-up added; you will get a reminder."))
    return redirect(back)


@agent_required
@require_POST
def follow_up_done(request: AgentRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp.objects.select_related("ticket"), pk=pk)
    try:
        follow_ups.complete_follow_up(actor=request.actor, follow_up=follow_up)
    except HelplineError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("web:ticket", args=[follow_up.ticket.number]))


@agent_required
@require_POST
def call_log_create(request: AgentRequest, number: int) -> HttpResponse:
    """Log a phone call on the ticket (direction, length, notes); the customer may get a confirmation."""
    ticket = get_ticket(actor=request.actor, number=number)
    back = reverse("web:ticket", args=[ticket.number])
    try:
        minutes = float(request.POST.get("minutes") or 0)
        seconds = int(round(minutes * 60))
    except (ValueError, OverflowError):
        messages.error(request, _("Give the call length in minutes."))
        return redirect(back)
    try:
        logged = call_log.log_call(
            actor=request.actor,
            ticket=ticket,
            direction=request.POST.get("direction", ""),
            duration_seconds=seconds,
            notes=request.POST.get("notes", ""),
        )
    except HelplineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Call logged; the customer gets a confirmation.") if logged.confirmation else _("Call logged."),
        )
    return redirect(back)


@agent_required
@require_POST
def greeting_opt_in(request: AgentRequest, number: int) -> HttpResponse:
    """The requester agreed (or no longer agrees) to a greeting on their special date."""
    ticket = get_ticket(actor=request.actor, number=number)
    back = redirect(reverse("web:ticket", args=[ticket.number]))
    try:
        date = dt.date.fromisoformat(request.POST["date"]) if request.POST.get("date") else None
    except ValueError:
        messages.error(request, _("“%(value)s” is not a date.") % {"value": request.POST["date"]})
        return back
    try:
        opted = greetings.set_greeting_opt_in(
            actor=request.actor, customer=ticket.requester, opted_in=request.POST.get("opt_in") == "1", date=date
        )
    except HelplineError as exc:
        messages.error(request, exc.message)
        return back
    messages.success(request, _("Greetings switched on for this customer.") if opted else _("Greetings switched off."))
    return back


@agent_required
def notifications_page(request: AgentRequest) -> HttpResponse:
    """The agent's in-app notifications, newest first; POST marks them read (one, or all)."""
    if request.method == "POST":
        one = request.POST.get("id", "")
        notifications.mark_read(actor=request.actor, ids=[int(one)] if one.isdigit() else None)
        return redirect("workflow:notifications")
    items = list(notifications.notifications_for(request.user)[:100])
    return render(request, "workflow/notifications.html", {"items": items})


@agent_required
def notifications_count(request: AgentRequest) -> HttpResponse:
    """The bell's badge: how many notifications the agent has not read (loaded after the page)."""
    unread = notifications.unread_count_of(request.user.pk)
    return HttpResponse(
        format_html(
            '<span class="badge" id="notification-count"{}>{}</span>', "" if unread else " hidden", unread or ""
        )
    )
