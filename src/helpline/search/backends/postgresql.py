# ruff: noqa: S608 -- SQL text here interpolates only module constants; user input is always a parameter.
"""PostgreSQL: `tsvector @@ tsquery` on a GIN index, each word as a prefix, plus its stem prefix
and up to three spelling corrections found by trigram similarity in the word list.

Ranking is done only on the most recently updated matches (`CANDIDATES`), picked by the
`search_ticket_candidates` function (see `schema.py`), so a word that matches half the desk costs
a few thousand row checks, and a rare word one small GIN bitmap, never a ranking of every match.
"""

from __future__ import annotations

from django.db import connection

from helpline.search.backends import CompiledQuery, Params, SearchBackend
from helpline.search.query import ParsedQuery, Term
from helpline.search.schema import CUSTOMER_TABLE, TICKET_TABLE, WORD_TABLE
from helpline.search.text import shortest_prefixes, stem_prefixes

# Matches ranked by relevance (the most recently updated ones when there are more).
CANDIDATES = 300
# Matches a ticket list filtered by text can show (the most recently updated ones).
FILTER_MATCHES = CANDIDATES
# Spelling corrections for query words that are not known words: how alike a known word must
# be (trigram similarity), and how many to try per query word.
SIMILARITY = 0.45
CORRECTIONS = 3
_MIN_FUZZY_CHARS = 4

_PREPARE_SQL = f"""
SELECT tsvector_to_array(to_tsvector('simple'::regconfig, t.term)),
       CASE WHEN t.phrase THEN phraseto_tsquery('simple'::regconfig, t.term)::text ELSE '' END,
       CASE WHEN t.fuzzy AND NOT EXISTS (SELECT 1 FROM {WORD_TABLE} x WHERE x.word = t.term) THEN ARRAY(
           SELECT w.word FROM {WORD_TABLE} w
           WHERE w.word %% t.term AND similarity(w.word, t.term) >= %s
           ORDER BY similarity(w.word, t.term) DESC, w.word
           LIMIT {CORRECTIONS})
       ELSE '{{}}'::text[] END
FROM unnest(%s::text[], %s::boolean[], %s::boolean[]) WITH ORDINALITY AS t(term, phrase, fuzzy, i)
ORDER BY t.i
"""


def _quote(lexeme: str) -> str:
    escaped = lexeme.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'"


def _prefix(lexeme: str) -> str:
    # A single character matches itself only: as a prefix it would match a good part of the index.
    return f"{_quote(lexeme)}:*" if len(lexeme) > 1 else _quote(lexeme)


def _any(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _all(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"


def _rank(vector: str) -> str:
    # Title words weigh 1.0, body words 0.1 (ts_rank's default weights for A and D); matches of the
    # words as typed count three times, stem and spelling matches once. Normalised by log length.
    return f"(2 * ts_rank({vector}, %s::tsquery, 1) + ts_rank({vector}, %s::tsquery, 1))"


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    def compile(self, parsed: ParsedQuery) -> CompiledQuery | None:
        if parsed.is_empty:
            return None
        terms = parsed.terms()
        fuzzy = [
            bool(t.single_word and len(t.single_word) >= _MIN_FUZZY_CHARS and not t.single_word.isdigit())
            for t in terms
        ]
        with connection.cursor() as cursor:
            cursor.execute(_PREPARE_SQL, [SIMILARITY, [t.text for t in terms], [t.phrase for t in terms], fuzzy])
            rows = cursor.fetchall()
        forms: dict[Term, tuple[str, str]] = {}
        for term, (lexemes, phrase, corrections) in zip(terms, rows, strict=True):
            found = self._forms(term, list(lexemes or []), phrase or "", list(corrections or []))
            if found is not None:
                forms[term] = found
        groups_strict, groups_match = [], []
        for group in parsed.groups:
            usable = [forms[t] for t in group if t in forms]
            if not usable:
                continue
            groups_strict.append(_any([strict for strict, _ in usable]))
            groups_match.append(_any([match for _, match in usable]))
        if not groups_match:
            return None
        excluded = [forms[t][0] for t in parsed.excluded if t in forms]
        tail = "".join(f" & !{e}" for e in excluded)
        return CompiledQuery(match=" & ".join(groups_match) + tail, strict=" & ".join(groups_strict) + tail)

    @staticmethod
    def _forms(term: Term, lexemes: list[str], phrase: str, corrections: list[str]) -> tuple[str, str] | None:
        """(strict, match) tsquery text for one term, or None when nothing of it is indexable."""
        if term.phrase:
            return (f"({phrase})", f"({phrase})") if phrase else None
        if not lexemes:
            return None
        strict = _all([_prefix(lexeme) for lexeme in lexemes])
        variants = [strict]
        if len(lexemes) == 1:
            # The word's own prefix is covered by its stem prefix: GIN expands each prefix into
            # every matching word, so fewer, shorter prefixes are cheaper.
            prefixes = shortest_prefixes([lexemes[0], *stem_prefixes(lexemes[0])])
            variants = [_prefix(p) for p in prefixes]
            variants += [_quote(w) for w in corrections if not any(w.startswith(p) for p in prefixes)]
        return strict, _any(variants)

    def ticket_ids_sql(self, compiled: CompiledQuery) -> tuple[str, Params]:
        # The most recently updated FILTER_MATCHES matches, found at a bounded cost (see schema.py):
        # a plain `vector @@ q` semi-join lets the planner walk the whole ticket list when the
        # words are common alone but rare together.
        return "SELECT * FROM search_ticket_candidates(%s::tsquery, %s)", [compiled.match, FILTER_MATCHES]

    def ticket_rank_sql(self, compiled: CompiledQuery, ticket_column: str) -> tuple[str, Params]:
        sql = f"(SELECT {_rank('d.vector')} FROM {TICKET_TABLE} d WHERE d.ticket_id = {ticket_column})"
        return sql, [compiled.strict, compiled.match]

    def ranked_ticket_ids(self, compiled: CompiledQuery, *, within: tuple[str, Params] | None, limit: int) -> list[int]:
        if within is None:
            sql = (
                f"SELECT d.ticket_id FROM search_ticket_candidates(%s::tsquery, %s) AS c(ticket_id) "
                f"JOIN {TICKET_TABLE} d ON d.ticket_id = c.ticket_id "
                f"ORDER BY {_rank('d.vector')} DESC, d.ticket_updated_at DESC, d.ticket_id DESC LIMIT %s"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [compiled.match, CANDIDATES, compiled.strict, compiled.match, limit])
                return [row[0] for row in cursor.fetchall()]
        # Restricted visibility: the same candidates, found among the visible tickets only.
        where, params = f" AND d.ticket_id IN ({within[0]})", list(within[1])
        sql = (
            f"SELECT c.ticket_id FROM ("
            f"SELECT d.ticket_id, d.vector, d.ticket_updated_at FROM {TICKET_TABLE} d "
            f"WHERE d.vector @@ %s::tsquery{where} ORDER BY d.ticket_updated_at DESC LIMIT %s) c "
            f"ORDER BY {_rank('c.vector')} DESC, c.ticket_updated_at DESC, c.ticket_id DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [compiled.match, *params, CANDIDATES, compiled.strict, compiled.match, limit])
            return [row[0] for row in cursor.fetchall()]

    def ranked_customer_ids(self, compiled: CompiledQuery, *, limit: int) -> list[int]:
        sql = (
            f"SELECT d.customer_id FROM search_customer_candidates(%s::tsquery, %s) AS c(customer_id) "
            f"JOIN {CUSTOMER_TABLE} d ON d.customer_id = c.customer_id "
            f"ORDER BY {_rank('d.vector')} DESC, d.customer_id DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [compiled.match, CANDIDATES, compiled.strict, compiled.match, limit])
            return [row[0] for row in cursor.fetchall()]
