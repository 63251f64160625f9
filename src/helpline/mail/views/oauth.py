"""Connecting a mailbox by signing in at its provider (OAuth2): start, and the provider's callback."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.page_helpers import current_agent
from helpline.core.actors import Actor
from helpline.core.errors import HelplineError
from helpline.mail import oauth_connect
from helpline.mail.models import Mailbox


@admin_required
@require_POST
def oauth_start(request: HttpRequest, pk: int) -> HttpResponse:
    mailbox = get_object_or_404(Mailbox, pk=pk)
    actor = Actor.of_agent(current_agent(request))
    try:
        url = oauth_connect.authorization_url(actor=actor, mailbox=mailbox, session=request.session)
    except HelplineError as exc:
        messages.error(request, exc.message)
        return redirect("admin_ui:mailbox_edit", pk=mailbox.pk)
    return redirect(url)


@admin_required
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the admin back here with a code (or an error); the state ties it to the
    sign-in started in this session, so nobody else's code can be slipped in."""
    try:
        mailbox = oauth_connect.finish(
            actor=Actor.of_agent(current_agent(request)),
            session=request.session,
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error_description") or request.GET.get("error", ""),
        )
    except HelplineError as exc:
        messages.error(request, exc.message)
        return redirect("admin_ui:mailboxes")
    messages.success(request, _("Mailbox %(name)s is connected: it signs in with OAuth2.") % {"name": mailbox.name})
    return redirect("admin_ui:mailbox_edit", pk=mailbox.pk)
