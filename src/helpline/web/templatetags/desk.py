"""Small presentation helpers for the agent workspace: badges, icons, relative times, initials."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_info

from helpline.core.html import sanitize_html
from helpline.customers.models import Channel
from helpline.tickets.models import Priority, Status
from helpline.web import icons

register = template.Library()


@register.simple_tag
def icon(name: str, label: str = "") -> SafeString:
    return mark_safe(icons.svg(name, escape(label)))  # noqa: S308 - fixed markup, escaped label


def _label(choices: type[TextChoices], value: str) -> str:
    """The choice's translated label; an unknown value (from older data) as it is."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@register.simple_tag
def status_badge(status: str) -> SafeString:
    return format_html('<span class="badge status status-{}">{}</span>', status, _label(Status, status))


@register.simple_tag
def priority_label(priority: str) -> SafeString:
    label = _label(Priority, priority)
    if priority == Priority.NORMAL:
        return format_html('<span class="prio prio-normal">{}</span>', label)
    return format_html('<span class="prio prio-{}">{}</span>', priority, label)


@register.simple_tag
def channel_label(channel: str, show_text: bool = True) -> SafeString:
    label = _label(Channel, channel) or "?"
    svg = mark_safe(icons.svg(icons.CHANNEL_ICONS.get(channel, "chat"), "" if show_text else escape(label)))  # noqa: S308
    if show_text:
        return format_html('<span class="channel" title="{}">{}<span>{}</span></span>', label, svg, label)
    return format_html('<span class="channel" title="{}">{}</span>', label, svg)


@register.simple_tag
def reltime(value: dt.datetime | None) -> SafeString:
    """A <time> element showing “5 minutes ago”, with the exact local time on hover."""
    if value is None:
        return mark_safe("")
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        local.strftime("%Y-%m-%d %H:%M"),
        naturaltime(value),
    )


@register.filter
def initials(value: Any) -> str:
    words = [w for w in str(value or "").replace("@", " ").replace(".", " ").split() if w]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2]
    return words[0][0] + words[1][0]


@register.filter
def clean_html(value: str) -> SafeString:
    """Message HTML is sanitised when stored; sanitise again on the way out (imports, old rows)."""
    return mark_safe(sanitize_html(value or ""))  # noqa: S308 - sanitised by nh3


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def native_language(code: str) -> str:
    """A language code shown by its own name (ქართული, አማርኛ…), or the code if unknown."""
    if not code:
        return ""
    try:
        return str(get_language_info(code)["name_local"])
    except KeyError:
        return code
