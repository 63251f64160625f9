"""Run every NPS campaign whose send time has passed (a sweep for campaigns left behind)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from helpline.core.actors import Actor
from helpline.surveys import actions
from helpline.surveys.models import CampaignStatus, NpsCampaign


class Command(BaseCommand):
    help = "Send NPS campaigns that are due."

    def handle(self, *args: Any, **options: Any) -> None:
        due = NpsCampaign.objects.filter(status=CampaignStatus.SCHEDULED, scheduled_for__lte=timezone.now())
        for campaign in due:
            surveys = actions.run_nps_campaign(actor=Actor.system("surveys"), campaign=campaign)
            self.stdout.write(f"{campaign.name}: {len(surveys)} surveys")
