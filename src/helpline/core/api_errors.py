"""One error format for the whole REST API: `{"error": {"code", "message", "details"}}`.

Typed action errors (`HelplineError`), request validation, missing objects, authentication
failures and unexpected errors all leave the API in this shape with the matching status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError

from helpline.core.errors import HelplineError

if TYPE_CHECKING:
    from ninja import NinjaAPI

log = logging.getLogger("helpline.api")

_CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
}


class BadRequestError(HelplineError):
    """A request the API cannot read (unknown parameters, forbidden characters)."""

    code = "bad_request"
    status = 400


class ErrorBody(Schema):
    code: str
    message: str
    details: dict[str, Any]


class ErrorOut(Schema):
    error: ErrorBody


def error_payload(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "details": details or {}}}


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> HttpResponse:
    return api.create_response(request, error_payload(code, message, details), status=status)


def _field_key(loc: tuple[Any, ...] | list[Any]) -> str:
    """`("body", "payload", "subject")` -> `subject`; `("query", "limit")` -> `limit`."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body" and len(parts) > 2:
        parts = parts[2:]
    elif len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "request"


def validation_details(errors: list[dict[str, Any]]) -> dict[str, Any]:
    fields: dict[str, str] = {}
    for error in errors:
        key = _field_key(error.get("loc", ()))
        message = str(error.get("msg", _("Invalid value.")))
        fields[key] = f"{fields[key]}; {message}" if key in fields else message
    return {"fields": fields}


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers so every failure renders as an `ErrorOut`."""

    def on_helpline_error(request: HttpRequest, exc: HelplineError) -> HttpResponse:
        return error_response(api, request, exc.status, exc.code, exc.message, exc.details)

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(
            api,
            request,
            422,
            "validation_error",
            _("Some values are missing or not valid."),
            validation_details(list(exc.errors)),
        )

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(api, request, 404, "not_found", _("Not found."))

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            api,
            request,
            401,
            "unauthenticated",
            _("Authentication required: send a valid API token as “Authorization: Bearer hl_…”."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="helpline"'
        return response

    def on_authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return error_response(api, request, 403, "forbidden", _("You are not allowed to do this."))

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return error_response(api, request, 429, "rate_limited", _("Too many requests; slow down."))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        code = _CODES_BY_STATUS.get(status, "error")
        message = exc.message
        if status == 400 and message.startswith("Cannot parse request body"):
            code, message = "malformed_body", _("The request body is not valid JSON.")
        return error_response(api, request, status, code, message)

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(api, request, 403, "forbidden", str(exc) or _("You are not allowed to do this."))

    def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return error_response(api, request, 422, "invalid", " ".join(exc.messages))

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("api error method=%s path=%s", request.method, request.path)
        return error_response(
            api, request, 500, "internal_error", _("Something went wrong on our side; it has been logged.")
        )

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (HelplineError, on_helpline_error),
        (ValidationError, on_validation_error),
        (Http404, on_not_found),
        (AuthenticationError, on_authentication_error),
        (AuthorizationError, on_authorization_error),
        (Throttled, on_throttled),
        (HttpError, on_http_error),
        (PermissionDenied, on_permission_denied),
        (DjangoValidationError, on_django_validation_error),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


# Error responses every authenticated operation may answer with; merged into each operation's
# `response=` so the OpenAPI schema documents them.
COMMON_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut}
