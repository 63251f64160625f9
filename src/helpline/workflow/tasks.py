"""Background work of the workflow app: the due-work sweep (SLA warnings and breaches, time-based
rules, follow-up reminders)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from helpline.workflow import sweep


@task()
def sweep_due_work() -> dict[str, int]:
    """Everything due now; then the sweep for the next SLA warning or breach ahead is stored (the
    chain `scheduling` relies on), unless one already waits for it."""
    return sweep.run_sweep(timezone.now(), reschedule=True)


@task(queue_name="outbound")
def deliver_sms(message_id: int, attempt: int = 1) -> str:
    """Send one workflow SMS (call confirmation); a transient failure tries again later."""
    from helpline.messaging.tasks import attempt_message
    from helpline.workflow import sms_delivery

    return attempt_message(deliver_sms, message_id, attempt, sms_delivery.attempt)


@task()
def fill_agent_capacity(agent_id: int) -> int:
    """An agent came online: hand them queued tickets of their routed teams, VIP first."""
    from helpline.accounts.models import User
    from helpline.workflow.routing import fill_capacity

    agent = User.objects.filter(pk=agent_id, is_active=True).first()
    return len(fill_capacity(agent)) if agent is not None else 0
