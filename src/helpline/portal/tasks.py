"""Background work of the portal: each task loads by id and calls one notification function.

Enqueue with `transaction.on_commit` so a task never runs for a write that was rolled back.
"""

from __future__ import annotations

import logging

from django_tasks import task

from helpline.customers.models import Customer
from helpline.portal import notifications
from helpline.tickets.models import Message, Ticket

log = logging.getLogger("helpline.portal.tasks")


@task(queue_name="outbound")
def send_request_confirmation(ticket_id: int, email: str, language: str) -> None:
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    if ticket is None:
        log.warning("confirmation skipped: ticket %s is gone", ticket_id)
        return
    notifications.send_request_confirmation(ticket=ticket, email=email, language=language)


@task(queue_name="outbound")
def send_sign_in_link(customer_id: int, email: str, language: str) -> None:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        return
    notifications.send_sign_in_link(customer=customer, email=email, language=language)


@task(queue_name="outbound")
def deliver_reply(message_id: int) -> str:
    message = Message.objects.select_related("ticket__requester").filter(pk=message_id).first()
    if message is None:
        return ""
    return notifications.deliver_reply(message)
