"""`{% agent_mail_addresses %}`: on an agent's profile page, what they can do by email: their own
forward address at each active mailbox (a customer's mail forwarded there opens a ticket for that
customer), and that answering a notification email adds their internal note."""

from __future__ import annotations

from typing import Any

from django import template

from helpline.mail.models import Mailbox
from helpline.mail.tokens import forward_address

register = template.Library()


@register.inclusion_tag("mail/_agent_mail_addresses.html", takes_context=True)
def agent_mail_addresses(context: template.Context) -> dict[str, Any]:
    agent = context["request"].user
    boxes = Mailbox.objects.filter(active=True).order_by("name")
    return {"addresses": [(box.name, forward_address(box.email_address, agent.pk)) for box in boxes]}
