"""Request middlewares: request ids, metrics, access logs, errors as envelopes, CORS, rate limit."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Awaitable, Callable

import asyncpg
from aiohttp import web
from tortoise.exceptions import DBConnectionError, OperationalError

from controlplane.api import envelope
from controlplane.appkeys import CONFIG, METRICS, RATE_LIMITER
from controlplane.logs import request_id_var
from controlplane.services.errors import Invalid, RateLimited, ServiceError, Unavailable

log = logging.getLogger("minispod.http")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_HTTP_CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    503: "SERVICE_UNAVAILABLE",
}
_HTTP_MESSAGES = {
    404: "Route not found",
    405: "Method not allowed",
    413: "Request body too large",
}
# Paths outside the general per-client limit: probes and scrapes, and agents,
# which authenticate per node and report at the rate the server told them.
_UNLIMITED = re.compile(
    r"^/(health|ready|metrics)$|^/api/v1/workers/[^/]+/(heartbeat|resources|telemetry)$"
)


def client_address(request: web.Request) -> str:
    if request.app[CONFIG].trust_forwarded_for:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return request.remote or "unknown"


def route_template(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    incoming = request.headers.get("X-Request-ID", "")
    request_id = incoming if _REQUEST_ID.match(incoming) else os.urandom(16).hex()
    token = request_id_var.set(request_id)
    started = time.perf_counter()
    status = 499  # stays so only if the client went away mid-request
    try:
        response = await handler(request)
        status = response.status
        response.headers["X-Request-ID"] = request_id
        return response
    finally:
        elapsed = time.perf_counter() - started
        route = route_template(request)
        request.app[METRICS].observe_request(request.method, route, status, elapsed)
        # Successful probes and agent reports arrive thousands of times a second
        # in a large fleet: they are logged at DEBUG, everything else at INFO.
        quiet = status < 400 and _UNLIMITED.match(request.path) is not None
        log.log(
            logging.DEBUG if quiet else logging.INFO,
            "%s %s %s %.1fms",
            request.method,
            request.path,
            status,
            elapsed * 1000,
            extra={"status": status, "route": route},
        )
        request_id_var.reset(token)


def _client_went_away(request: web.Request, exc: BaseException) -> bool:
    """A client that hung up while sending its body: not our failure, not the database's."""
    transport = request.transport
    return isinstance(exc, ConnectionResetError) and (transport is None or transport.is_closing())


def _database_unreachable(exc: BaseException) -> bool:
    """Whether an error means the database could not be reached (503), not a bug (500)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(
            seen,
            DBConnectionError
            | ConnectionError
            | TimeoutError
            | asyncpg.PostgresConnectionError
            | asyncpg.InterfaceError
            # Shutting down or starting up (57P0x), out of connections or
            # space (53xxx), the database gone (3D000) or our login refused
            # (28xxx): the server cannot serve, whatever the request was.
            | asyncpg.exceptions.OperatorInterventionError
            | asyncpg.exceptions.InsufficientResourcesError
            | asyncpg.exceptions.InvalidCatalogNameError
            | asyncpg.exceptions.InvalidAuthorizationSpecificationError,
        ):
            return True
        if isinstance(seen, OSError) and seen.errno is not None:
            return True
        if isinstance(seen, OperationalError) and "database is locked" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _service_error(exc: ServiceError) -> web.Response:
    headers = None
    if isinstance(exc, RateLimited | Unavailable):
        headers = {"Retry-After": str(exc.retry_after)}
    errors = None
    if isinstance(exc, Invalid):
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    return envelope.error(exc.status, exc.code, exc.message, errors, headers)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ServiceError as exc:
        return _service_error(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {}
        if isinstance(exc, web.HTTPMethodNotAllowed):
            headers["Allow"] = ", ".join(sorted(exc.allowed_methods))
        code = _HTTP_CODES.get(exc.status, "INTERNAL_ERROR" if exc.status >= 500 else "ERROR")
        message = _HTTP_MESSAGES.get(exc.status, exc.reason)
        return envelope.error(exc.status, code, message, headers=headers or None)
    except Exception as exc:
        if _client_went_away(request, exc):
            # Nobody is left to read it; 499 (nginx's "client closed request")
            # is what the access log and metrics should say.
            return envelope.error(499, "CLIENT_CLOSED_REQUEST", "Client closed the request")
        if _database_unreachable(exc):
            log.warning("database unreachable: %s", exc)
            return _service_error(Unavailable("Database unavailable; try again shortly", 5))
        log.exception("unhandled error")
        return envelope.error(500, "INTERNAL_ERROR", "Internal server error")


@web.middleware
async def headers_and_cors(request: web.Request, handler: Handler) -> web.StreamResponse:
    origins = request.app[CONFIG].cors_origins
    origin = request.headers.get("Origin")
    allowed = origin is not None and ("*" in origins or origin in origins)
    if (
        request.method == "OPTIONS"
        and allowed
        and "Access-Control-Request-Method" in request.headers
    ):
        response: web.StreamResponse = web.Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            "Authorization, Content-Type, X-Request-ID"
        )
        response.headers["Access-Control-Max-Age"] = "600"
    else:
        response = await handler(request)
    if allowed:
        response.headers["Access-Control-Allow-Origin"] = origin or ""
        response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Expose-Headers"] = "X-Request-ID, Retry-After"
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.middleware
async def rate_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
    limiter = request.app[RATE_LIMITER]
    if limiter.enabled and not _UNLIMITED.match(request.path):
        wait = limiter.take(client_address(request))
        if wait is not None:
            raise RateLimited("Too many requests; slow down", int(wait) + 1)
    return await handler(request)


# Outermost first. Headers and CORS wrap the error middleware so that error
# envelopes carry them too: a browser on another origin must be able to read a 401.
MIDDLEWARES = [request_context, headers_and_cors, errors, rate_limit]
