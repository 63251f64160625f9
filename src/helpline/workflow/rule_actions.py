"""Writes to automation rules: validated on save with messages that name the problem, audited;
failing rules switched off and admins told; dry runs against past tickets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.accounts.actions import record_audit
from helpline.accounts.models import AuditAction, Role, User
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.tickets.models import CustomFieldDefinition, Ticket
from helpline.workflow import conditions, effects, rule_cache
from helpline.workflow.models import Rule, TimeAnchor, Trigger
from helpline.workflow.sla_actions import _require_admin

_UNSET: Any = object()


def save_rule(
    *,
    actor: Actor,
    name: str,
    trigger: str,
    conditions_all: Any = (),
    conditions_any: Any = (),
    actions: Any = (),
    stop_processing: bool = False,
    position: int = 0,
    active: bool = False,
    anchor: str = "",
    delay_minutes: int | None = None,
    description: str = "",
    rule: Rule | None = None,
) -> Rule:
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise InvalidInputError(_("The rule needs a name."), code="name_required")
    if trigger not in Trigger.values:
        raise InvalidInputError(_("Unknown trigger “%(trigger)s”.") % {"trigger": trigger}, code="invalid_trigger")
    if trigger == Trigger.TIME:
        if anchor not in TimeAnchor.values:
            raise InvalidInputError(_("A time-based rule needs what to measure from."), code="invalid_anchor")
        if not delay_minutes or delay_minutes <= 0:
            raise InvalidInputError(_("A time-based rule needs a delay of at least one minute."), code="invalid_delay")
    else:
        anchor, delay_minutes = "", None
    known = set(CustomFieldDefinition.objects.values_list("key", flat=True))
    cleaned_all = conditions.clean_conditions(list(conditions_all or []), known_custom_fields=known)
    cleaned_any = conditions.clean_conditions(list(conditions_any or []), known_custom_fields=known)
    cleaned_actions = effects.clean_effects(list(actions or []), known_custom_fields=known)
    if not cleaned_actions:
        raise InvalidInputError(_("The rule needs at least one action."), code="no_actions")
    if trigger == Trigger.TIME and not cleaned_all and not cleaned_any:
        raise InvalidInputError(
            _("A time-based rule needs at least one condition (for example: status is pending)."),
            code="no_conditions",
        )
    record = rule or Rule()
    record.name, record.trigger, record.anchor, record.delay_minutes = name[:100], trigger, anchor, delay_minutes
    record.conditions_all, record.conditions_any, record.actions = cleaned_all, cleaned_any, cleaned_actions
    record.stop_processing, record.position, record.active, record.description = (
        stop_processing,
        position,
        active,
        description,
    )
    if active:
        record.disabled_at = None
        record.failure_count = 0
    with transaction.atomic():
        if Rule.objects.filter(name=record.name).exclude(pk=record.pk).exists():
            raise InvalidInputError(_("A rule with this name exists."), code="name_taken")
        record.save()
        record_audit(
            actor=actor.agent,
            action=AuditAction.SETTING_CHANGED,
            target=record,
            data={"rule": record.name, "active": active},
        )
    rule_cache.invalidate()
    return record


def set_rule_active(*, actor: Actor, rule: Rule, active: bool) -> Rule:
    _require_admin(actor)
    rule.active = active
    if active:
        rule.failure_count, rule.disabled_at = 0, None
    rule.save(update_fields=["active", "failure_count", "disabled_at", "updated_at"])
    record_audit(
        actor=actor.agent, action=AuditAction.SETTING_CHANGED, target=rule, data={"rule": rule.name, "active": active}
    )
    rule_cache.invalidate()
    return rule


def delete_rule(*, actor: Actor, rule: Rule) -> None:
    _require_admin(actor)
    record_audit(
        actor=actor.agent, action=AuditAction.SETTING_CHANGED, target=rule, data={"rule": rule.name, "deleted": True}
    )
    rule.delete()
    rule_cache.invalidate()


def disable_failing_rule(*, rule: Rule, now: dt.datetime) -> None:
    """Switch off a rule that keeps failing, and tell the admins (in the workspace, by mail, in the
    audit log)."""
    updated = Rule.objects.filter(pk=rule.pk, active=True).update(active=False, disabled_at=now, updated_at=now)
    rule_cache.invalidate()
    if not updated:
        return
    rule.active, rule.disabled_at = False, now
    record_audit(
        actor=None,
        action=AuditAction.SETTING_CHANGED,
        target=rule,
        data={"rule": rule.name, "active": False, "reason": "repeated failures", "error": rule.last_error[:500]},
    )
    from helpline.workflow.notifications import notify_agents

    admins = list(User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk"))
    title = _("Automation “%(rule)s” was switched off") % {"rule": rule.name}
    body = _("The automation “%(rule)s” failed %(n)s times in a row and was switched off.\n\nLast error: %(error)s") % {
        "rule": rule.name,
        "n": rule.failure_count,
        "error": rule.last_error,
    }
    notify_agents(agents=admins, title=title, body=body, source=rule.name, now=now)
    emails = [admin.email for admin in admins if admin.email]
    if emails:
        send_mail(title, body, None, emails, fail_silently=True)


@dataclass(frozen=True)
class DryRunMatch:
    ticket: Ticket
    actions: list[dict[str, Any]]


def dry_run(*, actor: Actor, rule: Rule, limit: int = 200, now: dt.datetime | None = None) -> list[DryRunMatch]:
    """Which of the most recent `limit` tickets the rule's conditions select today, and what it would do.
    Nothing is written."""
    from helpline.workflow.engine import facts_for

    _require_admin(actor)
    now = now or timezone.now()
    matches = []
    tickets = (
        Ticket.objects.select_related("requester", "assignee", "team", "organization")
        .prefetch_related("tags", "requester__identities")
        .order_by("-created_at", "-id")[:limit]
    )
    for ticket in tickets:
        facts = facts_for(ticket, now=now)
        if rule.trigger == Trigger.TIME and rule.anchor:
            anchor_value = facts_anchor(ticket, rule.anchor)
            if anchor_value is None or anchor_value + dt.timedelta(minutes=rule.delay_minutes or 0) > now:
                continue
        if conditions.all_hold(rule.conditions_all, rule.conditions_any, facts):
            matches.append(DryRunMatch(ticket=ticket, actions=rule.actions))
    return matches


def facts_anchor(ticket: Ticket, anchor: str) -> dt.datetime | None:
    if anchor == TimeAnchor.STATUS_SINCE:
        from helpline.workflow.models import TicketState

        return (
            TicketState.objects.filter(ticket_id=ticket.pk).values_list("status_since", flat=True).first()
            or ticket.updated_at
        )
    return getattr(ticket, anchor, None)
