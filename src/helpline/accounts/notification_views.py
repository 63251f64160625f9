"""/accounts/notifications/: an agent turns their notification emails on or off (the form is shown
on the profile page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.accounts import actions
from helpline.accounts.forms import NotificationPreferencesForm
from helpline.accounts.page_helpers import current_agent


@login_required
@require_POST
def notifications_view(request: HttpRequest) -> HttpResponse:
    agent = current_agent(request)
    form = NotificationPreferencesForm(request.POST)
    form.is_valid()  # unchecked boxes are simply False: the form cannot be invalid
    actions.set_notification_preferences(actor=agent, agent=agent, **form.cleaned_data)
    messages.success(request, _("Your notification settings were saved."))
    return redirect(reverse("accounts:profile") + "#notifications")
