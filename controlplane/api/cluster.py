"""Handlers of /admin/k8s: what the cluster runs, through the cluster gateway (seeds 000/001)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import Access, Call, Route
from controlplane.appkeys import CLUSTER
from controlplane.cluster.gateway import ClusterError, ClusterGateway
from controlplane.services.errors import Unavailable
from shared.wire.subscriptions import NamespaceQuery


def _gateway(call: Call[Any, Any]) -> ClusterGateway:
    return call.request.app[CLUSTER]


async def _read(what: str, reading: Any) -> web.Response:
    try:
        items = await reading
    except ClusterError as exc:
        raise Unavailable(f"Cluster unavailable: {exc}", 10) from exc
    return ok({what: items, "total": len(items)}, f"Cluster {what}")


async def pods(call: Call[Any, NamespaceQuery]) -> web.Response:
    return await _read("pods", _gateway(call).list_pods(call.query.namespace))


async def deployments(call: Call[Any, NamespaceQuery]) -> web.Response:
    return await _read("deployments", _gateway(call).list_deployments(call.query.namespace))


async def services(call: Call[Any, NamespaceQuery]) -> web.Response:
    return await _read("services", _gateway(call).list_services(call.query.namespace))


async def ingresses(call: Call[Any, NamespaceQuery]) -> web.Response:
    return await _read("ingresses", _gateway(call).list_ingresses(call.query.namespace))


async def nodes(call: Call[Any, Any]) -> web.Response:
    return await _read("nodes", _gateway(call).list_nodes())


async def namespaces(call: Call[Any, Any]) -> web.Response:
    return await _read("namespaces", _gateway(call).list_namespaces())


ROUTES: list[Route] = [
    Route(
        "GET",
        "/admin/k8s/pods",
        pods,
        Access.ADMIN,
        "Pods with containers and usage",
        "cluster",
        query=NamespaceQuery,
    ),
    Route(
        "GET",
        "/admin/k8s/deployments",
        deployments,
        Access.ADMIN,
        "Deployments",
        "cluster",
        query=NamespaceQuery,
    ),
    Route("GET", "/admin/k8s/nodes", nodes, Access.ADMIN, "Cluster nodes", "cluster"),
    Route("GET", "/admin/k8s/namespaces", namespaces, Access.ADMIN, "Namespaces", "cluster"),
    Route(
        "GET",
        "/admin/k8s/services",
        services,
        Access.ADMIN,
        "Services",
        "cluster",
        query=NamespaceQuery,
    ),
    Route(
        "GET",
        "/admin/k8s/ingresses",
        ingresses,
        Access.ADMIN,
        "Ingresses",
        "cluster",
        query=NamespaceQuery,
    ),
]
