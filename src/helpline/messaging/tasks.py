"""Outbound delivery as tasks: one attempt per run; a failed attempt schedules the next with
backoff (immediate backends without scheduling wait in place)."""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone
from django_tasks import default_task_backend, task

from helpline.messaging import outbound
from helpline.tickets.models import DeliveryStatus, Message


@task(queue_name="outbound")
def deliver_message(message_id: int, attempt: int = 1) -> str:
    message = Message.objects.select_related("ticket__requester").filter(pk=message_id).first()
    if message is None or message.delivery_status != DeliveryStatus.QUEUED:
        return ""
    delay = outbound.attempt_delivery(message, attempt)
    if delay is None:
        return Message.objects.values_list("delivery_status", flat=True).get(pk=message_id)
    if default_task_backend.supports_defer:
        deliver_message.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue(message_id, attempt + 1)
        return DeliveryStatus.QUEUED
    time.sleep(delay)
    return deliver_message.call(message_id, attempt + 1)
