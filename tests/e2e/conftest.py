"""Real processes for end-to-end tests: a control plane and node agents on 127.0.0.1, each test
with its own database, ports and state directories, every process killed at teardown."""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Postgres, run_cli
from tests.processes import (
    AdminApi,
    ControlPlane,
    Process,
    child_env,
    create_admin,
    free_port,
    request,
    request_json,
    wait_for,
)

# Short enough that a whole scenario takes seconds. The control plane allows a grace period of
# at most 3 heartbeat intervals; the agents are told to beat faster still, so a live agent
# misses the grace period only if something is really wrong.
CONTROL_PLANE_HEARTBEAT_INTERVAL = 0.5
GRACE_PERIOD = 1.5
AGENT_HEARTBEAT_INTERVAL = 0.2
SWEEP_SLACK = 2.0


class Agent(Process):
    """`python -m agent` with its own state directory and probe port."""

    def __init__(
        self, server_url: str, join_token: str, node_name: str, workdir: Path, **settings: str
    ) -> None:
        self.node_name = node_name
        self.state_dir = workdir / node_name
        self.port = free_port()
        env = child_env(
            MINISPOD_SERVER_URL=server_url,
            MINISPOD_JOIN_TOKEN=join_token,
            MINISPOD_NODE_NAME=node_name,
            MINISPOD_STATE_DIR=str(self.state_dir),
            MINISPOD_AGENT_HOST="127.0.0.1",
            MINISPOD_AGENT_PORT=str(self.port),
            MINISPOD_HEARTBEAT_INTERVAL=str(AGENT_HEARTBEAT_INTERVAL),
            MINISPOD_BACKOFF_MAX="1",
        )
        env.update(settings)
        argv = [sys.executable, "-m", "agent"]
        super().__init__(f"agent {node_name}", argv, env, workdir / f"agent-{node_name}.log")

    def healthz(self) -> dict[str, Any] | None:
        """The agent's /healthz body, or None while it does not answer."""
        self.fail_if_exited()
        try:
            status, body = request_json("GET", f"http://127.0.0.1:{self.port}/healthz", timeout=1)
        except OSError:
            return None
        return body if status in (200, 503) and isinstance(body, dict) else None

    @property
    def spool_dir(self) -> Path:
        return self.state_dir / "spool"

    def counter(self, name: str) -> float:
        """A counter from the agent's /metrics (0 when it has never been incremented)."""
        status, raw = request("GET", f"http://127.0.0.1:{self.port}/metrics", timeout=2)
        assert status == 200, raw
        for line in raw.decode().splitlines():
            metric, _, value = line.partition(" ")
            if metric == f"{name}_total":
                return float(value)
        return 0.0

    def wait_registered(self, timeout: float = 15.0) -> str:
        """The node id the agent registered as."""
        health = wait_for(
            lambda: (h := self.healthz()) and h["registered"] and h, timeout, "agent registered"
        )
        return str(health["nodeId"])


StartAgent = Callable[..., Agent]


@pytest.fixture(scope="session")
def admin_template_postgres(postgres: Postgres) -> Iterator[str]:
    """A migrated PostgreSQL database holding the administrator, copied for every test."""
    name = asyncio.run(postgres.create_database(template=postgres.template))
    create_admin(postgres.url_for(name))
    yield name
    asyncio.run(postgres.drop_database(name))


@pytest.fixture(scope="session")
def admin_template_sqlite(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("e2e-sqlite") / "admin-template.sqlite3"
    shutil.copyfile(sqlite_template, path)
    create_admin(f"sqlite://{path}")
    return path


@pytest.fixture(params=["postgres"])
def control_plane_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own for the test's control plane (PostgreSQL unless parametrized)."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("admin_template_sqlite")
        path = tmp_path / "controlplane.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite://{path}"
        return
    postgres: Postgres = request.getfixturevalue("postgres")
    template_name: str = request.getfixturevalue("admin_template_postgres")
    name = asyncio.run(postgres.create_database(template=template_name))
    yield postgres.url_for(name)
    asyncio.run(postgres.drop_database(name))


@pytest.fixture
def control_plane_settings() -> dict[str, str]:
    """Further MINISPOD_* variables of the test's control plane: a module overrides this."""
    return {}


@pytest.fixture
def seed_catalog() -> bool:
    """Whether the control plane starts with the seeded catalog (Ghost, …): a module overrides
    this."""
    return False


@pytest.fixture
def control_plane(
    control_plane_database: str,
    control_plane_settings: dict[str, str],
    seed_catalog: bool,
    tmp_path: Path,
) -> Iterator[ControlPlane]:
    """A running control plane; killed at teardown whatever state the test left it in."""
    if seed_catalog:
        seeded = run_cli("seed", "--catalog-only", database_url=control_plane_database)
        assert seeded.returncode == 0, seeded.stderr
    process = ControlPlane(
        control_plane_database,
        tmp_path,
        MINISPOD_HEARTBEAT_INTERVAL=str(CONTROL_PLANE_HEARTBEAT_INTERVAL),
        MINISPOD_NODE_GRACE_PERIOD=str(GRACE_PERIOD),
        **control_plane_settings,
    )
    try:
        process.start()
        yield process
    finally:
        process.kill()
        print(f"--- {process.name} log ---\n{process.log()[-6000:]}")


@pytest.fixture
def admin(control_plane: ControlPlane) -> AdminApi:
    return AdminApi(control_plane)


@pytest.fixture
def start_agent(
    control_plane: ControlPlane, admin: AdminApi, tmp_path: Path
) -> Iterator[StartAgent]:
    """Starts agents against the control plane with a fresh join token; all killed at teardown."""
    started: list[Agent] = []
    join_token = admin.join_token()

    def start(node_name: str | None = None, **settings: str) -> Agent:
        """A new agent; given the name of an earlier one, it restarts on that one's state.
        `settings` are further MINISPOD_* variables of the agent."""
        name = node_name or f"e2e-{uuid.uuid4().hex[:8]}"
        agent = Agent(control_plane.url, join_token, name, tmp_path, **settings)
        started.append(agent)
        agent.spawn()
        return agent

    try:
        yield start
    finally:
        for agent in started:
            agent.kill()
        # Restarts of one node append to one log: print each log once.
        for log_path, agent in {a.log_path: a for a in started}.items():
            print(f"--- {log_path.name} ---\n{agent.log()[-4000:]}")
