"""Every write of the surveys domain: CSAT surveys and answers, NPS campaigns and answers, kudos.

Actions are keyword-only, take the acting `Actor`, run in one transaction and publish
`SURVEY_ANSWERED_HOOK` after commit so automations (reopen, notify a supervisor) can react to a
rating without this app knowing about them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import ConflictError, InvalidInputError, NotPermittedError
from helpline.core.events import publish_on_commit
from helpline.customers.models import Customer, CustomerIdentity, IdentityKind
from helpline.portal.branding import customer_language
from helpline.surveys.models import (
    CSAT_SATISFIED_MIN,
    CSAT_SCALE,
    NPS_SCALE,
    CampaignStatus,
    CsatSurvey,
    NpsCampaign,
    NpsSurvey,
)
from helpline.tickets.models import Ticket

SURVEY_ANSWERED_HOOK = "survey_answered"
COMMENT_MAX = 4000
DEFAULT_CHANGE_WINDOW = dt.timedelta(days=7)


class SurveyClosedError(ConflictError):
    code = "survey_closed"


def change_window() -> dt.timedelta:
    seconds = getattr(settings, "SURVEY_CHANGE_WINDOW", None)
    return dt.timedelta(seconds=int(seconds)) if seconds is not None else DEFAULT_CHANGE_WINDOW


def _require_supervisor(actor: Actor) -> None:
    agent = actor.agent
    if not actor.is_system and (agent is None or not agent.is_active or not agent.is_supervisor_or_admin):
        raise NotPermittedError(_("Only supervisors and admins may do this."))


def _clean_choice(value: object, scale: range) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = -1
    if number not in scale:
        raise InvalidInputError(
            _("Choose a rating from %(low)s to %(high)s.") % {"low": scale[0], "high": scale[-1]},
            code="rating_out_of_scale",
        )
    return number


def _check_open(first_answered_at: dt.datetime | None, now: dt.datetime) -> None:
    if first_answered_at is not None and now > first_answered_at + change_window():
        raise SurveyClosedError(_("This survey was answered and can no longer be changed."))


# -- CSAT ----------------------------------------------------------------------------------------


def create_csat_survey(*, actor: Actor, ticket: Ticket, at: dt.datetime | None = None) -> CsatSurvey | None:
    """The ticket's survey, created once: a ticket solved again keeps its first survey (None then)."""
    if not actor.is_system:
        _require_supervisor(actor)
    with transaction.atomic():
        survey, created = CsatSurvey.objects.get_or_create(
            ticket=ticket,
            defaults={
                "customer_id": ticket.requester_id,
                "agent_id": ticket.assignee_id,
                "team_id": ticket.team_id,
                "channel": ticket.channel,
                "language": customer_language(ticket.requester, ticket.language),
                "sent_at": at or timezone.now(),
            },
        )
    return survey if created else None


def _record_answer(
    *,
    actor: Actor,
    survey: CsatSurvey | NpsSurvey,
    field: str,
    value: object,
    scale: range,
    comment: str | None,
    at: dt.datetime | None,
) -> CsatSurvey | NpsSurvey:
    """Record or change the customer's answer (`rating` or `score`) and optional comment, within the
    change window; publish `SURVEY_ANSWERED_HOOK` with the previous value."""
    if actor.is_customer and actor.customer is not None and actor.customer.pk != survey.customer_id:
        raise NotPermittedError(_("This survey belongs to someone else."))
    if actor.is_agent:
        raise NotPermittedError(_("Only the customer answers a survey."))
    number = _clean_choice(value, scale)
    now = at or timezone.now()
    with transaction.atomic():
        survey = type(survey).objects.select_for_update().get(pk=survey.pk)
        _check_open(survey.first_answered_at, now)
        previous = getattr(survey, field)
        setattr(survey, field, number)
        if comment is not None:
            survey.comment = comment.strip()[:COMMENT_MAX]
        survey.first_answered_at = survey.first_answered_at or now
        survey.answered_at = now
        survey.save(update_fields=[field, "comment", "first_answered_at", "answered_at"])
        kind = "csat" if isinstance(survey, CsatSurvey) else "nps"
        publish_on_commit(SURVEY_ANSWERED_HOOK, {"kind": kind, "survey": survey, "previous": previous})
    return survey


def answer_csat(
    *, actor: Actor, survey: CsatSurvey, rating: object, comment: str | None = None, at: dt.datetime | None = None
) -> CsatSurvey:
    """Record or change the customer's rating (1–5) and optional comment, within the change window.
    Every channel's answer (email link, chat button, Telegram/WhatsApp/Messenger button, SMS reply) comes here."""
    answered = _record_answer(
        actor=actor, survey=survey, field="rating", value=rating, scale=CSAT_SCALE, comment=comment, at=at
    )
    assert isinstance(answered, CsatSurvey)
    return answered


def share_kudos(*, actor: Actor, survey: CsatSurvey) -> CsatSurvey:
    """Show a positive comment to the whole team (the reports page lists shared kudos)."""
    _require_supervisor(actor)
    if survey.rating is None or survey.rating < CSAT_SATISFIED_MIN or not survey.comment:
        raise InvalidInputError(_("Only positive answers with a comment can be shared."), code="not_kudos")
    with transaction.atomic():
        survey.kudos_shared_at = timezone.now()
        survey.kudos_shared_by = actor.agent
        survey.save(update_fields=["kudos_shared_at", "kudos_shared_by"])
    return survey


# -- NPS -----------------------------------------------------------------------------------------


def create_nps_campaign(
    *,
    actor: Actor,
    name: str,
    sample_size: int,
    scheduled_for: dt.datetime,
    throttle_days: int = 90,
    follow_up_question: str = "",
    repeat_every_days: int = 0,
) -> NpsCampaign:
    """Schedule a round; `repeat_every_days` (0 = once) makes it recur."""
    _require_supervisor(actor)
    name = (name or "").strip()
    if not name:
        raise InvalidInputError(_("Give the campaign a name."), code="name_required")
    if not 1 <= int(sample_size) <= 100_000:
        raise InvalidInputError(_("The sample size must be between 1 and 100000."), code="invalid_sample")
    if not 1 <= int(throttle_days) <= 3650:
        raise InvalidInputError(_("The throttle must be between 1 and 3650 days."), code="invalid_throttle")
    if not 0 <= int(repeat_every_days) <= 3650:
        raise InvalidInputError(_("Repeat every 1 to 3650 days, or 0 for once."), code="invalid_repeat")
    if timezone.is_naive(scheduled_for):
        raise InvalidInputError(_("The send time needs a time zone."), code="invalid_time")
    with transaction.atomic():
        campaign = NpsCampaign.objects.create(
            name=name[:120],
            follow_up_question=follow_up_question.strip()[:300],
            sample_size=int(sample_size),
            throttle_days=int(throttle_days),
            scheduled_for=scheduled_for,
            repeat_every_days=int(repeat_every_days),
            created_by=actor.agent,
        )
        _schedule_on_commit(campaign)
    return campaign


def _schedule_on_commit(campaign: NpsCampaign) -> None:
    from helpline.surveys import tasks

    campaign_id, when = campaign.pk, campaign.scheduled_for
    transaction.on_commit(lambda: tasks.schedule_nps_campaign(campaign_id, when))


def _next_round(campaign: NpsCampaign, now: dt.datetime) -> NpsCampaign | None:
    """The following round of a recurring campaign (in the running round's transaction, so it is
    created once): the same question and sample, `repeat_every_days` after this one was due (moved
    past `now` if rounds were missed)."""
    if not campaign.repeat_every_days:
        return None
    step = dt.timedelta(days=campaign.repeat_every_days)
    when = campaign.scheduled_for + step
    while when <= now:
        when += step
    following = NpsCampaign.objects.create(
        name=campaign.name,
        follow_up_question=campaign.follow_up_question,
        sample_size=campaign.sample_size,
        throttle_days=campaign.throttle_days,
        scheduled_for=when,
        repeat_every_days=campaign.repeat_every_days,
        created_by=campaign.created_by,
    )
    _schedule_on_commit(following)
    return following


def eligible_nps_customers(campaign: NpsCampaign, now: dt.datetime):  # type: ignore[no-untyped-def]
    """Customers with an email address not asked in the last `throttle_days` (a queryset)."""
    since = now - dt.timedelta(days=campaign.throttle_days)
    recent = NpsSurvey.objects.filter(customer=OuterRef("pk"), sent_at__gte=since)
    has_email = CustomerIdentity.objects.filter(customer=OuterRef("pk"), kind=IdentityKind.EMAIL)
    return Customer.objects.filter(merged_into__isnull=True).filter(Exists(has_email)).exclude(Exists(recent))


def run_nps_campaign(*, actor: Actor, campaign: NpsCampaign, at: dt.datetime | None = None) -> list[NpsSurvey]:
    """Draw the sample and create its surveys (mails go out after commit). Runs once per campaign;
    a recurring one schedules its next round."""
    if not actor.is_system:
        _require_supervisor(actor)
    now = at or timezone.now()
    with transaction.atomic():
        campaign = NpsCampaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.SCHEDULED:
            return []
        sample = list(eligible_nps_customers(campaign, now).order_by("?")[: campaign.sample_size])
        surveys = NpsSurvey.objects.bulk_create(
            [NpsSurvey(campaign=campaign, customer=c, language=customer_language(c), sent_at=now) for c in sample]
        )
        campaign.status = CampaignStatus.SENT
        campaign.sent_at = now
        campaign.save(update_fields=["status", "sent_at"])
        _next_round(campaign, now)
        from helpline.surveys import tasks

        ids = [s.public_id for s in surveys]
        transaction.on_commit(lambda: [tasks.send_nps_mail.enqueue(pid) for pid in ids])
    return surveys


def answer_nps(
    *, actor: Actor, survey: NpsSurvey, score: object, comment: str | None = None, at: dt.datetime | None = None
) -> NpsSurvey:
    answered = _record_answer(
        actor=actor, survey=survey, field="score", value=score, scale=NPS_SCALE, comment=comment, at=at
    )
    assert isinstance(answered, NpsSurvey)
    return answered
