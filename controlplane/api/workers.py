"""Handlers of /workers (administrators) and of the agent endpoints (node and join tokens)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.pipeline import client_address
from controlplane.api.routing import Call
from controlplane.appkeys import CLOCK, CONFIG, FLEET_STATS, INGEST, NODE_AUTH
from controlplane.services.fleet import join_tokens, node_metrics, registration, workers
from shared.wire.common import PageQuery
from shared.wire.nodes import Heartbeat, NodeRegistration, ResourceReport, TelemetryBatch
from shared.wire.workers import (
    JoinTokenCreate,
    MetricsQuery,
    StatusChange,
    WorkerCreate,
    WorkerListQuery,
    WorkerUpdate,
)


def _grace(request: web.Request) -> timedelta:
    return timedelta(seconds=request.app[CONFIG].node_grace_period)


# --- administrators ---------------------------------------------------------------


async def create_worker(call: Call[WorkerCreate, Any]) -> web.Response:
    node = await workers.create(call.body, call.request.app[CLOCK]())
    return ok(workers.out(node), "Worker node registered", status=201)


async def list_workers(call: Call[Any, WorkerListQuery]) -> web.Response:
    return ok(await workers.list_nodes(call.query), "Worker nodes")


async def get_worker(call: Call[Any, Any]) -> web.Response:
    return ok(workers.out(await workers.get_node(call.param("nodeId"))), "Worker node")


async def update_worker(call: Call[WorkerUpdate, Any]) -> web.Response:
    node = await workers.update(call.param("nodeId"), call.body)
    return ok(workers.out(node), "Worker node updated")


async def delete_worker(call: Call[Any, Any]) -> web.Response:
    await workers.delete(
        call.param("nodeId"), call.request.app[NODE_AUTH], call.request.app[CLOCK]()
    )
    return ok(None, "Worker node deleted")


async def release_worker(call: Call[Any, Any]) -> web.Response:
    app = call.request.app
    node = await workers.release(
        call.param("nodeId"), app[NODE_AUTH], app[CLOCK](), by=call.principal.id
    )
    return ok(
        workers.out(node), "Worker node released: the next agent to register under its name owns it"
    )


async def toggle_schedulable(call: Call[Any, Any]) -> web.Response:
    node = await workers.toggle_schedulable(call.param("nodeId"))
    state = "schedulable" if node.is_schedulable else "unschedulable"
    return ok(workers.out(node), f"Worker node is now {state}")


async def change_status(call: Call[StatusChange, Any]) -> web.Response:
    node = await workers.change_status(call.param("nodeId"), call.body, call.request.app[CLOCK]())
    return ok(workers.out(node), f"Worker node status is {node.status.value}")


async def stats(call: Call[Any, Any]) -> web.Response:
    app = call.request.app
    grace = _grace(call.request)
    figures = await app[FLEET_STATS].run(lambda: workers.stats(app[CLOCK](), grace))
    return ok(figures, "Worker statistics")


async def online(call: Call[Any, PageQuery]) -> web.Response:
    app = call.request.app
    data = await workers.online_or_offline(True, call.query, app[CLOCK](), _grace(call.request))
    return ok(data, "Online worker nodes")


async def offline(call: Call[Any, PageQuery]) -> web.Response:
    app = call.request.app
    data = await workers.online_or_offline(False, call.query, app[CLOCK](), _grace(call.request))
    return ok(data, "Offline worker nodes")


async def metrics(call: Call[Any, MetricsQuery]) -> web.Response:
    node = await workers.get_node(call.param("nodeId"))
    data = await node_metrics.history(node.id, call.query, call.request.app[CLOCK]())
    return ok(data, "Usage history")


async def events(call: Call[Any, Any]) -> web.Response:
    return ok({"events": await workers.events(call.param("nodeId"))}, "Node events")


async def create_join_token(call: Call[JoinTokenCreate, Any]) -> web.Response:
    created = await join_tokens.create(call.body, call.principal.id, call.request.app[CLOCK]())
    return ok(created, "Join token created; it is shown only this once", status=201)


async def list_join_tokens(call: Call[Any, Any]) -> web.Response:
    return ok({"joinTokens": await join_tokens.list_tokens()}, "Join tokens")


async def revoke_join_token(call: Call[Any, Any]) -> web.Response:
    await join_tokens.revoke(call.param("tokenId"), call.request.app[CLOCK]())
    return ok(None, "Join token revoked")


# --- agents -----------------------------------------------------------------------


async def register_agent(call: Call[NodeRegistration, Any]) -> web.Response:
    app = call.request.app
    config = app[CONFIG]
    result = await registration.register(
        call.principal,
        call.body,
        app[NODE_AUTH],
        app[CLOCK](),
        config.heartbeat_interval,
        config.resource_interval,
        peer=client_address(call.request),
    )
    return ok(result, "Node registered")


async def heartbeat(call: Call[Heartbeat, Any]) -> web.Response:
    result = await call.request.app[INGEST].heartbeat(call.principal, call.body)
    return ok(result, "Heartbeat recorded")


async def telemetry(call: Call[TelemetryBatch, Any]) -> web.Response:
    result = await call.request.app[INGEST].replay(call.principal, call.body.samples)
    return ok(result, "Telemetry recorded")


async def resources(call: Call[ResourceReport, Any]) -> web.Response:
    await workers.record_allocation(call.principal, call.body, call.request.app[CLOCK]())
    return ok(call.body, "Resources recorded")
