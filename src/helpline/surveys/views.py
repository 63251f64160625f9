"""Public survey pages under /survey/<signed token>/: one click records the rating, then the
customer may add a comment or change the rating while the survey is open. Bad links get a page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from helpline.core.actors import Actor
from helpline.core.errors import HelplineError
from helpline.portal.views.common import render_portal
from helpline.surveys import actions
from helpline.surveys.models import CSAT_SCALE, NPS_SCALE, CsatSurvey, NpsSurvey
from helpline.surveys.tokens import SurveyLinkError, is_short_code, link_max_age, read_token


def _load(token: str) -> CsatSurvey | NpsSurvey:
    link = read_token(token)
    if link.kind == "csat":
        survey: CsatSurvey | NpsSurvey | None = (
            CsatSurvey.objects.select_related("ticket", "customer").filter(public_id=link.public_id).first()
        )
    else:
        survey = NpsSurvey.objects.select_related("campaign", "customer").filter(public_id=link.public_id).first()
    if survey is None:
        raise SurveyLinkError("invalid")
    if is_short_code(token) and survey.sent_at < timezone.now() - dt.timedelta(seconds=link_max_age()):
        raise SurveyLinkError("expired")
    return survey


def _answer(survey: CsatSurvey | NpsSurvey, value: str, comment: str | None) -> None:
    actor = Actor.of_customer(survey.customer)
    if isinstance(survey, CsatSurvey):
        actions.answer_csat(actor=actor, survey=survey, rating=value, comment=comment)
    else:
        actions.answer_nps(actor=actor, survey=survey, score=value, comment=comment)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey = _load(token)
    except SurveyLinkError as exc:
        status = 410 if exc.reason == "expired" else 400
        return render_portal(request, "surveys/link_invalid.html", {"reason": exc.reason}, status=status)
    with translation.override(survey.language or settings.LANGUAGE_CODE):
        error: HelplineError | None = None
        comment = ""
        if request.method == "POST":
            comment = request.POST.get("comment", "")
            try:
                _answer(survey, request.POST.get("rating", ""), comment)
            except HelplineError as exc:
                error = exc
            else:
                return redirect(f"{request.path}?saved=1")
        elif "rating" in request.GET:
            try:
                _answer(survey, request.GET["rating"], None)
            except HelplineError as exc:
                error = exc
        survey.refresh_from_db()
        is_csat = isinstance(survey, CsatSurvey)
        context: dict[str, Any] = {
            "survey": survey,
            "is_csat": is_csat,
            "value": survey.rating if isinstance(survey, CsatSurvey) else survey.score,
            "scale": list(reversed(CSAT_SCALE)) if is_csat else list(NPS_SCALE),
            "error": error,
            "comment": comment or survey.comment,
            "saved": request.GET.get("saved") == "1" or ("rating" in request.GET and error is None),
            "closed": error is not None and error.code == "survey_closed",
            "follow_up": survey.campaign.follow_up_question if isinstance(survey, NpsSurvey) else "",
        }
        status = 200 if error is None else (409 if context["closed"] else 422)
        return render_portal(request, "surveys/answer.html", context, status=status)


@csrf_exempt  # the signed token is the credential; the chat widget posts from the host page
@require_POST
def rate(request: HttpRequest, token: str) -> JsonResponse:
    """A rating button outside our pages (the chat widget): `rating` in, `{ok, value | message}` out."""
    try:
        survey = _load(token)
    except SurveyLinkError as exc:
        status = 410 if exc.reason == "expired" else 400
        response = JsonResponse({"ok": False, "code": f"link_{exc.reason}"}, status=status)
    else:
        with translation.override(survey.language or settings.LANGUAGE_CODE):
            try:
                _answer(survey, request.POST.get("rating", ""), None)
            except HelplineError as exc:
                response = JsonResponse({"ok": False, "code": exc.code, "message": str(exc.message)}, status=exc.status)
            else:
                survey.refresh_from_db()
                value = survey.rating if isinstance(survey, CsatSurvey) else survey.score
                response = JsonResponse({"ok": True, "value": value})
    response["Access-Control-Allow-Origin"] = "*"
    return response
