"""The public feedback and complaint form (`/portal/feedback/`): honeypot, rate limit, then one action."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from helpline.core.errors import HelplineError
from helpline.portal.feedback_actions import FeedbackKind, submit_feedback
from helpline.portal.forms import RequestForm, incoming_files
from helpline.portal.views.common import add_action_error, client_ip, render_portal
from helpline.portal.views.request_form import _receipt


class FeedbackForm(RequestForm):
    kind = forms.ChoiceField(
        label=_("What would you like to send us?"),
        choices=FeedbackKind.choices,
        initial=FeedbackKind.FEEDBACK,
        widget=forms.RadioSelect,
    )
    field_order = ["kind", "name", "email", "subject", "message", "attachments", "website"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].required = False
        self.fields["message"].label = _("Your message")


def feedback(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = FeedbackForm(request.POST, request.FILES)
        if form.is_bot:
            return redirect("portal:request_received")
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = submit_feedback(
                    kind=data["kind"],
                    name=data["name"],
                    email=data["email"],
                    subject=data["subject"],
                    message=data["message"],
                    attachments=incoming_files(data["attachments"]),
                    language=translation.get_language() or "",
                    ip_address=client_ip(request),
                )
            except HelplineError as exc:
                add_action_error(form, exc)
                status = exc.status
            else:
                return redirect(reverse("portal:request_received") + "?r=" + _receipt(ticket.number))
        else:
            status = 422
    else:
        kind = request.GET.get("kind")
        form = FeedbackForm(initial={"kind": kind} if kind in FeedbackKind.values else None)
    return render_portal(request, "portal/feedback.html", {"form": form}, status=status)
