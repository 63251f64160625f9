"""Background work of the email channel."""

from __future__ import annotations

from django_tasks import task

from helpline.mail import outbound


@task(queue_name="outbound")
def send_reply(outbound_id: int) -> str:
    return outbound.deliver(outbound_id)


@task(queue_name="outbound")
def send_acknowledgement(raw_id: int) -> str:
    from helpline.mail import acknowledgement

    return acknowledgement.send(raw_id)


@task(queue_name="outbound")
def send_agent_notification(notification_id: int) -> str:
    from helpline.mail import agent_notifications

    return agent_notifications.deliver(notification_id)


@task()
def poll_mailboxes() -> dict[str, int]:
    from helpline.mail import polling

    return polling.poll_due_mailboxes()


@task()
def retry_quarantined(ids: list[int]) -> dict[str, int]:
    from helpline.mail import actions

    return actions.retry_quarantined_now(ids)
