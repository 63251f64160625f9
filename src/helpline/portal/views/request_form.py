"""The public request form, as a full page (`/portal/new/`) and embedded (`/portal/embed/`)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from helpline.core.errors import HelplineError, RateLimitedError
from helpline.portal import actions
from helpline.portal.branding import supported_language
from helpline.portal.embedding import embeddable
from helpline.portal.forms import RequestForm, incoming_files
from helpline.portal.views.common import add_action_error, client_ip, render_portal

RECEIPT_SALT = "helpline.portal.receipt"
RECEIPT_MAX_AGE = 24 * 3600
PREFILL_FIELDS = ("name", "email", "subject")


def _receipt(number: int) -> str:
    """A signed note of the ticket number for the confirmation page (grants no access)."""
    return signing.dumps({"n": number}, salt=RECEIPT_SALT)


def _read_receipt(value: str) -> int | None:
    try:
        data = signing.loads(value, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        return None
    number = data.get("n") if isinstance(data, dict) else None
    return number if isinstance(number, int) else None


def _handle(request: HttpRequest, *, embedded: bool, language: str) -> HttpResponse:
    template = "portal/embed.html" if embedded else "portal/new.html"
    received = "portal:embed_received" if embedded else "portal:request_received"
    extra = {"lang": language} if embedded else {}
    status = 200
    if request.method == "POST":
        form = RequestForm(request.POST, request.FILES)
        if form.is_bot:
            return redirect(reverse(received) + ("?" + urlencode(extra) if extra else ""))
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = actions.submit_request(
                    name=data["name"],
                    email=data["email"],
                    subject=data["subject"],
                    message=data["message"],
                    attachments=incoming_files(data["attachments"]),
                    language=language,
                    ip_address=client_ip(request),
                )
            except RateLimitedError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            except HelplineError as exc:
                add_action_error(form, exc)
                status = exc.status
            else:
                query = urlencode({"r": _receipt(ticket.number), **extra})
                return redirect(reverse(received) + "?" + query)
        else:
            status = 422
        files_dropped = bool(request.FILES)
    else:
        initial = {key: request.GET[key][:250] for key in PREFILL_FIELDS if request.GET.get(key)}
        form = RequestForm(initial=initial)
        files_dropped = False
    return render_portal(
        request,
        template,
        {"form": form, "files_dropped": files_dropped, "embed_lang": language if embedded else ""},
        status=status,
    )


def new_request(request: HttpRequest) -> HttpResponse:
    return _handle(request, embedded=False, language=translation.get_language() or "")


def request_received(request: HttpRequest) -> HttpResponse:
    number = _read_receipt(request.GET.get("r", ""))
    return render_portal(request, "portal/received.html", {"number": number})


def _embed_language(request: HttpRequest) -> str:
    """The language asked for by the host page (`data-lang`), else the browser's."""
    asked = request.POST.get("lang") if request.method == "POST" else request.GET.get("lang")
    return supported_language(asked) or translation.get_language() or ""


@embeddable
def embed(request: HttpRequest) -> HttpResponse:
    language = _embed_language(request)
    with translation.override(language):
        return _handle(request, embedded=True, language=language)


@embeddable
def embed_received(request: HttpRequest) -> HttpResponse:
    language = _embed_language(request)
    with translation.override(language):
        number = _read_receipt(request.GET.get("r", ""))
        return render_portal(request, "portal/embed_received.html", {"number": number, "embed_lang": language})
