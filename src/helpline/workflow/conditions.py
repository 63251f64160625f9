"""Rule conditions: the fields a rule may look at, the operators, validation and evaluation.

Facts are read once per event into a plain dict, so evaluating hundreds of rules costs no queries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpline.core.errors import InvalidInputError
from helpline.customers.models import Channel
from helpline.tickets.models import EventKind, MessageKind, Priority, Status, Ticket, TicketType

TEXT_OPS = {"is", "is_not", "in", "not_in", "contains", "not_contains", "matches", "set", "not_set"}
CHOICE_OPS = {"is", "is_not", "in", "not_in", "set", "not_set"}
LIST_OPS = {"includes", "excludes", "set", "not_set"}
NUMBER_OPS = {"is", "gt", "lt", "set", "not_set"}
BOOL_OPS = {"is"}

# field → (label, operators, allowed values or None)
FIELDS: dict[str, tuple[Any, set[str], list[str] | None]] = {
    "ticket.status": (gettext_lazy("Status"), CHOICE_OPS, Status.values),
    "ticket.priority": (gettext_lazy("Priority"), CHOICE_OPS | {"gt", "lt"}, Priority.values),
    "ticket.type": (gettext_lazy("Type"), CHOICE_OPS, TicketType.values),
    "ticket.channel": (gettext_lazy("Channel"), CHOICE_OPS, Channel.values),
    "ticket.language": (gettext_lazy("Language"), TEXT_OPS, None),
    "ticket.subject": (gettext_lazy("Subject"), TEXT_OPS, None),
    "ticket.tags": (gettext_lazy("Tags"), LIST_OPS, None),
    "ticket.assignee": (gettext_lazy("Assignee (username)"), TEXT_OPS, None),
    "ticket.team": (gettext_lazy("Team"), TEXT_OPS, None),
    "ticket.organization": (gettext_lazy("Organisation"), TEXT_OPS, None),
    "message.text": (gettext_lazy("Message text"), TEXT_OPS, None),
    "message.kind": (gettext_lazy("Message kind"), CHOICE_OPS, MessageKind.values),
    "message.channel": (gettext_lazy("Message channel"), CHOICE_OPS, Channel.values),
    "customer.name": (gettext_lazy("Customer name"), TEXT_OPS, None),
    "customer.email": (gettext_lazy("Customer email"), TEXT_OPS, None),
    "customer.language": (gettext_lazy("Customer language"), TEXT_OPS, None),
    "event.kind": (gettext_lazy("What changed"), CHOICE_OPS, EventKind.values),
    "event.after": (gettext_lazy("Changed to"), TEXT_OPS, None),
    "sla.target": (gettext_lazy("SLA target"), CHOICE_OPS, ["first_response", "next_response", "resolution"]),
    # set for the "survey answered" trigger only
    "survey.rating": (gettext_lazy("Satisfaction rating (1–5)"), NUMBER_OPS, None),
    "survey.previous_rating": (gettext_lazy("Satisfaction rating before this answer"), NUMBER_OPS, None),
    "survey.comment": (gettext_lazy("Satisfaction comment"), TEXT_OPS, None),
    "business_hours.now": (gettext_lazy("Within business hours now"), BOOL_OPS, ["yes", "no"]),
    "hours.since_created": (gettext_lazy("Hours since created"), NUMBER_OPS, None),
    "hours.in_status": (gettext_lazy("Hours in current status"), NUMBER_OPS, None),
    "hours.since_update": (gettext_lazy("Hours since last update"), NUMBER_OPS, None),
}
DYNAMIC = {"ticket.field.": TEXT_OPS | {"gt", "lt"}, "customer.attribute.": TEXT_OPS | {"gt", "lt"}}
OP_LABELS = {
    "is": gettext_lazy("is"),
    "is_not": gettext_lazy("is not"),
    "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"),
    "contains": gettext_lazy("contains"),
    "not_contains": gettext_lazy("does not contain"),
    "matches": gettext_lazy("matches pattern"),
    "includes": gettext_lazy("includes any of"),
    "excludes": gettext_lazy("includes none of"),
    "gt": gettext_lazy("greater than"),
    "lt": gettext_lazy("less than"),
    "set": gettext_lazy("is set"),
    "not_set": gettext_lazy("is not set"),
}
PRIORITY_ORDER = {p: n for n, p in enumerate(Priority.values)}


def _ops_for(field: str, known_custom_fields: set[str]) -> tuple[set[str], list[str] | None]:
    if field in FIELDS:
        _label, ops, allowed = FIELDS[field]
        return ops, allowed
    for prefix, ops in DYNAMIC.items():
        if field.startswith(prefix) and len(field) > len(prefix):
            if prefix == "ticket.field." and field.removeprefix(prefix) not in known_custom_fields:
                break
            return ops, None
    raise InvalidInputError(
        _("Condition on a field that does not exist: “%(field)s”.") % {"field": field}, code="unknown_field"
    )


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple | set):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value or "").split(",") if v.strip()]


def clean_conditions(conditions: Any, *, known_custom_fields: set[str]) -> list[dict[str, Any]]:
    if not isinstance(conditions, list):
        raise InvalidInputError(_("Conditions must be a list."), code="invalid_conditions")
    cleaned = []
    for cond in conditions:
        if not isinstance(cond, dict):
            raise InvalidInputError(
                _("Each condition needs a field, an operator and a value."), code="invalid_conditions"
            )
        field, op, value = str(cond.get("field", "")).strip(), str(cond.get("op", "")).strip(), cond.get("value", "")
        ops, allowed = _ops_for(field, known_custom_fields)
        if op not in ops:
            raise InvalidInputError(
                _("“%(op)s” cannot be used with %(field)s.") % {"op": op, "field": field}, code="invalid_operator"
            )
        if op in ("in", "not_in", "includes", "excludes"):
            value = _as_list(value)
        elif op in ("set", "not_set"):
            value = ""
        else:
            value = str(value if value is not None else "").strip()
        values = value if isinstance(value, list) else ([value] if value else [])
        if allowed is not None and op not in ("gt", "lt"):
            for v in values:
                if v not in allowed:
                    raise InvalidInputError(
                        _("“%(value)s” is not a valid value for %(field)s.") % {"value": v, "field": field},
                        code="invalid_value",
                    )
        if op in ("gt", "lt") and field != "ticket.priority":
            try:
                float(value)
            except ValueError as exc:
                raise InvalidInputError(
                    _("%(field)s needs a number to compare with.") % {"field": field}, code="invalid_value"
                ) from exc
        if op == "matches":
            try:
                _regex(value)
            except re.error as exc:
                raise InvalidInputError(
                    _("The pattern for %(field)s is not valid: %(error)s") % {"field": field, "error": exc},
                    code="invalid_pattern",
                ) from exc
        if op not in ("set", "not_set") and not values and field not in ("event.after",):
            raise InvalidInputError(
                _("The condition on %(field)s needs a value.") % {"field": field}, code="invalid_value"
            )
        cleaned.append({"field": field, "op": op, "value": value})
    return cleaned


@lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# -- facts ---------------------------------------------------------------------------------------


def ticket_facts(
    ticket: Ticket,
    *,
    now: dt.datetime,
    message: Any = None,
    event: Any = None,
    sla_target: str = "",
    status_since: dt.datetime | None = None,
    business_open: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    requester = ticket.requester
    # Loaded in the same query when the selector annotated them (see engine.load_ticket).
    tags = getattr(ticket, "tag_names", None)
    if tags is None:
        tags = [t.name for t in ticket.tags.all()]
    email = getattr(ticket, "requester_email", None)
    if email is None:
        email = next((i.value for i in requester.identities.all() if i.kind == "email"), "")
    if status_since is None:
        status_since = getattr(ticket, "status_since", None)
    facts: dict[str, Any] = {
        "ticket.status": ticket.status,
        "ticket.priority": ticket.priority,
        "ticket.type": ticket.ticket_type,
        "ticket.channel": ticket.channel,
        "ticket.language": ticket.language,
        "ticket.subject": ticket.subject,
        "ticket.tags": [t for t in tags if t],
        "ticket.assignee": ticket.assignee.username if ticket.assignee_id and ticket.assignee else "",
        "ticket.team": ticket.team.name if ticket.team_id and ticket.team else "",
        "ticket.organization": ticket.organization.name if ticket.organization_id and ticket.organization else "",
        "message.text": message.body_text if message is not None else "",
        "message.kind": message.kind if message is not None else "",
        "message.channel": message.channel if message is not None else "",
        "customer.name": requester.name,
        "customer.email": email or "",
        "customer.language": requester.language,
        "event.kind": event.kind if event is not None else "",
        "event.after": "" if event is None or event.after is None else str(event.after),
        "sla.target": sla_target,
        "hours.since_created": (now - ticket.created_at).total_seconds() / 3600,
        "hours.in_status": (now - (status_since or ticket.updated_at)).total_seconds() / 3600,
        "hours.since_update": (now - ticket.updated_at).total_seconds() / 3600,
        "_custom": ticket.custom_fields or {},
        "_attributes": requester.custom_attributes or {},
        "_business_open": business_open,
    }
    return facts


def _fact(facts: dict[str, Any], field: str) -> Any:
    if field.startswith("ticket.field."):
        return facts["_custom"].get(field.removeprefix("ticket.field."))
    if field.startswith("customer.attribute."):
        return facts["_attributes"].get(field.removeprefix("customer.attribute."))
    if field == "business_hours.now":
        if "business_hours.now" not in facts:
            probe = facts.get("_business_open")
            facts["business_hours.now"] = "yes" if probe is None or probe() else "no"
        return facts["business_hours.now"]
    return facts.get(field)


def _number(value: Any, field: str) -> float:
    if field == "ticket.priority":
        return float(PRIORITY_ORDER.get(str(value), -1))
    return float(value)


def holds(cond: dict[str, Any], facts: dict[str, Any]) -> bool:
    field, op, want = cond["field"], cond["op"], cond["value"]
    have = _fact(facts, field)
    if op == "set":
        return have not in (None, "", [])
    if op == "not_set":
        return have in (None, "", [])
    if op == "includes":
        return bool(set(have or []) & set(want))
    if op == "excludes":
        return not set(have or []) & set(want)
    if op in ("gt", "lt"):
        try:
            a, b = _number(have, field), _number(want, field)
        except (TypeError, ValueError):
            return False
        return a > b if op == "gt" else a < b
    text = "" if have is None else str(have)
    if op == "is":
        return text.casefold() == str(want).casefold()
    if op == "is_not":
        return text.casefold() != str(want).casefold()
    if op == "in":
        return text.casefold() in {w.casefold() for w in want}
    if op == "not_in":
        return text.casefold() not in {w.casefold() for w in want}
    if op == "contains":
        return str(want).casefold() in text.casefold()
    if op == "not_contains":
        return str(want).casefold() not in text.casefold()
    if op == "matches":
        return _regex(str(want)).search(text) is not None
    return False


def all_hold(conditions_all: list[dict[str, Any]], conditions_any: list[dict[str, Any]], facts: dict[str, Any]) -> bool:
    if not all(holds(c, facts) for c in conditions_all):
        return False
    return not conditions_any or any(holds(c, facts) for c in conditions_any)
