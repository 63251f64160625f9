"""HTTP side of the chat widget: the script, its configuration, the visitor session, uploads, the
offline form and attachment downloads. The widget runs on other websites, so these answer any
origin (no cookies are used: the visitor is the signed token sent with each request)."""

from __future__ import annotations

from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from helpline.chat import actions, selectors
from helpline.chat.models import Availability
from helpline.chat.strings import widget_language, widget_strings
from helpline.chat.tokens import new_visitor_token, visitor_from_token
from helpline.chat.workspace import workspace
from helpline.core.actors import Actor
from helpline.core.errors import HelplineError
from helpline.portal.rate_limits import check_and_count
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.models import Attachment
from helpline.workflow.models import AgentRouting

WIDGET_JS = Path(__file__).parent / "static" / "chat" / "widget.js"
MAX_UPLOAD = 25 * 1024 * 1024


def _cors(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = HttpResponse(status=204) if request.method == "OPTIONS" else view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        return response

    return csrf_exempt(wrapper)


def _error(exc: HelplineError) -> JsonResponse:
    return JsonResponse({"error": {"code": exc.code, "message": exc.message}}, status=exc.status)


def _visitor(request: HttpRequest) -> str | None:
    return visitor_from_token(request.POST.get("token") or request.GET.get("token") or "")


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


@_cors
@require_GET
def widget_script(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(WIDGET_JS.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


@_cors
@require_GET
def widget_config(request: HttpRequest) -> JsonResponse:
    config = selectors.chat_settings()
    language = widget_language(request.GET.get("lang", ""))
    strings = widget_strings(language)
    return JsonResponse(
        {
            "language": language,
            "color": config.color,
            "logo": config.logo_url,
            "greeting": config.greeting or strings["greeting"],
            "prechat": config.prechat_form,
            "staffed": selectors.chat_is_staffed(),
            "strings": strings,
        }
    )


@_cors
@require_POST
def visitor_session(request: HttpRequest) -> JsonResponse:
    """Keep a valid token; hand out a new one otherwise."""
    token = request.POST.get("token", "")
    if visitor_from_token(token) is None:
        check_and_count("chat-session", ip_address=_client_ip(request), email=None)
        token = new_visitor_token()
    return JsonResponse({"token": token})


@_cors
@require_POST
def prechat(request: HttpRequest) -> JsonResponse:
    visitor = _visitor(request)
    if visitor is None:
        return JsonResponse({"error": {"code": "bad_token", "message": "invalid visitor token"}}, status=403)
    try:
        actions.identify_visitor(
            visitor_id=visitor,
            name=request.POST.get("name", ""),
            email=request.POST.get("email", ""),
            language=request.POST.get("language", ""),
            page_url=request.POST.get("page_url", ""),
        )
    except HelplineError as exc:
        return _error(exc)
    return JsonResponse({"ok": True})


@_cors
@require_POST
def upload(request: HttpRequest) -> JsonResponse:
    visitor = _visitor(request)
    if visitor is None:
        return JsonResponse({"error": {"code": "bad_token", "message": "invalid visitor token"}}, status=403)
    upload_file = request.FILES.get("file")
    if upload_file is None or (upload_file.size or 0) > MAX_UPLOAD:
        return JsonResponse({"error": {"code": "file_missing", "message": "no file or file too large"}}, status=422)
    incoming = IncomingFile(
        filename=upload_file.name or "file", content=upload_file.read(), declared_type=upload_file.content_type or ""
    )
    try:
        message, conversation = actions.post_visitor_message(
            visitor_id=visitor,
            client_id=request.POST.get("cid", ""),
            body=request.POST.get("body", ""),
            attachments=[incoming],
        )
    except HelplineError as exc:
        return _error(exc)
    return JsonResponse(
        {
            "type": "ack",
            "cid": request.POST.get("cid", ""),
            "message": selectors.serialize_message(message, conversation),
        }
    )


@_cors
@require_POST
def offline(request: HttpRequest) -> JsonResponse:
    email = request.POST.get("email", "")
    try:
        check_and_count("chat-offline", ip_address=_client_ip(request), email=email or None)
        ticket = actions.leave_offline_message(
            visitor_id=_visitor(request) or "",
            name=request.POST.get("name", ""),
            email=email,
            phone=request.POST.get("phone", ""),
            message=request.POST.get("message", ""),
            callback=request.POST.get("callback") in ("1", "true", "on"),
            language=request.POST.get("language", ""),
            page_url=request.POST.get("page_url", ""),
        )
    except HelplineError as exc:
        return _error(exc)
    return JsonResponse({"ticket": ticket.number}, status=201)


@_cors
@require_POST
def transcript(request: HttpRequest) -> JsonResponse:
    visitor = _visitor(request)
    if visitor is None:
        return JsonResponse({"error": {"code": "bad_token", "message": "invalid visitor token"}}, status=403)
    try:
        check_and_count("chat-transcript", ip_address=_client_ip(request), email=visitor)
        address = actions.email_transcript(visitor_id=visitor, email=request.POST.get("email", ""))
    except HelplineError as exc:
        return _error(exc)
    return JsonResponse({"email": address})


@_cors
@require_GET
def attachment(request: HttpRequest, public_id: str) -> FileResponse:
    visitor = _visitor(request)
    conversation = selectors.conversation_for(visitor) if visitor else None
    ticket = selectors.current_ticket(conversation)
    found = (
        Attachment.objects.filter(public_id=public_id, message__ticket=ticket).exclude(message__kind="note").first()
        if ticket
        else None
    )
    if found is None:
        raise Http404
    response = FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def demo(request: HttpRequest) -> HttpResponse:
    """A plain page with the one-line embed, for trying the widget (and for the browser tests)."""
    return render(
        request,
        "chat/demo.html",
        {"script_url": request.build_absolute_uri(reverse("chat:widget")), "lang": request.GET.get("lang", "")},
    )


@login_required
def agent_status(request: HttpRequest) -> HttpResponse:
    """The chat page: an agent's availability (online, away, offline) and capacity, their live chats, the
    visitors waiting and who is online (the lists refresh themselves; `?lists=1` renders only them)."""
    actor = Actor.of_agent(request.user)  # type: ignore[arg-type]
    error = ""
    if request.method == "POST":
        try:
            capacity = int(request.POST.get("capacity") or 0) or None
            actions.set_chat_status(actor=actor, status=request.POST.get("status", ""), capacity=capacity)
        except ValueError:
            error = "capacity"
        except HelplineError as exc:
            error = exc.message
    record = AgentRouting.objects.filter(agent=request.user).first() or AgentRouting(agent=request.user)  # type: ignore[misc]
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"status": record.status, "capacity": record.chat_capacity, "error": error})
    if request.method == "POST" and not error:
        return redirect("chat:status")  # the page shows the new status (and a reload does not post again)
    context = {"record": record, "choices": Availability.choices, "error": error, "lists": workspace(request.user)}  # type: ignore[arg-type]
    template = "chat/_workspace_lists.html" if request.GET.get("lists") else "chat/status.html"
    return render(request, template, context, status=422 if error else 200)


def embed_snippet(request: HttpRequest) -> str:
    url = request.build_absolute_uri(reverse("chat:widget"))
    return f'<script src="{url}" async></script>'
