"""The public help center under /help/<language>/: categories, sections, articles, search, FAQ
and "was this helpful?" feedback. Agents signed in see agents-only articles too."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation as i18n
from django.views.decorators.http import require_POST

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError, NotFoundError
from helpline.knowledge import actions, selectors
from helpline.knowledge.models import ArticleFile, Section
from helpline.knowledge.search import search_articles, suggested_articles
from helpline.portal.views.common import render_portal
from helpline.web.context_processors import desk_agent

FEEDBACK_SESSION_KEY = "kb_feedback"  # {translation id: helpful} of this reader
DEFLECTION_SESSION_KEY = "kb_deflected"  # translation ids this reader was deflected by


def _served(language: str) -> str:
    if language not in dict(settings.LANGUAGES):
        raise Http404("language")
    return language


def _reader(request: HttpRequest) -> Actor | None:
    agent = desk_agent(request)
    return Actor.of_agent(agent) if agent is not None else None


def _render(
    request: HttpRequest, language: str, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    i18n.activate(language)
    request.LANGUAGE_CODE = language
    base = {
        "help_language": language,
        "help_languages": settings.LANGUAGES,
        # Theming: a stylesheet URL loaded after the built-in one, and a title for the home page.
        "help_theme_css": getattr(settings, "HELPLINE_HELP_CENTER_CSS", ""),
        "help_title": getattr(settings, "HELPLINE_HELP_CENTER_TITLE", ""),
    }
    return render_portal(request, template, {**base, **context}, status=status)


def home_redirect(request: HttpRequest) -> HttpResponseRedirect:
    language = i18n.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    return HttpResponseRedirect(reverse("help:home", kwargs={"language": language}))


def home(request: HttpRequest, language: str) -> HttpResponse:
    language = _served(language)
    tree = selectors.help_center_tree(_reader(request), language)
    faq = selectors.faq_articles(_reader(request), language)[:5]
    return _render(request, language, "knowledge/help/home.html", {"tree": tree, "faq": faq})


def section(request: HttpRequest, language: str, slug: str) -> HttpResponse:
    language = _served(language)
    item = get_object_or_404(Section.objects.select_related("category"), slug=slug)
    articles = selectors.section_articles(_reader(request), item, language)
    return _render(request, language, "knowledge/help/section.html", {"section": item, "articles": articles})


def faq(request: HttpRequest, language: str) -> HttpResponse:
    language = _served(language)
    articles = selectors.faq_articles(_reader(request), language)
    return _render(request, language, "knowledge/help/faq.html", {"articles": articles})


def article(request: HttpRequest, language: str, public_id: str) -> HttpResponse:
    language = _served(language)
    reader = _reader(request)
    try:
        shown, languages = selectors.published_article(reader, public_id, request.GET.get("lang") or language)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    related = []
    try:
        hits = search_articles(shown.published_title, language=language, actor=reader, limit=6)
        related = [h.translation for h in hits if h.translation.article_id != shown.article_id][:5]
    except InvalidInputError:
        related = []
    if reader is None:
        actions.record_view(translation=shown)
    context = {
        "translation": shown,
        "languages": languages,
        "related": related,
        "thanks": request.GET.get("feedback") == "thanks",
    }
    return _render(request, language, "knowledge/help/article.html", context)


@require_POST
def feedback(request: HttpRequest, language: str, public_id: str) -> HttpResponseRedirect:
    language = _served(language)
    shown_language = request.POST.get("translation_language", language)
    try:
        shown, _languages = selectors.published_article(_reader(request), public_id, shown_language)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    helpful = request.POST.get("helpful") == "yes"
    given: dict[str, bool] = request.session.get(FEEDBACK_SESSION_KEY, {})
    actions.record_feedback(translation=shown, helpful=helpful, previous=given.get(str(shown.pk)))
    request.session[FEEDBACK_SESSION_KEY] = {**given, str(shown.pk): helpful}  # one vote per reader
    url = reverse("help:article", kwargs={"language": language, "public_id": public_id})
    return HttpResponseRedirect(url + "?feedback=thanks")


def search(request: HttpRequest, language: str) -> HttpResponse:
    language = _served(language)
    query = request.GET.get("q", "")
    hits: list[Any] = []
    error = ""
    if query.strip():
        try:
            hits = search_articles(query, language=language, actor=_reader(request), limit=20)
        except InvalidInputError as exc:
            error = exc.message
    return _render(
        request, language, "knowledge/help/search.html", {"query": query[:500], "hits": hits, "error": error}
    )


def suggest(request: HttpRequest) -> HttpResponse:
    """Articles matching what a customer is typing in a request form (portal, embedded web form), as a
    small fragment; the chat widget asks over its socket (knowledge.suggestions)."""
    language = request.GET.get("lang") or i18n.get_language() or settings.LANGUAGE_CODE
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    hits = suggested_articles(request.GET.get("q") or "", language=language)
    return render_portal(request, "knowledge/help/_suggestions.html", {"hits": hits, "help_language": language})


def download(request: HttpRequest, public_id: str) -> FileResponse:
    item = get_object_or_404(ArticleFile.objects.select_related("article"), public_id=public_id)
    allowed = selectors.visible_visibilities(_reader(request))
    if item.article.visibility not in allowed:
        raise Http404("file")
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    disposition = "inline" if item.is_image else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{item.filename.replace(chr(34), "")}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
def deflect(request: HttpRequest) -> HttpResponse:
    """Sent by the request form (navigator.sendBeacon) when it is left after reading a suggestion."""
    language = request.POST.get("language", "")
    try:
        shown, _languages = selectors.published_article(None, request.POST.get("article", "")[:40], language)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    deflected: list[int] = request.session.get(DEFLECTION_SESSION_KEY, [])
    if shown.pk not in deflected:  # one per reader and article: a page reloaded counts once
        actions.record_deflection(translation=shown)
        request.session[DEFLECTION_SESSION_KEY] = [*deflected[-99:], shown.pk]
    return HttpResponse(status=204)
