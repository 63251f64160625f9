"""NPS campaigns page (/reports/nps/): supervisors schedule campaigns and read their results."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from helpline.core.errors import HelplineError
from helpline.surveys import actions, selectors
from helpline.web.views.common import AgentRequest, agent_required


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    sample_size = forms.IntegerField(
        label=gettext_lazy("Customers to ask"), min_value=1, max_value=100_000, initial=200
    )
    throttle_days = forms.IntegerField(
        label=gettext_lazy("Ask a customer at most once in (days)"), min_value=1, max_value=3650, initial=90
    )
    send_at = forms.DateTimeField(
        label=gettext_lazy("Send at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), required=False
    )
    repeat_every_days = forms.IntegerField(
        label=gettext_lazy("Repeat every (days)"),
        required=False,
        min_value=0,
        max_value=3650,
        initial=0,
        help_text=gettext_lazy("0 sends it once; 90 asks a new sample every quarter."),
    )
    follow_up_question = forms.CharField(
        label=gettext_lazy("Follow-up question"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Shown under the score; leave empty for “What is the main reason for your score?”"),
    )


def _score(row: Any) -> float | None:
    return round(100.0 * (row.promoters - row.detractors) / row.answered, 1) if row.answered else None


@require_http_methods(["GET", "POST"])
@agent_required
def campaigns(request: AgentRequest) -> HttpResponse:
    if not request.user.is_supervisor_or_admin:
        raise PermissionDenied(_("Only supervisors and admins manage NPS campaigns."))
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tz = ZoneInfo(request.user.time_zone or "UTC")
        send_at: dt.datetime | None = form.cleaned_data["send_at"]
        when = timezone.now() if send_at is None else send_at.replace(tzinfo=None).replace(tzinfo=tz)
        try:
            actions.create_nps_campaign(
                actor=request.actor,
                name=form.cleaned_data["name"],
                sample_size=form.cleaned_data["sample_size"],
                throttle_days=form.cleaned_data["throttle_days"],
                scheduled_for=when,
                follow_up_question=form.cleaned_data["follow_up_question"],
                repeat_every_days=form.cleaned_data["repeat_every_days"] or 0,
            )
        except HelplineError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Campaign scheduled."))
            return redirect("reports:nps")
    rows = [(c, _score(c)) for c in selectors.campaigns_with_results()[:50]]
    return render(request, "reports/nps.html", {"form": form, "rows": rows})
