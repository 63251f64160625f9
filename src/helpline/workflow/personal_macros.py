"""/workflow/macros/: each agent's own macros (create, edit, switch off), next to the shared ones
that admins keep under /admin/macros/."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.core.errors import HelplineError
from helpline.web.views.common import AgentRequest, agent_required
from helpline.workflow import macro_forms
from helpline.workflow.models import Macro


@agent_required
def my_macros(request: AgentRequest) -> HttpResponse:
    context = {
        "mine": Macro.objects.filter(owner=request.user).order_by("name", "id"),
        "shared": Macro.objects.filter(owner__isnull=True, active=True).order_by("name", "id"),
    }
    return render(request, "workflow/my_macros.html", context)


@agent_required
def my_macro_edit(request: AgentRequest, pk: int | None = None) -> HttpResponse:
    macro = get_object_or_404(Macro, pk=pk, owner=request.user) if pk else None
    error, status = "", 200
    if request.method == "POST":
        values = macro_forms.posted_values(request.POST)
        try:
            macro_forms.save_posted(actor=request.actor, macro=macro, values=values, shared=False)
        except HelplineError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("Macro saved."))
            return redirect("workflow:my_macros")
    else:
        values = macro_forms.initial_values(macro)
    return render(
        request, "workflow/my_macro_form.html", {"macro": macro, "values": values, "error": error}, status=status
    )


@agent_required
@require_POST
def my_macro_toggle(request: AgentRequest, pk: int) -> HttpResponse:
    from helpline.workflow import macros

    macro = get_object_or_404(Macro, pk=pk, owner=request.user)
    try:
        macros.set_macro_active(actor=request.actor, macro=macro, active=not macro.active)
    except HelplineError as exc:
        messages.error(request, exc.message)
    return redirect("workflow:my_macros")
