"""/admin/sla/ (policies and business-hours calendars), /admin/macros/, /admin/routing/."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.models import Team, User
from helpline.accounts.page_helpers import current_agent
from helpline.core.actors import Actor
from helpline.core.errors import HelplineError, InvalidInputError
from helpline.workflow import macro_forms, routing_actions, sla_actions
from helpline.workflow.models import (
    DEFAULT_CHAT_CAPACITY,
    AgentRouting,
    Availability,
    BusinessCalendar,
    Macro,
    SlaPolicy,
    Strategy,
    TeamRouting,
)

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def shifts_to_text(shifts: list[dict[str, Any]]) -> str:
    return "\n".join(f"{DAYS[s['weekday']]} {s['start']}-{s['end']}" for s in shifts)


def text_to_shifts(text: str) -> list[dict[str, Any]]:
    """Lines like “mon 09:00-17:00” or “mon-fri 09:00-17:00” (an end before the start runs overnight)."""
    shifts = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip().lower()
        if not line:
            continue
        try:
            days, hours = line.split()
            start, end = hours.split("-")
            if "-" in days:
                first, last = (DAYS.index(d[:3]) for d in days.split("-"))
                weekdays = list(range(first, last + 1))
            else:
                weekdays = [DAYS.index(days[:3])]
        except ValueError as exc:
            raise InvalidInputError(
                _("Line %(n)s: write shifts like “mon-fri 09:00-17:00”.") % {"n": n}, code="invalid_shift"
            ) from exc
        shifts += [{"weekday": d, "start": start, "end": end} for d in weekdays]
    return shifts


@admin_required
def sla_overview(request: HttpRequest) -> HttpResponse:
    context = {
        "policies": SlaPolicy.objects.select_related("calendar"),
        "calendars": BusinessCalendar.objects.select_related("team"),
        "section": "automations",
    }
    return render(request, "workflow/admin/sla.html", context)


@admin_required
def calendar_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar, pk=pk) if pk else None
    error, status = "", 200
    if request.method == "POST":
        post = request.POST
        values: dict[str, Any] = {
            "name": post.get("name", ""),
            "time_zone": post.get("time_zone", "UTC").strip(),
            "shifts_text": post.get("shifts", ""),
            "holidays_text": post.get("holidays", ""),
            "team": post.get("team", ""),
            "is_default": post.get("is_default") == "on",
        }
        try:
            sla_actions.save_calendar(
                actor=Actor.of_agent(current_agent(request)),
                calendar=calendar,
                name=values["name"],
                time_zone=values["time_zone"],
                shifts=text_to_shifts(values["shifts_text"]),
                holidays=[h for h in values["holidays_text"].split() if h],
                team=Team.objects.filter(pk=values["team"]).first() if values["team"] else None,
                is_default=values["is_default"],
            )
        except HelplineError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("Calendar saved."))
            return redirect("admin_ui:sla")
    else:
        values = {
            "name": calendar.name if calendar else "",
            "time_zone": calendar.time_zone if calendar else "UTC",
            "shifts_text": shifts_to_text(calendar.shifts) if calendar else "mon-fri 09:00-17:00",
            "holidays_text": "\n".join(calendar.holidays) if calendar else "",
            "team": str(calendar.team_id or "") if calendar else "",
            "is_default": calendar.is_default if calendar else False,
        }
    context = {
        "calendar": calendar,
        "values": values,
        "error": error,
        "teams": Team.objects.all(),
        "section": "automations",
    }
    return render(request, "workflow/admin/calendar_form.html", context, status=status)


def _minutes(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return round(float(value) * 60)
    except ValueError as exc:
        raise InvalidInputError(_("“%(v)s” is not a number of hours.") % {"v": value}, code="invalid_target") from exc


@admin_required
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=pk) if pk else None
    keys = list(sla_actions.SLA_CONDITION_KEYS)
    error, status = "", 200
    if request.method == "POST":
        post = request.POST
        values: dict[str, Any] = {
            k: post.get(k, "") for k in ("name", "first", "next", "resolution", "warn", "position", "calendar")
        }
        values["business_hours"] = post.get("business_hours") == "on"
        values["active"] = post.get("active") == "on"
        values["conditions"] = {k: post.get(f"cond_{k}", "") for k in keys}
        try:
            sla_actions.save_policy(
                actor=Actor.of_agent(current_agent(request)),
                policy=policy,
                name=values["name"],
                conditions=values["conditions"],
                first_response_minutes=_minutes(values["first"]),
                next_response_minutes=_minutes(values["next"]),
                resolution_minutes=_minutes(values["resolution"]),
                business_hours=values["business_hours"],
                calendar=BusinessCalendar.objects.filter(pk=values["calendar"]).first() if values["calendar"] else None,
                warn_before_minutes=int(values["warn"] or 0),
                position=int(values["position"] or 0),
                active=values["active"],
            )
        except (HelplineError, ValueError) as exc:
            error = getattr(exc, "message", None) or _("Check the numbers.")
            status = getattr(exc, "status", 422)
        else:
            messages.success(request, _("SLA policy saved; open tickets were re-evaluated."))
            return redirect("admin_ui:sla")
    else:

        def hours(m: int | None) -> str:
            return "" if m is None else f"{m / 60:g}"

        values = {
            "name": policy.name if policy else "",
            "first": hours(policy.first_response_minutes) if policy else "",
            "next": hours(policy.next_response_minutes) if policy else "",
            "resolution": hours(policy.resolution_minutes) if policy else "",
            "warn": policy.warn_before_minutes if policy else 15,
            "position": policy.position if policy else 0,
            "calendar": str(policy.calendar_id or "") if policy else "",
            "business_hours": policy.business_hours if policy else True,
            "active": policy.active if policy else True,
            "conditions": {k: ", ".join((policy.conditions or {}).get(k, [])) if policy else "" for k in keys},
        }
    context = {
        "policy": policy,
        "values": values,
        "error": error,
        "condition_keys": keys,
        "calendars": BusinessCalendar.objects.all(),
        "section": "automations",
    }
    return render(request, "workflow/admin/policy_form.html", context, status=status)


@admin_required
def macro_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workflow/admin/macros.html",
        {"macros": Macro.objects.filter(owner__isnull=True), "section": "automations"},
    )


@admin_required
def macro_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    macro = get_object_or_404(Macro, pk=pk, owner__isnull=True) if pk else None
    error, status = "", 200
    if request.method == "POST":
        values = macro_forms.posted_values(request.POST)
        try:
            macro_forms.save_posted(
                actor=Actor.of_agent(current_agent(request)), macro=macro, values=values, shared=True
            )
        except HelplineError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("Macro saved."))
            return redirect("admin_ui:macros")
    else:
        values = macro_forms.initial_values(macro)
    context = {"macro": macro, "values": values, "error": error, "section": "automations"}
    return render(request, "workflow/admin/macro_form.html", context, status=status)


@admin_required
def routing_page(request: HttpRequest) -> HttpResponse:
    error, status = "", 200
    if request.method == "POST" and request.POST.get("agent"):
        return _save_agent_routing(request)
    if request.method == "POST":
        team = get_object_or_404(Team, pk=request.POST.get("team"))
        try:
            routing_actions.save_team_routing(
                actor=Actor.of_agent(current_agent(request)),
                team=team,
                strategy=request.POST.get("strategy", ""),
                default_capacity=int(request.POST.get("capacity") or 10),
                vip_tiers=request.POST.get("vip_tiers", ""),
                respect_working_hours=request.POST.get("working_hours") == "on",
            )
        except (HelplineError, ValueError) as exc:
            error = getattr(exc, "message", None) or _("Capacity must be a whole number.")
            status = getattr(exc, "status", 422)
        else:
            messages.success(request, _("Routing for %(team)s saved.") % {"team": team.name})
            return redirect("admin_ui:routing")
    return _routing_page(request, error=error, status=status)


def _routing_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    configs = {c.team_id: c for c in TeamRouting.objects.all()}
    rows = [(team, configs.get(team.pk)) for team in Team.objects.order_by("name")]
    profiles = {p.agent_id: p for p in AgentRouting.objects.all()}
    agents = [(a, profiles.get(a.pk)) for a in User.objects.filter(is_active=True).order_by("display_name", "username")]
    context = {
        "rows": rows,
        "agents": agents,
        "calendars": BusinessCalendar.objects.all(),
        "strategies": Strategy.choices,
        "statuses": Availability.choices,
        "default_chat_capacity": DEFAULT_CHAT_CAPACITY,
        "error": error,
        "section": "automations",
    }
    return render(request, "workflow/admin/routing.html", context, status=status)


def _save_agent_routing(request: HttpRequest) -> HttpResponse:
    """An agent's availability profile: skills (lang:, channel:, product:), capacities, status, hours."""
    agent = get_object_or_404(User, pk=request.POST.get("agent"), is_active=True)
    calendar_id = request.POST.get("calendar") or ""
    try:
        capacity_text = request.POST.get("capacity", "").strip()
        chat_capacity_text = request.POST.get("chat_capacity", "").strip()
        routing_actions.save_agent_routing(
            actor=Actor.of_agent(current_agent(request)),
            agent=agent,
            status=request.POST.get("status") or None,
            capacity=int(capacity_text) if capacity_text else None,
            chat_capacity=int(chat_capacity_text) if chat_capacity_text else None,
            skills=request.POST.get("skills", ""),
            calendar=get_object_or_404(BusinessCalendar, pk=calendar_id) if calendar_id else None,
        )
    except (HelplineError, ValueError) as exc:
        message = getattr(exc, "message", None) or _("Capacity must be a whole number.")
        return _routing_page(request, error=f"{agent}: {message}", status=getattr(exc, "status", 422))
    messages.success(request, _("Routing profile of %(agent)s saved.") % {"agent": agent})
    return redirect("admin_ui:routing")
