"""SMS delivery of workflow messages (call confirmations) on tickets whose own channel is not SMS:
claimed from the portal's email fallback, sent through the SMS adapter with retries and backoff."""

from __future__ import annotations

from django.db import transaction

from helpline.core.actors import Actor
from helpline.customers.models import IdentityKind
from helpline.messaging.adapters import adapter_for
from helpline.messaging.adapters.base import OutboundMessage, SendError
from helpline.messaging.models import ChannelAccount, Provider
from helpline.messaging.outbound import backoff, max_attempts
from helpline.tickets import delivery_actions
from helpline.tickets.models import DeliveryStatus, Message, MessageKind
from helpline.workflow.call_log import SMS_DELIVERY

ACTOR = Actor.system("sms")


def claim(message: Message) -> bool:
    """Take over a reply marked for SMS delivery; True when claimed."""
    if message.kind != MessageKind.REPLY or message.meta.get("deliver_by") != SMS_DELIVERY:
        return False
    from helpline.workflow.tasks import deliver_sms

    message_id = message.pk
    transaction.on_commit(lambda: deliver_sms.enqueue(message_id))
    return True


def attempt(message: Message, attempt_number: int) -> float | None:
    """One try; the delay before the next one, or None when there is nothing more to do."""
    account = ChannelAccount.objects.filter(provider=Provider.SMS, active=True).order_by("pk").first()
    phone = message.ticket.requester.identities.filter(kind=IdentityKind.PHONE).order_by("pk").first()
    if account is None or phone is None:
        error = "no active SMS account" if account is None else "the customer has no phone number"
        delivery_actions.set_delivery_status(actor=ACTOR, message=message, status=DeliveryStatus.FAILED, error=error)
        return None
    outbound = OutboundMessage(
        to=phone.value, text=message.body_text, language=message.ticket.language, inside_service_window=False
    )
    try:
        external_id = adapter_for(account.provider).send(account, outbound)
    except SendError as exc:
        if not exc.transient or attempt_number >= max_attempts():
            delivery_actions.set_delivery_status(
                actor=ACTOR, message=message, status=DeliveryStatus.FAILED, error=str(exc)
            )
            return None
        return backoff(attempt_number, exc.retry_after)
    delivery_actions.set_delivery_status(
        actor=ACTOR, message=message, status=DeliveryStatus.SENT, external_id=external_id
    )
    return None
