"""The little that differs between our two databases when we write SQL by hand."""

from __future__ import annotations

import enum
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
        [db_value(conn, value)],
    )
    return model._init_from_db(**rows[0]) if rows else None


def db_value(conn: BaseDBAsyncClient, value: Any) -> Any:
    """A Python value as a parameter of hand-written SQL: enums by value, UUIDs as each
    database keeps them (datetimes and the rest pass as they are)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return uuid_value(conn, value)
    return value


class Where:
    """A WHERE clause of hand-written SQL, from fixed fragments and their values: the
    conditions of a hot listing without building the ORM's query for every request.

    Each fragment marks its values with `{}`; they are numbered for PostgreSQL ($1…)
    or left as `?` for SQLite, in the order they are added."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self.postgres = is_postgres(conn)
        self._parts: list[str] = []
        self.values: list[Any] = []

    def add(self, fragment: str, *values: Any) -> Where:
        mark = marks(self.conn, len(values), start=len(self.values) + 1)
        self._parts.append(fragment.format(*mark))
        self.values.extend(db_value(self.conn, v) for v in values)
        return self

    def contains(self, columns: tuple[str, ...], text: str) -> Where:
        """Any of `columns` holds `text`, case-insensitively (as the ORM's `icontains`,
        and in its shape, UPPER(col) LIKE UPPER(…): the trigram indexes serve that)."""
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        cast = "::text" if self.postgres else ""
        either = " OR ".join(f"UPPER({c}{cast}) LIKE UPPER({{}}) ESCAPE '\\'" for c in columns)
        return self.add(either, *[f"%{escaped}%"] * len(columns))

    def copy(self) -> Where:
        other = Where(self.conn)
        other._parts, other.values = list(self._parts), list(self.values)
        return other

    @property
    def sql(self) -> str:
        """` WHERE …` (empty with no condition), each condition parenthesised."""
        return self._clause(self._parts)

    def since(self, origin: Where) -> str:
        """` WHERE …` of only the conditions added after this was copied from `origin`,
        their values still numbered after `origin`'s (pass this one's `values`)."""
        return self._clause(self._parts[len(origin._parts) :])

    @staticmethod
    def _clause(parts: list[str]) -> str:
        return " WHERE " + " AND ".join(f"({p})" for p in parts) if parts else ""
