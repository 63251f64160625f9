"""Report settings page (/reports/settings/), admins only: leaderboard visibility for agents and
the weekly report by email (recipients, day, hour and time zone, language)."""

from __future__ import annotations

import calendar
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from helpline.core.errors import HelplineError
from helpline.core.timezones import known_time_zones
from helpline.reports import actions, weekly
from helpline.web.views.common import AgentRequest, agent_required

WEEKDAYS = [
    (0, gettext_lazy("Monday")),
    (1, gettext_lazy("Tuesday")),
    (2, gettext_lazy("Wednesday")),
    (3, gettext_lazy("Thursday")),
    (4, gettext_lazy("Friday")),
    (5, gettext_lazy("Saturday")),
    (6, gettext_lazy("Sunday")),
]
assert len(WEEKDAYS) == len(calendar.day_name)


class ReportSettingsForm(forms.Form):
    leaderboard_for_agents = forms.BooleanField(
        label=gettext_lazy("Agents see the leaderboard"),
        required=False,
        help_text=gettext_lazy("Supervisors and admins always see it."),
    )
    weekly_enabled = forms.BooleanField(label=gettext_lazy("Email the weekly report (PDF)"), required=False)
    weekly_recipients = forms.CharField(
        label=gettext_lazy("Recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One email address a line."),
    )
    weekly_weekday = forms.TypedChoiceField(label=gettext_lazy("Day"), choices=WEEKDAYS, coerce=int)
    weekly_hour = forms.TypedChoiceField(
        label=gettext_lazy("Hour"), choices=[(h, f"{h:02d}:00") for h in range(24)], coerce=int
    )
    weekly_time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), initial="UTC")
    weekly_language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["weekly_time_zone"].choices = [(z, z) for z in sorted(known_time_zones())]  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
@agent_required
def report_settings(request: AgentRequest) -> HttpResponse:
    if not request.user.is_admin:
        raise PermissionDenied(_("Only admins may manage agents, teams and settings."))
    record = weekly.report_settings()
    initial = {name: getattr(record, name) for name in ReportSettingsForm.base_fields}
    form = ReportSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_report_settings(actor=request.actor, **form.cleaned_data)
        except HelplineError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Report settings were saved."))
            return redirect("reports:settings")
    return render(request, "reports/settings.html", {"form": form, "record": record})
