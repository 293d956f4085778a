"""Handlers of /admin/capacity: capacity planning for administrators."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import Access, Call, Route
from controlplane.api.workers import fleet_stats
from controlplane.appkeys import CLOCK
from controlplane.services.capacity import planning
from shared.wire.capacity import CapacityQuery, CapacityReport


async def capacity(call: Call[Any, CapacityQuery]) -> web.Response:
    fleet = await fleet_stats(call.request)
    report = await planning.plan(call.request.app[CLOCK](), call.query, fleet)
    return ok(report, "Capacity")


ROUTES: list[Route] = [
    Route(
        "GET",
        "/admin/capacity",
        capacity,
        Access.ADMIN,
        "Per resource: reserved against capacity over time, and when the fleet fills at the"
        " current growth",
        "workers",
        query=CapacityQuery,
        response=CapacityReport,
    ),
]
