"""The agent's /healthz and /metrics, served by the real probe server on a loopback port."""

import http.client
import json
from collections.abc import Iterator

import pytest

from agent.metrics import AgentMetrics, create_metrics
from agent.reporter import STALL_SECONDS, LoopStatus
from agent.server import ProbeServer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def get(server: ProbeServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, dict(response.headers), response.read()
    finally:
        connection.close()


@pytest.fixture
def serve() -> Iterator:
    started: list[ProbeServer] = []

    def start(status: LoopStatus, metrics: AgentMetrics) -> ProbeServer:
        server = ProbeServer("127.0.0.1", 0, status, metrics)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.close()


def test_healthz_is_200_while_the_loop_moves_and_503_once_it_stalls(serve):
    clock = Clock()
    status = LoopStatus(node_name="worker-7", clock=clock, running=True, node_id="node-1")
    status.last_seq = 42
    status.spool_depth = 3
    status.beat()
    server = serve(status, create_metrics())

    alive_code, alive_headers, alive_raw = get(server, "/healthz")
    clock.now += STALL_SECONDS + 1
    stalled_code, _, stalled_raw = get(server, "/healthz")

    alive = json.loads(alive_raw)
    assert alive_code == 200
    assert alive_headers["Content-Type"].startswith("application/json")
    assert alive == {
        "status": "ok",
        "nodeName": "worker-7",
        "nodeId": "node-1",
        "registered": True,
        "lastSuccessAt": None,
        "lastError": None,
        "spoolDepth": 3,
        "lastSeq": 42,
        "heartbeatInterval": 10.0,
    }
    assert stalled_code == 503
    assert json.loads(stalled_raw)["status"] == "stalled"


def test_healthz_is_503_before_the_loop_runs(serve):
    server = serve(LoopStatus(node_name="w"), create_metrics())

    code, _, body = get(server, "/healthz")

    assert code == 503
    assert json.loads(body)["registered"] is False


def test_metrics_expose_the_agents_own_registry(serve):
    metrics = create_metrics()
    metrics.heartbeats_sent.inc(3)
    metrics.spool_dropped.inc(2)
    metrics.spool_depth.set_function(lambda: 17)
    metrics.collector_success.labels("usage").set(1)
    server = serve(LoopStatus(node_name="w"), metrics)

    code, headers, raw = get(server, "/metrics")
    text = raw.decode()

    assert code == 200
    assert headers["Content-Type"].startswith("text/plain")
    assert "minispod_agent_heartbeats_sent_total 3.0" in text
    assert "minispod_agent_spool_dropped_total 2.0" in text
    assert "minispod_agent_spool_depth 17.0" in text
    assert 'minispod_agent_collector_success{collector="usage"} 1.0' in text
    # its own registry: nothing of the process-global default (python_gc_*, process_*)
    assert "python_gc" not in text


def test_probes_ignore_query_strings_answer_head_and_404_anything_else(serve):
    server = serve(LoopStatus(node_name="w", running=True), create_metrics())

    assert get(server, "/healthz?verbose=1")[0] == 200
    head_code, head_headers, head_body = get(server, "/healthz", method="HEAD")
    assert (head_code, head_body) == (200, b"")
    assert int(head_headers["Content-Length"]) > 0
    assert get(server, "/")[0] == 404
    assert get(server, "/healthz", method="POST")[0] == 501


def test_a_port_in_use_is_refused_at_once(serve):
    first = serve(LoopStatus(node_name="w"), create_metrics())

    with pytest.raises(OSError, match="in use"):
        ProbeServer("127.0.0.1", first.port, LoopStatus(node_name="w"), create_metrics())
