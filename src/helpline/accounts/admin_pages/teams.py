"""/admin/teams/: the list of teams, creating one, and changing its name and members."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from helpline.accounts import actions, selectors
from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.forms import TeamForm
from helpline.accounts.models import Team
from helpline.accounts.page_helpers import current_agent, submit_form


@admin_required
def team_list(request: HttpRequest) -> HttpResponse:
    return render(request, "admin_ui/teams.html", {"teams": selectors.teams_for_admin(), "section": "teams"})


@admin_required
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        team = actions.create_team(
            actor=current_agent(request),
            name=data["name"],
            description=data["description"],
            members=data["members"],
        )
        messages.success(request, _("Team %(name)s was created.") % {"name": team.name})
        return redirect("admin_ui:teams")

    done, status = submit_form(request, form, save, error_field="name")
    if done is not None:
        return done
    return render(request, "admin_ui/team_form.html", {"form": form, "section": "teams"}, status=status)


@admin_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=pk)
    initial = {"name": team.name, "description": team.description, "members": list(team.members.all())}
    form = TeamForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> HttpResponse:
        actions.update_team(
            actor=current_agent(request),
            team=team,
            name=data["name"].strip(),
            description=data["description"],
            members=data["members"],
        )
        messages.success(request, _("Team %(name)s was saved.") % {"name": team.name})
        return redirect("admin_ui:teams")

    done, status = submit_form(request, form, save, error_field="name", on_error=team.refresh_from_db)
    if done is not None:
        return done
    return render(request, "admin_ui/team_form.html", {"form": form, "team": team, "section": "teams"}, status=status)
