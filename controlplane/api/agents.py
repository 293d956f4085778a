"""Handlers of the agent endpoints: registration (join token) and reports (node token)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.pipeline import client_address
from controlplane.api.routing import Access, Call, Route
from controlplane.appkeys import CLOCK, CONFIG, INGEST, NODE_AUTH
from controlplane.services.fleet import registration, workers
from shared.wire.nodes import (
    Heartbeat,
    IngestResult,
    NodeRegistration,
    RegisterResult,
    ResourceReport,
    TelemetryBatch,
)


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


ROUTES: list[Route] = [
    Route(
        "POST",
        "/agent/register",
        register_agent,
        Access.JOIN,
        "Register (or re-register) a node with a join token",
        "agent",
        body=NodeRegistration,
        response=RegisterResult,
        audited=True,
    ),
    Route(
        "POST",
        "/workers/{nodeId}/heartbeat",
        heartbeat,
        Access.AGENT,
        "Liveness, conditions and the latest usage sample",
        "agent",
        body=Heartbeat,
        response=IngestResult,
    ),
    Route(
        "POST",
        "/workers/{nodeId}/resources",
        resources,
        Access.AGENT,
        "Allocation of the pods on the node",
        "agent",
        body=ResourceReport,
        response=ResourceReport,
    ),
    Route(
        "POST",
        "/workers/{nodeId}/telemetry",
        telemetry,
        Access.AGENT,
        "Replay spooled samples (each (node, seq) stored once)",
        "agent",
        body=TelemetryBatch,
        response=IngestResult,
    ),
]
