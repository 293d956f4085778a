"""The little that differs between our two databases when we write SQL by hand."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model


def is_postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


def marks(conn: BaseDBAsyncClient, n: int, start: int = 1) -> list[str]:
    """Parameter placeholders: $1, $2… on PostgreSQL, ? on SQLite."""
    if is_postgres(conn):
        return [f"${i}" for i in range(start, start + n)]
    return ["?"] * n


def uuid_value(conn: BaseDBAsyncClient, value: uuid.UUID) -> Any:
    """UUID columns are native on PostgreSQL and text on SQLite."""
    return value if is_postgres(conn) else str(value)


M = TypeVar("M", bound=Model)


async def get_by(
    model: type[M], column: str, value: Any, *columns: str, db: BaseDBAsyncClient | None = None
) -> M | None:
    """The row of `model` whose unique `column` is `value` (None: no such row), as
    `model.get_or_none(column=value)` reads it, on the caller's transaction if one is open,
    but from fixed SQL text: building the ORM's query costs several times the CPU of the
    database's lookup, and the hot paths (a renewal's ledger reads) make one per lookup.
    `columns`: only these (a partial row, as `.only()` reads it); all by default. `db`: read
    through this connection instead (the read pool)."""
    conn = db or model._meta.db
    (mark,) = marks(conn, 1)
    wanted = ", ".join(columns) if columns else "*"
    rows = await conn.execute_query_dict(
        f"SELECT {wanted} FROM {model._meta.db_table} WHERE {column} = {mark}",  # noqa: S608 - names from the models, placeholders for values
        [uuid_value(conn, value) if isinstance(value, uuid.UUID) else value],
    )
    return model._init_from_db(**rows[0]) if rows else None
