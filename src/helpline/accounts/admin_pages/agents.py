"""/admin/agents/: the list of agents, creating one, and changing role, activity and teams."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.accounts import actions, selectors
from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.forms import AgentCreateForm, AgentEditForm
from helpline.accounts.models import User
from helpline.accounts.page_helpers import current_agent, submit_form
from helpline.core.errors import HelplineError


@admin_required
def agent_list(request: HttpRequest) -> HttpResponse:
    return render(request, "admin_ui/agents.html", {"agents": selectors.agents_for_admin(), "section": "agents"})


@admin_required
def agent_create(request: HttpRequest) -> HttpResponse:
    form = AgentCreateForm(request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        agent = actions.create_agent(
            actor=current_agent(request),
            username=data["username"],
            email=data["email"],
            password=form.initial_password(),
            role=data["role"],
            display_name=data["display_name"],
            language=data["language"],
            teams=data["teams"],
        )
        messages.success(request, _("Agent %(name)s was created.") % {"name": agent.name})
        return redirect("admin_ui:agents")

    done, status = submit_form(
        request,
        form,
        save,
        error_fields={"username_taken": "username", "username_required": "username", "weak_password": "password"},
    )
    if done is not None:
        return done
    return render(request, "admin_ui/agent_form.html", {"form": form, "section": "agents"}, status=status)


@admin_required
def agent_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agent = get_object_or_404(User, pk=pk)
    me = current_agent(request)
    editing_self = agent.pk == me.pk
    initial = {
        "display_name": agent.display_name,
        "email": agent.email,
        "role": agent.role,
        "is_active": agent.is_active,
        "teams": list(agent.teams.all()),
    }
    form = AgentEditForm(request.POST or None, initial=initial, editing_self=editing_self)

    def save(data: dict[str, Any]) -> HttpResponse:
        actions.update_agent(
            actor=me,
            agent=agent,
            display_name=data["display_name"],
            email=data["email"].strip().lower(),
            role=data["role"],
            is_active=data["is_active"],
            teams=data["teams"],
        )
        messages.success(request, _("Changes to %(name)s were saved.") % {"name": agent.name})
        return redirect("admin_ui:agents")

    done, status = submit_form(
        request, form, save, error_fields={"invalid_role": "role"}, on_error=agent.refresh_from_db
    )
    if done is not None:
        return done
    return render(
        request,
        "admin_ui/agent_form.html",
        {"form": form, "agent": agent, "editing_self": editing_self, "section": "agents"},
        status=status,
    )


@admin_required
@require_POST
def agent_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """For an agent who lost their phone: turns two-factor off so they can set it up again."""
    agent = get_object_or_404(User, pk=pk)
    try:
        actions.disable_totp(actor=current_agent(request), agent=agent)
    except HelplineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Two-factor sign-in was turned off for %(name)s.") % {"name": agent.name})
    return redirect("admin_ui:agent_edit", pk=agent.pk)


@admin_required
@require_POST
def agent_set_password(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin sets an agent's password (a new agent created without one, or a forgotten one)."""
    agent = get_object_or_404(User, pk=pk)
    try:
        actions.set_agent_password(
            actor=current_agent(request), agent=agent, new_password=request.POST.get("new_password", "")
        )
    except HelplineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The password of %(name)s was set.") % {"name": agent.name})
    return redirect("admin_ui:agent_edit", pk=agent.pk)
