"""Suite-wide fixtures: real databases (SQLite and a throwaway PostgreSQL) and the real app."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import Browser, async_playwright

from controlplane.app import create_app
from controlplane.appkeys import ACCOUNTS
from controlplane.config import Config, normalise_database_url
from tests.pgserver import PostgresServer
from tests.smtp import MailServer
from tests.webhook_receiver import Receiver

ROOT = Path(__file__).resolve().parents[1]
# A fixed Fernet key, so a test can read what the app sealed.
TEST_SECRETS_KEY = "tm0Ft9Yw5xGq0b8F1m3kq2pX0-3c5y7Jm9n1Q2r4s6U="


class FakeClock:
    """A clock tests move by hand: time-dependent rules are checked without sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def libpq_url(database_url: str) -> str:
    """A test database's URL as asyncpg and libpq spell it (tortoise's is asyncpg://)."""
    return database_url.replace("asyncpg://", "postgresql://", 1)


def run_cli(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real `minispod-controlplane`, as an operator runs it."""
    full_env = {**os.environ, "MINISPOD_DATABASE_URL": database_url, **env}
    return subprocess.run(
        [sys.executable, "-m", "controlplane", *args],
        env=full_env,
        cwd=ROOT,
        # Never a terminal: a command that would prompt must fail, not wait.
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class Postgres:
    """Where the suite's PostgreSQL is and how to get a fresh, migrated database from it."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.template = f"minispod_template_{uuid.uuid4().hex[:8]}"
        # Databases emptied after their test, ready for the next: TRUNCATE costs
        # ~40 ms where CREATE DATABASE ... TEMPLATE costs ~300 ms, which made
        # up most of the PostgreSQL half of the suite's time.
        self.emptied: list[str] = []
        # Only an empty template (schema and migration history, no rows) can be
        # restored by truncating; set when the template is made.
        self.recyclable = False

    def url_for(self, database: str) -> str:
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{database}"

    async def create_database(self, template: str | None = None) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(self.admin_url)
        try:
            suffix = f" TEMPLATE {template}" if template else ""
            await conn.execute(f'CREATE DATABASE "{name}"{suffix}')
        finally:
            await conn.close()
        return name

    async def fresh_database(self) -> str:
        """A migrated database holding no rows: an emptied one, else a new copy."""
        if self.emptied:
            return self.emptied.pop()
        return await self.create_database(template=self.template)

    async def give_back(self, name: str) -> None:
        """Empties a test's database for reuse; one that cannot be emptied is left alone."""
        if not self.recyclable:
            return
        try:
            conn = await asyncpg.connect(self.url_for(name), timeout=5)
        except (OSError, asyncpg.PostgresError):
            return  # dropped, or closed to connections, by the test itself
        try:
            # A connection the test left open must not hang the suite.
            await conn.execute("SET lock_timeout = '2s'")
            tables = await _user_tables(conn)
            if tables:
                await conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        except asyncpg.PostgresError:
            return
        finally:
            await conn.close()
        self.emptied.append(name)

    async def drop_database(self, name: str) -> None:
        conn = await asyncpg.connect(self.admin_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    given = os.environ.get("MINISPOD_TEST_DATABASE_URL")
    server = None
    if given:
        pg = Postgres(given)
    else:
        server = PostgresServer().start()
        pg = Postgres(server.url)
    # Session fixtures may be first requested from inside a running loop
    # (an async fixture), so their async set-up runs on a thread of its own.
    _run_in_thread(_make_template(pg))
    try:
        yield pg
    finally:
        if server is not None:
            server.stop()
        else:
            _run_in_thread(pg.drop_database(pg.template))


def _run_in_thread(coro: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coro).result()


async def _make_template(pg: Postgres) -> None:
    conn = await asyncpg.connect(pg.admin_url)
    try:
        await conn.execute(f'CREATE DATABASE "{pg.template}"')
    finally:
        await conn.close()
    result = run_cli("migrate", database_url=pg.url_for(pg.template))
    assert result.returncode == 0, result.stderr
    conn = await asyncpg.connect(pg.url_for(pg.template))
    try:
        tables = await _user_tables(conn)
        # Table names come quoted from the catalog, not from input.
        probes = [f"SELECT EXISTS (SELECT 1 FROM {t})" for t in tables]  # noqa: S608
        rows = [await conn.fetchval(probe) for probe in probes]
    finally:
        await conn.close()
    pg.recyclable = not any(rows)


async def _user_tables(conn: asyncpg.Connection) -> list[str]:
    """The schema's tables except aerich's migration history, quoted for SQL."""
    rows = await conn.fetch(
        "SELECT quote_ident(tablename) FROM pg_tables"
        " WHERE schemaname = current_schema() AND tablename <> 'aerich'"
    )
    return [str(r[0]) for r in rows]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    result = run_cli("migrate", database_url=f"sqlite://{path}")
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(
    dialect: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[str]:
    """A fresh database with every migration applied, of the test's dialect."""
    if dialect == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite3"
        await asyncio.to_thread(shutil.copyfile, template, path)
        yield f"sqlite://{path}"
        return
    pg: Postgres = request.getfixturevalue("postgres")
    name = await pg.fresh_database()
    yield normalise_database_url(pg.url_for(name))
    await pg.give_back(name)


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Config:
    return Config(
        env="development",
        data_dir=tmp_path / "data",
        database_url=database_url,
        migrate_on_start=False,
        jwt_secret="test-secret-" + "x" * 40,
        secrets_key=TEST_SECRETS_KEY,
        # The cheapest argon2id cost: tests exercise the logic, not the cost.
        password_time_cost=1,
        password_memory_kib=256,
        rate_limit_per_minute=0,
        log_format="text",
        # Periodic jobs would race the test's own steps on the same database;
        # tests run them by hand, and the end-to-end tests run them for real.
        run_jobs=False,
        # Likewise the outbox: tests that mean delivery drain it (app[DELIVERY].drain()).
        deliver_events=False,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


AppFactory = Callable[..., Awaitable[TestClient]]


@pytest.fixture
def make_client(
    aiohttp_client: Callable[..., Awaitable[TestClient]], config: Config, clock: FakeClock
) -> AppFactory:
    """Builds the real app with config overrides and serves it on a real loopback socket."""

    async def make(**overrides: Any) -> TestClient:
        return await aiohttp_client(create_app(config.replace(**overrides), clock=clock))

    return make


@pytest.fixture
async def client(make_client: AppFactory) -> TestClient:
    return await make_client()


ADMIN_PASSWORD = "Admin123!@#"
USER_PASSWORD = "User123!@#"


async def create_account(
    client: TestClient, email: str, password: str, role: str = "USER", name: str = "Someone"
) -> None:
    from shared.enums import Role

    await client.app[ACCOUNTS].create_user(name, email, password, Role(role))


async def sign_in(client: TestClient, email: str, password: str) -> dict[str, Any]:
    resp = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    body = await resp.json()
    assert resp.status == 200, body
    return dict(body["data"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def admin_headers(client: TestClient) -> dict[str, str]:
    await create_account(client, "admin@paas.com", ADMIN_PASSWORD, "ADMINISTRATOR", "Admin")
    return bearer((await sign_in(client, "admin@paas.com", ADMIN_PASSWORD))["accessToken"])


@pytest.fixture
async def user_headers(client: TestClient) -> dict[str, str]:
    await create_account(client, "user@paas.com", USER_PASSWORD, "USER", "User")
    return bearer((await sign_in(client, "user@paas.com", USER_PASSWORD))["accessToken"])


CHROMIUM = "/usr/bin/chromium"
# The flags that let Debian's chromium start as root with no network beyond loopback.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# Screenshots and other files a test leaves for a person to look at (ignored by git).
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium, headless, driven by Playwright (whose own browser download is unused)."""
    assert shutil.which(CHROMIUM), f"{CHROMIUM} is missing: scripts/setup installs it (apt)"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        await launched.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """A folder of this test's own under artifacts/, emptied of an earlier run's files."""
    folder = ARTIFACTS / request.node.module.__name__.rsplit(".", 1)[-1] / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A real SMTP server on 127.0.0.1 that records every message it accepts."""
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A real webhook receiver on 127.0.0.1 that records every request it answers."""
    got = await Receiver().start()
    yield got
    await got.stop()
