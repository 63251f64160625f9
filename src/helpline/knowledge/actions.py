"""Every write to the knowledge base: categories, sections, articles, translations, versions,
publishing, files and helpful votes. Agents write (light agents read only); admins manage structure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import ConflictError, InvalidInputError, NotFoundError, NotPermittedError
from helpline.knowledge.markdown import markdown_text, render_markdown
from helpline.knowledge.models import (
    Article,
    ArticleFile,
    ArticleTranslation,
    ArticleVersion,
    Category,
    Section,
    Visibility,
)
from helpline.tickets.attachments import IncomingFile, check_file

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
MAX_TITLE = 250
MAX_BODY = 200_000


def can_edit(actor: Actor) -> bool:
    return actor.is_system or (actor.agent is not None and actor.agent.is_active and not actor.agent.is_light_agent)


def _require_editor(actor: Actor) -> None:
    if not can_edit(actor):
        raise NotPermittedError(_("You are not allowed to edit the knowledge base."))


def clean_language(language: str) -> str:
    language = (language or "").strip()
    if not _LANGUAGE.match(language):
        raise InvalidInputError(_("Enter a language code such as en, ka or pt-BR."), code="invalid_language")
    return language.split("-", 1)[0].lower() + (("-" + language.split("-", 1)[1]) if "-" in language else "")


def _clean_slug(value: str, fallback: str) -> str:
    slug = slugify(value or "", allow_unicode=False) or slugify(fallback, allow_unicode=False)
    if not slug:
        raise InvalidInputError(_("Enter a short name of Latin letters, digits and hyphens."), code="invalid_slug")
    return slug[:80]


def _clean_text(title: str, body: str) -> tuple[str, str]:
    title = (title or "").strip()
    if not title:
        raise InvalidInputError(_("A title is required."), code="title_required")
    if len(title) > MAX_TITLE:
        raise InvalidInputError(_("The title is too long."), code="title_too_long")
    body = (body or "").replace("\r\n", "\n").replace("\x00", "")
    if len(body) > MAX_BODY:
        raise InvalidInputError(_("The article is too long."), code="body_too_long")
    return title, body


def _names(names: dict[str, str] | None) -> dict[str, str]:
    return {clean_language(k): str(v).strip()[:200] for k, v in (names or {}).items() if str(v).strip()}


# -- structure -----------------------------------------------------------------------------------


def create_category(
    *, actor: Actor, name: str, slug: str = "", names: dict[str, str] | None = None, position: int = 0
) -> Category:
    _require_editor(actor)
    name = (name or "").strip()[:200]
    if not name:
        raise InvalidInputError(_("A name is required."), code="name_required")
    slug = _clean_slug(slug, name)
    if Category.objects.filter(slug=slug).exists():
        raise ConflictError(_("A category with this short name exists already."), code="slug_taken")
    return Category.objects.create(name=name, slug=slug, names=_names(names), position=position)


def create_section(
    *,
    actor: Actor,
    category: Category,
    name: str,
    slug: str = "",
    names: dict[str, str] | None = None,
    position: int = 0,
) -> Section:
    _require_editor(actor)
    name = (name or "").strip()[:200]
    if not name:
        raise InvalidInputError(_("A name is required."), code="name_required")
    slug = _clean_slug(slug, name)
    if Section.objects.filter(slug=slug).exists():
        raise ConflictError(_("A section with this short name exists already."), code="slug_taken")
    return Section.objects.create(category=category, name=name, slug=slug, names=_names(names), position=position)


def ensure_section(
    *,
    actor: Actor,
    category_name: str,
    section_name: str = "",
    category_names: dict[str, str] | None = None,
    section_names: dict[str, str] | None = None,
) -> Section:
    """The section named (created with its category when missing, with their names in other languages
    when given), for imports."""
    _require_editor(actor)
    category_name = (category_name or "").strip() or _("General")
    category_slug = _clean_slug("", category_name) if slugify(category_name) else "general"
    category = Category.objects.filter(slug=category_slug).first() or create_category(
        actor=actor, name=category_name, slug=category_slug, names=category_names
    )
    section_name = (section_name or "").strip() or category_name
    section_slug = _clean_slug("", f"{category_slug}-{section_name}")
    section = Section.objects.filter(slug=section_slug).first()
    return section or create_section(
        actor=actor, category=category, name=section_name, slug=section_slug, names=section_names
    )


# -- articles and translations -------------------------------------------------------------------


def create_article(
    *,
    actor: Actor,
    section: Section,
    language: str,
    title: str,
    body: str = "",
    key: str = "",
    visibility: str = Visibility.PUBLIC,
    is_faq: bool = False,
) -> ArticleTranslation:
    """A new article with its first translation (a draft, version 1)."""
    _require_editor(actor)
    language = clean_language(language)
    title, body = _clean_text(title, body)
    if visibility not in Visibility.values:
        raise InvalidInputError(_("Choose public or agents only."), code="invalid_visibility")
    explicit = bool((key or "").strip())
    key = _clean_slug(key, title)[:120]
    if Article.objects.filter(key=key).exists():
        key = "" if explicit else _free_key(key)
        if not key:
            raise ConflictError(_("An article with this key exists already."), code="key_taken")
    with transaction.atomic():
        article = Article.objects.create(
            key=key, section=section, visibility=visibility, is_faq=is_faq, created_by=actor.agent
        )
        return _new_translation(actor, article, language, title, body)


def _free_key(key: str) -> str:
    for n in range(2, 100):
        candidate = f"{key[:110]}-{n}"
        if not Article.objects.filter(key=candidate).exists():
            return candidate
    return ""


def _new_translation(actor: Actor, article: Article, language: str, title: str, body: str) -> ArticleTranslation:
    translation = ArticleTranslation.objects.create(article=article, language=language, title=title, body=body)
    _add_version(actor, translation, note="")
    return translation


def _add_version(actor: Actor, translation: ArticleTranslation, note: str) -> ArticleVersion:
    translation.version += 1
    translation.save(update_fields=["version", "updated_at"])
    return ArticleVersion.objects.create(
        translation=translation,
        number=translation.version,
        title=translation.title,
        body=translation.body,
        note=(note or "")[:250],
        author=actor.agent,
    )


def add_translation(*, actor: Actor, article: Article, language: str, title: str, body: str = "") -> ArticleTranslation:
    _require_editor(actor)
    language = clean_language(language)
    title, body = _clean_text(title, body)
    if article.translations.filter(language=language).exists():
        raise ConflictError(_("This article has a translation in this language already."), code="translation_exists")
    with transaction.atomic():
        return _new_translation(actor, article, language, title, body)


def save_draft(
    *,
    actor: Actor,
    translation: ArticleTranslation,
    title: str,
    body: str,
    note: str = "",
    base_version: int | None = None,
) -> ArticleTranslation:
    """Save the working copy as a new version (nothing is saved when nothing changed). With
    `base_version`, refuse to overwrite a version someone else saved meanwhile."""
    _require_editor(actor)
    title, body = _clean_text(title, body)
    with transaction.atomic():
        translation = ArticleTranslation.objects.select_for_update().get(pk=translation.pk)
        if base_version is not None and base_version != translation.version:
            raise ConflictError(
                _("Someone saved a newer version meanwhile; reload the article to see it."), code="stale_version"
            )
        if title == translation.title and body == translation.body:
            return translation
        translation.title, translation.body = title, body
        translation.save(update_fields=["title", "body", "updated_at"])
        _add_version(actor, translation, note)
    return translation


def publish(*, actor: Actor, translation: ArticleTranslation) -> ArticleTranslation:
    """Publish the latest version of a translation and (re)compute its embedding in the background."""
    _require_editor(actor)
    with transaction.atomic():
        translation = ArticleTranslation.objects.select_for_update().get(pk=translation.pk)
        translation.is_published = True
        translation.published_version = translation.version
        translation.published_title = translation.title
        translation.published_body = translation.body
        translation.published_html = render_markdown(translation.body)
        translation.published_text = markdown_text(translation.body)
        translation.published_at = timezone.now()
        translation.save()
        _schedule_embedding(translation.pk)
    return translation


def unpublish(*, actor: Actor, translation: ArticleTranslation) -> ArticleTranslation:
    _require_editor(actor)
    with transaction.atomic():
        translation = ArticleTranslation.objects.select_for_update().get(pk=translation.pk)
        translation.is_published = False
        translation.save(update_fields=["is_published", "updated_at"])
    return translation


def restore_version(*, actor: Actor, translation: ArticleTranslation, number: int) -> ArticleTranslation:
    version = translation.versions.filter(number=number).first()
    if version is None:
        raise NotFoundError(_("No such version."))
    return save_draft(
        actor=actor,
        translation=translation,
        title=version.title,
        body=version.body,
        note=_("Restored version %(number)d") % {"number": number},
    )


def update_article(
    *,
    actor: Actor,
    article: Article,
    section: Section | None = None,
    visibility: str | None = None,
    is_faq: bool | None = None,
) -> Article:
    _require_editor(actor)
    if visibility is not None and visibility not in Visibility.values:
        raise InvalidInputError(_("Choose public or agents only."), code="invalid_visibility")
    if section is not None:
        article.section = section
    if visibility is not None:
        article.visibility = visibility
    if is_faq is not None:
        article.is_faq = is_faq
    article.save()
    return article


def _schedule_embedding(translation_id: int) -> None:
    from helpline.knowledge.tasks import embed_translation_task

    transaction.on_commit(lambda: embed_translation_task.enqueue(translation_id))


# -- files and feedback --------------------------------------------------------------------------


def add_files(*, actor: Actor, article: Article, files: Sequence[IncomingFile]) -> list[ArticleFile]:
    from django.core.files.base import ContentFile

    _require_editor(actor)
    stored = []
    for incoming in files:
        checked = check_file(incoming)
        item = ArticleFile(
            article=article,
            filename=checked.filename,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        item.file.save(checked.filename, ContentFile(checked.content), save=False)
        item.save()
        stored.append(item)
    return stored


def record_feedback(*, translation: ArticleTranslation, helpful: bool, previous: bool | None = None) -> None:
    """A "was this helpful?" answer, counted per article and language. `previous` is the reader's
    earlier answer on this translation, if any: the same answer again counts nothing, the other
    one moves the reader's vote."""
    if previous is helpful:
        return
    field = "helpful_yes" if helpful else "helpful_no"
    changes: dict[str, Any] = {field: F(field) + 1}
    if previous is not None:
        other = "helpful_no" if helpful else "helpful_yes"
        changes[other] = Greatest(F(other) - 1, 0)
    ArticleTranslation.objects.filter(pk=translation.pk).update(**changes)


def record_view(*, translation: ArticleTranslation) -> None:
    ArticleTranslation.objects.filter(pk=translation.pk).update(views=F("views") + 1)


def record_deflection(*, translation: ArticleTranslation) -> None:
    """A customer read a suggested article and left the request form without sending it."""
    ArticleTranslation.objects.filter(pk=translation.pk).update(deflections=F("deflections") + 1)
