"""/admin/audit/: the admin audit log, newest first, filtered by action and by who did it."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from helpline.accounts import selectors
from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.forms import AuditFilterForm


def target_kinds() -> dict[str, str]:
    """Readable names for the model names audit rows store as their target type."""
    return {
        "user": _("Agent"),
        "team": _("Team"),
        "apitoken": _("API token"),
        "customfielddefinition": _("Ticket field"),
        "tag": _("Tag"),
    }


@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    action, actor_id, before = "", None, None
    status = 200
    if form.is_bound:
        if form.is_valid():
            action = form.cleaned_data["action"] or ""
            actor = form.cleaned_data["actor"]
            actor_id = actor.pk if actor is not None else None
            before = form.cleaned_data["before"]
        else:
            status = 400
    if status == 200:
        page = selectors.audit_page(selectors.audit_entries(action=action, actor_id=actor_id), before=before)
    else:
        page = selectors.AuditPage(entries=[], next_before=None)
    kinds = target_kinds()
    for entry in page.entries:
        entry.target_kind = kinds.get(entry.target_type, entry.target_type)  # type: ignore[attr-defined]
        entry.data_json = json.dumps(entry.data, ensure_ascii=False, sort_keys=True, default=str)  # type: ignore[attr-defined]
    newest_query = ""
    if before is not None:
        query = request.GET.copy()
        query.pop("before", None)
        newest_query = query.urlencode()
    next_query = ""
    if page.next_before is not None:
        query = request.GET.copy()
        query["before"] = str(page.next_before)
        next_query = query.urlencode()
    return render(
        request,
        "admin_ui/audit.html",
        {
            "form": form,
            "page": page,
            "next_query": next_query,
            "newest_query": newest_query,
            "paged": before is not None,
            "filtered": bool(action or actor_id),
            "section": "audit",
        },
        status=status,
    )
