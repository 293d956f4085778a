"""Handlers of /admin/alerts: the operator alerts' history, for administrators."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import Access, Call, Route
from controlplane.appkeys import ALERTS
from shared.wire.alerts import AlertList, AlertListQuery


async def list_alerts(call: Call[Any, AlertListQuery]) -> web.Response:
    return ok(await call.request.app[ALERTS].history(call.query), "Alerts")


ROUTES: list[Route] = [
    Route(
        "GET",
        "/admin/alerts",
        list_alerts,
        Access.ADMIN,
        "Operator alerts, newest first: pending (unconfirmed), firing (told) and resolved",
        "workers",
        query=AlertListQuery,
        response=AlertList,
    ),
]
