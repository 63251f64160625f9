"""`mail.feedparse`: the feed parser made faster, building exactly the tree the standard one builds.

The reference is a pristine copy of `email.feedparser` (loaded apart, without the speed-ups), fed
the same text as `BytesParser` feeds it."""

from __future__ import annotations

import importlib.util
import re
from email import policy
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpline.mail import feedparse

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.eml"))


def _pristine_feedparser() -> Any:
    spec = importlib.util.find_spec("email.feedparser")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PRISTINE = _pristine_feedparser()


def reference(raw: bytes) -> Message:
    parser = PRISTINE.BytesFeedParser(policy=policy.default)
    parser.feed(raw)
    message: Message = parser.close()
    return message


def tree(message: Message) -> list[Any]:
    """Everything the parser sets on a message and its parts."""
    found: list[Any] = [
        message._headers,  # type: ignore[attr-defined]
        message.get_unixfrom(),
        message.preamble,
        message.epilogue,
        [(type(d).__name__, str(d)) for d in message.defects],
        message.get_default_type(),
    ]
    payload = message._payload  # type: ignore[attr-defined]
    found.append([tree(part) for part in payload] if isinstance(payload, list) else payload)
    return found


def assert_same(raw: bytes) -> None:
    assert tree(feedparse.parse_bytes(raw, policy.default)) == tree(reference(raw))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_the_corpus_parses_to_the_standard_tree(path: Path) -> None:
    assert_same(path.read_bytes())


def _skeleton_was_used(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> bool:
    used = True

    class Whole(feedparse.BytesParser):
        def parsebytes(self, text: bytes, headersonly: bool = False) -> Message:
            nonlocal used
            used = False
            return super().parsebytes(text, headersonly)

    monkeypatch.setattr(feedparse, "BytesParser", Whole)
    feedparse.parse_bytes(raw, policy.default)
    return used


LONG = "Line of a long body, repeated to pass the cut length.\r\n" * 40


def _multipart(boundary: str, parts: list[str], eol: str = "\r\n", preamble: str = "", epilogue: str = "") -> str:
    head = f'Content-Type: multipart/mixed; boundary="{boundary}"{eol}{eol}{preamble}'
    body = "".join(f"--{boundary}{eol}{part}{eol}" for part in parts)
    return head + body + f"--{boundary}--{eol}{epilogue}"


def _leaf(text: str, eol: str = "\r\n", ctype: str = "text/plain") -> str:
    return f"Content-Type: {ctype}{eol}{eol}{text}"


def test_typical_mail_takes_the_skeleton_and_keeps_every_body(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = (
        "From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        + _multipart("b1", [_leaf(LONG), _leaf(LONG * 2, ctype="text/html")])
    ).encode()
    assert_same(raw)
    assert _skeleton_was_used(raw, monkeypatch)


@pytest.mark.parametrize(
    "text",
    [
        # a line that starts like the boundary but is not one, inside a long body
        _multipart("b1", [_leaf(LONG + "--b1x\r\n--b1 -- not\r\n" + LONG)]),
        # an outer boundary line inside a nested part: the parser ends the inner multipart there
        _multipart("outer", [_multipart("inner", [_leaf(LONG + "--outer\r\n" + LONG)])]),
        # no closing boundary, a repeated boundary line, the boundary of an empty multipart
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n' + _leaf(LONG),
        _multipart("b1", [_leaf(LONG)]).replace("--b1\r\n", "--b1\r\n--b1\r\n", 1),
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1--\r\n' + LONG,
        # a missing header/body separator, a header block only, a first line that continues
        _multipart("b1", ["Content-Type: text/plain\r\nnot a header line\r\n" + LONG]),
        _multipart("b1", ["Content-Type: text/plain"]),
        _multipart("b1", [" continued\r\n\r\n" + LONG]),
        # an envelope line in a part, a digest, a forwarded message, a delivery status
        _multipart("b1", ["From someone\r\nContent-Type: text/plain\r\n\r\n" + LONG]),
        'Content-Type: multipart/digest; boundary="d"\r\n\r\n--d\r\n\r\n' + LONG + "\r\n--d--\r\n",
        _multipart("b1", [_leaf(_multipart("b2", [_leaf(LONG)]), ctype="message/rfc822")]),
        _multipart("b1", [_leaf("Action: failed\r\n\r\nStatus: 5.0.0\r\n" + LONG, ctype="message/delivery-status")]),
        # boundaries that are prefixes of each other, or that need escaping in a pattern
        _multipart("a", [_multipart("a--", [_leaf(LONG)]), _leaf(LONG)]),
        _multipart("(.*)+?[x]", [_leaf(LONG), _leaf(LONG)]),
        # bare CR and LF line endings, mixed, no line break at the very end
        _multipart("b1", [_leaf(LONG.replace("\r\n", "\n"), eol="\n")], eol="\n"),
        _multipart("b1", [_leaf(LONG.replace("\r\n", "\r"), eol="\r")], eol="\r"),
        _multipart("b1", [_leaf(LONG)]).rstrip("\r\n"),
        _multipart("b1", [_leaf(LONG + "\r")]),
        # preamble and epilogue, whitespace after boundaries, a body that ends where the boundary starts
        _multipart("b1", [_leaf(LONG)], preamble="This is MIME.\r\n", epilogue="bye\r\n"),
        _multipart("b1", [_leaf(LONG)]).replace("--b1\r\n", "--b1  \t\r\n"),
        _multipart("b1", [_leaf("")]),
        # not multipart at all: the whole rest is the body
        "Subject: x\r\n\r\n" + LONG,
        "Subject: x\r\n" + LONG,
    ],
)
def test_unusual_shapes_parse_to_the_standard_tree(text: str) -> None:
    assert_same(text.encode("utf-8"))


_BOUNDARY = st.text(alphabet="ab-=_.:()+?'\"*[]\\ ", min_size=1, max_size=8).filter(lambda b: b.strip() == b)
_EOL = st.sampled_from(["\r\n", "\n", "\r"])
_LINE = st.text(alphabet="ab-=\r\n \t:", max_size=20)


@st.composite
def _mime(draw: st.DrawFn, depth: int = 0) -> str:
    eol = draw(_EOL)
    if depth < 3 and draw(st.booleans()):
        boundary = draw(_BOUNDARY)
        parts = draw(st.lists(_mime(depth + 1), min_size=0, max_size=3))
        text = _multipart(boundary.replace('"', ""), parts, eol, draw(_LINE), draw(_LINE))
        if draw(st.integers(0, 5)) == 0:  # damage it
            cut = draw(st.integers(0, len(text)))
            text = text[:cut] + draw(_LINE) + text[cut:]
        return text
    lines = draw(st.lists(_LINE, max_size=6))
    body = eol.join(lines) + (LONG if draw(st.booleans()) else "")
    return _leaf(body, eol, draw(st.sampled_from(["text/plain", "application/pdf", "message/rfc822"])))


@settings(max_examples=300, deadline=None)
@given(_mime())
def test_any_mime_structure_parses_to_the_standard_tree(text: str) -> None:
    assert_same(text.encode("utf-8", "surrogateescape"))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CORPUS), st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=12)), max_size=4))
def test_damaged_corpus_mail_parses_to_the_standard_tree(path: Path, edits: list[tuple[int, bytes]]) -> None:
    raw = path.read_bytes()
    for at, data in edits:
        at %= len(raw) + 1
        raw = raw[:at] + data + raw[at + len(data) // 2 :]
    assert_same(raw)


@given(_BOUNDARY, st.text(alphabet="ab-=_.:()+?'\"*[]\\ \t\r\n", max_size=16))
def test_the_boundary_matcher_matches_what_the_parsers_pattern_matches(boundary: str, line: str) -> None:
    separator = "--" + boundary
    pattern = "(?P<sep>" + re.escape(separator) + r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
    expected = re.compile(pattern).match(separator + line)
    matcher = feedparse._FeedparserRe().compile(pattern)
    assert isinstance(matcher, feedparse._BoundaryMatcher)
    found = matcher.match(separator + line)
    assert bool(found) == bool(expected)
    if found and expected:
        assert [found.group(g) for g in ("end", "ws", "linesep")] == [
            expected.group(g) for g in ("end", "ws", "linesep")
        ]
        assert found.end() == expected.end()


@given(st.text(alphabet="ab\r\n", max_size=12))
def test_the_trailing_line_break_search_matches_the_feed_parsers_pattern(text: str) -> None:
    """The feed parser's end-of-payload pattern, searched from the end, finds what the pattern finds."""
    expected = re.compile(r"(\r\n|\r|\n)\Z").search(text)
    found = feedparse._TrailingLineBreak().search(text)
    assert (found and (found.span(), found.group(0))) == (expected and (expected.span(), expected.group(0)))
