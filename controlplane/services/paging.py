"""One page of a listing, in a stable order, with the pagination block of the envelope."""

from __future__ import annotations

from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from shared.wire.common import PageQuery, Pagination

M = TypeVar("M", bound=Model)


async def page(qs: QuerySet[M], query: PageQuery, column: str) -> tuple[list[M], Pagination]:
    """Rows of `query.page`, ordered by `column` then id (in the same direction, so one
    (column, id) index serves both orders and equal values never swap between pages)."""
    total = await qs.count()
    sign = "" if query.sort_order == "asc" else "-"
    rows = (
        await qs.order_by(f"{sign}{column}", f"{sign}id")
        .offset((query.page - 1) * query.limit)
        .limit(query.limit)
    )
    return list(rows), Pagination.of(query.page, query.limit, total)
