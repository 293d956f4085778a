"""Handlers of /workers: the fleet as administrators see and steer it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import Access, Call, Route
from controlplane.appkeys import (
    CLOCK,
    CONFIG,
    FLEET_COUNTS,
    FLEET_READS,
    FLEET_STATS,
    NODE_AUTH,
    READS,
)
from controlplane.services.fleet import join_tokens, node_metrics, workers
from shared.wire.common import PageQuery
from shared.wire.workers import (
    JoinTokenCreate,
    JoinTokenCreated,
    MetricsQuery,
    NodeMetrics,
    StatusChange,
    WorkerCreate,
    WorkerList,
    WorkerListQuery,
    WorkerOut,
    WorkerStats,
    WorkerUpdate,
)


def _grace(request: web.Request) -> timedelta:
    return timedelta(seconds=request.app[CONFIG].node_grace_period)


async def create_worker(call: Call[WorkerCreate, Any]) -> web.Response:
    node = await workers.create(call.body, call.request.app[CLOCK]())
    # It has no node token: heartbeats start once an agent registers its name.
    return ok(
        workers.out(node),
        "Worker node registered; it reports once an agent registers this name with a join token",
        status=201,
    )


async def list_workers(call: Call[Any, WorkerListQuery]) -> web.Response:
    app = call.request.app
    async with app[FLEET_READS]:
        data = await workers.list_nodes(call.query, app[FLEET_COUNTS], app[READS].db)
        return ok(data, "Worker nodes")


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
    node = await workers.change_status(
        call.param("nodeId"), call.body, call.request.app[CLOCK](), _grace(call.request)
    )
    return ok(workers.out(node), f"Worker node status is {node.status.value}")


async def fleet_stats(request: web.Request) -> WorkerStats:
    """The fleet's figures, shared by every reader for MINISPOD_FLEET_STATS_TTL."""
    app = request.app
    grace = _grace(request)

    async def compute() -> WorkerStats:
        async with app[FLEET_READS]:
            return await workers.stats(app[CLOCK](), grace, app[READS].db)

    figures, _kept = await app[FLEET_STATS].get(None, compute)
    return figures


async def stats(call: Call[Any, Any]) -> web.Response:
    return ok(await fleet_stats(call.request), "Worker statistics")


async def online(call: Call[Any, PageQuery]) -> web.Response:
    app = call.request.app
    async with app[FLEET_READS]:
        data = await workers.online_or_offline(
            True, call.query, app[CLOCK](), _grace(call.request), app[READS].db
        )
        return ok(data, "Online worker nodes")


async def offline(call: Call[Any, PageQuery]) -> web.Response:
    app = call.request.app
    async with app[FLEET_READS]:
        data = await workers.online_or_offline(
            False, call.query, app[CLOCK](), _grace(call.request), app[READS].db
        )
        return ok(data, "Offline worker nodes")


async def metrics(call: Call[Any, MetricsQuery]) -> web.Response:
    app = call.request.app
    async with app[FLEET_READS]:
        node_id = await workers.existing_id(call.param("nodeId"), app[READS].db)
        data = await node_metrics.history(node_id, call.query, app[CLOCK](), app[READS].db)
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


ROUTES: list[Route] = [
    Route(
        "POST",
        "/workers",
        create_worker,
        Access.ADMIN,
        "Register a worker node by hand",
        "workers",
        body=WorkerCreate,
        response=WorkerOut,
        status=201,
    ),
    Route(
        "GET",
        "/workers",
        list_workers,
        Access.ADMIN,
        "List worker nodes",
        "workers",
        query=WorkerListQuery,
        response=WorkerList,
    ),
    Route(
        "GET",
        "/workers/stats",
        stats,
        Access.ADMIN,
        "Fleet statistics",
        "workers",
        response=WorkerStats,
    ),
    Route(
        "GET",
        "/workers/online",
        online,
        Access.ADMIN,
        "Nodes with a heartbeat within the grace period",
        "workers",
        query=PageQuery,
        response=WorkerList,
    ),
    Route(
        "GET",
        "/workers/offline",
        offline,
        Access.ADMIN,
        "Nodes without a recent heartbeat",
        "workers",
        query=PageQuery,
        response=WorkerList,
    ),
    Route(
        "POST",
        "/workers/join-tokens",
        create_join_token,
        Access.ADMIN,
        "Create a cluster join token (shown once)",
        "workers",
        body=JoinTokenCreate,
        response=JoinTokenCreated,
        status=201,
    ),
    Route(
        "GET",
        "/workers/join-tokens",
        list_join_tokens,
        Access.ADMIN,
        "List join tokens (without secrets)",
        "workers",
    ),
    Route(
        "DELETE",
        "/workers/join-tokens/{tokenId}",
        revoke_join_token,
        Access.ADMIN,
        "Revoke a join token",
        "workers",
    ),
    Route(
        "GET",
        "/workers/{nodeId}",
        get_worker,
        Access.ADMIN,
        "Get a worker node",
        "workers",
        response=WorkerOut,
    ),
    Route(
        "PUT",
        "/workers/{nodeId}",
        update_worker,
        Access.ADMIN,
        "Update a worker node",
        "workers",
        body=WorkerUpdate,
        response=WorkerOut,
    ),
    Route(
        "DELETE",
        "/workers/{nodeId}",
        delete_worker,
        Access.ADMIN,
        "Delete a worker node",
        "workers",
    ),
    Route(
        "POST",
        "/workers/{nodeId}/release",
        release_worker,
        Access.ADMIN,
        "Free the node's name for a reinstalled agent, keeping its history",
        "workers",
        response=WorkerOut,
    ),
    Route(
        "PATCH",
        "/workers/{nodeId}/schedulable",
        toggle_schedulable,
        Access.ADMIN,
        "Toggle whether new instances may be placed",
        "workers",
        response=WorkerOut,
    ),
    Route(
        "PATCH",
        "/workers/{nodeId}/status",
        change_status,
        Access.ADMIN,
        "Enter or leave MAINTENANCE",
        "workers",
        body=StatusChange,
        response=WorkerOut,
    ),
    Route(
        "GET",
        "/workers/{nodeId}/metrics",
        metrics,
        Access.ADMIN,
        "Usage history: raw samples, or buckets with step",
        "workers",
        query=MetricsQuery,
        response=NodeMetrics,
    ),
    Route(
        "GET",
        "/workers/{nodeId}/events",
        events,
        Access.ADMIN,
        "Health transitions of the node",
        "workers",
    ),
]
