"""Background work of surveys: each task loads by id and calls one action or mail function.

Enqueue with `transaction.on_commit`. NPS campaigns are scheduled with `run_after` on backends that
defer (database, Redis); the `send_due_nps_campaigns` command sweeps any campaign left behind.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import default_task_backend, task

from helpline.core.actors import Actor
from helpline.surveys import actions, channels, mail
from helpline.surveys.models import CampaignStatus, NpsCampaign, NpsSurvey
from helpline.tickets.models import Status, Ticket

log = logging.getLogger("helpline.surveys.tasks")
SURVEY_ACTOR = Actor.system("surveys")


@task(queue_name="outbound")
def send_csat_survey(ticket_id: int) -> str:
    """Create the ticket's survey (once) and send it on the ticket's channel (email otherwise)."""
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    if ticket is None or ticket.status not in (Status.SOLVED, Status.CLOSED) or ticket.merged_into_id:
        return "skipped"
    # On the ticket's channel only once an agent has answered: the invitation must not become the
    # ticket's first response.
    by_message = (
        channels.delivered_as_message(ticket.channel)
        and ticket.status == Status.SOLVED
        and ticket.first_response_at is not None
    )
    if not by_message and not ticket.requester.email:
        log.info("csat skipped: requester of ticket %s has no email", ticket.number)
        return "no_address"
    survey = actions.create_csat_survey(actor=SURVEY_ACTOR, ticket=ticket)
    if survey is None:
        return "already_sent"
    if by_message:
        channels.send_csat_message(survey)
    else:
        mail.send_csat_mail(survey)
    return "sent"


@task(queue_name="outbound")
def send_nps_mail(survey_public_id: str) -> None:
    survey = NpsSurvey.objects.select_related("customer", "campaign").filter(public_id=survey_public_id).first()
    if survey is not None:
        mail.send_nps_mail(survey)


@task()
def run_nps_campaign(campaign_id: int) -> int:
    campaign = NpsCampaign.objects.filter(pk=campaign_id, status=CampaignStatus.SCHEDULED).first()
    if campaign is None or campaign.scheduled_for > timezone.now():
        return 0
    return len(actions.run_nps_campaign(actor=SURVEY_ACTOR, campaign=campaign))


def schedule_nps_campaign(campaign_id: int, when: dt.datetime) -> None:
    """Enqueue the campaign to run at `when`; without deferral support, run it now if it is due."""
    if default_task_backend.supports_defer:
        run_nps_campaign.using(run_after=when).enqueue(campaign_id)
    elif when <= timezone.now():
        run_nps_campaign.enqueue(campaign_id)
