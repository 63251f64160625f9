"""`{% sla_badge ticket %}`: live time-to-breach. On a list page every row is served from one query
for all tickets in the `tickets` context variable."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from helpline.workflow.selectors import SlaStatus, sla_statuses

register = template.Library()
_CACHE_KEY = "workflow_sla_statuses"
_STYLES = {
    "breached": "background:#b91c1c;color:#fff;text-transform:none",
    "soon": "background:#b45309;color:#fff;text-transform:none",
    "ok": "background:#e5e7eb;color:#111827;text-transform:none",
    "paused": "background:#f3f4f6;color:#4b5563;text-transform:none",
}


def _statuses_for(context: template.Context, ticket: Any) -> dict[int, SlaStatus]:
    # Kept in the outermost context dict: each {% include %} gets its own render_context.
    cache = context.get(_CACHE_KEY)
    if cache is None or ticket.pk not in cache["ids"]:
        page = [t for t in (context.get("tickets") or []) if hasattr(t, "pk")]
        ids = {t.pk for t in page} | {ticket.pk}
        cache = {"ids": ids, "statuses": sla_statuses(ids)}
        context.dicts[0][_CACHE_KEY] = cache
    return cache["statuses"]


def _span(seconds: float) -> str:
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)sh %(m)sm") % {"h": hours, "m": minutes}
    return _("%(m)sm") % {"m": minutes}


@register.simple_tag(takes_context=True)
def sla_badge(context: template.Context, ticket: Any) -> SafeString:
    if ticket is None or not getattr(ticket, "pk", None) or not ticket.is_active:
        return mark_safe("")
    status = _statuses_for(context, ticket).get(ticket.pk)
    if status is None:
        return mark_safe("")
    if status.paused:
        return format_html(
            '<span class="badge sla sla-paused" style="{}" title="{}">{}</span>',
            _STYLES["paused"],
            status.label,
            _("SLA paused"),
        )
    assert status.due_at is not None
    left = (status.due_at - timezone.now()).total_seconds()
    if left < 0 or status.breached:
        text = _("%(kind)s breached %(span)s ago") % {"kind": status.label, "span": _span(left)}
        css = "breached"
    else:
        text = _("%(kind)s due in %(span)s") % {"kind": status.label, "span": _span(left)}
        css = "soon" if left < 3600 else "ok"
    return format_html(
        '<span class="badge sla sla-{}" style="{}" data-sla-due="{}" title="{}">{}</span>',
        css,
        _STYLES[css],
        status.due_at.isoformat(),
        timezone.localtime(status.due_at).strftime("%Y-%m-%d %H:%M"),
        text,
    )


@register.inclusion_tag("workflow/_macro_picker.html", takes_context=True)
def macro_picker(context: template.Context, ticket: Any) -> dict[str, Any]:
    from helpline.workflow.macros import macros_for

    agent = context.get("desk_agent")
    return {"ticket": ticket, "macros": list(macros_for(agent)) if agent is not None else []}


@register.inclusion_tag("workflow/_follow_ups.html", takes_context=True)
def follow_up_panel(context: template.Context, ticket: Any) -> dict[str, Any]:
    from helpline.workflow.greetings import is_opted_in, offered_attribute, special_date_of
    from helpline.workflow.models import FollowUp

    items = list(FollowUp.objects.filter(ticket=ticket, done_at__isnull=True).select_related("agent"))
    return {
        "ticket": ticket,
        "items": items,
        "greeting_opted_in": is_opted_in(ticket.requester),
        "greeting_attribute": (attribute := offered_attribute()),
        "greeting_date": special_date_of(ticket.requester, attribute),
        "csrf_token": context.get("csrf_token"),
        "agent": context.get("desk_agent"),
    }
