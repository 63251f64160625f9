"""Typed errors raised by actions. Each has a stable code; the API renders them in one format."""

from __future__ import annotations

from typing import Any


class HelplineError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class InvalidInputError(HelplineError):
    code = "invalid"
    status = 422


class NotPermittedError(HelplineError):
    code = "forbidden"
    status = 403


class NotFoundError(HelplineError):
    code = "not_found"
    status = 404


class ConflictError(HelplineError):
    code = "conflict"
    status = 409


class RateLimitedError(HelplineError):
    code = "rate_limited"
    status = 429
