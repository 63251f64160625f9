"""Outbound delivery as tasks: one attempt per run; a failed attempt schedules the next with
backoff (immediate backends without scheduling wait in place)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django_tasks import default_task_backend, task

from helpline.messaging import outbound
from helpline.tickets.models import DeliveryStatus, Message

if TYPE_CHECKING:
    from django_tasks.base import Task


@task(queue_name="outbound")
def deliver_message(message_id: int, attempt: int = 1) -> str:
    return attempt_message(deliver_message, message_id, attempt, outbound.attempt_delivery)


def attempt_message(
    task: Task[Any, str], message_id: int, attempt: int, try_once: Callable[[Message, int], float | None]
) -> str:
    """One delivery attempt of a queued message by `try_once` (which returns the delay before the
    next try, or None when done); the next attempt is `task` again, deferred, or after a wait in
    place on backends that cannot defer. Returns the message's delivery status."""
    message = Message.objects.select_related("ticket__requester").filter(pk=message_id).first()
    if message is None or message.delivery_status != DeliveryStatus.QUEUED:
        return ""
    delay = try_once(message, attempt)
    if delay is None:
        return Message.objects.values_list("delivery_status", flat=True).get(pk=message_id)
    if default_task_backend.supports_defer:
        task.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue(message_id, attempt + 1)
        return DeliveryStatus.QUEUED
    time.sleep(delay)
    return task.call(message_id, attempt + 1)
