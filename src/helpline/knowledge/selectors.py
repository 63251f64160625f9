"""Reads of the knowledge base, always filtered by what the reader may see."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import NotFoundError
from helpline.knowledge.models import Article, ArticleTranslation, Category, Section, Visibility


def visible_visibilities(actor: Actor | None) -> list[str]:
    """Visitors and customers see public articles; agents see agents-only ones too."""
    if actor is not None and (actor.is_system or (actor.agent is not None and actor.agent.is_active)):
        return [Visibility.PUBLIC, Visibility.AGENTS]
    return [Visibility.PUBLIC]


def published_translations(actor: Actor | None) -> QuerySet[ArticleTranslation]:
    return ArticleTranslation.objects.filter(
        is_published=True, article__visibility__in=visible_visibilities(actor)
    ).select_related("article", "article__section", "article__section__category")


def pick_translation(translations: list[ArticleTranslation], language: str) -> ArticleTranslation | None:
    """The translation in `language`, else English, else the first one."""
    by_language = {t.language: t for t in translations}
    base = language.split("-", 1)[0]
    return (
        by_language.get(language)
        or by_language.get(base)
        or by_language.get("en")
        or (translations[0] if translations else None)
    )


def published_article(actor: Actor | None, public_id: str, language: str) -> tuple[ArticleTranslation, list[str]]:
    """The published translation to show, and every language the article is published in."""
    translations = list(published_translations(actor).filter(article__public_id=public_id))
    chosen = pick_translation(translations, language)
    if chosen is None:
        raise NotFoundError(_("No such article."))
    return chosen, sorted(t.language for t in translations)


def help_center_tree(
    actor: Actor | None, language: str
) -> list[tuple[Category, list[tuple[Section, list[ArticleTranslation]]]]]:
    """Categories with their sections and, per section, the published articles in `language`
    (or their fallback translation)."""
    translations = list(published_translations(actor).order_by("article__position", "article_id"))
    per_article: dict[int, list[ArticleTranslation]] = {}
    for t in translations:
        per_article.setdefault(t.article_id, []).append(t)
    per_section: dict[int, list[ArticleTranslation]] = {}
    for items in per_article.values():
        chosen = pick_translation(items, language)
        if chosen is not None:
            per_section.setdefault(chosen.article.section_id, []).append(chosen)
    categories = Category.objects.prefetch_related(Prefetch("sections", queryset=Section.objects.all()))
    tree = []
    for category in categories:
        sections = [(s, per_section[s.pk]) for s in category.sections.all() if s.pk in per_section]
        if sections:
            tree.append((category, sections))
    return tree


def section_articles(actor: Actor | None, section: Section, language: str) -> list[ArticleTranslation]:
    translations = list(published_translations(actor).filter(article__section=section))
    per_article: dict[int, list[ArticleTranslation]] = {}
    for t in translations:
        per_article.setdefault(t.article_id, []).append(t)
    chosen = [pick_translation(items, language) for items in per_article.values()]
    return sorted((c for c in chosen if c is not None), key=lambda t: (t.article.position, t.article_id))


def faq_articles(actor: Actor | None, language: str) -> list[ArticleTranslation]:
    translations = list(published_translations(actor).filter(article__is_faq=True))
    per_article: dict[int, list[ArticleTranslation]] = {}
    for t in translations:
        per_article.setdefault(t.article_id, []).append(t)
    chosen = [pick_translation(items, language) for items in per_article.values()]
    return sorted((c for c in chosen if c is not None), key=lambda t: (t.article.position, t.article_id))


def editor_articles() -> QuerySet[Article]:
    return Article.objects.select_related("section", "section__category").prefetch_related("translations")


def get_article(public_id: str) -> Article:
    article = editor_articles().filter(public_id=public_id).first()
    if article is None:
        raise NotFoundError(_("No such article."))
    return article
