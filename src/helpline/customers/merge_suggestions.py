"""Suggested merges: two customer records that are probably one person, because a phone number or an
email address of one matches an identity of the other (a WhatsApp number that is also someone's phone
number; an email a chat visitor typed that belongs to a known customer).

Identities are unique per (kind, value), so the same email address never sits on two customers; the
matches come from phone-like identities of different kinds, and from addresses a customer gave on a
channel that could not be linked because another customer already owns them. Channel apps report those
through the `CLAIMED_ADDRESSES_HOOK`: a function `(customer) -> iterable of ClaimedAddress` naming
other customers linked to this one by such an address, in either direction.

Accepting a suggestion is the existing merge action (`customers.actions.merge_customers`, through the
customer page's merge form): the younger record is folded into the older one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from helpline.core import hooks
from helpline.customers.models import Customer, CustomerIdentity, IdentityKind

CLAIMED_ADDRESSES_HOOK = "customers.claimed_addresses"
PHONE_KINDS = (IdentityKind.PHONE, IdentityKind.WHATSAPP)
MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class ClaimedAddress:
    """`other` is linked to the customer asked about by `value` (an email or a phone number)."""

    other: Customer
    kind: str  # IdentityKind.EMAIL or IdentityKind.PHONE
    value: str


@dataclass(frozen=True)
class MergeSuggestion:
    other: Customer  # the customer that is probably the same person
    kind: str
    value: str

    @property
    def reason(self) -> str:
        if self.kind == IdentityKind.EMAIL:
            return _("Same email address: %(value)s") % {"value": self.value}
        return _("Same phone number: %(value)s") % {"value": self.value}

    def ordered(self, customer: Customer) -> tuple[Customer, Customer]:
        """(source, target) for the merge: the younger record goes into the older one."""
        if (self.other.created_at, self.other.pk) < (customer.created_at, customer.pk):
            return customer, self.other
        return self.other, customer


def phone_digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def current(customer: Customer) -> Customer:
    seen = {customer.pk}
    while customer.merged_into_id and customer.merged_into is not None and customer.merged_into_id not in seen:
        customer = customer.merged_into
        seen.add(customer.pk)
    return customer


def _phone_matches(customer: Customer, identities: list[CustomerIdentity]) -> list[MergeSuggestion]:
    candidates = {phone_digits(i.value) for i in identities if i.kind in PHONE_KINDS} - {""}
    if not candidates:
        return []
    # identities are stored normalised (+ and digits), so "+digits" and "digits" cover both spellings
    values = {f"+{d}" for d in candidates} | candidates
    others = (
        CustomerIdentity.objects.filter(kind__in=PHONE_KINDS, value__in=values)
        .exclude(customer=customer)
        .select_related("customer")
    )
    return [
        MergeSuggestion(other=i.customer, kind=IdentityKind.PHONE, value=f"+{phone_digits(i.value)}") for i in others
    ]


def _claimed(customer: Customer) -> list[MergeSuggestion]:
    found: list[MergeSuggestion] = []
    for provider in hooks.get(CLAIMED_ADDRESSES_HOOK):
        for claim in provider(customer) or ():
            found.append(MergeSuggestion(other=claim.other, kind=claim.kind, value=claim.value))
    return found


def suggestions_for(customer: Customer, *, limit: int = MAX_SUGGESTIONS) -> list[MergeSuggestion]:
    """Other customers that are probably the same person, one entry per customer, merged-away
    records resolved to the record they live on now."""
    customer = current(customer)
    identities = list(customer.identities.all())
    suggestions: list[MergeSuggestion] = []
    seen: set[int] = {customer.pk}
    for suggestion in [*_phone_matches(customer, identities), *_claimed(customer)]:
        other = current(suggestion.other)
        if other.pk in seen:
            continue
        seen.add(other.pk)
        suggestions.append(MergeSuggestion(other=other, kind=suggestion.kind, value=suggestion.value))
        if len(suggestions) >= limit:
            break
    return suggestions
