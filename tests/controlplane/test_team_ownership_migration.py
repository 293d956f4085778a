"""The team-ownership migration carries a database of before it over, on both dialects:
rows written in the old shape (users' subscriptions, instances, webhooks with their
deliveries, keys with their usage, wallets and invoices) are their personal teams' after
it, nothing is lost on the way, and invoices stay append-only."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from controlplane.db.database import MIGRATIONS

NAME = "team_ownership"
# Applies the migrations of one folder to one database, in a process of its own (aerich
# sets up tortoise globally).
UPGRADE = """
import asyncio, sys
from aerich import Command
from controlplane.db.database import APP, tortoise_config
async def main(url, location):
    command = Command(tortoise_config=tortoise_config(url), app=APP, location=location)
    async with command:
        await command.init()
        print(await command.upgrade(run_in_transaction=True))
asyncio.run(main(sys.argv[1], sys.argv[2]))
"""
ROOT = Path(__file__).resolve().parents[2]


def upgrade(url: str, location: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", UPGRADE, url, str(location)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def before(dialect: str, tmp_path: Path) -> Path:
    """The migrations folder as it was before team ownership."""
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS / dialect, copy)
    (made,) = [p for p in (copy / "models").glob("*.py") if NAME in p.name]
    made.unlink()
    return copy


def filler(kind: str) -> Any:
    """A value of a column's type, for the columns a row needs but a test does not read."""
    kind = kind.lower()
    if "uuid" in kind or "char(36)" in kind:
        return str(uuid.uuid4())
    if "json" in kind:
        return "{}"
    if "timestamp" in kind:
        return datetime(2026, 11, 1, tzinfo=UTC)
    if kind == "date":
        return date(2026, 11, 1)
    if "bool" in kind:
        return False
    if "int" in kind or "double" in kind or "real" in kind or "numeric" in kind:
        return 0
    return "x"


class Rows:
    """Inserts old-shape rows, filling what is not given by the column's type."""

    def __init__(self, db: Any, dialect: str) -> None:
        self.db, self.dialect = db, dialect

    async def columns(self, table: str) -> dict[str, str]:
        if self.dialect == "sqlite":
            return {
                r[1]: r[2]
                for r in self.db.execute(f'PRAGMA table_info("{table}")')
                if r[3] and r[4] is None and not r[5]  # NOT NULL, no default, not the key
            } | {"id": "CHAR(36)"}
        rows = await self.db.fetch(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = $1 AND is_nullable = 'NO' AND column_default IS NULL",
            table,
        )
        return {r["column_name"]: r["data_type"] for r in rows}

    async def add(self, table: str, **given: Any) -> None:
        values = {name: filler(kind) for name, kind in (await self.columns(table)).items()}
        values.update(given)
        if self.dialect == "sqlite":
            values = {k: _sqlite(v) for k, v in values.items()}
            marks = ", ".join("?" for _ in values)
        else:
            values = {k: _pg(v, k) for k, v in values.items()}
            marks = ", ".join(f"${i + 1}" for i in range(len(values)))
        names = ", ".join(f'"{n}"' for n in values)
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608 - test's own names
        if self.dialect == "sqlite":
            self.db.execute(sql, list(values.values()))
        else:
            await self.db.execute(sql, *values.values())

    async def one(self, sql: str) -> Any:
        if self.dialect == "sqlite":
            return self.db.execute(sql).fetchone()[0]
        return await self.db.fetchval(sql)


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, uuid.UUID | date):
        return str(value)
    return value


def _pg(value: Any, name: str) -> Any:
    if isinstance(value, str) and (name == "id" or name.endswith("_id")):
        try:
            return uuid.UUID(value)
        except ValueError:
            return value
    return value


async def _old_world(rows: Rows, ann: str, old_team: str, bob: str) -> dict[str, str]:
    ids = {k: str(uuid.uuid4()) for k in ("sub", "inst", "hook", "event", "delivery", "key")}
    await rows.add("users", id=ann, email="ann@example.com", name="Ann")
    await rows.add("users", id=bob, email="bob@example.com", name="Bob")  # no team yet
    await rows.add("teams", id=old_team, name="Ann's team", personal=True)
    await rows.add("team_members", team_id=old_team, user_id=ann, role="OWNER")
    await rows.add(
        "subscriptions", id=ids["sub"], user_id=ann, subdomain="ann-blog", status="ACTIVE"
    )
    await rows.add(
        "instances", id=ids["inst"], subscription_id=ids["sub"], user_id=ann, status="RUNNING"
    )
    await rows.add("webhooks", id=ids["hook"], user_id=ann, enabled=True)
    await rows.add("outbox_events", id=ids["event"], type="subscription.active", payload="{}")
    await rows.add(
        "webhook_deliveries", id=ids["delivery"], event_id=ids["event"], webhook_id=ids["hook"]
    )
    await rows.add("webhook_attempts", id=1, delivery_id=ids["delivery"], attempt=1)
    await rows.add("api_keys", id=ids["key"], user_id=ann, prefix="abcdefgh", scopes="[]")
    await rows.add("api_key_usage", id=1, key_id=ids["key"], requests=5)
    await rows.add(
        "ledger_accounts",
        key=f"WALLET:USER:{ann}:EUR",
        kind="WALLET",
        owner_type="USER",
        owner_id=ann,
        currency="EUR",
        balance=500,
    )
    await rows.add("invoices", number="INV-2026-000001", owner_type="USER", owner_id=ann)
    return ids


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
async def test_a_database_of_before_teams_owned_things_is_carried_over_whole(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    ann, old_team, bob = (str(uuid.uuid4()) for _ in range(3))
    if dialect == "sqlite":
        url = f"sqlite://{tmp_path / 'db.sqlite3'}"
        upgrade(url, before(dialect, tmp_path))
        conn: Any = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    else:
        pg = request.getfixturevalue("postgres")
        url = pg.url_for(await pg.create_database())
        upgrade(url, before(dialect, tmp_path))
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    rows = Rows(conn, dialect)
    try:
        ids = await _old_world(rows, ann, old_team, bob)
        assert NAME in upgrade(url, MIGRATIONS / dialect)
        one = rows.one
        # Personal teams of their users' ids; the old one is gone, Bob has his now.
        assert await one(f"SELECT count(*) FROM teams WHERE id = '{old_team}'") == 0  # noqa: S608
        for user in (ann, bob):
            assert await one(f"SELECT count(*) FROM teams WHERE id = '{user}' AND personal") == 1  # noqa: S608
            members = (
                f"SELECT role FROM team_members WHERE team_id = '{user}' AND user_id = '{user}'"  # noqa: S608
            )
            assert await one(members) == "OWNER"
        for table in ("subscriptions", "instances", "api_keys", "webhooks"):
            assert str(await one(f"SELECT team_id FROM {table}")) == ann  # noqa: S608
        assert str(await one("SELECT user_id FROM subscriptions")) == ann
        # Nothing cascaded away while the tables were rebuilt.
        for table in ("webhook_deliveries", "webhook_attempts", "api_key_usage", "outbox_events"):
            assert await one(f"SELECT count(*) FROM {table}") == 1, table  # noqa: S608
        assert str(await one("SELECT webhook_id FROM webhook_deliveries")) == ids["hook"]
        assert await one("SELECT requests FROM api_key_usage") == 5
        assert await one("SELECT key FROM ledger_accounts") == f"WALLET:TEAM:{ann}:EUR"
        assert await one("SELECT owner_type FROM ledger_accounts") == "TEAM"
        assert await one("SELECT balance FROM ledger_accounts") == 500
        assert await one("SELECT owner_type FROM invoices") == "TEAM"
        # Still append-only.
        with pytest.raises(Exception, match="append-only"):
            await one("UPDATE invoices SET buyer_name = 'someone else' RETURNING 1")
    finally:
        if dialect == "sqlite":
            conn.close()
        else:
            await conn.close()
