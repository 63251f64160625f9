"""The client address of the request being served, for audit rows.

`AuditContextMiddleware` keeps the client IP in a context variable for the length of a request;
`record_audit` uses it when it is not given an address explicitly. So every settings change made
through a page or the API leaves an audit row with the address, without threading `ip_address`
through every action's signature. Outside a request (commands, tasks, tests calling actions)
the address is empty.

The address is REMOTE_ADDR. Behind a reverse proxy, have the proxy (or the ASGI server's
proxy-headers option) set it from X-Forwarded-For; this module never trusts that header itself.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_client_ip: ContextVar[str | None] = ContextVar("helpline_client_ip", default=None)


def client_ip(request: HttpRequest) -> str | None:
    """The request's client address, or None when it is missing or not an IP address."""
    raw = (request.META.get("REMOTE_ADDR") or "").strip()
    if not raw:
        return None
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def current_client_ip() -> str | None:
    return _client_ip.get()


@contextmanager
def client_ip_context(ip_address: str | None) -> Iterator[None]:
    token = _client_ip.set(ip_address)
    try:
        yield
    finally:
        _client_ip.reset(token)


class AuditContextMiddleware:
    """Makes the client address of each request available to `record_audit`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with client_ip_context(client_ip(request)):
            return self.get_response(request)
