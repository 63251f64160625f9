"""What every workspace view shares: the signed-in agent as an `Actor`, and errors turned into pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from helpline.accounts.models import User
from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotFoundError, NotPermittedError
from helpline.tickets.attachments import IncomingFile
from helpline.web.context_processors import desk_agent

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


class AgentRequest(HttpRequest):
    """An `HttpRequest` whose user is a signed-in, active agent (for type checkers)."""

    user: User
    actor: Actor


def agent_required(
    view: Callable[Concatenate[AgentRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R | HttpResponseRedirect]:
    """Anonymous visitors go to the sign-in page; typed errors become 404 / 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponseRedirect:
        agent = desk_agent(request)
        if agent is None:
            return redirect_to_login(request.get_full_path())
        request.actor = Actor.of_agent(agent)  # type: ignore[attr-defined]
        try:
            return view(request, *args, **kwargs)  # type: ignore[arg-type]
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        except NotPermittedError as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def uploaded_files(request: HttpRequest, field: str = "attachments") -> list[IncomingFile]:
    """Uploaded files as `IncomingFile`s; the actions check size and type from the bytes.
    Files over the limit are refused here already, before they are read into memory."""
    files = []
    limit = settings.ATTACHMENT_MAX_BYTES
    for upload in request.FILES.getlist(field):
        name = upload.name or "attachment"
        if upload.size is not None and upload.size > limit:
            raise InvalidInputError(
                _("%(name)s is too large (%(size)d MB); the limit is %(limit)d MB.")
                % {"name": name, "size": upload.size // (1024 * 1024), "limit": limit // (1024 * 1024)},
                code="attachment_too_large",
            )
        files.append(IncomingFile(filename=name, content=upload.read(), declared_type=upload.content_type or ""))
    return files


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def form_values(request: HttpRequest, *names: str) -> dict[str, Any]:
    return {name: request.POST.get(name, "") for name in names}
