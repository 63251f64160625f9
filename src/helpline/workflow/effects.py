"""What rules (and macros) do to a ticket: validation on save, execution through ticket actions.

Every change goes through `helpline.tickets.actions` with the rule's actor, so the ticket's history
names the rule.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.accounts.models import Role, Team, User
from helpline.core import crypto
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.tickets import actions as ticket_actions
from helpline.tickets.models import MessageKind, Priority, Status, Ticket, TicketType
from helpline.webhooks.signing import signature_headers
from helpline.workflow.placeholders import check_template, check_variants, customer_language, pick_variant, render

SETTABLE = {"status": Status.values, "priority": Priority.values, "ticket_type": TicketType.values, "language": None}
EFFECT_TYPES = (
    "set",
    "assign",
    "add_tags",
    "remove_tags",
    "reply",
    "note",
    "notify",
    "macro",
    "webhook",
    "follow_up",
)
MAX_FOLLOW_UP_HOURS = 24 * 366
MACRO_EFFECT_TYPES = ("set", "assign", "add_tags", "remove_tags", "note")
WEBHOOK_TIMEOUT_SECONDS = 5.0


class RuleRuntimeError(Exception):
    """An effect could not be performed (recorded on the ticket; repeated failures disable the rule)."""


def _bad(message: str, code: str = "invalid_action") -> InvalidInputError:
    return InvalidInputError(message, code=code)


def clean_effects(
    effects: Any, *, known_custom_fields: set[str], allowed: tuple[str, ...] = EFFECT_TYPES
) -> list[dict[str, Any]]:
    from helpline.workflow.models import Macro

    if not isinstance(effects, list):
        raise _bad(_("Actions must be a list."))
    cleaned: list[dict[str, Any]] = []
    for effect in effects:
        kind = str((effect or {}).get("type", "")).strip() if isinstance(effect, dict) else ""
        if kind not in allowed:
            raise _bad(_("Unknown action “%(type)s”.") % {"type": kind}, "unknown_action")
        assert isinstance(effect, dict)
        if kind == "set":
            field, value = str(effect.get("field", "")).strip(), str(effect.get("value", "")).strip()
            if field.startswith("field."):
                if field.removeprefix("field.") not in known_custom_fields:
                    raise _bad(
                        _("Cannot set a field that does not exist: “%(field)s”.") % {"field": field}, "unknown_field"
                    )
            elif field not in SETTABLE:
                raise _bad(
                    _("Cannot set a field that does not exist: “%(field)s”.") % {"field": field}, "unknown_field"
                )
            elif SETTABLE[field] is not None and value not in SETTABLE[field]:  # type: ignore[operator]
                raise _bad(
                    _("“%(value)s” is not a valid %(field)s.") % {"value": value, "field": field}, "invalid_value"
                )
            cleaned.append({"type": kind, "field": field, "value": value})
        elif kind == "assign":
            agent, team = str(effect.get("agent", "")).strip(), str(effect.get("team", "")).strip()
            route = bool(effect.get("route"))
            if not (agent or team or route):
                raise _bad(_("Assign needs an agent, a team or routing."))
            if agent and agent != "none" and not User.objects.filter(username=agent, is_active=True).exists():
                raise _bad(_("No active agent “%(name)s”.") % {"name": agent}, "unknown_agent")
            if team and not Team.objects.filter(name=team).exists():
                raise _bad(_("No team “%(name)s”.") % {"name": team}, "unknown_team")
            cleaned.append({"type": kind, "agent": agent, "team": team, "route": route})
        elif kind in ("add_tags", "remove_tags"):
            tags = effect.get("tags", [])
            tags = [t.strip().lower() for t in (tags.split(",") if isinstance(tags, str) else tags) if str(t).strip()]
            if not tags:
                raise _bad(_("Name at least one tag."))
            cleaned.append({"type": kind, "tags": tags})
        elif kind in ("reply", "note"):
            body = str(effect.get("body", ""))
            if not body.strip():
                raise _bad(_("The message text is empty."), "message_empty")
            check_template(body, known_fields=known_custom_fields)
            if kind == "reply":  # to the customer: one variant per language, picked by theirs
                variants = check_variants(effect.get("variants"), known_fields=known_custom_fields)
                cleaned.append({"type": kind, "body": body, **({"variants": variants} if variants else {})})
            else:
                cleaned.append({"type": kind, "body": body})
        elif kind == "notify":
            to, subject, body = (str(effect.get(k, "")).strip() for k in ("to", "subject", "body"))
            if to not in ("assignee", "team", "admins") and "@" not in to:
                raise _bad(_("Notify “assignee”, “team”, “admins” or an email address."), "invalid_recipient")
            if not body:
                raise _bad(_("The message text is empty."), "message_empty")
            check_template(subject, known_fields=known_custom_fields)
            check_template(body, known_fields=known_custom_fields)
            cleaned.append({"type": kind, "to": to, "subject": subject, "body": body})
        elif kind == "macro":
            macro_id = effect.get("macro")
            if not Macro.objects.filter(pk=_int(macro_id), owner__isnull=True, active=True).exists():
                raise _bad(_("No shared macro “%(id)s”.") % {"id": macro_id}, "unknown_macro")
            cleaned.append({"type": kind, "macro": _int(macro_id)})
        elif kind == "webhook":
            url = str(effect.get("url", "")).strip()
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise _bad(
                    _("The webhook URL must start with http:// or https:// (got “%(url)s”).") % {"url": url},
                    "invalid_url",
                )
            secret = str(effect.get("secret", "")).strip()
            stored = effect.get("secret_encrypted", "")
            cleaned.append({"type": kind, "url": url, "secret_encrypted": crypto.encrypt(secret) if secret else stored})
        elif kind == "follow_up":
            title = str(effect.get("title", "")).strip()
            if not title:
                raise _bad(_("Say what to follow up on."), "title_required")
            check_template(title, known_fields=known_custom_fields)
            hours_text = str(effect.get("due_in_hours", "")).strip()
            hours = int(hours_text) if hours_text.isdigit() else 0
            if not 1 <= hours <= MAX_FOLLOW_UP_HOURS:
                raise _bad(
                    _("A follow-up is due in 1 to %(max)s hours (got “%(value)s”).")
                    % {"max": MAX_FOLLOW_UP_HOURS, "value": hours_text},
                    "invalid_due",
                )
            cleaned.append({"type": kind, "title": title, "due_in_hours": hours})
    return cleaned


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# -- performing ---------------------------------------------------------------------------------


def perform(effect: dict[str, Any], *, ticket: Ticket, actor: Actor, context: dict[str, Any] | None = None) -> None:
    kind = effect["type"]
    if kind == "set":
        field, value = effect["field"], effect["value"]
        if field.startswith("field."):
            ticket_actions.update_ticket(
                actor=actor, ticket=ticket, custom_fields={field.removeprefix("field."): value}
            )
        else:
            ticket_actions.update_ticket(actor=actor, ticket=ticket, **{field: value})
    elif kind == "assign":
        _assign(effect, ticket=ticket, actor=actor)
    elif kind == "add_tags":
        ticket_actions.update_ticket(actor=actor, ticket=ticket, add_tags=effect["tags"])
    elif kind == "remove_tags":
        ticket_actions.update_ticket(actor=actor, ticket=ticket, remove_tags=effect["tags"])
    elif kind == "reply":  # leaves on the ticket's own channel through outbound delivery
        template = pick_variant(effect["body"], effect.get("variants"), customer_language(ticket))
        ticket_actions.add_message(
            actor=actor,
            ticket=ticket,
            kind=MessageKind.REPLY,
            body_text=render(template, ticket=ticket, agent=ticket.assignee),
        )
    elif kind == "note":
        ticket_actions.add_internal_note(
            actor=actor, ticket=ticket, body_text=render(effect["body"], ticket=ticket, agent=ticket.assignee)
        )
    elif kind == "notify":
        _notify(effect, ticket=ticket, actor=actor)
    elif kind == "macro":
        from helpline.workflow.macros import apply_macro
        from helpline.workflow.models import Macro

        macro = Macro.objects.filter(pk=effect["macro"], active=True).first()
        if macro is None:
            raise RuleRuntimeError(_("The macro no longer exists."))
        apply_macro(actor=actor, ticket=ticket, macro=macro, send_reply=True)
    elif kind == "webhook":
        _webhook(effect, ticket=ticket, actor=actor, context=context or {})
    elif kind == "follow_up":
        _follow_up(effect, ticket=ticket, actor=actor)
    else:
        raise RuleRuntimeError(_("Unknown action “%(type)s”.") % {"type": kind})
    ticket.refresh_from_db()


def _assign(effect: dict[str, Any], *, ticket: Ticket, actor: Actor) -> None:
    changes: dict[str, Any] = {}
    if effect.get("team"):
        team = Team.objects.filter(name=effect["team"]).first()
        if team is None:
            raise RuleRuntimeError(_("No team “%(name)s”.") % {"name": effect["team"]})
        changes["team"] = team
    if effect.get("agent") == "none":
        changes["assignee"] = None
    elif effect.get("agent"):
        agent = User.objects.filter(username=effect["agent"], is_active=True).first()
        if agent is None:
            raise RuleRuntimeError(_("No active agent “%(name)s”.") % {"name": effect["agent"]})
        changes["assignee"] = agent
    if changes:
        ticket_actions.update_ticket(actor=actor, ticket=ticket, **changes)
    if effect.get("route"):
        from helpline.workflow.routing import route_ticket

        route_ticket(ticket=ticket, actor=actor)


def _recipient_agents(to: str, ticket: Ticket) -> list[User]:
    if to == "assignee":
        return [ticket.assignee] if ticket.assignee and ticket.assignee.is_active else []
    if to == "team":
        return list(ticket.team.members.filter(is_active=True).order_by("pk")) if ticket.team else []
    if to == "admins":
        return list(User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk"))
    return list(User.objects.filter(email__iexact=to, is_active=True).order_by("pk")[:1])


def _notify(effect: dict[str, Any], *, ticket: Ticket, actor: Actor) -> None:
    """Tell agents (assignee, team, admins) in the workspace, live, and by email; an email address
    that is not an agent's gets the email only."""
    from helpline.workflow.notifications import notify_agents

    agents = _recipient_agents(effect["to"], ticket)
    emails = [a.email for a in agents if a.email] if "@" not in effect["to"] else [effect["to"]]
    subject = render(effect.get("subject") or "", ticket=ticket, agent=ticket.assignee) or _("Ticket %(ref)s") % {
        "ref": ticket.reference
    }
    body = render(effect["body"], ticket=ticket, agent=ticket.assignee)
    notify_agents(agents=agents, title=subject, body=body, ticket=ticket, source=actor.label.removeprefix("rule:"))
    if emails:
        send_mail(subject[:200], body, None, emails)


def _follow_up(effect: dict[str, Any], *, ticket: Ticket, actor: Actor) -> None:
    """A follow-up task for the assignee (call back, check in after delivery), reminded when due."""
    from helpline.workflow.follow_ups import create_follow_up

    if ticket.assignee is None:
        raise RuleRuntimeError(_("The ticket has no assignee to follow it up."))
    create_follow_up(
        actor=actor,
        ticket=ticket,
        agent=ticket.assignee,
        title=render(effect["title"], ticket=ticket, agent=ticket.assignee),
        due_at=timezone.now() + dt.timedelta(hours=int(effect["due_in_hours"])),
    )


def _webhook(effect: dict[str, Any], *, ticket: Ticket, actor: Actor, context: dict[str, Any]) -> None:
    payload = {
        "type": "automation",
        "rule": actor.label.removeprefix("rule:"),
        "trigger": context.get("trigger", ""),
        "sent_at": timezone.now().isoformat(),
        "ticket": {
            "id": ticket.public_id,
            "number": ticket.number,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "channel": ticket.channel,
        },
    }
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "Helpline-Automation/1"}
    if effect.get("secret_encrypted"):
        headers |= signature_headers(crypto.decrypt(effect["secret_encrypted"]), body)
    try:
        with httpx.Client(timeout=WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = client.post(effect["url"], content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise RuleRuntimeError(_("Webhook call failed: %(error)s") % {"error": exc}) from exc
    if response.status_code >= 400:
        raise RuleRuntimeError(_("Webhook answered %(status)s.") % {"status": response.status_code})
