from typing import Any

from django import template

register = template.Library()


@register.filter
def name_in(item: Any, language: str) -> str:
    """A category's or section's name in `language`, else its default name."""
    return str(item.name_in(language))


@register.filter
def title_in(article: Any, language: str) -> str:
    """An article's title in `language`, else in English, else in its first translation (uses the
    prefetched translations)."""
    translations = list(article.translations.all())
    for wanted in (language, "en"):
        for translation in translations:
            if translation.language == wanted:
                return str(translation.title)
    return str(translations[0].title) if translations else str(article.key)
