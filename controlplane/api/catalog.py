"""Handlers of /services: the catalog for administrators, and its public, ACTIVE-only face."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import Call
from controlplane.services.catalog import catalog
from shared.wire.services import (
    PublicServiceQuery,
    ServiceCreate,
    ServiceListQuery,
    ServiceUpdate,
)

# --- anyone -----------------------------------------------------------------------


async def list_public(call: Call[Any, PublicServiceQuery]) -> web.Response:
    return ok(await catalog.list_public(call.query), "Services")


async def get_public(call: Call[Any, Any]) -> web.Response:
    return ok(await catalog.get_public(call.param("serviceId")), "Service")


async def categories(call: Call[Any, Any]) -> web.Response:
    return ok(await catalog.categories(), "Service categories")


# --- administrators ---------------------------------------------------------------


async def list_services(call: Call[Any, ServiceListQuery]) -> web.Response:
    return ok(await catalog.list_services(call.query), "Services")


async def create_service(call: Call[ServiceCreate, Any]) -> web.Response:
    service = await catalog.create_service(call.body)
    return ok(catalog.admin_out(service), "Service created", status=201)


async def get_service(call: Call[Any, Any]) -> web.Response:
    return ok(catalog.admin_out(await catalog.get_service(call.param("serviceId"))), "Service")


async def update_service(call: Call[ServiceUpdate, Any]) -> web.Response:
    service = await catalog.update_service(call.param("serviceId"), call.body)
    return ok(catalog.admin_out(service), "Service updated")


async def delete_service(call: Call[Any, Any]) -> web.Response:
    await catalog.delete_service(call.param("serviceId"))
    return ok(None, "Service deleted")
