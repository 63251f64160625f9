"""`{% cc_panel ticket %}`: on an email ticket, who replies copy, with adding and dropping people
(`{% cc_panel ticket oob=True %}` in the ticket page's live fragments). `{% undelivered_mail ticket %}`:
the ticket's acknowledgement when it did not reach the customer (refused, or bounced); also among the
live fragments (`oob=True`), so it appears as soon as a bounce or a last failed attempt is recorded."""

from __future__ import annotations

from typing import Any

from django import template

from helpline.customers.models import Channel
from helpline.mail import selectors

register = template.Library()


@register.inclusion_tag("mail/_cc_panel.html", takes_context=True)
def cc_panel(context: template.Context, ticket: Any, oob: bool = False) -> dict[str, Any]:
    shown = ticket.channel == Channel.EMAIL  # other channels' replies copy nobody: no query for them
    return {
        "ticket": ticket,
        "people": selectors.ticket_participants(ticket) if shown else [],
        "shown": shown,
        "oob": oob,  # in the live fragments: swapped in place after a change
        "can_update": context.get("can_update", False),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("mail/_undelivered.html")
def undelivered_mail(ticket: Any, oob: bool = False) -> dict[str, Any]:
    shown = ticket.channel == Channel.EMAIL
    acknowledgements = selectors.failed_acknowledgements(ticket) if shown else []
    return {"acknowledgements": acknowledgements, "shown": shown, "oob": oob}
