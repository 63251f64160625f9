"""Matching a parsed query against a few texts in Python, with the same rules the database
backends apply: words match as prefixes, single words also by their stem prefix.

Used where the set of candidates is small and must exclude text the database index holds, e.g.
a customer searching their own tickets (internal notes are in the index but not theirs to see).
"""

from __future__ import annotations

from collections.abc import Sequence

from helpline.search.query import ParsedQuery, Term
from helpline.search.text import stem_prefixes, words


class Document:
    def __init__(self, title: str, body: str) -> None:
        self.title = words(title)
        self.body = words(body)

    def add(self, text: str) -> None:
        self.body.extend(words(text))


def _has_prefix(tokens: Sequence[str], prefixes: Sequence[str]) -> int:
    # A single character matches itself only, as in the database backends.
    return sum(1 for token in tokens if any(token.startswith(p) if len(p) > 1 else token == p for p in prefixes))


def _phrase_at(tokens: Sequence[str], phrase: Sequence[str]) -> int:
    n = len(phrase)
    return sum(1 for i in range(len(tokens) - n + 1) if list(tokens[i : i + n]) == list(phrase))


def _term_score(term: Term, tokens: Sequence[str], *, strict: bool) -> int:
    if term.phrase:
        return _phrase_at(tokens, term.words)
    if term.single_word:
        prefixes = [term.single_word] if strict else [term.single_word, *stem_prefixes(term.single_word)]
        return _has_prefix(tokens, prefixes)
    counts = [_has_prefix(tokens, [w]) for w in term.words]
    return min(counts) if counts else 0


def score(parsed: ParsedQuery, document: Document) -> float:
    """0 when the document does not match; otherwise higher is more relevant."""
    if parsed.is_empty:
        return 0
    for term in parsed.excluded:
        if _term_score(term, document.title, strict=True) or _term_score(term, document.body, strict=True):
            return 0
    total = 0.0
    for group in parsed.groups:
        best = 0.0
        for term in group:
            loose = 10 * _term_score(term, document.title, strict=False) + _term_score(
                term, document.body, strict=False
            )
            exact = 10 * _term_score(term, document.title, strict=True) + _term_score(term, document.body, strict=True)
            best = max(best, loose + 2 * exact)
        if not best:
            return 0
        total += best
    return total
