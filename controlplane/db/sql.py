"""The little that differs between our two databases when we write SQL by hand."""

from __future__ import annotations

import uuid
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient


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
