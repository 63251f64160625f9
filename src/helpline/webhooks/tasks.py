"""Background work of the webhooks app, on the `webhooks` task queue."""

from __future__ import annotations

from django_tasks import task

from helpline.webhooks import delivery


@task(queue_name="webhooks")
def deliver_webhook(delivery_id: int) -> str:
    return delivery.deliver(delivery_id)
