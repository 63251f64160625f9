"""Survey records: one CSAT survey per solved ticket, NPS campaigns and the surveys they send."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helpline.core.ids import new_public_id

CSAT_SCALE = range(1, 6)
NPS_SCALE = range(0, 11)
CSAT_SATISFIED_MIN = 4  # ratings 4 and 5 count as satisfied
NPS_PROMOTER_MIN = 9  # 9-10 promoters, 7-8 passives, 0-6 detractors
NPS_DETRACTOR_MAX = 6


class CsatSurvey(models.Model):
    """The satisfaction question sent when a ticket is solved, and the customer's answer."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="csat_survey")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="csat_surveys")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=10, blank=True)
    sent_at = models.DateTimeField(db_index=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    first_answered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    kudos_shared_at = models.DateTimeField(null=True, blank=True)
    kudos_shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["answered_at", "rating"], name="csat_answered_rating"),
            models.Index(fields=["agent", "answered_at"], name="csat_agent_answered"),
            models.Index(fields=["customer", "-sent_at"], name="csat_customer_sent"),
            models.Index(
                fields=["customer", "rating", "answered_at"],
                name="csat_customer_rating",
                condition=Q(rating__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="csat_rating_1_5"
            )
        ]

    @property
    def satisfied(self) -> bool:
        return self.rating is not None and self.rating >= CSAT_SATISFIED_MIN


class CampaignStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class NpsCampaign(models.Model):
    """An NPS round: a sample of customers asked 0–10 at a scheduled time, at most once per
    `throttle_days` each; with `repeat_every_days` the round schedules the next one as it runs."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    name = models.CharField(_("name"), max_length=120)
    follow_up_question = models.CharField(_("follow-up question"), max_length=300, blank=True)
    sample_size = models.PositiveIntegerField(_("sample size"))
    throttle_days = models.PositiveIntegerField(_("ask a customer at most once in (days)"), default=90)
    scheduled_for = models.DateTimeField(_("send at"))
    # 0: once. Otherwise each round, when it runs, schedules the next one this many days later.
    repeat_every_days = models.PositiveIntegerField(_("repeat every (days)"), default=0)
    status = models.CharField(max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_for", "-id"]

    def __str__(self) -> str:
        return self.name


class NpsSurvey(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    campaign = models.ForeignKey(NpsCampaign, on_delete=models.CASCADE, related_name="surveys")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="nps_surveys")
    language = models.CharField(max_length=10, blank=True)
    sent_at = models.DateTimeField(db_index=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    first_answered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["customer", "-sent_at"], name="nps_customer_sent")]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="unique_nps_campaign_customer"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=10), name="nps_score_0_10"
            ),
        ]
