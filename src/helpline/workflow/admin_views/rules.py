"""/admin/automations/: list, build and edit rules without code, switch on/off, dry run."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.page_helpers import current_agent
from helpline.core.actors import Actor
from helpline.core.errors import HelplineError
from helpline.workflow import rule_actions
from helpline.workflow.admin_views.rule_form import (
    action_rows,
    builder_choices,
    condition_rows,
    parse_actions,
    parse_conditions,
)
from helpline.workflow.models import Rule, TimeAnchor, Trigger
from helpline.workflow.placeholders import VALUES


@admin_required
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = Rule.objects.order_by("trigger", "position", "id")
    return render(request, "workflow/admin/rules.html", {"rules": rules, "section": "automations"})


def _int_or_none(value: str) -> int | None:
    try:
        return int(value) if value.strip() else None
    except ValueError:
        return None


def _hours_to_minutes(value: str) -> int | None:
    try:
        return round(float(value) * 60) if value.strip() else None
    except ValueError:
        return None


@admin_required
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk) if pk else None
    status = 200
    error = ""
    if request.method == "POST":
        post = request.POST
        values: dict[str, Any] = {
            "name": post.get("name", ""),
            "description": post.get("description", ""),
            "trigger": post.get("trigger", ""),
            "anchor": post.get("anchor", ""),
            "delay_minutes": _hours_to_minutes(post.get("delay_hours", "")),
            "position": _int_or_none(post.get("position", "0")) or 0,
            "stop_processing": post.get("stop_processing") == "on",
            "active": post.get("active") == "on",
            "conditions_all": parse_conditions(post, "all"),
            "conditions_any": parse_conditions(post, "any"),
            "actions": parse_actions(post),
        }
        try:
            saved = rule_actions.save_rule(actor=Actor.of_agent(current_agent(request)), rule=rule, **values)
        except HelplineError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("Rule “%(name)s” was saved.") % {"name": saved.name})
            return redirect("admin_ui:automations")
        shown = values | {"delay_hours": post.get("delay_hours", "")}
    else:
        shown = {
            "name": rule.name if rule else "",
            "description": rule.description if rule else "",
            "trigger": rule.trigger if rule else Trigger.TICKET_CREATED,
            "anchor": rule.anchor if rule else "",
            "delay_hours": (rule.delay_minutes // 60) if rule and rule.delay_minutes else "",
            "position": rule.position if rule else 0,
            "stop_processing": rule.stop_processing if rule else False,
            "active": rule.active if rule else False,
            "conditions_all": rule.conditions_all if rule else [],
            "conditions_any": rule.conditions_any if rule else [],
            "actions": rule.actions if rule else [],
        }
    context = {
        "rule": rule,
        "values": shown,
        "error": error,
        "all_rows": condition_rows("all", shown["conditions_all"]),
        "any_rows": condition_rows("any", shown["conditions_any"], extra=1),
        "action_rows": action_rows(shown["actions"]),
        "triggers": Trigger.choices,
        "anchors": TimeAnchor.choices,
        "section": "automations",
        "placeholders": [f"{{{{ {name} }}}}" for name in [*VALUES, "ticket.field.<key>", "customer.attribute.<key>"]],
        **builder_choices(),
    }
    return render(request, "workflow/admin/rule_form.html", context, status=status)


@admin_required
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    rule_actions.set_rule_active(actor=Actor.of_agent(current_agent(request)), rule=rule, active=not rule.active)
    return redirect("admin_ui:automations")


@admin_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    rule_actions.delete_rule(actor=Actor.of_agent(current_agent(request)), rule=rule)
    messages.success(request, _("Rule deleted."))
    return redirect("admin_ui:automations")


@admin_required
def rule_dry_run(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    matches = rule_actions.dry_run(actor=Actor.of_agent(current_agent(request)), rule=rule)
    return render(request, "workflow/admin/dry_run.html", {"rule": rule, "matches": matches, "section": "automations"})
