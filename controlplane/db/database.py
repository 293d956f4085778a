"""Database lifecycle: the tortoise config for a URL, connecting, migrating, liveness."""

from __future__ import annotations

import importlib
import logging
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from tortoise import BaseDBAsyncClient, Tortoise, connections
from tortoise.exceptions import DBConnectionError, OperationalError

MIGRATIONS = Path(__file__).parent / "migrations"
APP = "models"
# An arbitrary, fixed 64-bit key naming "MinisPod migrations" in pg_advisory_lock's space
# ("MPMIGRAT"), apart from the jobs leader's key.
MIGRATIONS_LOCK_KEY = 0x4D504D4947524154

log = logging.getLogger("minispod.database")


def main_connection() -> BaseDBAsyncClient:
    """Tortoise's one configured connection (its pool, where there is one), not a
    transaction's: a statement sent on it alone is its own transaction."""
    return connections.get(next(iter(connections.db_config)))


def dialect_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgres"


class DatabaseUnusable(Exception):
    """The configured database cannot be opened at all; the message says why, in one line."""


def _usable_sqlite_file(path: str) -> None:
    """Fails fast with a reason: a SQLite file tortoise cannot open leaves its
    connection lock held, and every later query would wait forever."""
    if path in (":memory:", ""):
        return
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Created private before SQLite creates it with the umask's 0644: it holds password
        # hashes and tokens' digests. SQLite gives its -wal and -shm files the same mode.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        sqlite3.connect(path).close()
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseUnusable(f"cannot open SQLite database {path!r}: {exc}") from None


# The read pool's size when the URL does not say (`?read_maxsize=N`; 0: reads share the pool).
READ_POOL = 4


def tortoise_config(url: str) -> dict[str, Any]:
    # The connection is named for its dialect because tortoise caches compiled
    # SQL per connection name: one name for both would hand SQLite's "?"
    # placeholders to PostgreSQL in a process that has used both (the suite).
    name = dialect_of(url)
    return {
        "connections": {name: _connection(url)},
        "apps": {
            APP: {
                "models": ["controlplane.db.models", "aerich.models"],
                "default_connection": name,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _connection(url: str) -> dict[str, Any]:
    if url.startswith("sqlite://"):
        path = url[len("sqlite://") :]
        _usable_sqlite_file(path)
        credentials: dict[str, Any] = {"file_path": path, "journal_mode": "WAL"}
        return {"engine": "tortoise.backends.sqlite", "credentials": credentials}
    creds = _pg_credentials(url)
    creds.pop("read_maxsize", None)
    return {"engine": "tortoise.backends.asyncpg", "credentials": creds}


def _read_connection(url: str) -> dict[str, Any] | None:
    """The read pool's settings, or None where reads must share the main connection."""
    if url.startswith("sqlite://"):
        path = url[len("sqlite://") :]
        # Each in-memory connection is a database of its own.
        return None if path in (":memory:", "") else _connection(url)
    creds = _pg_credentials(url)
    size = int(creds.pop("read_maxsize", READ_POOL))
    if size <= 0:
        return None
    creds["minsize"], creds["maxsize"] = min(creds["minsize"], size), size
    return {"engine": "tortoise.backends.asyncpg", "credentials": creds}


def _pg_credentials(url: str) -> dict[str, Any]:
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    creds: dict[str, Any] = {
        "host": unquote(parts.hostname or query.pop("host", "127.0.0.1")),
        "port": parts.port or int(query.pop("port", 5432)),
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "database": unquote(parts.path.lstrip("/") or "postgres"),
        "minsize": int(query.pop("minsize", 1)),
        "maxsize": int(query.pop("maxsize", 10)),
        # A dead database must fail a request quickly, not hang it.
        "timeout": float(query.pop("connect_timeout", 5)),
        "command_timeout": float(query.pop("command_timeout", 30)),
        "reset": _release_as_is,
    }
    # The planner's default (4) prices a heap page read as a disk seek; on SSD
    # storage, with the fleet's tables in memory, 1.1 is the usual advice. At
    # 4 a deep page of /workers sorted the whole table (16 ms at 10,000 nodes)
    # instead of walking the (created_at, id) index (4 ms). Sent with the
    # connection, so it costs no round trip; `?random_page_cost=N` overrides,
    # and an empty value sends nothing (PgBouncer refuses startup parameters
    # it does not know: set it on the server instead).
    if page_cost := query.pop("random_page_cost", "1.1"):
        creds["server_settings"] = {"random_page_cost": page_cost}
    creds.update(query)
    return creds


async def _release_as_is(_conn: Any) -> None:
    """What the pool does to a connection handed back, beyond asyncpg's own
    rollback of a transaction left open: nothing.

    asyncpg's default resets the whole session (advisory locks, cursors, LISTEN,
    settings) with one more round trip on every release, and tortoise takes a
    pooled connection per query, so a read of three queries paid six round
    trips. Pooled connections here never change session state: the leader lock
    and LISTEN live on connections of their own (`connect_args`), settings are
    only ever SET LOCAL inside a transaction, and cursors close with theirs.
    Keep it that way, or reset here what is changed."""


async def migrate(url: str) -> list[str]:
    """Apply pending aerich migrations for this URL's dialect; returns what was applied.

    Processes migrating one PostgreSQL database at once (replicas' init containers, `serve`
    with MINISPOD_MIGRATE_ON_START, an operator's `migrate`) take turns: the first applies,
    the others wait for it and then find nothing to do. Unlocked, two would both read the
    history as empty and the second would fail halfway through its DDL."""
    from aerich import Command

    location = str(MIGRATIONS / dialect_of(url))
    async with _migrations_lock(url):
        command = Command(tortoise_config=tortoise_config(url), app=APP, location=location)
        async with command:
            await command.init()
            return await command.upgrade(run_in_transaction=True)


@asynccontextmanager
async def _migrations_lock(url: str) -> AsyncIterator[None]:
    """A session's advisory lock on a connection of its own, held while the block runs: it
    goes when the block ends, and with the connection if this process dies midway (the
    migration's transaction rolls back with it). SQLite serves one process: no lock."""
    if dialect_of(url) != "postgres":
        yield
        return
    conn = await asyncpg.connect(**connect_args(url))
    try:
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", MIGRATIONS_LOCK_KEY):
            log.info("another process is applying migrations; waiting for it to finish")
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATIONS_LOCK_KEY)
        yield
    finally:
        await conn.close()


async def connect(url: str) -> None:
    # The global fallback makes the connection visible to request tasks that
    # aiohttp creates outside this coroutine's context.
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)


async def disconnect() -> None:
    # Also releases the global fallback, so a later app in this process can connect.
    await Tortoise.close_connections()


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[None]:
    await connect(url)
    try:
        yield
    finally:
        await disconnect()


class ReadPool:
    """The connection dashboards' reads go through (`db`), beside tortoise's own.

    Heartbeats commit on the main pool; a room of dashboards paging the fleet
    holds at most this pool's connections (`?read_maxsize=`, READ_POOL), so it
    can never take the ones the ingest's batches wait for. On a SQLite file it
    is a second connection, which WAL lets read while the main one writes. It is
    not one of tortoise's named connections (a second one would make every
    unnamed `in_transaction()` ambiguous): callers hand `db` to `using_db`.
    Where there is none (`read_maxsize=0`, in-memory SQLite) `db` is the main
    connection. Like tortoise's, it connects at its first query: a database
    unreachable at start fails reads (503) until it is back, not the start."""

    def __init__(self, url: str) -> None:
        self._main = dialect_of(url)
        self._client: BaseDBAsyncClient | None = None
        if (config := _read_connection(url)) is not None:
            engine = importlib.import_module(config["engine"])
            self._client = engine.client_class(
                connection_name=f"{self._main}_reads", **config["credentials"]
            )

    @property
    def separate(self) -> bool:
        return self._client is not None

    @property
    def db(self) -> BaseDBAsyncClient:
        return self._client if self._client is not None else connections.get(self._main)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()


async def durability_problems() -> list[str]:
    """What keeps this database from promising that a committed write survives a crash.

    An agent drops a sample from its spool once we answered that it is stored, so an
    acknowledgement is a promise only if the commit behind it is durable: PostgreSQL's
    defaults (fsync, synchronous_commit, full_page_writes on), or SQLite's FULL sync.
    Read for this session, since synchronous_commit may be set per role or database.
    Raises when the database cannot answer (readiness asks this)."""
    conn = main_connection()
    if conn.capabilities.dialect != "postgres":
        rows = await conn.execute_query_dict("PRAGMA synchronous")
        level = int(next(iter(rows[0].values())))
        return [] if level >= 2 else [f"SQLite synchronous={level} (FULL, 2, is needed)"]
    rows = await conn.execute_query_dict(
        "SELECT name, setting FROM pg_settings"
        " WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')"
    )
    return [f"{r['name']}={r['setting']}" for r in rows if r["setting"] == "off"]


def connect_args(database_url: str) -> dict[str, Any]:
    """Where a PostgreSQL database is, read as the pool reads it, minus the pool's own
    options: for the connections that live outside the pool (leader lock, LISTEN).

    asyncpg sends URL query keys it does not know to the server as settings, so
    `?maxsize=20` in the URL made every election fail and no replica ran jobs."""
    creds = tortoise_config(database_url)["connections"]["postgres"]["credentials"]
    args = {k: creds[k] for k in ("host", "port", "user", "password", "database")}
    if "ssl" in creds:
        args["ssl"] = creds["ssl"]
    return args


def unreachable(exc: BaseException) -> bool:
    """Whether an error means the database could not be reached (503), not a bug (500)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(
            seen,
            DBConnectionError
            | ConnectionError
            | TimeoutError
            | asyncpg.PostgresConnectionError
            | asyncpg.InterfaceError
            # "another operation is in progress" on a connection the server dropped
            # mid-query: seen while PostgreSQL restarts, an outage like the others.
            | asyncpg.InternalClientError
            # Shutting down or starting up (57P0x), out of connections or
            # space (53xxx), the database gone (3D000) or our login refused
            # (28xxx): the server cannot serve, whatever the request was.
            | asyncpg.exceptions.OperatorInterventionError
            | asyncpg.exceptions.InsufficientResourcesError
            | asyncpg.exceptions.InvalidCatalogNameError
            | asyncpg.exceptions.InvalidAuthorizationSpecificationError,
        ):
            return True
        if isinstance(seen, OSError) and seen.errno is not None:
            return True
        if isinstance(seen, OperationalError) and "database is locked" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
