"""Background work of the workflow app: the due-work sweep (SLA warnings and breaches, time-based
rules, follow-up reminders)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from helpline.workflow import sweep


@task()
def sweep_due_work() -> dict[str, int]:
    return sweep.run_sweep(timezone.now(), reschedule=False)


@task(queue_name="outbound")
def deliver_sms(message_id: int, attempt: int = 1) -> str:
    """Send one workflow SMS (call confirmation); a transient failure tries again later."""
    import time

    from django_tasks import default_task_backend

    from helpline.tickets.models import DeliveryStatus, Message
    from helpline.workflow import sms_delivery

    message = Message.objects.select_related("ticket__requester").filter(pk=message_id).first()
    if message is None or message.delivery_status != DeliveryStatus.QUEUED:
        return ""
    delay = sms_delivery.attempt(message, attempt)
    if delay is None:
        return Message.objects.values_list("delivery_status", flat=True).get(pk=message_id)
    if default_task_backend.supports_defer:
        deliver_sms.using(run_after=sms_delivery.retry_at(delay)).enqueue(message_id, attempt + 1)
        return DeliveryStatus.QUEUED
    time.sleep(delay)
    return deliver_sms.call(message_id, attempt + 1)
