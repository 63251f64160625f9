"""Cursor pagination for API lists: `?cursor=…&limit=…` in, `{"items": [...], "next_cursor": …}` out.

The keyset itself is `helpline.tickets.selectors.paginate` (sort column plus id), which works for
any model with the sorted column; this module adds the query schema and refuses cursors whose
values the database could not hold, so a forged cursor answers 400, never 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from helpline.core.errors import InvalidInputError
from helpline.tickets.selectors import SORTS, Page, _decode_cursor, paginate

MAX_DB_INT = 2**63 - 1
DEFAULT_LIMIT = 25
MAX_LIMIT = 100


class PageQuery(Schema):
    cursor: str | None = Field(
        None, max_length=400, description="Opaque cursor from the previous page's `next_cursor`."
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page (1-100).")


def _invalid_cursor() -> InvalidInputError:
    return InvalidInputError(_("The cursor is not valid; start from the first page."), code="invalid_cursor")


def check_cursor(cursor: str, sort: str) -> None:
    field = SORTS[sort][0]
    value, pk = _decode_cursor(cursor, field)
    if not 0 <= pk <= MAX_DB_INT:
        raise _invalid_cursor()
    if isinstance(value, int) and not -MAX_DB_INT <= value <= MAX_DB_INT:
        raise _invalid_cursor()
    if isinstance(value, dt.datetime):
        try:
            value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC).astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise _invalid_cursor() from None


def page_of(qs: QuerySet[Any], *, sort: str, cursor: str | None, limit: int) -> Page:
    """One page of `qs` in `sort` order, after `cursor`."""
    if sort not in SORTS:
        raise InvalidInputError(_("Unknown sort “%(sort)s”.") % {"sort": sort}, code="invalid_sort")
    if cursor:
        check_cursor(cursor, sort)
    return paginate(qs, sort=sort, cursor=cursor or None, limit=limit)
