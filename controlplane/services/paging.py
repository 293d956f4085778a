"""One page of a listing, in a stable order, with the pagination block of the envelope."""

from __future__ import annotations

import base64
import binascii
import enum
import functools
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from tortoise import BaseDBAsyncClient
from tortoise.expressions import Subquery
from tortoise.fields import DatetimeField, JSONField, UUIDField
from tortoise.functions import Count
from tortoise.models import Model
from tortoise.queryset import QuerySet

from controlplane.db.sql import Where
from controlplane.services.errors import Invalid
from shared.wire.common import CursorPagination, PageQuery, Pagination

M = TypeVar("M", bound=Model)

# The name under which each row of a page carries the listing's total.
_TOTAL = "pagination_total"

# (total, estimated): how many rows the listing has, and whether that is a recent
# count rather than one made for this request.
Total = tuple[int, bool]


async def page(qs: QuerySet[M], query: PageQuery, column: str) -> tuple[list[M], Pagination]:
    """Rows of `query.page` as model objects, ordered by `column` then id.

    `qs` says which rows: filters only. The page's rows are read afresh by id, so
    anything else set on it (select_related, prefetch, annotations) does not carry over."""
    rows = await _window(qs, query, column)
    total = await _total(qs, query, getattr(rows[0], _TOTAL) if rows else None)
    return list(rows), Pagination.of(query.page, query.limit, total)


def _window(qs: QuerySet[M], query: PageQuery, column: str) -> QuerySet[M]:
    """The page's rows and, on each, the listing's total: one query, one round trip.

    The tie-breaker id runs in the sort's direction, so one (column, id) index
    serves both orders and equal values never swap between pages. The offset
    walks narrow (column, id) pairs and only the page's rows are read whole
    (late row lookup): sorting every wide row to skip most of them cost tens of
    milliseconds at 10,000 worker nodes. The total is an uncorrelated scalar
    subquery, which the database evaluates once per query, not per row."""
    order = _order(query, column)
    offset = (query.page - 1) * query.limit
    ids = qs.order_by(*order).offset(offset).limit(query.limit).values("id")
    total = Subquery(qs.annotate(n=Count("id")).values("n"))
    return qs.model.filter(id__in=Subquery(ids)).annotate(**{_TOTAL: total}).order_by(*order)


async def _total(qs: QuerySet[M], query: PageQuery, carried: int | None) -> int:
    if carried is not None:
        return carried
    # No row carried it: the listing is empty, or the page lies past its end.
    return 0 if query.page == 1 else await qs.count()


def _order(query: PageQuery, column: str) -> tuple[str, str]:
    sign = "" if query.sort_order == "asc" else "-"
    return f"{sign}{column}", f"{sign}id"


async def page_values(
    model: type[Model],
    where: Where,
    query: PageQuery,
    column: str,
    fields: tuple[str, ...],
    *,
    total: Callable[[], Awaitable[Total]],
    cursor: str | None = None,
    keyset: bool = True,
    found_first: FoundFirst | None = None,
    keys: str | None = None,
) -> tuple[list[dict[str, Any]], CursorPagination]:
    """Rows of a page as plain values of `fields` (`column` among them), read with
    fixed SQL text: for a hot listing, where building the ORM's query and a model
    object per row was most of a request's CPU. Values are as `.values()` gives them.

    The page is `query.page` (offset), or with `cursor` the rows after the one the
    cursor names (keyset: an index range, however deep, and a row added or moved
    meanwhile neither repeats nor hides another). Every page but the last hands
    out the cursor of its last row. `keyset` False: `column` may be NULL, which
    the two databases sort at opposite ends, so only offsets are offered.
    `total` counts the listing, or says how many it had recently.
    `found_first`: conditions whose rows may lie anywhere in the sort's order (a
    search), found all first and then sorted when they are few (`FoundFirst`). `keys`:
    a narrower table holding the id, `column` and every column `where` names, where a
    page's ids are found (walked past to an offset, ranged after a cursor, or found
    first) before the page's rows are read from the model's table (count() takes the
    same). Read through the connection `where` was made for."""
    table = model._meta.db_table
    source = keys or table
    direction = "ASC" if query.sort_order == "asc" else "DESC"
    # The tie-breaker id runs in the sort's direction, so one (column, id) index
    # serves both orders and equal values never swap between pages.
    order = f"{column} {direction}, id {direction}"
    columns = ", ".join(fields)
    # One row past the page says whether there is a next one, whatever `total` says.
    n = query.limit + 1
    past: Where | None = None
    if cursor is not None:
        if not keyset:
            raise Invalid.field("cursor", "cursor paging is not offered for this sort order")
        value, last_id = _decode(cursor, column, query.sort_order)
        past = where.copy().add(
            f"({column}, id) {'>' if direction == 'ASC' else '<'} ({{}}, {{}})", value, last_id
        )
    # Asked once the cursor is known good: a bad one is refused without a count.
    first = found_first is not None and await found_first.estimate() <= found_first.upto
    if past is not None:
        if first:
            # Found and counted by the search alone; the cursor only picks the page.
            page = f"{past.since(where)} ORDER BY {order} LIMIT {n}"
            sql = _found_first(table, source, columns, column, where.sql, order, page)
        elif keys is not None:
            sql = _late(table, source, columns, past.sql, f" ORDER BY {order} LIMIT {n}", order)
        else:
            sql = f"SELECT {columns} FROM {table}{past.sql} ORDER BY {order} LIMIT {n}"  # noqa: S608 - names from the model, placeholders for values
        values = past.values
    else:
        # Late row lookup: the offset walks narrow (column, id) pairs of an index
        # and only the page's rows are read whole; sorting every wide row to skip
        # most of them cost tens of milliseconds at 10,000 worker nodes.
        page = f" ORDER BY {order} LIMIT {n} OFFSET {(query.page - 1) * query.limit}"
        if first:
            sql = _found_first(table, source, columns, column, where.sql, order, page)
        else:
            sql = _late(table, source, columns, where.sql, page, order)
        values = where.values
    rows = await where.conn.execute_query_dict(sql, values)
    if first and rows:
        # Found first, the rows were counted by the same statement: an exact total, and
        # no second scan of the search's indexes.
        counted, estimated = int(rows[0][_TOTAL]), False
        for row in rows:
            del row[_TOTAL]
    else:
        counted, estimated = await total()
    more = len(rows) > query.limit
    del rows[query.limit :]
    converted = _converted(model, fields, where.postgres)
    for row in rows:  # fresh dicts from the driver: converted in place
        for name, convert in converted:
            if row[name] is not None:
                row[name] = convert(row[name])
    pages = (counted + query.limit - 1) // query.limit if counted else 0
    return rows, CursorPagination(
        page=query.page,
        limit=query.limit,
        total=counted,
        total_pages=pages,
        has_next=more,
        has_prev=cursor is not None or query.page > 1,
        next_cursor=_encode(rows[-1][column], rows[-1]["id"], column, query.sort_order)
        if more and keyset
        else None,
        total_estimated=estimated,
    )


@dataclass(frozen=True)
class FoundFirst:
    """Conditions whose rows may lie anywhere in the sort's order (a search): when the
    listing holds at most `upto` rows by `estimate` (a recent count will do: it only
    picks the plan), they are all found first, then sorted and counted in the same
    statement (`_found_first`)."""

    upto: int
    estimate: Callable[[], Awaitable[int]]


def _late(table: str, source: str, columns: str, where: str, page: str, order: str) -> str:
    """A page's rows read whole from `table` once `page` has picked their ids from
    `source` (the table itself, or its keys) by `where`: a late row lookup."""
    return (
        f"SELECT {columns} FROM {table} WHERE id IN (SELECT id FROM {source}"  # noqa: S608 - names from the model, placeholders for values
        f"{where}{page}) ORDER BY {order}"
    )


def _found_first(
    table: str, source: str, columns: str, column: str, where: str, order: str, page: str
) -> str:
    """A page of the rows `where` holds, found all first (by their own indexes: a
    search's trigrams), then sorted; each row carries their count (_TOTAL), of the
    whole search even on a cursor's page. `page` picks the page among them: a cursor's
    condition on (column, id), then `order` and the window. Left to
    itself, PostgreSQL walks the sort column's index and filters row by row,
    expecting matches to be spread evenly: a search for 100 of 10,000 nodes whose
    matches lie together passed thousands of nodes before filling its page (1.55 ms,
    against 0.27 found first). For a search that matches most of the fleet the walk
    is the right plan (0.08 ms, against 5.9 found first): hence FoundFirst's bound.
    MATERIALIZED keeps the planner from folding the set back into the walk. The rows
    are found in `source` (the table, or its keys) and read whole from `table`."""
    return (
        f"WITH found AS MATERIALIZED (SELECT id, {column} FROM {source}{where}) "  # noqa: S608 - names from the model, placeholders for values
        f"SELECT {columns}, (SELECT COUNT(*) FROM found) AS {_TOTAL} FROM {table} "
        f"WHERE id IN (SELECT id FROM found{page}) ORDER BY {order}"
    )


async def count(
    db: BaseDBAsyncClient, model: type[Model], where: Where, keys: str | None = None
) -> int:
    """How many rows of `model` `where` holds; counted in `keys` where given (page_values)."""
    rows = await db.execute_query_dict(
        f"SELECT COUNT(*) AS n FROM {keys or model._meta.db_table}{where.sql}",  # noqa: S608 - as above
        where.values,
    )
    return int(rows[0]["n"])


@functools.lru_cache(maxsize=64)
def _converted(
    model: type[Model], fields: tuple[str, ...], postgres: bool
) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """The fields whose raw value is not what `.values()` gives (JSON as text on both
    databases, datetimes and UUIDs as text on SQLite), each with the model field's own
    conversion; every other column is used as the driver hands it back."""
    kinds = (JSONField,) if postgres else (JSONField, DatetimeField, UUIDField)
    return tuple(
        (name, field.to_python_value)
        for name in fields
        if isinstance(field := model._meta.fields_map[name], kinds)
    )


def _encode(value: Any, row_id: Any, column: str, order: str) -> str:
    if isinstance(value, datetime):
        kept: list[Any] = ["t", value.isoformat()]
    else:
        kept = ["s", value.value if isinstance(value, enum.Enum) else str(value)]
    raw = json.dumps([column, order, *kept, str(row_id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, column: str, order: str) -> tuple[Any, uuid.UUID]:
    """The sort value and id a cursor names; Invalid if it is not one of ours or was
    made for another sort (a cursor carries its sort, so it cannot silently skip rows)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        made_for, made_order, kind, value, row_id = json.loads(raw)
        parsed = datetime.fromisoformat(value) if kind == "t" else str(value)
        ident = uuid.UUID(str(row_id))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise Invalid.field("cursor", "not a cursor this listing handed out") from None
    if (made_for, made_order) != (column, order):
        raise Invalid.field(
            "cursor", "the cursor belongs to another sort order; start again without it"
        )
    return parsed, ident
