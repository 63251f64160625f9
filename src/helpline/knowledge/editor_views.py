"""The agents' knowledge-base editor under /kb/: articles, translations, drafts, versions with
diffs, publishing, files, a Markdown preview, and article suggestions for the ticket page."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from helpline.core.errors import HelplineError, InvalidInputError, NotFoundError
from helpline.knowledge import actions, selectors
from helpline.knowledge.api import article_url
from helpline.knowledge.diffs import version_diff
from helpline.knowledge.forms import (
    ArticleForm,
    ArticleSettingsForm,
    CategoryForm,
    NewTranslationForm,
    SectionForm,
    TranslationForm,
)
from helpline.knowledge.markdown import render_markdown
from helpline.knowledge.models import Article, ArticleTranslation, Category
from helpline.knowledge.search import search_articles, snippet
from helpline.web.views.common import AgentRequest, agent_required, uploaded_files


def _translation(article: Article, language: str) -> ArticleTranslation:
    translation = next((t for t in article.translations.all() if t.language == language), None)
    if translation is None:
        raise NotFoundError("translation")
    return translation


@agent_required
def article_list(request: AgentRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "articles": selectors.editor_articles().order_by("section__category__position", "section__position", "id"),
        "categories": Category.objects.prefetch_related("sections"),
        "category_form": CategoryForm(),
        "section_form": SectionForm(),
        "can_edit": actions.can_edit(request.actor),
        "error": "",
    }
    if request.method == "POST":
        try:
            if "category" in request.POST:
                section_form = SectionForm(request.POST)
                if section_form.is_valid():
                    actions.create_section(
                        actor=request.actor,
                        category=section_form.cleaned_data["category"],
                        name=section_form.cleaned_data["name"],
                    )
                    return HttpResponseRedirect(reverse("kb:list"))
                context["section_form"] = section_form
            else:
                category_form = CategoryForm(request.POST)
                if category_form.is_valid():
                    actions.create_category(actor=request.actor, name=category_form.cleaned_data["name"])
                    return HttpResponseRedirect(reverse("kb:list"))
                context["category_form"] = category_form
        except HelplineError as exc:
            context["error"] = exc.message
    return render(request, "knowledge/editor/list.html", context)


@agent_required
def article_new(request: AgentRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            translation = actions.create_article(
                actor=request.actor,
                section=data["section"],
                language=data["language"],
                title=data["title"],
                body=data["body"],
                key=data["key"],
                visibility=data["visibility"],
                is_faq=data["is_faq"],
            )
        except HelplineError as exc:
            error = exc.message
        else:
            return HttpResponseRedirect(reverse("kb:edit", args=[translation.article.public_id, translation.language]))
    return render(request, "knowledge/editor/new.html", {"form": form, "error": error})


@agent_required
def article_detail(request: AgentRequest, public_id: str) -> HttpResponse:
    article = selectors.get_article(public_id)
    settings_form = ArticleSettingsForm(
        initial={"section": article.section, "visibility": article.visibility, "is_faq": article.is_faq}
    )
    translation_form = NewTranslationForm()
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("form") == "settings":
                settings_form = ArticleSettingsForm(request.POST)
                if settings_form.is_valid():
                    data = settings_form.cleaned_data
                    actions.update_article(
                        actor=request.actor,
                        article=article,
                        section=data["section"],
                        visibility=data["visibility"],
                        is_faq=data["is_faq"],
                    )
                    return HttpResponseRedirect(reverse("kb:article", args=[public_id]))
            elif request.POST.get("form") == "files":
                actions.add_files(actor=request.actor, article=article, files=uploaded_files(request, "files"))
                return HttpResponseRedirect(reverse("kb:article", args=[public_id]))
            else:
                translation_form = NewTranslationForm(request.POST)
                if translation_form.is_valid():
                    data = translation_form.cleaned_data
                    translation = actions.add_translation(
                        actor=request.actor,
                        article=article,
                        language=data["language"],
                        title=data["title"],
                        body=data["body"],
                    )
                    return HttpResponseRedirect(reverse("kb:edit", args=[public_id, translation.language]))
        except HelplineError as exc:
            error = exc.message
    context = {
        "article": article,
        "settings_form": settings_form,
        "translation_form": translation_form,
        "files": article.files.all(),
        "error": error,
    }
    return render(request, "knowledge/editor/article.html", context)


@agent_required
def translation_edit(request: AgentRequest, public_id: str, language: str) -> HttpResponse:
    article = selectors.get_article(public_id)
    translation = _translation(article, language)
    form = TranslationForm(
        initial={"title": translation.title, "body": translation.body, "base_version": translation.version}
    )
    error = ""
    if request.method == "POST":
        form = TranslationForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                translation = actions.save_draft(
                    actor=request.actor,
                    translation=translation,
                    title=data["title"],
                    body=data["body"],
                    note=data["note"],
                    base_version=data["base_version"],
                )
                if request.POST.get("then") == "publish":
                    actions.publish(actor=request.actor, translation=translation)
            except HelplineError as exc:
                error = exc.message
            else:
                return HttpResponseRedirect(reverse("kb:edit", args=[public_id, language]))
    context = {
        "article": article,
        "translation": translation,
        "form": form,
        "versions": translation.versions.select_related("author")[:50],
        "preview": render_markdown(form["body"].value() or ""),
        "public_url": article_url(translation),
        "error": error,
    }
    return render(request, "knowledge/editor/edit.html", context)


@agent_required
@require_POST
def translation_publish(request: AgentRequest, public_id: str, language: str) -> HttpResponseRedirect:
    translation = _translation(selectors.get_article(public_id), language)
    if request.POST.get("action") == "unpublish":
        actions.unpublish(actor=request.actor, translation=translation)
    elif request.POST.get("action") == "restore":
        actions.restore_version(
            actor=request.actor, translation=translation, number=int(request.POST.get("number") or 0)
        )
    else:
        actions.publish(actor=request.actor, translation=translation)
    return HttpResponseRedirect(reverse("kb:edit", args=[public_id, language]))


@agent_required
def translation_diff(request: AgentRequest, public_id: str, language: str) -> HttpResponse:
    translation = _translation(selectors.get_article(public_id), language)
    try:
        new_number = int(request.GET.get("b") or translation.version)
        old_number = int(request.GET.get("a") or max(new_number - 1, 1))
    except ValueError as exc:
        raise NotFoundError("version") from exc
    versions = {v.number: v for v in translation.versions.filter(number__in=[old_number, new_number])}
    if old_number not in versions or new_number not in versions:
        raise NotFoundError("version")
    old, new = versions[old_number], versions[new_number]
    context = {
        "translation": translation,
        "old": old,
        "new": new,
        "lines": version_diff(old.title, old.body, new.title, new.body),
    }
    return render(request, "knowledge/editor/diff.html", context)


@agent_required
@require_POST
def preview(request: AgentRequest) -> HttpResponse:
    return HttpResponse(render_markdown(request.POST.get("body", "")[: actions.MAX_BODY]))


@agent_required
def suggest(request: AgentRequest) -> HttpResponse:
    """Articles for the ticket page: search as the agent types, with a link ready to insert."""
    query = request.GET.get("q", "")
    language = request.GET.get("lang") or request.LANGUAGE_CODE
    hits: list[Any] = []
    error = ""
    if query.strip():
        try:
            hits = search_articles(query, language=language, actor=request.actor, limit=5)
        except InvalidInputError as exc:
            error = exc.message
    items = [
        {"hit": h, "url": article_url(h.translation), "snippet": snippet(h.translation.published_text, 160)}
        for h in hits
    ]
    return render(request, "knowledge/editor/_suggest.html", {"items": items, "error": error, "query": query})


@agent_required
def similar(request: AgentRequest, number: int) -> HttpResponse:
    """Similar solved tickets for the ticket page, each with its last reply to reuse."""
    from helpline.assist.similar import similar_solved_tickets
    from helpline.tickets.selectors import get_ticket

    ticket = get_ticket(actor=request.actor, number=number)
    items = similar_solved_tickets(actor=request.actor, ticket=ticket)
    return render(request, "knowledge/editor/_similar.html", {"items": items})
