"""Turn `TicketEvent` rows into readable lines: who did what, before → after, when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from helpline.customers.models import Channel
from helpline.tickets.models import (
    CustomFieldDefinition,
    DeliveryStatus,
    EventKind,
    LinkKind,
    MessageKind,
    Priority,
    Status,
    TicketEvent,
    TicketType,
)

EVENT_ICONS: dict[str, str] = {
    EventKind.CREATED: "plus",
    EventKind.MESSAGE_ADDED: "chat",
    EventKind.STATUS_CHANGED: "status",
    EventKind.PRIORITY_CHANGED: "warning",
    EventKind.ASSIGNEE_CHANGED: "user",
    EventKind.TEAM_CHANGED: "agent",
    EventKind.TAGS_CHANGED: "tag",
    EventKind.MERGED: "merge",
    EventKind.MERGED_FROM: "merge",
    EventKind.LINKED: "link",
    EventKind.UNLINKED: "link",
    EventKind.DELIVERY_CHANGED: "send",
    EventKind.CC_CHANGED: "user",
}


@dataclass
class EventLine:
    event: TicketEvent
    actor: str
    verb: str
    before: str = ""
    after: str = ""
    detail: str = ""
    icon: str = "history"

    @property
    def has_change(self) -> bool:
        return bool(self.before or self.after)


def _label(choices: Any, value: Any) -> str:
    if value in (None, ""):
        return _("none")
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _named(ref: Any, empty: str) -> str:
    if isinstance(ref, dict):
        return str(ref.get("name") or ref.get("id") or empty)
    if ref in (None, ""):
        return empty
    return str(ref)


def _field_value(value: Any) -> str:
    if value is None or value == "":
        return _("empty")
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(value)


def _language(code: Any) -> str:
    if not code:
        return _("none")
    return str(dict(settings.LANGUAGES).get(code, code))


def describe(event: TicketEvent, field_labels: dict[str, str]) -> EventLine:
    kind = event.kind
    line = EventLine(event=event, actor=event.actor_name, verb=str(event.get_kind_display()))
    line.icon = EVENT_ICONS.get(kind, "history")
    before, after, data = event.before, event.after, event.data or {}
    if kind == EventKind.CREATED:
        channel = (after or {}).get("channel") if isinstance(after, dict) else None
        line.verb = _("opened the ticket")
        line.detail = _("via %(channel)s") % {"channel": _label(Channel, channel)} if channel else ""
    elif kind == EventKind.MESSAGE_ADDED:
        message_kind = str(data.get("kind", ""))
        verbs: dict[str, str] = {
            MessageKind.REPLY: _("replied"),
            MessageKind.NOTE: _("added an internal note"),
            MessageKind.INBOUND: _("wrote a message"),
        }
        line.verb = verbs.get(message_kind, _("added a message"))
        if data.get("channel") and message_kind != MessageKind.NOTE:
            line.detail = _("via %(channel)s") % {"channel": _label(Channel, data["channel"])}
    elif kind == EventKind.STATUS_CHANGED:
        line.verb = _("changed the status")
        line.before, line.after = _label(Status, before), _label(Status, after)
    elif kind == EventKind.PRIORITY_CHANGED:
        line.verb = _("changed the priority")
        line.before, line.after = _label(Priority, before), _label(Priority, after)
    elif kind == EventKind.TYPE_CHANGED:
        line.verb = _("changed the type")
        line.before, line.after = _label(TicketType, before), _label(TicketType, after)
    elif kind == EventKind.SUBJECT_CHANGED:
        line.verb = _("changed the subject")
        line.before, line.after = str(before or ""), str(after or "")
    elif kind == EventKind.ASSIGNEE_CHANGED:
        line.verb = _("changed the assignee")
        line.before, line.after = _named(before, _("unassigned")), _named(after, _("unassigned"))
    elif kind == EventKind.TEAM_CHANGED:
        line.verb = _("changed the team")
        line.before, line.after = _named(before, _("no team")), _named(after, _("no team"))
    elif kind == EventKind.TAGS_CHANGED:
        old, new = set(before or []), set(after or [])
        added, removed = sorted(new - old), sorted(old - new)
        line.verb = _("changed the tags")
        parts = []
        if added:
            parts.append(_("added %(tags)s") % {"tags": ", ".join(added)})
        if removed:
            parts.append(_("removed %(tags)s") % {"tags": ", ".join(removed)})
        line.detail = "; ".join(parts)
    elif kind == EventKind.FIELD_CHANGED:
        key = str(data.get("field", ""))
        line.verb = _("changed %(field)s") % {"field": field_labels.get(key, key)}
        line.before, line.after = _field_value(before), _field_value(after)
    elif kind == EventKind.LANGUAGE_CHANGED:
        line.verb = _("changed the language")
        line.before, line.after = _language(before), _language(after)
    elif kind == EventKind.REQUESTER_CHANGED:
        line.verb = _("changed the requester")
        line.before, line.after = _named(before, "?"), _named(after, "?")
        if data.get("reason") == "customer_merge":
            line.detail = _("customer profiles merged")
    elif kind == EventKind.MERGED:
        line.verb = _("merged this ticket into #%(number)s") % {"number": (after or {}).get("ticket", "?")}
    elif kind == EventKind.MERGED_FROM:
        line.verb = _("merged #%(number)s into this ticket") % {"number": (after or {}).get("ticket", "?")}
        line.detail = _("%(count)s messages moved") % {"count": data.get("messages_moved", 0)}
    elif kind in (EventKind.LINKED, EventKind.UNLINKED):
        ref = (after if kind == EventKind.LINKED else before) or {}
        number = ref.get("ticket", "?") if isinstance(ref, dict) else "?"
        if kind == EventKind.LINKED:
            line.verb = _("linked #%(number)s") % {"number": number}
            line.detail = _label(LinkKind, ref.get("kind")) if isinstance(ref, dict) and ref.get("kind") else ""
        else:
            line.verb = _("unlinked #%(number)s") % {"number": number}
    elif kind == EventKind.DELIVERY_CHANGED and data.get("mail") == "acknowledgement":
        line.verb = _("delivery of the acknowledgement to %(address)s") % {"address": data.get("recipient", "?")}
        line.after = _label(DeliveryStatus, after)
        line.detail = str(data.get("error", ""))
    elif kind == EventKind.DELIVERY_CHANGED:
        line.verb = _("delivery of a reply")
        line.before, line.after = _label(DeliveryStatus, before), _label(DeliveryStatus, after)
        line.detail = str(data.get("error", ""))
    elif kind == EventKind.CC_CHANGED:
        added, removed = list(data.get("added") or []), list(data.get("removed") or [])
        if added and not removed:
            line.verb = _("added %(people)s to the copy") % {"people": ", ".join(added)}
        elif removed and not added:
            line.verb = _("removed %(people)s from the copy") % {"people": ", ".join(removed)}
        else:
            line.verb = _("changed who is in copy")
            line.before, line.after = ", ".join(before or []), ", ".join(after or [])
    return line


def describe_all(events: Iterable[TicketEvent]) -> list[EventLine]:
    labels = dict(CustomFieldDefinition.objects.values_list("key", "label"))
    return [describe(event, labels) for event in events]
