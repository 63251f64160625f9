"""Everything the ticket page shows, gathered in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy

from helpline.accounts.models import Team, User
from helpline.core.actors import Actor
from helpline.customers.models import Customer, CustomerIdentity
from helpline.tickets import permissions, selectors
from helpline.tickets.models import CustomFieldDefinition, Message, Tag, Ticket, TicketLink
from helpline.web.forms.tickets import ReplyForm, TicketPropertiesForm
from helpline.web.history import describe_all

JS_STRINGS = {
    "viewing": gettext_lazy("is viewing"),
    "typing": gettext_lazy("is typing…"),
    "updated": gettext_lazy("Ticket updated by %(name)s."),
    "collision": gettext_lazy(
        "%(name)s replied to the customer while you were typing. Read the new message before you send."
    ),
    "note_added": gettext_lazy("%(name)s added an internal note."),
    "someone": gettext_lazy("Someone"),
    "reconnecting": gettext_lazy("Live updates interrupted; reconnecting…"),
}


@dataclass
class Composer:
    """The reply box: what the agent typed survives an error."""

    kind: str = "reply"
    body: str = ""
    error: str = ""
    warning: str = ""
    confirm: bool = False
    seen: int = 0
    fresh: list[Message] = field(default_factory=list)


def active_agents() -> list[User]:
    return list(User.objects.filter(is_active=True).order_by("display_name", "username"))


def property_form(ticket: Ticket, data: QueryDict | None = None) -> TicketPropertiesForm:
    tag_names = [t.name for t in ticket.tags.all()]
    agents = active_agents()
    if ticket.assignee is not None and ticket.assignee not in agents:
        agents.append(ticket.assignee)  # deactivated since; still shown as the current assignee
    return TicketPropertiesForm(
        data,
        ticket=ticket,
        agents=agents,
        teams=list(Team.objects.order_by("name")),
        definitions=list(CustomFieldDefinition.objects.filter(active=True)),
        tag_names=tag_names,
    )


def thread(ticket: Ticket) -> list[Message]:
    return list(selectors.ticket_messages(ticket, include_notes=True))


def links(ticket: Ticket) -> list[dict[str, Any]]:
    rows = TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket)).select_related("source", "target")
    out = []
    for link in rows:
        other = link.target if link.source_id == ticket.pk else link.source
        out.append({"ticket": other, "kind": link.get_kind_display(), "outgoing": link.source_id == ticket.pk})
    return out


def requester_with_profile(ticket: Ticket) -> Customer:
    return (
        Customer.objects.filter(pk=ticket.requester_id)
        .prefetch_related(
            Prefetch("identities", queryset=CustomerIdentity.objects.order_by("kind", "value")), "organizations"
        )
        .get()
    )


def page_context(
    actor: Actor,
    ticket: Ticket,
    *,
    composer: Composer | None = None,
    props: TicketPropertiesForm | None = None,
) -> dict[str, Any]:
    messages = thread(ticket)
    composer = composer or Composer(seen=max((m.pk for m in messages), default=0))
    if not permissions.can_reply(actor, ticket):
        composer.kind = "note"
    return {
        "ticket": ticket,
        "thread": messages,
        "last_message_id": max((m.pk for m in messages), default=0),
        "history": describe_all(selectors.ticket_history(ticket)),
        "props": props or property_form(ticket),
        "composer": composer,
        "reply_form": ReplyForm(initial={"kind": composer.kind, "body": composer.body}),
        "links": links(ticket),
        "merged_from": list(ticket.merged_from.order_by("number").only("number", "subject", "public_id")),
        "requester": requester_with_profile(ticket),
        "other_tickets": list(selectors.requester_other_tickets(ticket)),
        "tag_options": list(Tag.objects.order_by("name").values_list("name", flat=True)[:300]),
        "can_reply": permissions.can_reply(actor, ticket),
        "can_update": permissions.can_update(actor, ticket),
        "can_merge": permissions.can_merge(actor),
        "is_merged": bool(ticket.merged_into_id),
        "js_strings": JS_STRINGS,
    }
