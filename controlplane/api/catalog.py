"""Handlers of /services: the catalog for administrators, and its public, ACTIVE-only face."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import Access, Call, Route
from controlplane.services.catalog import catalog
from shared.wire.services import (
    CategoryList,
    PublicServiceList,
    PublicServiceOut,
    PublicServiceQuery,
    ServiceCreate,
    ServiceList,
    ServiceListQuery,
    ServiceOut,
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


ROUTES: list[Route] = [
    # The public catalog first, so /services/public is not taken for an id.
    Route(
        "GET",
        "/services/public",
        list_public,
        Access.ANON,
        "Browse the ACTIVE catalog",
        "services",
        query=PublicServiceQuery,
        response=PublicServiceList,
    ),
    Route(
        "GET",
        "/services/public/{serviceId}",
        get_public,
        Access.ANON,
        "An ACTIVE catalog entry",
        "services",
        response=PublicServiceOut,
    ),
    Route(
        "GET",
        "/services/categories",
        categories,
        Access.ANON,
        "Categories of the ACTIVE catalog with counts",
        "services",
        response=CategoryList,
    ),
    Route(
        "GET",
        "/services",
        list_services,
        Access.ADMIN,
        "List the catalog, templates included",
        "services",
        query=ServiceListQuery,
        response=ServiceList,
    ),
    Route(
        "POST",
        "/services",
        create_service,
        Access.ADMIN,
        "Add a service with its template, or only the resources it sells",
        "services",
        body=ServiceCreate,
        response=ServiceOut,
        status=201,
    ),
    Route(
        "GET",
        "/services/{serviceId}",
        get_service,
        Access.ADMIN,
        "Get a service",
        "services",
        response=ServiceOut,
    ),
    Route(
        "PUT",
        "/services/{serviceId}",
        update_service,
        Access.ADMIN,
        "Update a service (only the fields given)",
        "services",
        body=ServiceUpdate,
        response=ServiceOut,
    ),
    Route(
        "DELETE",
        "/services/{serviceId}",
        delete_service,
        Access.ADMIN,
        "Delete a service without live subscriptions",
        "services",
    ),
]
