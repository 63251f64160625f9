"""/admin/tags/: tags with how many tickets use them; create, rename or recolour, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.accounts import selectors
from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.forms import TagForm
from helpline.accounts.page_helpers import current_agent, submit_form
from helpline.core.actors import Actor
from helpline.core.errors import ConflictError, HelplineError
from helpline.tickets import workspace_actions
from helpline.tickets.models import Tag

TAGS_PER_PAGE = 100


@admin_required
def tag_list(request: HttpRequest) -> HttpResponse:
    """The list, with the form to add a tag on the same page."""
    form = TagForm(request.POST or None)

    def save(data: dict[str, Any]) -> HttpResponse:
        name = data["name"].strip().lower()
        if Tag.objects.filter(name=name).exists():
            raise ConflictError(_("A tag named %(name)s exists already.") % {"name": name}, code="tag_exists")
        tag = workspace_actions.create_tag(actor=Actor.of_agent(current_agent(request)), name=name, color=data["color"])
        messages.success(request, _("Tag %(name)s was created.") % {"name": tag.name})
        return redirect("admin_ui:tags")

    done, status = submit_form(request, form, save, error_field="name")
    if done is not None:
        return done
    page = Paginator(selectors.tags_with_usage(), TAGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "admin_ui/tags.html", {"form": form, "page": page, "section": "tags"}, status=status)


@admin_required
def tag_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tag = get_object_or_404(selectors.tags_with_usage(), pk=pk)
    form = TagForm(request.POST or None, initial={"name": tag.name, "color": tag.color})

    def save(data: dict[str, Any]) -> HttpResponse:
        workspace_actions.rename_tag(
            actor=Actor.of_agent(current_agent(request)), tag=tag, name=data["name"], color=data["color"]
        )
        messages.success(request, _("Tag %(name)s was saved.") % {"name": tag.name})
        return redirect("admin_ui:tags")

    done, status = submit_form(request, form, save, error_field="name", on_error=tag.refresh_from_db)
    if done is not None:
        return done
    return render(request, "admin_ui/tag_form.html", {"form": form, "tag": tag, "section": "tags"}, status=status)


@admin_required
@require_POST
def tag_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tag = get_object_or_404(Tag, pk=pk)
    name = tag.name
    try:
        used_on = workspace_actions.delete_tag(actor=Actor.of_agent(current_agent(request)), tag=tag)
    except HelplineError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Tag %(name)s was deleted and removed from %(count)d tickets.") % {"name": name, "count": used_on},
        )
    return redirect("admin_ui:tags")
