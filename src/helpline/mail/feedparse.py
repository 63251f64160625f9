"""The standard library's feed parser, made faster without changing what it returns.

`email.feedparser` reads a message line by line: every line of every part goes through its
line buffer, is checked against the boundary of each enclosing multipart, and is appended to a
list that is joined at the end of the part. For a 35 KB mail most of those lines are base64 or
long text bodies whose content the parser never looks at. Three things here:

- `parse_bytes`: the parser is run on a *skeleton* of the message, in which each long leaf body
  (a part that is neither multipart nor message/*) is replaced by a one-line placeholder; the real
  bodies are then put in place. The skeleton is cut where the parser itself would cut (the same
  header grammar, boundary lines and line breaks as `email.feedparser`), and the parsed skeleton
  is checked: every multipart has the boundary it was cut with and every placeholder is, whole and
  once, the payload of a leaf part. Anything unusual (a missing separator line, repeated or missing
  boundaries, nested boundaries clashing, digests, forwarded messages' insides, envelope lines)
  and any failed check fall back to parsing the whole text, so the message tree is always the one
  the standard parser builds.
- `email.feedparser.NLCRE_eol` (a line break at the end of a string) searched from the last two
  characters instead of from every position.
- the boundary pattern the parser compiles for every multipart (a regular expression compile per
  message, as boundaries are unique) replaced by a matcher with the same matches.
"""

from __future__ import annotations

import re
import secrets
from email import feedparser
from email._policybase import Policy
from email.message import Message
from email.parser import BytesParser, Parser
from typing import Any

# Bodies shorter than this are left in the skeleton: cutting them saves less than it costs.
MIN_CUT_CHARS = 1024
_MAX_DEPTH = 20
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_HEADER_LINE = feedparser.headerRE  # type: ignore[attr-defined]
_BOUNDARY_TAIL = re.compile(r"(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$")


class _TrailingLineBreak:
    """`email.feedparser.NLCRE_eol`, the pattern `(\r\n|\r|\n)\\Z`, with the same matches. The feed
    parser searches it on every part's whole payload, where the regular expression engine tries each
    position in turn (about 0.4 ms for a 40 KB part); a line break at the end is within its last two
    characters, so the search starts there."""

    pattern = re.compile(r"(\r\n|\r|\n)\Z")

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text, max(len(text) - 2, 0))


class _BoundaryMatcher:
    """The parser's `(?P<sep>--boundary)(?P<end>--)?(?P<ws>[ \\t]*)(?P<linesep>\\r\\n|\\r|\\n)?$`:
    the same matches and groups (but `sep`, which the parser never reads), without compiling."""

    __slots__ = ("separator",)

    def __init__(self, separator: str) -> None:
        self.separator = separator

    def match(self, line: str) -> re.Match[str] | None:
        if not line.startswith(self.separator):
            return None
        return _BOUNDARY_TAIL.match(line, len(self.separator))


_SEPARATOR_HEAD = "(?P<sep>"
_SEPARATOR_TAIL = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


class _FeedparserRe:
    """Stands in for the `re` module inside `email.feedparser`, whose only call at parse time is
    compiling a multipart's boundary pattern (`re.escape` then `re.compile`)."""

    escape = staticmethod(re.escape)

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    def compile(self, pattern: str, flags: int = 0) -> Any:
        if flags == 0 and pattern.startswith(_SEPARATOR_HEAD) and pattern.endswith(_SEPARATOR_TAIL):
            escaped = pattern[len(_SEPARATOR_HEAD) : -len(_SEPARATOR_TAIL)]
            separator = _ESCAPED.sub(r"\1", escaped)
            if re.escape(separator) == escaped:
                return _BoundaryMatcher(separator)
        return re.compile(pattern, flags)


setattr(feedparser, "NLCRE_eol", _TrailingLineBreak())  # noqa: B010 (not in the typeshed stubs)
setattr(feedparser, "re", _FeedparserRe())  # noqa: B010


class _Unusual(Exception):
    """The message has something the skeleton does not reproduce: parse it whole."""


def _line_end(text: str, start: int, end: int) -> int:
    """The end of the line starting at `start` (after its line break), at most `end`."""
    found = _LINE_BREAK.search(text, start, end)
    return found.end() if found else end


def _content_type(lines: list[str]) -> Message:
    """A message holding only the first Content-Type of a part's header lines, as the parser reads
    it (name and value split at the first colon, continuation lines joined), for the standard
    library's own reading of its type and boundary."""
    shell = Message()
    for index, line in enumerate(lines):
        if line[:13].lower() == "content-type:":
            value = line[13:].lstrip(" \t")
            for more in lines[index + 1 :]:
                if more[:1] not in (" ", "\t"):
                    break
                value += more
            shell["Content-Type"] = value.rstrip("\r\n")
            break
    return shell


class _Cutter:
    def __init__(self, text: str) -> None:
        self.text = text
        self.nonce = secrets.token_hex(8)
        self.pieces: list[str] = []  # the skeleton, in order
        self.bodies: list[str] = []
        self.boundaries: list[str] = []  # each multipart's, in the order the parser meets them
        self.done = 0  # text[:done] is in pieces

    def placeholder(self, index: int) -> str:
        return f"\x00helpline-part-{self.nonce}-{index}\x00"

    def cut(self, start: int, end: int) -> None:
        self.pieces.append(self.text[self.done : start])
        self.pieces.append(self.placeholder(len(self.bodies)))
        self.bodies.append(self.text[start:end])
        self.done = end

    def boundary_line(self, start: int, end: int, separators: list[str]) -> tuple[int, int, bool] | None:
        """The first line in [start, end) that is a boundary line of one of `separators` (innermost
        first): (its start, which separator, whether it closes). None when there is none."""
        text = self.text
        best: tuple[int, int, bool] | None = None
        for which, separator in enumerate(separators):
            at = text.find(separator, start, end)
            while at != -1 and (best is None or at < best[0]):
                if at == 0 or text[at - 1] in "\r\n":
                    line_end = _line_end(text, at, end)
                    found = _BOUNDARY_TAIL.match(text[at:line_end], len(separator))
                    if found:
                        best = (at, which, bool(found.group("end")))
                        break
                at = text.find(separator, at + 1, end)
        if best is not None:  # a line that is the boundary of two multiparts: the parser's order is subtle
            at = best[0]
            line = text[at : _line_end(text, at, end)]
            for which, separator in enumerate(separators):
                if which != best[1] and line.startswith(separator) and _BOUNDARY_TAIL.match(line, len(separator)):
                    raise _Unusual
        return best

    def entity(self, start: int, end: int, separators: list[str], depth: int) -> None:
        """One message or part in text[start:end] (its boundary line, if any, excluded)."""
        if depth > _MAX_DEPTH:
            raise _Unusual
        text = self.text
        position = start
        lines: list[str] = []
        while True:  # the header block, up to and including its empty line
            if position >= end:
                return  # headers only: nothing to cut
            line_end = _line_end(text, position, end)
            line = text[position:line_end]
            if line in ("\n", "\r\n", "\r"):
                body = line_end
                break
            if not _HEADER_LINE.match(line) or line.startswith("From ") or (line[0] in " \t" and not lines):
                raise _Unusual
            lines.append(line)
            position = line_end
        shell = _content_type(lines)
        maintype = shell.get_content_maintype()
        if maintype == "message" or shell.get_content_type() == "multipart/digest":
            return  # left whole (the parser reads these as nested messages)
        if maintype == "multipart":
            self.multipart(shell, body, end, separators, depth)
        elif end - body >= MIN_CUT_CHARS:
            self.cut(body, end)

    def multipart(self, shell: Message, body: int, end: int, separators: list[str], depth: int) -> None:
        boundary = shell.get_boundary()
        if boundary is None:
            raise _Unusual
        text = self.text
        separators = ["--" + boundary, *separators]
        self.boundaries.append(boundary)
        found = self.boundary_line(body, end, separators)
        if found is None or found[1] != 0 or found[2]:
            raise _Unusual  # no first boundary, an outer one first, or closed at once
        at = found[0]
        while True:
            part_start = _line_end(text, at, end)
            following = self.boundary_line(part_start, end, separators)
            if following is None or following[1] != 0:
                raise _Unusual  # not closed, or closed by an outer boundary
            next_at, _which, closes = following
            if next_at == part_start:
                raise _Unusual  # two boundary lines in a row
            # The line break before a boundary line belongs to the boundary.
            part_end = next_at - (2 if text.startswith("\r\n", next_at - 2) else 1)
            self.entity(part_start, part_end, separators, depth + 1)
            if closes:
                return
            at = next_at


def _leaves(message: Message) -> tuple[list[Message], list[str]]:
    leaves: list[Message] = []
    boundaries: list[str] = []
    stack = [message]
    while stack:
        part = stack.pop()
        if part.is_multipart():
            boundary = part.get_boundary()
            if part.get_content_maintype() == "multipart" and boundary is not None:
                boundaries.append(boundary)
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend(child for child in reversed(children) if isinstance(child, Message))
        else:
            leaves.append(part)
    return leaves, boundaries


def parse_bytes(raw: bytes, policy: Policy) -> Message:
    """`BytesParser(policy=policy).parsebytes(raw)`, the same tree, faster for long bodies."""
    text = raw.decode("ascii", "surrogateescape")
    cutter = _Cutter(text)
    try:
        cutter.entity(0, len(text), [], 0)
    except _Unusual:
        cutter.bodies = []
    if not cutter.bodies:
        return BytesParser(policy=policy).parsebytes(raw)
    cutter.pieces.append(text[cutter.done :])
    message = Parser(policy=policy).parsestr("".join(cutter.pieces))
    leaves, boundaries = _leaves(message)
    placed = 0
    for leaf in leaves:
        payload = leaf._payload  # type: ignore[attr-defined]
        if isinstance(payload, str) and payload.startswith("\x00helpline-part-"):
            if placed >= len(cutter.bodies) or payload != cutter.placeholder(placed):
                break
            if leaf.get_content_maintype() in ("multipart", "message"):
                break
            leaf.set_payload(cutter.bodies[placed])
            placed += 1
    else:
        if placed == len(cutter.bodies) and _subsequence(cutter.boundaries, boundaries):
            return message
    return BytesParser(policy=policy).parsebytes(raw)


def _subsequence(wanted: list[str], found: list[str]) -> bool:
    """Each multipart the skeleton was cut in, in order, among the parsed tree's multiparts."""
    remaining = iter(found)
    return all(any(boundary == other for other in remaining) for boundary in wanted)
