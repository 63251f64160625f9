"""Signed, expiring survey links. A token names one survey; the rating travels as `?rating=`.

A forged or altered token fails the signature; an old one fails `max_age`. The survey itself
decides whether an answer may still be changed (see `actions.CHANGE_WINDOW`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "helpline.surveys.link"
DEFAULT_MAX_AGE = 30 * 24 * 3600

Kind = Literal["csat", "nps"]


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


def read_token(token: str) -> SurveyLink:
    try:
        data = signing.loads(token, salt=SALT, max_age=link_max_age())
    except signing.SignatureExpired as exc:
        raise SurveyLinkError("expired") from exc
    except signing.BadSignature as exc:
        raise SurveyLinkError("invalid") from exc
    if not isinstance(data, dict) or data.get("k") not in ("csat", "nps") or not isinstance(data.get("s"), str):
        raise SurveyLinkError("invalid")
    return SurveyLink(kind=data["k"], public_id=data["s"])


def survey_url(kind: Kind, public_id: str, rating: int | None = None) -> str:
    url = settings.SITE_URL + reverse("surveys:answer", args=[make_token(kind, public_id)])
    return f"{url}?rating={rating}" if rating is not None else url
