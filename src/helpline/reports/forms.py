"""The report filter form: dates in the agent's time zone, team, agent, channel, language, tag."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpline.accounts.models import Team, User
from helpline.customers.models import Channel
from helpline.reports.filters import MAX_RANGE, ReportFilter

DEFAULT_DAYS = 30


def _zone(agent: User) -> ZoneInfo:
    try:
        return ZoneInfo(agent.time_zone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


class ReportFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("All teams")
    )
    agent = forms.ModelChoiceField(
        label=_("Agent"), queryset=User.objects.filter(is_active=True), required=False, empty_label=_("All agents")
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=60)

    def __init__(self, *args: Any, agent: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = agent
        channel, language = self.fields["channel"], self.fields["language"]
        assert isinstance(channel, forms.ChoiceField) and isinstance(language, forms.ChoiceField)
        channel.choices = [("", _("All channels")), *Channel.choices]
        language.choices = [("", _("All languages")), *settings.LANGUAGES]
        if not agent.is_supervisor_or_admin:
            del self.fields["agent"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        if start and end and end - start > MAX_RANGE:
            raise forms.ValidationError(_("Choose a range of at most three years."))
        return data

    def report_filter(self) -> ReportFilter:
        """The filter for valid input, else the default (last 30 days). Agents only see their own."""
        tz = _zone(self.viewer)
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        today = timezone.now().astimezone(tz).date()
        end_day: dt.date = data.get("end") or today
        start_day: dt.date = data.get("start") or end_day - dt.timedelta(days=DEFAULT_DAYS - 1)
        start = dt.datetime.combine(start_day, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        agent = data.get("agent")
        agent_id = agent.pk if agent else None
        if not self.viewer.is_supervisor_or_admin:
            agent_id = self.viewer.pk
        team = data.get("team")
        return ReportFilter(
            start=start,
            end=end,
            tz=tz,
            team_id=team.pk if team else None,
            agent_id=agent_id,
            channel=data.get("channel") or "",
            language=data.get("language") or "",
            tag=(data.get("tag") or "").strip().lower(),
        )
