"""Handlers of /api-keys: a user's keys for automation. Managed with a signed-in session
only: a key cannot make, rotate or revoke keys."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import SESSION_ONLY, Access, Call, Route
from controlplane.appkeys import API_KEYS
from shared.wire.api_keys import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyList,
    ApiKeyListQuery,
    ApiKeyOut,
    ApiKeyUsageOut,
    RotateRequest,
    UsageQuery,
)


async def create(call: Call[ApiKeyCreate, Any]) -> web.Response:
    made = await call.request.app[API_KEYS].create(call.acting, call.body)
    return ok(made, "API key created; it is shown this once", status=201)


async def list_keys(call: Call[Any, ApiKeyListQuery]) -> web.Response:
    return ok(await call.request.app[API_KEYS].listing(call.acting, call.query), "API keys")


async def get_key(call: Call[Any, Any]) -> web.Response:
    return ok(await call.request.app[API_KEYS].get(call.acting, call.param("keyId")), "API key")


async def revoke(call: Call[Any, Any]) -> web.Response:
    gone = await call.request.app[API_KEYS].revoke(call.acting, call.param("keyId"))
    return ok(gone, "API key revoked; it stops working at once")


async def rotate(call: Call[RotateRequest, Any]) -> web.Response:
    made = await call.request.app[API_KEYS].rotate(call.acting, call.param("keyId"), call.body)
    return ok(made, "API key rotated; the new one is shown this once", status=201)


async def usage(call: Call[Any, UsageQuery]) -> web.Response:
    found = await call.request.app[API_KEYS].report(call.acting, call.param("keyId"), call.query)
    return ok(found, "API key usage")


def _route(method: str, path: str, handler: Any, summary: str, **kw: Any) -> Route:
    return Route(
        method, path, handler, Access.USER, summary, "api-keys", key_scope=SESSION_ONLY, **kw
    )


ROUTES: list[Route] = [
    _route(
        "POST",
        "/api-keys",
        create,
        "Create an API key with the scopes given (at most your own); the key is shown once",
        body=ApiKeyCreate,
        response=ApiKeyCreated,
        status=201,
        audited=True,
    ),
    _route(
        "GET",
        "/api-keys",
        list_keys,
        "List your API keys (administrators: everyone's); prefixes only",
        query=ApiKeyListQuery,
        response=ApiKeyList,
    ),
    _route("GET", "/api-keys/{keyId}", get_key, "One API key", response=ApiKeyOut),
    _route(
        "DELETE",
        "/api-keys/{keyId}",
        revoke,
        "Revoke an API key: refused on every replica from now on",
        response=ApiKeyOut,
        audited=True,
    ),
    _route(
        "POST",
        "/api-keys/{keyId}/rotate",
        rotate,
        "A new key with the same scopes; the old one works for the grace period",
        body=RotateRequest,
        response=ApiKeyCreated,
        status=201,
        audited=True,
    ),
    _route(
        "GET",
        "/api-keys/{keyId}/usage",
        usage,
        "Requests per day made with the key, and where it was last used from",
        query=UsageQuery,
        response=ApiKeyUsageOut,
    ),
]
