"""`minispod-controlplane` as an operator runs it: real processes on real databases."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import psutil
import pytest

from controlplane.config import normalise_database_url
from tests.conftest import ROOT, AppFactory, Postgres, bearer, libpq_url, run_cli, sign_in
from tests.processes import free_port

ADMIN = ("admin@paas.com", "Admin123!@#")
USER = ("user@paas.com", "User123!@#")
TABLES = {"users", "refresh_tokens", "auth_throttle", "aerich"}


@pytest.fixture
async def empty_database_url(dialect: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with nothing in it, not even the schema."""
    if dialect == "sqlite":
        return f"sqlite://{tmp_path / 'minispod.sqlite3'}"
    pg: Postgres = request.getfixturevalue("postgres")
    return normalise_database_url(pg.url_for(await pg.create_database()))


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    # The generated development secret goes to the test's folder, not the repo's
    # ./data; the cheapest argon2id cost keeps the runs quick.
    return {
        "MINISPOD_DATA_DIR": str(tmp_path / "data"),
        "MINISPOD_PASSWORD_TIME_COST": "1",
        "MINISPOD_PASSWORD_MEMORY_KIB": "256",
    }


def _sqlite_tables(path: Path) -> set[str]:
    if not path.exists():
        return set()
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {str(r[0]) for r in rows}


async def tables_in(url: str) -> set[str]:
    if url.startswith("sqlite://"):
        return _sqlite_tables(Path(url[len("sqlite://") :]))
    conn = await asyncpg.connect(libpq_url(url))
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await conn.close()
    return {str(r[0]) for r in rows}


async def test_migrate_creates_the_schema_and_then_has_nothing_to_do(
    empty_database_url: str, cli_env: dict[str, str]
) -> None:
    assert not TABLES & await tables_in(empty_database_url)

    first = run_cli("migrate", database_url=empty_database_url, **cli_env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("applied: ")
    assert "_init.py" in first.stdout
    assert await tables_in(empty_database_url) >= TABLES

    second = run_cli("migrate", database_url=empty_database_url, **cli_env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "database is up to date"


@pytest.mark.parametrize("dialect", ["postgres"])
async def test_replicas_migrating_at_once_apply_each_migration_once(
    empty_database_url: str, cli_env: dict[str, str]
) -> None:
    # Three pods' initContainers starting together on a fresh database, as a first
    # `kubectl apply` or a rollout with surge makes them.
    env = {**os.environ, "MINISPOD_DATABASE_URL": empty_database_url, **cli_env}
    runs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "controlplane",
            "migrate",
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outputs = [await asyncio.wait_for(run.communicate(), 120) for run in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err.decode()
    said = sorted(out.decode().strip() for out, _ in outputs)
    applied, *others = said  # "applied: …" sorts first
    assert others == ["database is up to date"] * 2
    assert applied.startswith("applied: ") and "_init.py" in applied
    conn = await asyncpg.connect(libpq_url(empty_database_url))
    try:
        versions = [r[0] for r in await conn.fetch("SELECT version FROM aerich")]
    finally:
        await conn.close()
    assert len(versions) == len(set(versions)) == applied.count(".py")


async def test_seed_creates_the_two_test_accounts_once(
    empty_database_url: str, cli_env: dict[str, str], make_client: AppFactory
) -> None:
    first = run_cli("seed", database_url=empty_database_url, **cli_env)
    assert first.returncode == 0, first.stderr
    assert "created: admin@paas.com, user@paas.com" in first.stdout

    again = run_cli("seed", database_url=empty_database_url, **cli_env)
    assert again.returncode == 0, again.stderr
    assert "seed data already present" in again.stdout
    assert "created: admin@paas.com" not in again.stdout

    client = await make_client(database_url=empty_database_url)
    admin = await sign_in(client, *ADMIN)
    user = await sign_in(client, *USER)
    assert admin["user"]["role"] == "ADMINISTRATOR"
    assert user["user"]["role"] == "USER"
    resp = await client.get("/api/v1/users", headers=bearer(admin["accessToken"]))
    assert (await resp.json())["data"]["pagination"]["total"] == 2
    # Each test account's development credit, granted once through the ledger.
    assert "development credit: admin@paas.com, user@paas.com" in first.stdout
    assert "development credit" not in again.stdout
    for who in (admin, user):
        headers = bearer(who["accessToken"])
        wallet = await (await client.get("/api/v1/billing/wallet", headers=headers)).json()
        assert wallet["data"]["balance"] == 1000_00 and wallet["data"]["currency"] == "EUR"
        mine = f"/api/v1/billing/transactions?userId={who['user']['id']}"
        (line,) = (await (await client.get(mine, headers=headers)).json())["data"]["transactions"]
        assert line["type"] == "ADJUSTMENT" and line["referenceType"] == "seed"


async def test_seed_is_refused_in_production(
    empty_database_url: str, cli_env: dict[str, str]
) -> None:
    result = run_cli(
        "seed",
        database_url=empty_database_url,
        MINISPOD_ENV="production",
        MINISPOD_JWT_SECRET="p" * 40,
        **cli_env,
    )
    assert result.returncode == 2
    assert "production" in result.stderr
    assert "users" not in await tables_in(empty_database_url)


async def test_create_admin_makes_an_administrator_who_can_sign_in(
    empty_database_url: str, cli_env: dict[str, str], make_client: AppFactory
) -> None:
    password = "R00t!password"
    result = run_cli(
        "create-admin",
        "--email",
        " Root@Example.com",
        "--name",
        "Root",
        database_url=empty_database_url,
        MINISPOD_ADMIN_PASSWORD=password,
        **cli_env,
    )
    assert result.returncode == 0, result.stderr
    assert "root@example.com" in result.stdout

    again = run_cli(
        "create-admin",
        "--email",
        "root@example.com",
        database_url=empty_database_url,
        MINISPOD_ADMIN_PASSWORD=password,
        **cli_env,
    )
    assert again.returncode == 1
    assert "already exists" in again.stderr

    client = await make_client(database_url=empty_database_url)
    tokens = await sign_in(client, "root@example.com", password)
    assert tokens["user"]["role"] == "ADMINISTRATOR"
    assert tokens["user"]["name"] == "Root"
    resp = await client.get("/api/v1/users", headers=bearer(tokens["accessToken"]))
    assert resp.status == 200


@pytest.mark.parametrize(
    ("password", "code", "says"),
    [("", 2, "MINISPOD_ADMIN_PASSWORD"), ("weak", 1, "Password needs")],
    ids=["no-password-no-terminal", "weak-password"],
)
def test_create_admin_refuses_without_a_good_password(
    tmp_path: Path, cli_env: dict[str, str], password: str, code: int, says: str
) -> None:
    url = f"sqlite://{tmp_path / 'minispod.sqlite3'}"
    result = run_cli(
        "create-admin",
        "--email",
        "root@example.com",
        database_url=url,
        MINISPOD_ADMIN_PASSWORD=password,
        **cli_env,
    )
    assert result.returncode == code
    assert says in result.stderr


async def _wait_ready(base: str, process: asyncio.subprocess.Process) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            if process.returncode is not None:
                break
            try:
                async with session.get(f"{base}/ready") as resp:
                    if resp.status == 200:
                        return dict(await resp.json())
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the control plane never became ready")


@pytest.mark.slow
async def test_serve_migrates_a_fresh_database_and_answers(tmp_path: Path) -> None:
    database = tmp_path / "minispod.sqlite3"
    port = free_port()
    env = {
        **os.environ,
        "MINISPOD_DATABASE_URL": f"sqlite://{database}",
        "MINISPOD_DATA_DIR": str(tmp_path / "data"),
        "MINISPOD_HOST": "127.0.0.1",
        "MINISPOD_PORT": str(port),
        "MINISPOD_RUN_JOBS": "false",
        "MINISPOD_LOG_FORMAT": "json",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "controlplane",
        "serve",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        ready = await _wait_ready(base, process)
        assert ready["data"]["database"] == "ok"
        # The schema exists: an unknown account is a 401, not a database error.
        login = {"email": ADMIN[0], "password": ADMIN[1]}
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{base}/api/v1/auth/login", json=login, headers={"X-Request-ID": "cli-test-1"}
            ) as resp,
        ):
            assert resp.status == 401
            assert resp.headers["X-Request-ID"] == "cli-test-1"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 0, stderr.decode()
    # Production-style logs: one JSON object a line, the request's carrying its id.
    entries = [json.loads(line) for line in stderr.decode().splitlines() if line.strip()]
    assert any("applied migrations" in e["message"] for e in entries)
    login_entries = [e for e in entries if e.get("request_id") == "cli-test-1"]
    assert login_entries, entries
    assert login_entries[-1]["status"] == 401
    assert login_entries[-1]["route"] == "/api/v1/auth/login"
    assert await tables_in(f"sqlite://{database}") >= TABLES


def test_a_sqlite_file_that_cannot_open_fails_fast_with_one_line(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a folder should be")
    result = run_cli("migrate", database_url=f"sqlite://{blocker}/db.sqlite3")
    assert result.returncode == 1
    assert "cannot open SQLite database" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_absolute_sqlite_path_in_a_new_folder_is_created(tmp_path):
    target = tmp_path / "new" / "folder" / "db.sqlite3"
    result = run_cli("migrate", database_url=f"sqlite://{target}")
    assert result.returncode == 0, result.stderr
    assert target.exists()


async def test_serve_with_two_workers_shares_the_port_and_stops_cleanly(
    tmp_path: Path, postgres: Any
) -> None:
    """Two processes serve one port (SO_REUSEPORT), and SIGTERM ends both with exit 0."""
    name = await postgres.create_database()  # empty: serve migrates it, once
    port = free_port()
    env = {
        **os.environ,
        "MINISPOD_DATABASE_URL": postgres.url_for(name),
        "MINISPOD_DATA_DIR": str(tmp_path / "data"),
        "MINISPOD_HOST": "127.0.0.1",
        "MINISPOD_PORT": str(port),
        "MINISPOD_WORKERS": "2",
        "MINISPOD_LOG_FORMAT": "json",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "controlplane",
        "serve",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_ready(base, process)

        def listeners() -> list[psutil.Process]:
            # (multiprocessing also starts a resource tracker: only listeners count.)
            return [
                child
                for child in psutil.Process(process.pid).children()
                if any(
                    c.laddr.port == port and c.status == psutil.CONN_LISTEN
                    for c in child.net_connections("tcp")
                )
            ]

        for _ in range(150):  # the second worker may still be starting (30 s at most)
            if len(workers := listeners()) == 2:
                break
            await asyncio.sleep(0.2)
        assert len(workers) == 2
        for _ in range(20):
            async with aiohttp.ClientSession() as session, session.get(f"{base}/ready") as resp:
                assert resp.status == 200
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()
    assert not any(w.is_running() for w in workers)
