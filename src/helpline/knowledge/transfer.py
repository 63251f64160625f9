"""Import and export of the knowledge base: a folder of Markdown files with YAML front matter, or
one CSV file (columns title, body, language, category, key; optional section, visibility, faq,
published). Importing is idempotent: a translation is matched by (key, language), unchanged text
makes no new version, and publishing is only redone when the text changed."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.utils.text import slugify
from django.utils.translation import gettext as _

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.knowledge import actions
from helpline.knowledge.models import Article, ArticleTranslation, Visibility

CSV_COLUMNS = ["key", "language", "title", "body", "category", "section", "visibility", "faq", "published"]
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?(.*)\Z", re.DOTALL)


@dataclass
class Record:
    key: str
    language: str
    title: str
    body: str
    category: str = ""
    section: str = ""
    visibility: str | None = None  # None: leave the article's setting (public for a new one)
    faq: bool | None = None
    published: bool = True
    origin: str = ""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[str] | None = None


def _truthy(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on", "y"}


def _record(data: dict[str, Any], body: str, origin: str) -> Record:
    title = str(data.get("title") or "").strip()
    key = str(data.get("key") or data.get("translation_key") or data.get("translation key") or "").strip()
    return Record(
        key=key or slugify(title)[:120],
        language=str(data.get("language") or "en").strip(),
        title=title,
        body=body,
        category=str(data.get("category") or "").strip(),
        section=str(data.get("section") or "").strip(),
        visibility=str(data.get("visibility")).strip() if data.get("visibility") else None,
        faq=None if data.get("faq") in (None, "") else _truthy(data.get("faq"), False),
        published=_truthy(data.get("published"), True),
        origin=origin,
    )


def read_markdown_file(path: Path) -> Record:
    text = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(text)
    if not match:
        raise InvalidInputError(_("%(file)s has no front matter.") % {"file": path.name}, code="no_front_matter")
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise InvalidInputError(_("%(file)s has broken front matter.") % {"file": path.name}) from exc
    if not isinstance(data, dict):
        raise InvalidInputError(_("%(file)s has broken front matter.") % {"file": path.name})
    return _record(data, match.group(2).strip("\n") + "\n" if match.group(2).strip() else "", str(path))


def read_records(path: Path) -> list[Record]:
    if path.is_dir():
        return [read_markdown_file(p) for p in sorted(path.rglob("*.md"))]
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return [
                _record(row, row.get("body") or "", f"{path}:{n}") for n, row in enumerate(csv.DictReader(handle), 2)
            ]
    if path.suffix.lower() == ".md":
        return [read_markdown_file(path)]
    raise InvalidInputError(_("Give a folder of Markdown files or a CSV file."), code="unknown_format")


def import_record(*, actor: Actor, record: Record) -> str:
    """Create or update one translation; returns "created", "updated" or "unchanged"."""
    if not record.key:
        raise InvalidInputError(_("A key or a title is required."), code="key_required")
    article = Article.objects.filter(key=record.key).first()
    outcome = "unchanged"
    if article is None:
        section = actions.ensure_section(actor=actor, category_name=record.category, section_name=record.section)
        translation = actions.create_article(
            actor=actor,
            section=section,
            language=record.language,
            title=record.title,
            body=record.body,
            key=record.key,
            visibility=record.visibility or Visibility.PUBLIC,
            is_faq=bool(record.faq),
        )
        outcome = "created"
    else:
        visibility = record.visibility if record.visibility not in (None, article.visibility) else None
        is_faq = record.faq if record.faq not in (None, article.is_faq) else None
        if visibility is not None or is_faq is not None:
            actions.update_article(actor=actor, article=article, visibility=visibility, is_faq=is_faq)
            outcome = "updated"
        language = actions.clean_language(record.language)
        existing = ArticleTranslation.objects.filter(article=article, language=language).first()
        if existing is None:
            translation = actions.add_translation(
                actor=actor, article=article, language=language, title=record.title, body=record.body
            )
            outcome = "created"
        else:
            before = existing.version
            translation = actions.save_draft(
                actor=actor, translation=existing, title=record.title, body=record.body, note=_("Imported")
            )
            if translation.version != before:
                outcome = "updated"
    if record.published and (not translation.is_published or translation.published_version != translation.version):
        actions.publish(actor=actor, translation=translation)
        outcome = "updated" if outcome == "unchanged" else outcome
    elif not record.published and translation.is_published:
        actions.unpublish(actor=actor, translation=translation)
        outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


def import_records(*, actor: Actor, records: Iterable[Record]) -> Iterator[tuple[Record, str]]:
    """Import each record; yields (record, outcome) where outcome may be an error message."""
    from django.db import transaction

    for record in records:
        try:
            with transaction.atomic():
                yield record, import_record(actor=actor, record=record)
        except InvalidInputError as exc:
            yield record, "error: " + exc.message
        except Exception as exc:  # a broken row must not stop the rest
            yield record, f"error: {exc}"


def export_rows() -> Iterator[Record]:
    translations = ArticleTranslation.objects.select_related(
        "article", "article__section", "article__section__category"
    )
    for t in translations.order_by("article__key", "language"):
        yield Record(
            key=t.article.key,
            language=t.language,
            title=t.title,
            body=t.body,
            category=t.article.section.category.name,
            section=t.article.section.name,
            visibility=t.article.visibility,
            faq=t.article.is_faq,
            published=t.is_published and t.published_version == t.version,
        )


def write_markdown(record: Record, folder: Path) -> Path:
    front = {
        "key": record.key,
        "language": record.language,
        "title": record.title,
        "category": record.category,
        "section": record.section,
        "visibility": record.visibility,
        "faq": record.faq,
        "published": record.published,
    }
    path = folder / f"{record.key}.{record.language}.md"
    path.write_text(
        "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + record.body, encoding="utf-8"
    )
    return path


def write_csv(records: Iterable[Record], path: Path) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for r in records:
            writer.writerow(
                {
                    "key": r.key,
                    "language": r.language,
                    "title": r.title,
                    "body": r.body,
                    "category": r.category,
                    "section": r.section,
                    "visibility": r.visibility or Visibility.PUBLIC,
                    "faq": "yes" if r.faq else "no",
                    "published": "yes" if r.published else "no",
                }
            )
            count += 1
    return count
