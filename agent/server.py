"""The agent's own HTTP endpoints: /healthz for its probes and /metrics for Prometheus."""

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from agent.metrics import AgentMetrics
from agent.reporter import LoopStatus

STATUS_KEY = web.AppKey("status", LoopStatus)
METRICS_KEY = web.AppKey("metrics", AgentMetrics)


async def healthz(request: web.Request) -> web.Response:
    """200 while the report loop runs (whether or not the control plane answers: restarting
    the agent would not bring the control plane back), 503 when it has stopped or stalled."""
    status = request.app[STATUS_KEY]
    return web.json_response(status.as_json(), status=200 if status.alive() else 503)


async def metrics(request: web.Request) -> web.Response:
    body = generate_latest(request.app[METRICS_KEY].registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def create_app(status: LoopStatus, agent_metrics: AgentMetrics) -> web.Application:
    app = web.Application()
    app[STATUS_KEY] = status
    app[METRICS_KEY] = agent_metrics
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def start_server(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve `app` on host:port; the caller cleans the returned runner up."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner
