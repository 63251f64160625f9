from typing import Any

from django import template

register = template.Library()


@register.filter
def name_in(item: Any, language: str) -> str:
    """A category's or section's name in `language`, else its default name."""
    return str(item.name_in(language))
