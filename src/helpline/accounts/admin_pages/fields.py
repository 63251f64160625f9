"""/admin/fields/: ticket custom field definitions (helpline.tickets.workspace_actions.define_custom_field)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from helpline.accounts import selectors
from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.forms import CustomFieldForm
from helpline.accounts.page_helpers import current_agent, submit_form
from helpline.core.actors import Actor
from helpline.core.errors import ConflictError
from helpline.tickets import workspace_actions
from helpline.tickets.models import CustomFieldDefinition

_ERROR_FIELDS = {
    "invalid_key": "key",
    "field_exists": "key",
    "choices_required": "choices",
    "invalid_choice": "field_type",
}


def _submit(request: HttpRequest, form: CustomFieldForm, *, creating: bool) -> tuple[HttpResponse | None, int]:
    """Validate and save; returns a redirect on success, else None and the status to render with."""

    def save(data: dict[str, Any]) -> HttpResponse:
        key = data["key"].strip().lower()
        if creating and selectors.custom_field_definitions().filter(key=key).exists():
            raise ConflictError(_("A field with this key exists already; edit that one instead."), code="field_exists")
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
        messages.success(request, _("Field “%(label)s” was saved.") % {"label": definition.label})
        return redirect("admin_ui:fields")

    return submit_form(request, form, save, error_fields=_ERROR_FIELDS)


@admin_required
def field_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "admin_ui/fields.html", {"fields": selectors.custom_field_definitions(), "section": "fields"}
    )


@admin_required
def field_create(request: HttpRequest) -> HttpResponse:
    form = CustomFieldForm(request.POST or None)
    response, status = _submit(request, form, creating=True)
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
    response, status = _submit(request, form, creating=False)
    if response is not None:
        return response
    return render(
        request,
        "admin_ui/field_form.html",
        {"form": form, "definition": definition, "section": "fields"},
        status=status,
    )
