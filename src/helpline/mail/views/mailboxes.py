"""/admin/mailboxes/: the mailboxes, their settings, the quarantine with raw download and retry, and the
notifications and acknowledgements that were not delivered."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from helpline.accounts.admin_pages.access import admin_required
from helpline.accounts.page_helpers import current_agent, show_error
from helpline.core.actors import Actor
from helpline.core.errors import HelplineError
from helpline.mail import actions, selectors
from helpline.mail.forms import MailboxForm
from helpline.mail.models import Mailbox, RawMessage
from helpline.mail.parsing import decode_bytes
from helpline.mail.store import read_raw
from helpline.tickets.permissions import can_view_ticket

PER_PAGE = 50


@admin_required
def mailbox_list(request: HttpRequest) -> HttpResponse:
    context = {
        "mailboxes": selectors.mailboxes_with_counts(),
        "undelivered": selectors.undelivered_count(),
        "section": "mailboxes",
    }
    return render(request, "mail/mailboxes.html", context)


def _save(request: HttpRequest, mailbox: Mailbox | None) -> HttpResponse:
    form = MailboxForm(request.POST or None, instance=mailbox)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                saved = actions.save_mailbox(
                    actor=Actor.of_agent(current_agent(request)),
                    mailbox=mailbox,
                    aliases=form.cleaned_data["aliases"],
                    **{name: form.cleaned_data[name] for name in form.Meta.fields},
                )
            except HelplineError as exc:
                field = "email_address"
                if exc.code.startswith("signature"):
                    field = "signature"
                elif exc.code == "mailbox_alias" or (exc.code == "mailbox_exists" and exc.details.get("alias")):
                    field = "aliases"
                show_error(form, exc, field)
                status = exc.status
            else:
                messages.success(request, _("Mailbox %(name)s was saved.") % {"name": saved.name})
                return redirect("admin_ui:mailboxes")
    from helpline.mail.oauth_connect import redirect_uri

    context = {"form": form, "mailbox": mailbox, "section": "mailboxes", "oauth_redirect_uri": redirect_uri()}
    return render(request, "mail/mailbox_form.html", context, status=status)


@admin_required
def mailbox_create(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@admin_required
def mailbox_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, get_object_or_404(Mailbox, pk=pk))


@admin_required
def quarantine(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.quarantined_messages(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "mail/quarantine.html", {"page": page, "section": "mailboxes"})


@admin_required
def undelivered(request: HttpRequest) -> HttpResponse:
    """Notifications and acknowledgements that failed for good (refused, or bounced), each list
    paged on its own (`notifications` and `acknowledgements` hold the page numbers)."""
    context = {
        "notifications": Paginator(selectors.undelivered_notifications(), PER_PAGE).get_page(
            request.GET.get("notifications")
        ),
        "acknowledgements": Paginator(selectors.undelivered_acknowledgements(), PER_PAGE).get_page(
            request.GET.get("acknowledgements")
        ),
        "section": "mailboxes",
    }
    return render(request, "mail/undelivered.html", context)


@admin_required
@require_POST
def quarantine_retry(request: HttpRequest, pk: int) -> HttpResponse:
    raw = get_object_or_404(RawMessage, pk=pk)
    try:
        outcome = actions.retry_message(actor=Actor.of_agent(current_agent(request)), raw=raw)
    except HelplineError as exc:
        messages.error(request, exc.message)
    else:
        if outcome.outcome == "quarantined":
            messages.error(request, _("Still failing: %(reason)s") % {"reason": outcome.reason})
        else:
            messages.success(request, _("The message was processed (%(outcome)s).") % {"outcome": outcome.outcome})
    return redirect("admin_ui:quarantine")


@admin_required
@require_POST
def quarantine_retry_all(request: HttpRequest) -> HttpResponse:
    count = actions.retry_quarantine(actor=Actor.of_agent(current_agent(request)))
    messages.success(
        request,
        ngettext(
            "%(count)d message is being retried; its outcome shows here once a worker has run it.",
            "%(count)d messages are being retried; their outcomes show here once a worker has run them.",
            count,
        )
        % {"count": count},
    )
    return redirect("admin_ui:quarantine")


def _raw_for(request: HttpRequest, pk: int) -> RawMessage:
    """Admins see every stored message; agents those of tickets they can see."""
    if not request.user.is_authenticated:
        raise Http404
    raw = get_object_or_404(RawMessage.objects.select_related("ticket"), pk=pk)
    actor = Actor.of_agent(current_agent(request))
    if actor.agent is not None and actor.agent.is_admin:
        return raw
    if raw.ticket is None or not can_view_ticket(actor, raw.ticket):
        raise Http404
    return raw


def raw_download(request: HttpRequest, pk: int) -> HttpResponse:
    raw = _raw_for(request, pk)
    response = HttpResponse(read_raw(raw.path), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{raw.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def raw_remote_images(request: HttpRequest, pk: int) -> HttpResponse:
    """The message as its sender wrote it, remote images loaded: the agent asked for them."""
    from helpline.core.html import sanitize_html
    from helpline.mail.parsing import parse

    raw = _raw_for(request, pk)
    mail = parse(read_raw(raw.path))
    context = {"raw": raw, "html": sanitize_html(mail.html), "text": mail.text, "section": "mailboxes"}
    response = render(request, "mail/remote_images.html", context)
    response["Referrer-Policy"] = "no-referrer"  # image hosts do not learn which ticket looked
    return response


def raw_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The full original as text (headers and body), for the "show original" link."""
    raw = _raw_for(request, pk)
    text = decode_bytes(read_raw(raw.path), "utf-8")
    return render(request, "mail/raw.html", {"raw": raw, "text": text[:500_000], "section": "mailboxes"})
