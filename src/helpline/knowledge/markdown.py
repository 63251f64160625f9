"""Markdown to sanitised HTML (markdown-it-py, CommonMark with tables; raw HTML escaped) and to text."""

from __future__ import annotations

import functools

from markdown_it import MarkdownIt

from helpline.core.html import html_to_text, sanitize_html


@functools.lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")


def render_markdown(source: str) -> str:
    return sanitize_html(_parser().render(source or ""))


def markdown_text(source: str) -> str:
    return html_to_text(render_markdown(source))
