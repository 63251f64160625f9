"""Reading what the user typed: a small web-search syntax that never fails.

    payment ნინო          both words (each as a prefix, or by its stem prefix)
    "late delivery"        the words next to each other
    refund OR chargeback   either
    -spam                  not this word
    #1042 / 1042           also the ticket with this number
    +995 555 12 34 56      a phone number, digits only

Anything else (unbalanced quotes, parentheses, stray operators, FTS or tsquery syntax) is taken
as plain words; characters that are not part of any word are dropped by the backends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from helpline.search.text import normalize, phone_digits, words

MAX_TERMS = 8
MAX_TERM_CHARS = 64
MAX_QUERY_CHARS = 500
_TOKEN_RE = re.compile(r'"([^"]*)"?|(\S+)')
_NUMBER_RE = re.compile(r"^#?(\d{1,18})$")
_CONNECTORS = {"AND", "&&", "&", "+"}
_OR = {"OR", "||", "|"}
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Term:
    """One thing to look for: a word (possibly with inner punctuation, like an e-mail address)
    or a quoted phrase. `text` is lower-cased; `words` are its words as the tokenizer sees them."""

    text: str
    words: tuple[str, ...]
    phrase: bool = False

    @property
    def single_word(self) -> str | None:
        return self.words[0] if len(self.words) == 1 and not self.phrase else None


@dataclass
class ParsedQuery:
    groups: list[list[Term]] = field(default_factory=list)  # all groups must match; any term of a group
    excluded: list[Term] = field(default_factory=list)
    number: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def terms(self) -> list[Term]:
        found: list[Term] = []
        for group in self.groups:
            found.extend(group)
        return [*found, *self.excluded]


def _term(raw: str, *, phrase: bool) -> Term | None:
    text = normalize(raw.strip())[:MAX_TERM_CHARS]
    found = tuple(words(text))
    if not found:
        return None
    return Term(text=text, words=found, phrase=phrase and len(found) > 1)


def parse_query(query: str) -> ParsedQuery:
    query = _CONTROL_RE.sub(" ", (query or "")[:MAX_QUERY_CHARS]).strip()
    parsed = ParsedQuery()
    if not query:
        return parsed
    number = _NUMBER_RE.match(query)
    if number:
        parsed.number = int(number.group(1))
    digits = phone_digits(query)
    if digits and not query.lstrip("#").isdigit():
        # "+995 555 12 34 56": one number, not six words.
        parsed.groups.append([Term(text=digits, words=(digits,))])
        return parsed
    pending_or = False
    count = 0
    for match in _TOKEN_RE.finditer(query):
        quoted, bare = match.group(1), match.group(2)
        if quoted is None and bare is not None:
            if bare.upper() in _OR:
                pending_or = bool(parsed.groups)
                continue
            if bare.upper() in _CONNECTORS:
                continue
        negative = quoted is None and bare is not None and bare.startswith("-") and len(bare) > 1
        raw = quoted if quoted is not None else bare[1:] if negative else bare
        term = _term(raw or "", phrase=quoted is not None)
        if term is None:
            continue
        count += 1
        if count > MAX_TERMS:
            break
        if negative:
            parsed.excluded.append(term)
        elif pending_or and parsed.groups:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        pending_or = False
    return parsed
