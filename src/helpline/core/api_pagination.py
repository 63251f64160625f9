"""Cursor pagination for API lists: `?cursor=…&limit=…` in, `{"items": [...], "next_cursor": …}` out.

The keyset itself is `helpline.tickets.selectors.paginate` (sort column plus id), which works for
any model with the sorted column; it refuses cursors whose values the database could not hold,
so a forged cursor answers 400, never 500. This module adds the query schema.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema

from helpline.tickets.selectors import MAX_DB_INT, Page, paginate

__all__ = ["MAX_DB_INT", "PageQuery", "page_of"]

DEFAULT_LIMIT = 25
MAX_LIMIT = 100


class PageQuery(Schema):
    cursor: str | None = Field(
        None, max_length=400, description="Opaque cursor from the previous page's `next_cursor`."
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (1-100).")


def page_of(qs: QuerySet[Any], *, sort: str, cursor: str | None, limit: int) -> Page:
    """One page of `qs` in `sort` order, after `cursor`."""
    return paginate(qs, sort=sort, cursor=cursor or None, limit=limit)
