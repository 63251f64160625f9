"""/admin/fields/: ticket custom field definitions (helpline.tickets.workspace_actions.define_custom_field)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from helpline.accounts import selectors
from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.forms import CustomFieldForm
from helpline.accounts.page_helpers import current_agent, show_error
from helpline.core.actors import Actor
from helpline.core.errors import HelplineError
from helpline.tickets import workspace_actions
from helpline.tickets.models import CustomFieldDefinition

_ERROR_FIELDS = {"invalid_key": "key", "choices_required": "choices", "invalid_choice": "field_type"}


def _save(request: HttpRequest, form: CustomFieldForm, *, creating: bool) -> tuple[HttpResponse | None, int]:
    """Validate and save; returns a redirect on success, else None and the status to render with."""
    if not form.is_valid():
        return None, 422
    data = form.cleaned_data
    key = data["key"].strip().lower()
    if creating and selectors.custom_field_definitions().filter(key=key).exists():
        form.add_error("key", _("A field with this key exists already; edit that one instead."))
        return None, 409
    try:
        definition = workspace_actions.define_custom_field(
            actor=Actor.of_agent(current_agent(request)),
            key=key,
            label=data["label"],
            field_type=data["field_type"],
            choices=form.choice_list(),
            required=data["required"],
            active=data["active"],
            position=data["position"],
        )
    except HelplineError as exc:
        show_error(form, exc, _ERROR_FIELDS.get(exc.code))
        return None, exc.status
    messages.success(request, _("Field “%(label)s” was saved.") % {"label": definition.label})
    return redirect("admin_ui:fields"), 302


@admin_required
def field_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "admin_ui/fields.html", {"fields": selectors.custom_field_definitions(), "section": "fields"}
    )


@admin_required
def field_create(request: HttpRequest) -> HttpResponse:
    form = CustomFieldForm(request.POST or None)
    status = 200
    if request.method == "POST":
        response, status = _save(request, form, creating=True)
        if response is not None:
            return response
    return render(request, "admin_ui/field_form.html", {"form": form, "section": "fields"}, status=status)


@admin_required
def field_edit(request: HttpRequest, key: str) -> HttpResponse:
    definition = get_object_or_404(CustomFieldDefinition, key=key)
    initial = {
        "key": definition.key,
        "label": definition.label,
        "field_type": definition.field_type,
        "choices": "\n".join(str(c) for c in definition.choices),
        "required": definition.required,
        "active": definition.active,
        "position": definition.position,
    }
    form = CustomFieldForm(request.POST or None, initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        response, status = _save(request, form, creating=False)
        if response is not None:
            return response
    return render(
        request,
        "admin_ui/field_form.html",
        {"form": form, "definition": definition, "section": "fields"},
        status=status,
    )
