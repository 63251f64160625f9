"""Remote images stay blocked whatever the markup looks like: after blocking and sanitising, no
<img> a browser would build from the result loads anything from another host."""

from __future__ import annotations

import time
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpline.core.html import sanitize_html
from helpline.mail.content import block_remote_images, is_remote


class ImageSources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources += [value or "" for name, value in attrs if name == "src"][:1]


def loaded_sources(markup: str) -> list[str]:
    """What the agent's browser would fetch for the message as the ticket page shows it."""
    parser = ImageSources()
    parser.feed(sanitize_html(block_remote_images(markup)[0]))
    parser.close()
    return parser.sources


TRICKS = [
    '<img src="https://tracker.example/p.gif">',
    "<img src=https://tracker.example/p.gif>",  # unquoted
    "<IMG SRC='HTTPS://tracker.example/p.gif'>",
    '<img src="&#104;ttps://tracker.example/p.gif">',  # an entity in the scheme
    '<img src="ht&Tab;tps://tracker.example/p.gif">',  # a tab browsers drop
    '<img src="  //tracker.example/p.gif">',  # protocol-relative, blanks around
    '<img src="\\\\tracker.example/p.gif">',  # backslashes read as slashes
    '<img data-src="cid:logo" src="https://tracker.example/p.gif">',  # a decoy attribute first
    '<img alt="a>b" src="https://tracker.example/p.gif">',  # ">" inside a quoted value
    '<img alt=\'src="cid:x"\' src="https://tracker.example/p.gif">',  # "src=" inside another value
    '<img/src="https://tracker.example/p.gif"/>',
    '<img\nsrc\n=\n"https://tracker.example/p.gif"\n>',
    '<img alt=a"b src="https://tracker.example/p.gif">',
]


@pytest.mark.parametrize("markup", TRICKS)
def test_every_way_of_writing_a_remote_image_is_blocked(markup: str) -> None:
    blocked, count = block_remote_images(f"<p>Hello</p>{markup}<p>Bye</p>")
    assert count == 1
    assert loaded_sources(markup) == []
    assert "tracker.example/p.gif" in sanitize_html(blocked)  # the agent can still open it as a link


def test_inline_and_data_images_are_kept() -> None:
    markup = '<p><img src="cid:logo@x" alt="Logo"> and <img src="/attachments/abc/"></p>'
    assert block_remote_images(markup) == (markup, 0)
    assert loaded_sources(markup) == ["cid:logo@x", "/attachments/abc/"]


FRAGMENTS = st.sampled_from(
    [
        "<img",
        "<IMG",
        " ",
        "\n",
        "/",
        ">",
        "=",
        '"',
        "'",
        "src",
        "SRC",
        "data-src",
        "alt",
        "https://t.example/x",
        "//t.example/x",
        "&#104;ttps://t.example/x",
        "cid:x",
        "<p>",
        "text",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(FRAGMENTS, max_size=40).map("".join))
def test_no_markup_gets_a_remote_image_through(markup: str) -> None:
    assert not [src for src in loaded_sources(markup) if is_remote(src)]


def test_an_unclosed_tag_repeated_takes_linear_time() -> None:
    started = time.perf_counter()
    block_remote_images("<img src=x " * 20_000)
    assert time.perf_counter() - started < 2
