"""`{% chat_panel ticket %}` beside a chat ticket (visitor context, canned responses, transfer) and
`{% merge_suggestions customer %}` on the customer page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("chat/agent/_panel.html", takes_context=True)
def chat_panel(context: template.Context, ticket: Any) -> dict[str, Any]:
    from helpline.chat import agent_context

    agent = context.get("desk_agent")
    if agent is None or not agent_context.is_chat(ticket):
        return {"show": False}
    from helpline.core.actors import Actor

    targets, teams = agent_context.transfer_targets(ticket)
    return {
        "show": True,
        "ticket": ticket,
        "chat": agent_context.chat_context(actor=Actor.of_agent(agent), ticket=ticket),
        "canned": agent_context.canned_responses(ticket=ticket, agent=agent),
        "targets": targets,
        "teams": teams,
        "csrf_token": context.get("csrf_token"),
        "can_transfer": not agent.is_light_agent,
    }


@register.inclusion_tag("chat/agent/_merge_suggestions.html", takes_context=True)
def merge_suggestions(context: template.Context, customer: Any) -> dict[str, Any]:
    from helpline.customers.merge_suggestions import suggestions_for

    agent = context.get("desk_agent")
    if agent is None:
        return {"suggestions": []}
    return {
        "customer": customer,
        "suggestions": [(s, *s.ordered(customer)) for s in suggestions_for(customer)],
        "can_merge": agent.is_supervisor_or_admin,
        "csrf_token": context.get("csrf_token"),
    }
