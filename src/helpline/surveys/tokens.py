"""Signed, expiring survey links. A token names one survey; the rating travels as `?rating=`.

A forged or altered token fails the signature; an old one fails `max_age`. The survey itself
decides whether an answer may still be changed (see `actions.change_window`).

Text messages get a short form, `c<public id>.<10 hex of an HMAC>` (about 30 characters): it carries
no timestamp, so its age is the survey's `sent_at` (checked by the view with the same `max_age`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "helpline.surveys.link"
SHORT_SALT = "helpline.surveys.short"
Kind = Literal["csat", "nps"]
SHORT_PREFIX: dict[Kind, str] = {"csat": "c", "nps": "n"}
DEFAULT_MAX_AGE = 30 * 24 * 3600


class SurveyLinkError(Exception):
    def __init__(self, reason: Literal["invalid", "expired"]):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SurveyLink:
    kind: Kind
    public_id: str


def link_max_age() -> int:
    return int(getattr(settings, "SURVEY_LINK_MAX_AGE", DEFAULT_MAX_AGE))


def make_token(kind: Kind, public_id: str) -> str:
    return signing.dumps({"k": kind, "s": public_id}, salt=SALT, compress=True)


def _short_signature(kind: Kind, public_id: str) -> str:
    return salted_hmac(SHORT_SALT, f"{kind}:{public_id}").hexdigest()[:10]


def make_short_code(kind: Kind, public_id: str) -> str:
    return f"{SHORT_PREFIX[kind]}{public_id}.{_short_signature(kind, public_id)}"


def is_short_code(token: str) -> bool:
    return ":" not in token  # signed tokens always hold a colon


def read_short_code(code: str) -> SurveyLink:
    kinds = {prefix: kind for kind, prefix in SHORT_PREFIX.items()}
    body, _dot, signature = code.rpartition(".")
    kind = kinds.get(body[:1])
    if kind is None or not body[1:] or not constant_time_compare(signature, _short_signature(kind, body[1:])):
        raise SurveyLinkError("invalid")
    return SurveyLink(kind=kind, public_id=body[1:])


def read_token(token: str) -> SurveyLink:
    if is_short_code(token):
        return read_short_code(token)
    try:
        data = signing.loads(token, salt=SALT, max_age=link_max_age())
    except signing.SignatureExpired as exc:
        raise SurveyLinkError("expired") from exc
    except signing.BadSignature as exc:
        raise SurveyLinkError("invalid") from exc
    if not isinstance(data, dict) or data.get("k") not in ("csat", "nps") or not isinstance(data.get("s"), str):
        raise SurveyLinkError("invalid")
    return SurveyLink(kind=data["k"], public_id=data["s"])


def short_survey_url(kind: Kind, public_id: str) -> str:
    return settings.SITE_URL + reverse("surveys:answer", args=[make_short_code(kind, public_id)])


def rate_url(kind: Kind, public_id: str) -> str:
    """Where buttons outside a page (the chat widget) post `rating`; answered with JSON."""
    return settings.SITE_URL + reverse("surveys:rate", args=[make_token(kind, public_id)])


def survey_url(kind: Kind, public_id: str, rating: int | None = None) -> str:
    url = settings.SITE_URL + reverse("surveys:answer", args=[make_token(kind, public_id)])
    return f"{url}?rating={rating}" if rating is not None else url
