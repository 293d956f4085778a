"""What every request goes through around its route: request id, rate limit, errors as
envelopes, security and CORS headers, metrics and the access log.

These are the jobs aiohttp middlewares usually do. Here they run inline in one
function wrapped around each route when the app is built: every middleware
layer costs a coroutine per request (and aiohttp adds one more per application
once any exists), and heartbeats arrive thousands of times a second. Requests
that match no route take the same path through the fallback route, so a 404 or
405 looks like every other error.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from controlplane.api import envelope
from controlplane.appkeys import CONFIG, METRICS, RATE_LIMITER
from controlplane.db.database import unreachable
from controlplane.logs import request_id_var
from controlplane.services.errors import (
    Invalid,
    MissingScope,
    PaymentRequired,
    RateLimited,
    RoleForbids,
    ServiceError,
    Unavailable,
)

log = logging.getLogger("minispod.http")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

UNMATCHED = "unmatched"  # the one metrics label for every path no route knows

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
HTTP_CODES = {
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
_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def code_for(status: int) -> str:
    """The envelope's code for an HTTP status that no service error chose."""
    return HTTP_CODES.get(status, "INTERNAL_ERROR" if status >= 500 else "ERROR")


def client_address(request: web.Request) -> str:
    """Who is calling, for throttles and logs. Behind `trusted_proxies` proxies, the entry
    that many places from the right of X-Forwarded-For (as werkzeug's ProxyFix reads it):
    each proxy appends the address that connected to it, so anything further left was
    written by the client and proves nothing."""
    trusted = request.app[CONFIG].trusted_proxies
    if trusted:
        header = ",".join(request.headers.getall("X-Forwarded-For", []))
        hops = [h.strip() for h in header.split(",") if h.strip()]
        if len(hops) >= trusted:
            return hops[-trusted][:45]
    return request.remote or "unknown"


class RequestIds:
    """Ids for requests that bring none: a random prefix per process and a counter.

    Unique, not secret (they are echoed to the client and logged). A random 128-bit
    id per request cost a getrandom() system call each, about 3 % of a heartbeat."""

    def __init__(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


def wrap(
    inner: Handler,
    template: str,
    *,
    ids: RequestIds,
    rate_limited: bool,
    quiet: bool,
    secret_path: bool = False,
) -> Handler:
    """`inner` served through every step above. `template` names the route in metrics
    and logs (never the concrete path: ids would make unbounded label values);
    `quiet` routes (probes, agent reports) log their successes at DEBUG, since a
    large fleet sends thousands a second. `secret_path`: the path holds a credential (a
    share link's token), so the log line shows the template instead."""

    async def handle(request: web.Request) -> web.StreamResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else ids.next()
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 499  # stays so only if the client went away mid-request
        try:
            try:
                if rate_limited:
                    _take_from_bucket(request)
                response = await inner(request)
            except Exception as exc:
                response = _error_response(request, exc)
            status = response.status
            _add_headers(request, response, request_id)
            return response
        finally:
            elapsed = time.perf_counter() - started
            request.app[METRICS].observe_request(request.method, template, status, elapsed)
            level = logging.DEBUG if quiet and status < 400 else logging.INFO
            if log.isEnabledFor(level):  # skips building the record's arguments too
                log.log(
                    level,
                    "%s %s %s %.1fms",
                    request.method,
                    template if secret_path else request.path,
                    status,
                    elapsed * 1000,
                    extra={"status": status, "route": template},
                )
            request_id_var.reset(token)

    handle.__name__ = getattr(inner, "__name__", "handle")
    return handle


async def fallback(request: web.Request) -> web.StreamResponse:
    """Every request no route takes: a CORS preflight, a wrong method, or an unknown path."""
    preflight = request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
    if preflight and _allowed_origin(request) is not None:
        response = web.Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            "Authorization, Content-Type, X-Request-ID"
        )
        response.headers["Access-Control-Max-Age"] = "600"
        return response
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource is not request.match_info.route.resource:
            _, methods = await resource.resolve(request)
            allowed |= methods
    if allowed:
        raise web.HTTPMethodNotAllowed(request.method, allowed)
    raise web.HTTPNotFound()


def _take_from_bucket(request: web.Request) -> None:
    limiter = request.app[RATE_LIMITER]
    if limiter.enabled:
        wait = limiter.take(client_address(request))
        if wait is not None:
            raise RateLimited("Too many requests; slow down", int(wait) + 1)


def _allowed_origin(request: web.Request) -> str | None:
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    origins = request.app[CONFIG].cors_origins
    return origin if "*" in origins or origin in origins else None


def _add_headers(request: web.Request, response: web.StreamResponse, request_id: str) -> None:
    """On errors too: a browser on another origin must be able to read a 401."""
    headers = response.headers
    headers["X-Request-ID"] = request_id
    origin = _allowed_origin(request)
    if origin is not None:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Vary"] = "Origin"
        headers["Access-Control-Expose-Headers"] = "X-Request-ID, Retry-After"
    for name, value in _SECURITY_HEADERS.items():
        headers.setdefault(name, value)


def _error_response(request: web.Request, exc: Exception) -> web.Response:
    if isinstance(exc, ServiceError):
        return _service_error(exc)
    if isinstance(exc, web.HTTPException):
        if exc.status < 400:
            raise exc  # a redirect is an answer, not an error
        headers = {}
        if isinstance(exc, web.HTTPMethodNotAllowed):
            headers["Allow"] = ", ".join(sorted(exc.allowed_methods))
        code = code_for(exc.status)
        message = _HTTP_MESSAGES.get(exc.status, exc.reason)
        return envelope.error(exc.status, code, message, headers=headers or None)
    if _client_went_away(request, exc):
        # Nobody is left to read it; 499 (nginx's "client closed request")
        # is what the access log and metrics should say.
        return envelope.error(499, "CLIENT_CLOSED_REQUEST", "Client closed the request")
    if unreachable(exc):
        log.warning("database unreachable: %s", exc)
        return _service_error(Unavailable("Database unavailable; try again shortly", 5))
    log.error("unhandled error", exc_info=exc)
    return envelope.error(500, "INTERNAL_ERROR", "Internal server error")


def _service_error(exc: ServiceError) -> web.Response:
    headers = None
    if isinstance(exc, RateLimited | Unavailable):
        headers = {"Retry-After": str(exc.retry_after)}
    errors = None
    if isinstance(exc, Invalid):
        errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    extra: dict[str, Any] | None = None
    if isinstance(exc, PaymentRequired):
        # What to top up, as a figure a frontend can use without parsing the message.
        extra = {"shortfall": {"amount": exc.shortfall, "currency": exc.currency}}
    if isinstance(exc, MissingScope):
        extra = {"missingScope": exc.scope}
    if isinstance(exc, RoleForbids):
        extra = {"missingScope": exc.scope, "role": exc.role}
    return envelope.error(exc.status, exc.code, exc.message, errors, headers, extra)


def _client_went_away(request: web.Request, exc: BaseException) -> bool:
    """A client that hung up while sending its body: not our failure, not the database's."""
    transport = request.transport
    return isinstance(exc, ConnectionResetError) and (transport is None or transport.is_closing())
