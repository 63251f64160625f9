"""Request checks applied to every API operation before its parameters are parsed.

- Query parameters the operation does not declare are refused (400), never silently ignored:
  a typo in a filter must not return the unfiltered list.
- NUL characters are refused (400) in the query string and in JSON bodies: no database stores them.
- An operation that reads a JSON object refuses any other JSON body (an array, a number) with 422
  instead of reading it as an empty object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _

from helpline.core.api_errors import BadRequestError
from helpline.core.errors import HelplineError, InvalidInputError


def declared_query_names(operation: Any) -> set[str]:
    names: set[str] = set()
    for model in getattr(operation, "models", []):
        if getattr(model, "__ninja_param_source__", None) != "query":
            continue
        flatten = getattr(model, "__ninja_flatten_map__", None)
        if flatten:
            names.update(flatten)
        else:
            names.update(field.alias or name for name, field in model.model_fields.items())
    return names


def reads_body(operation: Any) -> bool:
    return any(getattr(m, "__ninja_param_source__", None) == "body" for m in getattr(operation, "models", []))


def _body_is_not_an_object(request: HttpRequest) -> bool:
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    body = request.body.lstrip()
    return bool(body) and not body.startswith(b"{")


def _has_nul(request: HttpRequest) -> bool:
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return True
    if request.method in ("POST", "PUT", "PATCH"):
        body = request.body
        return b"\x00" in body or b"\\u0000" in body.lower()
    return False


def guard_request(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A ninja "view" decorator: wraps `Operation.run`, so it knows the operation it guards."""
    operation = run.__self__  # type: ignore[attr-defined]
    allowed: set[str] | None = None
    expects_object = reads_body(operation)

    @functools.wraps(run)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        nonlocal allowed
        if allowed is None:
            allowed = declared_query_names(operation)
        unknown = sorted(set(request.GET) - allowed)
        problem: HelplineError | None = None
        if unknown:
            problem = BadRequestError(
                _("Unknown query parameter: %(names)s") % {"names": ", ".join(unknown)},
                code="unknown_parameter",
                details={"parameters": unknown, "allowed": sorted(allowed)},
            )
        elif _has_nul(request):
            problem = BadRequestError(_("The request contains a NUL character."), code="invalid_characters")
        elif expects_object and _body_is_not_an_object(request):
            problem = InvalidInputError(_("The request body must be a JSON object."), code="invalid_body")
        if problem is None:
            return run(request, *args, **kwargs)
        denied = operation._run_checks(request)  # authentication first: 401/403 before 400
        if denied is not None:
            return denied
        return operation.api.on_exception(request, problem)

    return guarded
