"""Operations endpoints: liveness, readiness (database) and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from controlplane.api.envelope import ok
from controlplane.api.routing import Access, Call, Route
from controlplane.appkeys import METRICS
from controlplane.db.database import durability_problems
from controlplane.services.errors import Unavailable


async def health(call: Call[Any, Any]) -> web.Response:
    return ok({"status": "ok"}, "Alive")


async def ready(call: Call[Any, Any]) -> web.Response:
    try:
        problems = await durability_problems()
    except Exception as exc:
        raise Unavailable(f"Database unreachable: {type(exc).__name__}", 5) from exc
    call.request.app[METRICS].database_durable.set(0 if problems else 1)
    # Still ready: a database that may lose the last commits on a crash serves. It is
    # said here and in the start-up log so an operator sees it before it matters.
    data = {"status": "ready", "database": "ok", "durable": not problems}
    if problems:
        data["durabilityProblems"] = problems
    return ok(data, "Ready" if not problems else "Ready; the database may lose acknowledged writes")


async def metrics(call: Call[Any, Any]) -> web.Response:
    body = generate_latest(call.request.app[METRICS].registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


ROUTES: list[Route] = [
    Route(
        "GET",
        "/health",
        health,
        Access.ANON,
        "Liveness: the process answers",
        "ops",
        raw=True,
        probe=True,
    ),
    Route(
        "GET",
        "/ready",
        ready,
        Access.ANON,
        "Readiness: the database answers",
        "ops",
        raw=True,
        probe=True,
    ),
    Route(
        "GET", "/metrics", metrics, Access.ANON, "Prometheus metrics", "ops", raw=True, probe=True
    ),
]
