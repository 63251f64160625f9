"""Customer segments page (/reports/segments/): saved customer filters with their sizes; each opens
the customers list filtered by it. Supervisors and admins save and delete them."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from helpline.core.errors import HelplineError
from helpline.customers.models import Channel, Organization
from helpline.reports import actions, segments
from helpline.reports.models import CustomerSegment
from helpline.web.views.common import AgentRequest, agent_required

ANY = [("", gettext_lazy("Any"))]


class SegmentForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    tag = forms.CharField(label=gettext_lazy("Has a ticket tagged"), max_length=100, required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=ANY + list(settings.LANGUAGES), required=False)
    organization = forms.ChoiceField(label=gettext_lazy("Organisation"), required=False)
    channel = forms.ChoiceField(
        label=gettext_lazy("Has written on"), choices=ANY + list(Channel.choices), required=False
    )
    csat = forms.ChoiceField(
        label=gettext_lazy("Satisfaction"),
        required=False,
        choices=ANY
        + [
            ("satisfied", gettext_lazy("Satisfied (every rating 4–5)")),
            ("dissatisfied", gettext_lazy("Dissatisfied (a rating of 1–2)")),
            ("unrated", gettext_lazy("Never rated")),
        ],
    )
    active_days = forms.IntegerField(
        label=gettext_lazy("Opened a ticket in the last … days"), min_value=1, max_value=3650, required=False
    )
    inactive_days = forms.IntegerField(
        label=gettext_lazy("No ticket in the last … days"), min_value=1, max_value=3650, required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        organizations = Organization.objects.order_by("name").values_list("public_id", "name")[:500]
        self.fields["organization"].choices = ANY + list(organizations)  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
@agent_required
def segment_list(request: AgentRequest) -> HttpResponse:
    can_edit = request.user.is_supervisor_or_admin
    form = SegmentForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Only supervisors and admins may do this."))
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                actions.save_segment(actor=request.actor, name=data.pop("name"), filters=data)
            except HelplineError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Segment saved."))
                return redirect("reports:segments")
    rows = [
        (s, segments.segment_customers(s.filters).count(), segments.filter_summary(s.filters))
        for s in segments.segments()
    ]
    return render(request, "reports/segments.html", {"form": form, "rows": rows, "can_edit": can_edit})


@require_POST
@agent_required
def segment_delete(request: AgentRequest, public_id: str) -> HttpResponse:
    segment = get_object_or_404(CustomerSegment, public_id=public_id)
    try:
        actions.delete_segment(actor=request.actor, segment=segment)
    except HelplineError as exc:
        messages.error(request, exc.message)
    return redirect("reports:segments")
