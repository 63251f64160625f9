"""Customer sign-in for the portal: signed, expiring magic links and the portal session.

Customers never have agent accounts. A magic link carries a signed token naming the customer, the
email identity it was sent to and optionally one ticket; it expires after
`PORTAL_MAGIC_LINK_MAX_AGE` seconds (7 days by default) and may be used more than once within that
time (the same link in a confirmation email is how a customer follows their request).

Opening a link signs the customer into a portal session kept apart from agent authentication:
`request.session["portal_customer_id"]`, with the session key rotated on sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from helpline.customers.models import Customer, CustomerIdentity, IdentityKind
from helpline.tickets.models import Ticket

SESSION_KEY = "portal_customer_id"
MAGIC_LINK_SALT = "helpline.portal.magic-link"
DEFAULT_MAX_AGE = 7 * 24 * 3600


def magic_link_max_age() -> int:
    return int(getattr(settings, "PORTAL_MAGIC_LINK_MAX_AGE", DEFAULT_MAX_AGE))


@dataclass(frozen=True)
class MagicLink:
    customer: Customer
    ticket_public_id: str | None


def make_token(customer: Customer, email: str, ticket: Ticket | None = None) -> str:
    """A signed token for `customer`, bound to the email identity the link is sent to (by id, so
    the address itself never appears in URLs or logs)."""
    identity = (
        CustomerIdentity.objects.select_related("customer")
        .filter(kind=IdentityKind.EMAIL, value=email.strip().lower())
        .first()
    )
    if identity is None or _resolve_merged(identity.customer).pk != _resolve_merged(customer).pk:
        raise ValueError("magic links go to one of the customer's own email addresses")
    payload: dict[str, str | int] = {"c": customer.public_id, "i": identity.pk}
    if ticket is not None:
        payload["t"] = ticket.public_id
    return signing.dumps(payload, salt=MAGIC_LINK_SALT, compress=True)


def magic_link_url(customer: Customer, email: str, ticket: Ticket | None = None) -> str:
    """Absolute URL of a sign-in link, for emails."""
    token = make_token(customer, email, ticket)
    return settings.SITE_URL + reverse("portal:magic_link", args=[token])


def _resolve_merged(customer: Customer) -> Customer:
    seen = set()
    while customer.merged_into_id and customer.pk not in seen:
        seen.add(customer.pk)
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


def read_token(token: str) -> MagicLink | None:
    """The customer a token names, or None when it is expired, tampered with or no longer valid
    (the email address it was sent to was removed or now belongs to someone else)."""
    try:
        payload: Any = signing.loads(token, salt=MAGIC_LINK_SALT, max_age=magic_link_max_age())
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("c"), str) or not isinstance(payload.get("i"), int):
        return None
    customer = Customer.objects.filter(public_id=payload["c"]).first()
    if customer is None:
        return None
    customer = _resolve_merged(customer)
    identity = CustomerIdentity.objects.select_related("customer").filter(pk=payload["i"]).first()
    if identity is None or identity.kind != IdentityKind.EMAIL or _resolve_merged(identity.customer).pk != customer.pk:
        return None
    ticket_id = payload.get("t")
    return MagicLink(customer=customer, ticket_public_id=ticket_id if isinstance(ticket_id, str) else None)


# -- the portal session --------------------------------------------------------------------------


def sign_in(request: HttpRequest, customer: Customer) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = customer.pk


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def customer_from_session(session: Any) -> Customer | None:
    """The signed-in portal customer for a (HTTP or WebSocket) session, following merges."""
    customer_id = session.get(SESSION_KEY) if session is not None else None
    if not customer_id:
        return None
    customer = Customer.objects.filter(pk=customer_id).first()
    return _resolve_merged(customer) if customer is not None else None


def current_customer(request: HttpRequest) -> Customer | None:
    """The signed-in portal customer of this request (looked up once per request)."""
    if not hasattr(request, "_portal_customer"):
        request._portal_customer = customer_from_session(getattr(request, "session", None))  # type: ignore[attr-defined]
    customer: Customer | None = request._portal_customer  # type: ignore[attr-defined]
    return customer


def customer_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Send visitors without a portal session to the sign-in page, then back."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        customer = current_customer(request)
        if customer is None:
            return redirect(reverse("portal:login") + "?" + urlencode({"next": request.get_full_path()}))
        return view(request, customer, *args, **kwargs)

    return wrapper
