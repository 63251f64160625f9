"""One search backend per database vendor, chosen by the connection in use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from helpline.search.query import ParsedQuery

Params = Sequence[Any]


@dataclass(frozen=True)
class CompiledQuery:
    """A parsed query in the database's own syntax: `match` finds documents (every variant of
    every word), `strict` ranks those matching the words as typed (prefixes, no stems or
    spelling corrections) above the rest."""

    match: str
    strict: str


class SearchBackend:
    vendor = ""

    def compile(self, parsed: ParsedQuery) -> CompiledQuery | None:
        raise NotImplementedError

    def ticket_ids_sql(self, compiled: CompiledQuery) -> tuple[str, Params]:
        """SQL selecting the ids of every matching ticket (for filtering a queryset)."""
        raise NotImplementedError

    def ticket_rank_sql(self, compiled: CompiledQuery, ticket_column: str) -> tuple[str, Params]:
        """A scalar SQL expression: the relevance of the ticket in `ticket_column` (higher is better)."""
        raise NotImplementedError

    def ranked_ticket_ids(self, compiled: CompiledQuery, *, within: tuple[str, Params] | None, limit: int) -> list[int]:
        raise NotImplementedError

    def ranked_customer_ids(self, compiled: CompiledQuery, *, limit: int) -> list[int]:
        raise NotImplementedError


def get_backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        from helpline.search.backends.postgresql import PostgresBackend

        return PostgresBackend()
    from helpline.search.backends.sqlite import SqliteBackend

    return SqliteBackend()
