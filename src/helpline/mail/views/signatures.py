"""/admin/teams/<id>/signature/: a team's signature under agents' email replies, per language."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.models import Team
from helpline.accounts.page_helpers import current_agent
from helpline.core.actors import Actor
from helpline.core.errors import HelplineError
from helpline.mail import actions, signatures
from helpline.mail.forms import TeamSignatureForm
from helpline.mail.models import TeamSignature


@admin_required
def team_signature(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk)
    stored = TeamSignature.objects.filter(team=team).values_list("language", "template")
    form = TeamSignatureForm(request.POST or None, initial={TeamSignatureForm.field_for(k): v for k, v in stored})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.save_team_signatures(
                    actor=Actor.of_agent(current_agent(request)), team=team, templates=form.templates()
                )
            except HelplineError as exc:
                field = TeamSignatureForm.field_for(str(exc.details.get("language", "")))
                form.add_error(field if field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("The signature of team %(name)s was saved.") % {"name": team.name})
                return redirect("admin_ui:team_edit", pk=team.pk)
    context = {"form": form, "team": team, "placeholders": signatures.placeholder_names(), "section": "teams"}
    return render(request, "mail/team_signature.html", context, status=status)
