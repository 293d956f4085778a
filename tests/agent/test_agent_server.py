"""The agent's /healthz and /metrics, served by the real aiohttp app."""

from agent.metrics import create_metrics
from agent.reporter import STALL_SECONDS, LoopStatus
from agent.server import create_app


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_healthz_is_200_while_the_loop_moves_and_503_once_it_stalls(aiohttp_client):
    clock = Clock()
    status = LoopStatus(node_name="worker-7", clock=clock, running=True, node_id="node-1")
    status.beat()
    client = await aiohttp_client(create_app(status, create_metrics()))

    alive = await client.get("/healthz")
    alive_body = await alive.json()
    clock.now += STALL_SECONDS + 1
    stalled = await client.get("/healthz")

    assert alive.status == 200
    assert alive_body["status"] == "ok"
    assert alive_body["nodeName"] == "worker-7"
    assert alive_body["registered"] is True
    assert "lastSuccessAt" in alive_body
    assert stalled.status == 503
    assert (await stalled.json())["status"] == "stalled"


async def test_healthz_is_503_before_the_loop_runs(aiohttp_client):
    client = await aiohttp_client(create_app(LoopStatus(node_name="w"), create_metrics()))

    response = await client.get("/healthz")

    assert response.status == 503


async def test_metrics_expose_the_agents_own_registry(aiohttp_client):
    metrics = create_metrics()
    metrics.heartbeats_sent.inc(3)
    metrics.spool_dropped.inc(2)
    metrics.spool_depth.set_function(lambda: 17)
    metrics.collector_success.labels("usage").set(1)
    client = await aiohttp_client(create_app(LoopStatus(node_name="w"), metrics))

    response = await client.get("/metrics")
    text = await response.text()

    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "minispod_agent_heartbeats_sent_total 3.0" in text
    assert "minispod_agent_spool_dropped_total 2.0" in text
    assert "minispod_agent_spool_depth 17.0" in text
    assert 'minispod_agent_collector_success{collector="usage"} 1.0' in text
    # its own registry: nothing of the process-global default (python_gc_*, process_*)
    assert "python_gc" not in text
