"""mail.spam.marked_spam finds a verdict header in the header block only, whatever the line endings."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from helpline.mail.spam import marked_spam

_VERDICT = re.compile(
    rb"^(x-spam-flag:[ \t]*yes|x-spam-status:[ \t]*yes|x-spam:[ \t]*yes)\b", re.IGNORECASE | re.MULTILINE
)


def _reference(raw: bytes) -> str:
    end = min((i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0), default=len(raw))
    found = _VERDICT.search(raw, 0, end)
    return found.group(0).decode("latin-1") if found else ""


_PIECES = st.sampled_from(
    [b"\r\n", b"\n", b"\r", b"X-Spam-Flag: YES", b"x-spam: yes", b"X-Spam-Status: Yes, score=9", b"X-Spam: no", b"a"]
)


@given(st.lists(_PIECES, max_size=12))
def test_the_verdict_is_the_one_the_header_pattern_finds(pieces: list[bytes]) -> None:
    raw = b"".join(pieces)
    assert marked_spam(raw) == _reference(raw)


def test_verdicts_in_headers_count_and_in_bodies_do_not() -> None:
    assert marked_spam(b"From: a@b.c\r\nX-Spam-Flag: YES\r\n\r\nbody") == "X-Spam-Flag: YES"
    assert marked_spam(b"From: a@b.c\n\nX-Spam-Flag: YES\n") == ""
    assert marked_spam(b"From: a@b.c\r\nSubject: hi\r\n\r\nX-Spam: yes") == ""
