"""The agent's HTTP client against the real control plane: what each of its answers means to the
agent, and how one connection is kept alive between heartbeats and replaced when it is dropped.

Every answer here that is an API envelope comes from `python -m controlplane serve` on
127.0.0.1 over PostgreSQL: the rare ones too (413 from a replica with a small body limit, 429
from one with a rate limit, 503 from one whose database is gone, a connection dropped by a
restart). `ProxyStandIn` is not a control plane and never speaks our envelope: it stands for
what can sit in front of one or be reached by a wrong URL (an ingress answering 502 pages, a
redirect to HTTPS, a web server with a huge page, a peer that accepts and never answers),
faults no control plane produces.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agent.client import (
    ControlPlaneClient,
    ControlPlaneError,
    Forgotten,
    Invalid,
    Refused,
    TooLarge,
    Unavailable,
)
from agent.state import NodeIdentity
from agent.wire import (
    Heartbeat,
    NodeFacts,
    NodeRegistration,
    ResourceReport,
    UsageSample,
    telemetry_batch,
)
from tests.conftest import Postgres
from tests.processes import AdminApi, ControlPlane, create_admin, free_port, wait_for

pytestmark = pytest.mark.slow

# What the control plane tells agents at registration; not its defaults, so that the client is
# seen to read them rather than assume them.
HEARTBEAT_INTERVAL = 7.0
RESOURCE_INTERVAL = 70.0
SMALL_BODY_LIMIT = 2048
CPU_CORES = 4


NODE_SECRET = "client-test-node-secret-" + "s" * 20


def facts(name: str, secret: str = NODE_SECRET) -> NodeRegistration:
    """The registration body of a node of that name, from the agent holding `secret`."""
    return NodeRegistration(
        NodeFacts(
            name=name,
            hostname=name,
            ip_address="10.0.10.7",
            cpu_cores=CPU_CORES,
            cpu_architecture="x86_64",
            total_memory=16_000,
            total_storage=500_000,
            architecture="amd64",
            operating_system="Ubuntu",
        ),
        secret,
    )


def sample(seq: int, ahead: timedelta = timedelta(0), cpu_percent: float = 12.5) -> UsageSample:
    return UsageSample(
        seq=seq,
        timestamp=datetime.now(UTC) + ahead,
        cpu_percent=cpu_percent,
        memory_used=100,
        disk_used=200,
        load1=0.5,
        load5=0.4,
        load15=0.3,
    )


def beat(seq: int) -> Heartbeat:
    return Heartbeat(sample=sample(seq))


def register(client: ControlPlaneClient, join_token: str, name: str) -> NodeIdentity:
    """A node of the given name registered through `client`, as the agent keeps it."""
    result = client.register(join_token, facts(name))
    return NodeIdentity(
        node_id=result.node_id,
        node_token=result.node_token,
        node_name=name,
        server_url="unused by the client",
        heartbeat_interval=result.heartbeat_interval,
        resource_interval=result.resource_interval,
    )


def new_name() -> str:
    return f"client-{uuid.uuid4().hex[:8]}"


@contextmanager
def running(process: ControlPlane) -> Iterator[ControlPlane]:
    """Starts the control plane; kills it and shows its log at teardown."""
    try:
        process.start()
        yield process
    finally:
        process.kill()
        print(f"--- {process.log_path} ---\n{process.log()[-4000:]}")


@pytest.fixture(scope="module")
def database(postgres: Postgres) -> Iterator[str]:
    """One migrated database holding the administrator, for the module's control planes."""
    name = asyncio.run(postgres.create_database(template=postgres.template))
    url = postgres.url_for(name)
    create_admin(url)
    yield url
    asyncio.run(postgres.drop_database(name))


def control_plane_settings(**extra: str) -> dict[str, str]:
    return {
        "MINISPOD_RUN_JOBS": "false",
        "MINISPOD_HEARTBEAT_INTERVAL": str(HEARTBEAT_INTERVAL),
        "MINISPOD_RESOURCE_INTERVAL": str(RESOURCE_INTERVAL),
        **extra,
    }


@pytest.fixture(scope="module")
def control_plane(
    database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ControlPlane]:
    workdir = tmp_path_factory.mktemp("control-plane")
    with running(ControlPlane(database, workdir, **control_plane_settings())) as process:
        yield process


@pytest.fixture(scope="module")
def strict_replica(
    database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ControlPlane]:
    """A second control plane on the same database, with a small body limit and one
    registration a minute per client (agent reports are outside the rate limit)."""
    workdir = tmp_path_factory.mktemp("strict-replica")
    settings = control_plane_settings(
        MINISPOD_MAX_BODY_BYTES=str(SMALL_BODY_LIMIT),
        MINISPOD_RATE_LIMIT_PER_MINUTE="1",
        MINISPOD_RATE_LIMIT_BURST="1",
    )
    with running(ControlPlane(database, workdir, **settings)) as process:
        yield process


@pytest.fixture(scope="module")
def admin(control_plane: ControlPlane) -> AdminApi:
    return AdminApi(control_plane)


@pytest.fixture(scope="module")
def join_token(admin: AdminApi) -> str:
    return admin.join_token()


@pytest.fixture
def database_of_its_own(postgres: Postgres) -> Iterator[str]:
    """A migrated database for a test that takes it away."""
    name = asyncio.run(postgres.create_database(template=postgres.template))
    yield name
    asyncio.run(postgres.drop_database(name))


@pytest.fixture
def client(control_plane: ControlPlane) -> Iterator[ControlPlaneClient]:
    client = ControlPlaneClient(control_plane.url, user_agent="minispod-agent/test")
    yield client
    client.close()


@pytest.fixture
def node(client: ControlPlaneClient, join_token: str) -> NodeIdentity:
    """A node of its own for the test, registered on the main control plane."""
    return register(client, join_token, new_name())


# --- answers of the real control plane -------------------------------------------------------


def test_register_with_a_join_token_returns_the_identity_and_the_intervals(
    client: ControlPlaneClient, admin: AdminApi, join_token: str
) -> None:
    name = new_name()

    result = client.register(join_token, facts(name))

    assert admin.nodes_named(name)[0]["id"] == result.node_id
    assert result.node_token
    assert (result.heartbeat_interval, result.resource_interval) == (
        HEARTBEAT_INTERVAL,
        RESOURCE_INTERVAL,
    )
    assert result.last_seq == 0


def test_registering_again_by_name_returns_the_node_its_last_seq_and_a_new_token(
    client: ControlPlaneClient, join_token: str, node: NodeIdentity
) -> None:
    client.heartbeat(node, beat(5))

    again = client.register(join_token, facts(node.node_name))

    assert (again.node_id, again.last_seq) == (node.node_id, 5)
    with pytest.raises(Forgotten) as caught:
        client.heartbeat(node, beat(6))
    assert caught.value.status == 401
    assert client.heartbeat(replace(node, node_token=again.node_token), beat(6)).last_seq == 6


def test_a_node_name_held_by_another_agent_is_refused_and_its_owner_keeps_reporting(
    client: ControlPlaneClient, join_token: str, node: NodeIdentity
) -> None:
    with pytest.raises(Refused) as caught:
        client.register(join_token, facts(node.node_name, secret="another-" + NODE_SECRET))

    assert (caught.value.status, caught.value.code) == (409, "CONFLICT")
    assert "an administrator must release the node" in str(caught.value)
    assert client.heartbeat(node, beat(1)).last_seq == 1


def test_a_bad_join_token_is_refused_not_taken_for_a_forgotten_node(
    client: ControlPlaneClient,
) -> None:
    with pytest.raises(Refused) as caught:
        client.register("mpj_not_a_join_token", facts(new_name()))

    assert type(caught.value) is Refused
    assert (caught.value.status, caught.value.code) == (401, "UNAUTHORIZED")


def test_heartbeat_telemetry_and_resources_are_stored_with_the_node_token(
    client: ControlPlaneClient, admin: AdminApi, node: NodeIdentity
) -> None:
    heartbeat = client.heartbeat(node, beat(1))
    # A replay overlapping what was stored: the duplicate is counted, not stored twice.
    replay = client.telemetry(node, telemetry_batch([sample(1), sample(2), sample(3)]))
    client.resources(node, ResourceReport(1.5, 512, 0, 3))

    assert (heartbeat.accepted, heartbeat.duplicates, heartbeat.last_seq) == (1, 0, 1)
    assert (replay.accepted, replay.duplicates, replay.last_seq) == (2, 1, 3)
    assert sorted(admin.stored_seqs(node.node_id)) == [1, 2, 3]
    stored = admin.node(node.node_id)
    assert (stored["allocatedCPU"], stored["allocatedMemory"], stored["currentPods"]) == (
        1.5,
        512,
        3,
    )


def test_heartbeats_share_one_kept_alive_connection(
    client: ControlPlaneClient, node: NodeIdentity
) -> None:
    for seq in range(1, 5):
        client.heartbeat(node, beat(seq))

    # One for the registration and all four heartbeats.
    assert client.connection.connections_opened == 1


def test_a_deleted_node_is_forgotten_on_every_replica(
    client: ControlPlaneClient,
    strict_replica: ControlPlane,
    admin: AdminApi,
    node: NodeIdentity,
) -> None:
    other = ControlPlaneClient(strict_replica.url, user_agent="minispod-agent/test")
    other.heartbeat(node, beat(1))  # the replica now holds the token in its cache

    admin.data("DELETE", f"/workers/{node.node_id}")

    # The replica that deleted it no longer knows the token. The other hears of the
    # revocation (PostgreSQL NOTIFY) and drops it from its cache: the token is refused there
    # too, not served for the cache's lifetime to a node that no longer exists.
    with pytest.raises(Forgotten) as here:
        client.heartbeat(node, beat(2))

    def refused_there() -> tuple[int | None, str | None] | None:
        try:
            other.heartbeat(node, beat(2))
        except Forgotten as exc:
            return None if exc.status == 404 else (exc.status, exc.code)
        raise AssertionError("the other replica accepted a deleted node's heartbeat")

    there = wait_for(refused_there, timeout=5, what="the other replica to refuse the token")
    other.close()
    assert (here.value.status, here.value.code) == (401, "UNAUTHORIZED")
    assert there == (401, "UNAUTHORIZED")


def test_a_node_token_the_control_plane_never_issued_is_forgotten(
    client: ControlPlaneClient, node: NodeIdentity
) -> None:
    forged = replace(node, node_token="mpn_" + "x" * 40)

    with pytest.raises(Forgotten) as caught:
        client.heartbeat(forged, beat(1))

    assert (caught.value.status, caught.value.code) == (401, "UNAUTHORIZED")


def test_a_node_token_on_another_nodes_path_is_refused_not_forgotten(
    client: ControlPlaneClient, join_token: str, node: NodeIdentity
) -> None:
    other = register(client, join_token, new_name())
    crossed = replace(node, node_id=other.node_id)

    with pytest.raises(Refused) as caught:
        client.heartbeat(crossed, beat(1))

    assert type(caught.value) is Refused
    assert (caught.value.status, caught.value.code) == (403, "FORBIDDEN")


Send = Callable[[ControlPlaneClient, NodeIdentity], object]


@pytest.mark.parametrize(
    ("send", "field"),
    [
        pytest.param(
            lambda c, n: c.heartbeat(n, Heartbeat(sample(1, ahead=timedelta(hours=1)))),
            "sample.timestamp",
            id="heartbeat-an-hour-ahead",
        ),
        pytest.param(
            lambda c, n: c.telemetry(n, telemetry_batch([sample(1, cpu_percent=150.0)])),
            "samples.0.cpuPercent",
            id="telemetry-cpu-over-100-percent",
        ),
        pytest.param(
            lambda c, n: c.resources(n, ResourceReport(CPU_CORES * 2, 512, 0, 3)),
            "allocatedCPU",
            id="resources-beyond-capacity",
        ),
    ],
)
def test_a_body_the_control_plane_will_never_accept_is_invalid(
    client: ControlPlaneClient, node: NodeIdentity, send: Send, field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        send(client, node)

    assert (caught.value.status, caught.value.code) == (400, "VALIDATION_ERROR")
    assert field in str(caught.value)  # the log line names the refused field


def test_a_batch_over_the_body_limit_is_too_large_and_a_smaller_one_goes_through(
    strict_replica: ControlPlane, node: NodeIdentity
) -> None:
    client = ControlPlaneClient(strict_replica.url, user_agent="minispod-agent/test")
    batch = telemetry_batch([sample(seq) for seq in range(1, 41)])
    assert len(json.dumps(batch)) > SMALL_BODY_LIMIT

    with pytest.raises(TooLarge) as caught:
        client.telemetry(node, batch)
    smaller = client.telemetry(node, telemetry_batch([sample(1), sample(2)]))
    client.close()

    assert (caught.value.status, caught.value.code) == (413, "PAYLOAD_TOO_LARGE")
    assert smaller.accepted == 2


def test_registration_over_the_rate_limit_says_when_to_retry_and_reports_are_not_limited(
    strict_replica: ControlPlane, join_token: str
) -> None:
    client = ControlPlaneClient(strict_replica.url, user_agent="minispod-agent/test")
    identity = register(client, join_token, new_name())

    with pytest.raises(Unavailable) as caught:
        client.register(join_token, facts(identity.node_name))
    reports = [client.heartbeat(identity, beat(seq)).last_seq for seq in range(1, 4)]
    client.close()

    assert (caught.value.status, caught.value.code) == (429, "RATE_LIMITED")
    assert caught.value.retry_after is not None and caught.value.retry_after > 0
    assert reports == [1, 2, 3]


def test_a_control_plane_whose_database_is_gone_asks_to_retry_later(
    postgres: Postgres, database_of_its_own: str, tmp_path: Path
) -> None:
    url = postgres.url_for(database_of_its_own)
    with running(ControlPlane(url, tmp_path, **control_plane_settings())) as process:
        client = ControlPlaneClient(process.url, user_agent="minispod-agent/test")
        asyncio.run(postgres.drop_database(database_of_its_own))

        with pytest.raises(Unavailable) as caught:
            client.register("mpj_any_join_token", facts(new_name()))
        client.close()

        assert (caught.value.status, caught.value.code) == (503, "SERVICE_UNAVAILABLE")
        assert caught.value.retry_after is not None and caught.value.retry_after > 0


def test_a_connection_dropped_by_a_restart_is_replaced_without_a_failure(
    control_plane: ControlPlane, client: ControlPlaneClient, node: NodeIdentity
) -> None:
    client.heartbeat(node, beat(1))
    assert control_plane.stop() == 0
    control_plane.start()

    after = client.heartbeat(node, beat(2))

    assert (after.accepted, after.last_seq) == (1, 2)
    assert client.connection.connections_opened == 2


# --- what is not a control plane -------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


class ProxyStandIn(ThreadingHTTPServer):
    """An HTTP peer that is not a control plane: it answers every request with one canned reply
    (None: it reads the request and never answers) and keeps what it was sent."""

    daemon_threads = True

    def __init__(self, reply: Reply | None) -> None:
        super().__init__(("127.0.0.1", 0), _StandInHandler)
        self.reply = reply
        self.seen: list[Seen] = []
        self.released = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _StandInHandler(BaseHTTPRequestHandler):
    server: ProxyStandIn
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.seen.append(Seen(self.path, dict(self.headers)))
        reply = self.server.reply
        if reply is None:
            self.server.released.wait()
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def stand_in() -> Iterator[Callable[[Reply | None], ProxyStandIn]]:
    started: list[ProxyStandIn] = []

    def start(reply: Reply | None) -> ProxyStandIn:
        server = ProxyStandIn(reply)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.released.set()
        server.shutdown()
        server.server_close()


SOME_NODE = NodeIdentity(
    node_id="node-1",
    node_token="mpn_token",
    node_name="worker-7",
    server_url="unused by the client",
    heartbeat_interval=HEARTBEAT_INTERVAL,
    resource_interval=RESOURCE_INTERVAL,
)
HTML = {"Content-Type": "text/html"}


@pytest.mark.parametrize(
    ("reply", "raised", "words"),
    [
        pytest.param(
            Reply(502, b"<html>502 Bad Gateway</html>", HTML),
            Unavailable,
            "502",
            id="ingress-502-page",
        ),
        pytest.param(
            Reply(200, b"<html>Welcome to nginx!</html>", HTML),
            Unavailable,
            "without a success envelope",
            id="wrong-url-200-page",
        ),
        pytest.param(
            Reply(308, headers={"Location": "https://cp.example.com/api/v1/x"}),
            Refused,
            "redirected to https://cp.example.com/api/v1/x",
            id="redirect-to-https",
        ),
    ],
)
def test_a_peer_that_is_not_a_control_plane_is_sorted_by_what_the_agent_should_do(
    stand_in: Callable[[Reply | None], ProxyStandIn],
    reply: Reply,
    raised: type[ControlPlaneError],
    words: str,
) -> None:
    client = ControlPlaneClient(stand_in(reply).url, user_agent="minispod-agent/test")

    with pytest.raises(raised, match=words) as caught:
        client.heartbeat(SOME_NODE, beat(1))
    client.close()

    assert type(caught.value) is raised
    assert caught.value.status == reply.status


def test_a_path_prefix_in_the_server_url_is_kept(
    stand_in: Callable[[Reply | None], ProxyStandIn],
) -> None:
    proxy = stand_in(Reply(502, b"no upstream"))
    client = ControlPlaneClient(proxy.url + "/minispod/", user_agent="minispod-agent/t")

    with pytest.raises(Unavailable):
        client.register("mpj_join", facts("worker-7"))
    client.close()

    assert proxy.seen[0].path == "/minispod/api/v1/agent/register"
    assert proxy.seen[0].headers["Authorization"] == "Bearer mpj_join"
    assert proxy.seen[0].headers["User-Agent"] == "minispod-agent/t"


def test_an_answer_too_large_for_a_control_plane_is_unavailable_and_its_connection_dropped(
    stand_in: Callable[[Reply | None], ProxyStandIn],
) -> None:
    client = ControlPlaneClient(stand_in(Reply(200, b" " * (2 << 20))).url, user_agent="t")

    for _ in range(2):
        with pytest.raises(Unavailable, match="response over"):
            client.heartbeat(SOME_NODE, beat(1))
    client.close()

    assert client.connection.connections_opened == 2


def test_a_peer_that_never_answers_is_unavailable_after_the_timeout(
    stand_in: Callable[[Reply | None], ProxyStandIn],
) -> None:
    client = ControlPlaneClient(stand_in(None).url, user_agent="t", timeout=0.2)

    started = time.monotonic()
    with pytest.raises(Unavailable, match="TimeoutError"):
        client.heartbeat(SOME_NODE, beat(1))
    took = time.monotonic() - started
    client.close()

    assert took < 0.9


def test_the_goodbye_time_limit_is_shorter_than_the_usual_timeout(
    stand_in: Callable[[Reply | None], ProxyStandIn],
) -> None:
    client = ControlPlaneClient(stand_in(None).url, user_agent="t")

    started = time.monotonic()
    with pytest.raises(Unavailable, match="TimeoutError"):
        client.heartbeat(SOME_NODE, beat(1), time_limit=0.2)
    took = time.monotonic() - started
    client.close()

    assert took < 0.9


def test_nothing_listening_is_unavailable() -> None:
    client = ControlPlaneClient(f"http://127.0.0.1:{free_port()}", user_agent="t")

    with pytest.raises(Unavailable, match="ConnectionRefusedError"):
        client.heartbeat(SOME_NODE, beat(1))
