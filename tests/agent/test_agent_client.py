"""The agent's HTTP client over real loopback HTTP: what it sends, how it sorts each answer of
the control plane, and how it keeps one connection alive between heartbeats.

The server here plays the control plane's answers from a script, so that rare answers (429
with Retry-After, 413, a dropped keep-alive connection, a hang) can be produced on demand; the
real control plane is exercised by tests/e2e."""

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.client import (
    ControlPlaneClient,
    Forgotten,
    Invalid,
    Refused,
    TooLarge,
    Unavailable,
)
from agent.state import NodeIdentity
from agent.wire import Heartbeat, NodeFacts, ResourceReport, UsageSample, telemetry_batch

IDENTITY = NodeIdentity(
    node_id="node-1",
    node_token="nt_client_test_token",
    node_name="worker-7",
    server_url="unused",
    heartbeat_interval=10.0,
    resource_interval=60.0,
)
SAMPLE = UsageSample(
    seq=5,
    timestamp=datetime(2026, 3, 1, 12, tzinfo=UTC),
    cpu_percent=12.5,
    memory_used=100,
    disk_used=200,
    load1=0.5,
    load5=0.4,
    load15=0.3,
)
HEARTBEAT = Heartbeat(sample=SAMPLE)
INGESTED = {"accepted": 1, "duplicates": 0, "lastSeq": 5}


@dataclass
class Answer:
    status: int = 200
    data: object = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Close the connection after answering without saying so, as a server whose keep-alive
    # timeout ran out does.
    drop_connection: bool = False
    delay: float = 0.0

    def payload(self) -> bytes:
        if self.body is not None:
            return self.body
        if 200 <= self.status < 300:
            return json.dumps({"success": True, "data": self.data}).encode()
        return json.dumps(self.data).encode() if self.data is not None else b""


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: object
    client_port: int


class ScriptedControlPlane(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers: list[Answer] = []
        self.received: list[Received] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedControlPlane
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(
            Received(self.path, dict(self.headers), json.loads(raw), self.client_address[1])
        )
        answer = self.server.answers.pop(0) if self.server.answers else Answer(data=INGESTED)
        time.sleep(answer.delay)
        payload = answer.payload()
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        if answer.drop_connection:
            self.close_connection = True

    def log_message(self, format, *args):
        pass


@pytest.fixture
def control_plane() -> Iterator[ScriptedControlPlane]:
    server = ScriptedControlPlane()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(control_plane: ScriptedControlPlane) -> Iterator[ControlPlaneClient]:
    client = ControlPlaneClient(control_plane.url, user_agent="minispod-agent/test")
    yield client
    client.close()


def test_register_sends_the_facts_with_the_join_token_and_reads_the_identity(control_plane):
    control_plane.answers.append(
        Answer(
            data={
                "nodeId": "node-1",
                "nodeToken": "nt_issued",
                "heartbeatInterval": 10,
                "resourceInterval": 60,
                "lastSeq": 41,
            }
        )
    )
    facts = NodeFacts(
        name="worker-7",
        hostname="worker-7",
        ip_address="10.0.10.7",
        cpu_cores=4,
        cpu_architecture="x86_64",
        total_memory=16_000,
        total_storage=500_000,
        architecture="amd64",
        operating_system="Ubuntu",
    )
    # A control plane behind a path prefix keeps it.
    client = ControlPlaneClient(control_plane.url + "/minispod/", user_agent="minispod-agent/t")

    result = client.register("jt_join_token", facts)
    client.close()

    request = control_plane.received[0]
    assert request.path == "/minispod/api/v1/agent/register"
    assert request.headers["Authorization"] == "Bearer jt_join_token"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"] == "minispod-agent/t"
    assert request.body == facts.wire()
    assert (result.node_id, result.node_token, result.heartbeat_interval, result.last_seq) == (
        "node-1",
        "nt_issued",
        10.0,
        41,
    )


def test_node_calls_use_the_node_token_on_the_nodes_own_paths(control_plane, client):
    report = ResourceReport(
        allocated_cpu=1.5, allocated_memory=512, allocated_storage=0, current_pods=3
    )

    ingested = client.heartbeat(IDENTITY, HEARTBEAT)
    client.telemetry(IDENTITY, telemetry_batch([SAMPLE]))
    client.resources(IDENTITY, report)

    assert [r.path for r in control_plane.received] == [
        "/api/v1/workers/node-1/heartbeat",
        "/api/v1/workers/node-1/telemetry",
        "/api/v1/workers/node-1/resources",
    ]
    assert {r.headers["Authorization"] for r in control_plane.received} == {
        "Bearer nt_client_test_token"
    }
    assert [r.body for r in control_plane.received] == [
        HEARTBEAT.wire(),
        {"samples": [SAMPLE.wire()]},
        report.wire(),
    ]
    assert (ingested.accepted, ingested.last_seq) == (1, 5)


def test_heartbeats_share_one_kept_alive_connection(control_plane, client):
    for _ in range(4):
        client.heartbeat(IDENTITY, HEARTBEAT)

    assert len({r.client_port for r in control_plane.received}) == 1


def test_a_connection_the_server_dropped_is_replaced_without_a_failure(control_plane, client):
    control_plane.answers += [Answer(data=INGESTED, drop_connection=True), Answer(data=INGESTED)]
    client.heartbeat(IDENTITY, HEARTBEAT)
    time.sleep(0.1)

    second = client.heartbeat(IDENTITY, HEARTBEAT)

    assert second.last_seq == 5
    ports = [r.client_port for r in control_plane.received]
    assert len(ports) == 2
    assert ports[0] != ports[1]


def error(status: int, code: str, message: str = "refused") -> Answer:
    return Answer(status, {"success": False, "code": code, "message": message})


@pytest.mark.parametrize(
    ("answer", "raised", "status"),
    [
        (error(401, "UNAUTHORIZED"), Forgotten, 401),
        (error(404, "NOT_FOUND"), Forgotten, 404),
        (error(400, "VALIDATION_ERROR"), Invalid, 400),
        (error(400, "BAD_REQUEST"), Refused, 400),
        (error(413, "PAYLOAD_TOO_LARGE"), TooLarge, 413),
        (error(409, "CONFLICT"), Refused, 409),
        (error(503, "UNAVAILABLE"), Unavailable, 503),
        (Answer(502, body=b"<html>bad gateway</html>"), Unavailable, 502),
        (Answer(200, body=b'{"success": false}'), Unavailable, 200),
        (Answer(200, body=b"OK"), Unavailable, 200),
        (Answer(308, headers={"Location": "https://cp.example.com/"}), Refused, 308),
    ],
)
def test_each_answer_is_sorted_by_what_the_agent_should_do(
    control_plane, client, answer, raised, status
):
    control_plane.answers.append(answer)

    with pytest.raises(raised) as caught:
        client.heartbeat(IDENTITY, HEARTBEAT)

    assert type(caught.value) is raised
    assert caught.value.status == status


def test_a_refused_join_token_is_not_taken_for_a_forgotten_node(control_plane, client):
    control_plane.answers.append(error(401, "UNAUTHORIZED", "join token revoked"))
    facts = NodeFacts("w", "w", "10.0.0.1", 1, "x86_64", 1, 1, "amd64", "Linux")

    with pytest.raises(Refused) as caught:
        client.register("jt_revoked", facts)

    assert caught.value.status == 401
    assert "join token revoked" in str(caught.value)


def test_429_says_how_long_the_control_plane_asks_to_wait(control_plane, client):
    control_plane.answers.append(
        Answer(429, {"success": False, "code": "RATE_LIMITED"}, headers={"Retry-After": "30"})
    )

    with pytest.raises(Unavailable) as caught:
        client.heartbeat(IDENTITY, HEARTBEAT)

    assert caught.value.retry_after == 30.0
    assert caught.value.code == "RATE_LIMITED"


def test_an_unexpected_result_body_is_a_failure_to_retry(control_plane, client):
    control_plane.answers.append(Answer(data={"accepted": "three"}))

    with pytest.raises(Unavailable, match="unexpected response body"):
        client.heartbeat(IDENTITY, HEARTBEAT)


def test_an_answer_too_large_to_be_a_control_plane_is_a_failure(control_plane, client):
    control_plane.answers.append(Answer(body=b" " * (2 << 20)))

    with pytest.raises(Unavailable, match="response over"):
        client.heartbeat(IDENTITY, HEARTBEAT)
    assert client.heartbeat(IDENTITY, HEARTBEAT).last_seq == 5


def test_a_control_plane_that_does_not_answer_in_time_is_unavailable(control_plane):
    control_plane.answers.append(Answer(data=INGESTED, delay=1.0))
    client = ControlPlaneClient(control_plane.url, user_agent="t", timeout=0.2)

    started = time.monotonic()
    with pytest.raises(Unavailable, match="TimeoutError"):
        client.heartbeat(IDENTITY, HEARTBEAT)
    took = time.monotonic() - started
    client.close()

    assert took < 0.9


def test_the_goodbye_time_limit_is_shorter_than_the_usual_timeout(control_plane, client):
    control_plane.answers.append(Answer(data=INGESTED, delay=1.0))

    started = time.monotonic()
    with pytest.raises(Unavailable):
        client.heartbeat(IDENTITY, HEARTBEAT, time_limit=0.2)

    assert time.monotonic() - started < 0.9


def test_no_control_plane_listening_is_unavailable():
    client = ControlPlaneClient("http://127.0.0.1:9", user_agent="t")

    with pytest.raises(Unavailable, match="ConnectionRefusedError"):
        client.heartbeat(IDENTITY, HEARTBEAT)
