# ruff: noqa: S608 -- SQL text here interpolates only module constants; user input is always a parameter.
"""SQLite: FTS5 with the `unicode61` tokenizer (combining marks kept inside words), each word as
a prefix query ("word"*) or by its stem prefix, ranked by bm25 with title words ten times body
words, and matches of the words as typed before stem matches.

User input never reaches FTS5 syntax: every term becomes a double-quoted string of words found
by `helpline.search.text.words`, so quotes, operators (AND, OR, NOT, NEAR), parentheses, column
filters and stars are plain text.
"""

from __future__ import annotations

from django.db import connection

from helpline.search.backends import CompiledQuery, Params, SearchBackend
from helpline.search.query import ParsedQuery, Term
from helpline.search.schema import CUSTOMER_FTS, CUSTOMER_TABLE, TICKET_FTS, TICKET_TABLE
from helpline.search.text import shortest_prefixes, stem_prefixes

_WEIGHTS = "10.0, 1.0"


def _string(words: tuple[str, ...] | list[str]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def _prefix(word: str) -> str:
    # A single character matches itself only: as a prefix it would match a good part of the index.
    return _string([word]) + ("*" if len(word) > 1 else "")


def _any(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def _forms(term: Term) -> tuple[str, str]:
    if term.phrase:
        phrase = _string(term.words)
        return phrase, phrase
    # Words joined by punctuation ("e-mail", "nino@example.ge") must all be there, each as a prefix.
    prefixes = [_prefix(w) for w in term.words]
    strict = prefixes[0] if len(prefixes) == 1 else "(" + " AND ".join(prefixes) + ")"
    variants = [strict]
    if term.single_word:
        prefixes = shortest_prefixes([term.single_word, *stem_prefixes(term.single_word)])
        variants = [_prefix(p) for p in prefixes]
    return strict, _any(variants)


def _score(fts: str) -> str:
    # bm25 is negative, lower is better: doubling it for strict matches ranks them first.
    return (
        f"bm25({fts}, {_WEIGHTS}) * (CASE WHEN {fts}.rowid IN "
        f"(SELECT rowid FROM {fts} WHERE {fts} MATCH %s) THEN 2.0 ELSE 1.0 END)"
    )


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def compile(self, parsed: ParsedQuery) -> CompiledQuery | None:
        if parsed.is_empty:
            return None
        strict_groups, match_groups = [], []
        for group in parsed.groups:
            forms = [_forms(t) for t in group]
            strict_groups.append(_any([s for s, _ in forms]))
            match_groups.append(_any([m for _, m in forms]))
        strict = " AND ".join(strict_groups)
        match = " AND ".join(match_groups)
        if parsed.excluded:
            excluded = _any([_forms(t)[0] for t in parsed.excluded])
            strict = f"({strict}) NOT {excluded}"
            match = f"({match}) NOT {excluded}"
        return CompiledQuery(match=match, strict=strict)

    def ticket_ids_sql(self, compiled: CompiledQuery) -> tuple[str, Params]:
        return f"SELECT rowid FROM {TICKET_FTS} WHERE {TICKET_FTS} MATCH %s", [compiled.match]

    def ticket_rank_sql(self, compiled: CompiledQuery, ticket_column: str) -> tuple[str, Params]:
        sql = (
            f"(SELECT -{_score(TICKET_FTS)} FROM {TICKET_FTS} "
            f"WHERE {TICKET_FTS} MATCH %s AND {TICKET_FTS}.rowid = {ticket_column})"
        )
        return sql, [compiled.strict, compiled.match]

    def ranked_ticket_ids(self, compiled: CompiledQuery, *, within: tuple[str, Params] | None, limit: int) -> list[int]:
        where, params = "", []
        if within is not None:
            where = f" AND d.ticket_id IN ({within[0]})"
            params = list(within[1])
        sql = (
            f"SELECT d.ticket_id FROM {TICKET_FTS} JOIN {TICKET_TABLE} d ON d.ticket_id = {TICKET_FTS}.rowid "
            f"WHERE {TICKET_FTS} MATCH %s{where} "
            f"ORDER BY {_score(TICKET_FTS)}, d.ticket_updated_at DESC, d.ticket_id DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [compiled.match, *params, compiled.strict, limit])
            return [row[0] for row in cursor.fetchall()]

    def ranked_customer_ids(self, compiled: CompiledQuery, *, limit: int) -> list[int]:
        sql = (
            f"SELECT d.customer_id FROM {CUSTOMER_FTS} JOIN {CUSTOMER_TABLE} d ON d.customer_id = {CUSTOMER_FTS}.rowid "
            f"WHERE {CUSTOMER_FTS} MATCH %s ORDER BY {_score(CUSTOMER_FTS)}, d.customer_id DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [compiled.match, compiled.strict, limit])
            return [row[0] for row in cursor.fetchall()]
