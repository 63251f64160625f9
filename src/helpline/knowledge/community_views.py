"""Community Q&A pages under /help/<language>/community/. Signed-in portal customers and agents
take part; visitors read. Agents see hidden posts and moderate."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from helpline.core.actors import Actor
from helpline.core.errors import HelplineError
from helpline.knowledge import community
from helpline.knowledge.help_views import _render, _served
from helpline.knowledge.models import Answer, Question, Section
from helpline.portal.auth import current_customer
from helpline.web.context_processors import desk_agent


def _participant(request: HttpRequest) -> Actor | None:
    agent = desk_agent(request)
    if agent is not None:
        return Actor.of_agent(agent)
    customer = current_customer(request)
    return Actor.of_customer(customer) if customer is not None else None


def _is_agent(actor: Actor | None) -> bool:
    return actor is not None and actor.agent is not None


def questions(request: HttpRequest, language: str) -> HttpResponse:
    language = _served(language)
    actor = _participant(request)
    error = ""
    if request.method == "POST":
        if actor is None:
            raise Http404("sign in")
        try:
            question = community.ask_question(
                actor=actor, title=request.POST.get("title", ""), body=request.POST.get("body", "")
            )
        except HelplineError as exc:
            error = exc.message
        else:
            return HttpResponseRedirect(reverse("help:question", args=[language, question.public_id]))
    listing = Question.objects.annotate(answer_count=Count("answers", filter=Q(answers__is_hidden=False)))
    if not _is_agent(actor):
        listing = listing.filter(is_hidden=False)
    context = {
        "questions": listing.order_by("-created_at")[:100],
        "participant": actor,
        "error": error,
        "form_title": request.POST.get("title", ""),
        "form_body": request.POST.get("body", ""),
    }
    return _render(request, language, "knowledge/help/community.html", context)


def question_detail(request: HttpRequest, language: str, public_id: str) -> HttpResponse:
    language = _served(language)
    actor = _participant(request)
    question = Question.objects.filter(public_id=public_id).select_related("author_customer", "author_agent").first()
    if question is None or (question.is_hidden and not _is_agent(actor)):
        raise Http404("question")
    answers = question.answers.select_related("author_customer", "author_agent").order_by("-score", "created_at")
    if not _is_agent(actor):
        answers = answers.filter(is_hidden=False)
    context = {
        "question": question,
        "answers": list(answers),
        "participant": actor,
        "is_agent": _is_agent(actor),
        "sections": Section.objects.select_related("category") if _is_agent(actor) else [],
        "error": request.GET.get("error", "")[:200],
    }
    return _render(request, language, "knowledge/help/question.html", context)


@require_POST
def question_act(request: HttpRequest, language: str, public_id: str) -> HttpResponseRedirect:
    language = _served(language)
    actor = _participant(request)
    question = Question.objects.filter(public_id=public_id).first()
    if question is None or actor is None:
        raise Http404("question")
    op = request.POST.get("op", "")
    answer = None
    if request.POST.get("answer"):
        answer = Answer.objects.filter(public_id=request.POST["answer"], question=question).first()
        if answer is None:
            raise Http404("answer")
    target: dict[str, Any] = {"answer": answer} if answer is not None else {"question": question}
    url = reverse("help:question", args=[language, public_id])
    try:
        if op == "answer":
            community.answer_question(actor=actor, question=question, body=request.POST.get("body", ""))
        elif op in ("up", "down", "unvote"):
            community.vote(actor=actor, value={"up": 1, "down": -1, "unvote": 0}[op], **target)
        elif op == "accept" and answer is not None:
            community.accept_answer(actor=actor, answer=answer)
        elif op == "report":
            community.report_post(actor=actor, reason=request.POST.get("reason", ""), **target)
        elif op in ("hide", "show"):
            community.moderate(actor=actor, hidden=op == "hide", **target)
        elif op == "to_article" and answer is not None:
            section = Section.objects.filter(pk=request.POST.get("section") or 0).first()
            if section is None:
                raise Http404("section")
            translation = community.answer_to_article(actor=actor, answer=answer, section=section)
            return HttpResponseRedirect(reverse("kb:edit", args=[translation.article.public_id, translation.language]))
    except HelplineError as exc:
        from urllib.parse import urlencode

        return HttpResponseRedirect(url + "?" + urlencode({"error": exc.message}))
    return HttpResponseRedirect(url)
