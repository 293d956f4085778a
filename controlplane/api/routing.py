"""How a route is declared once — path, access, body, query, response — and served.

The same declaration drives the router, the request parsing and the OpenAPI
document, so the three cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from controlplane.api import auditing, json_limits
from controlplane.services.errors import FieldError, Invalid, ServiceError
from controlplane.services.ownership import Acting

# Route.key_scope for routes that only a signed-in person may call, never a key.
SESSION_ONLY = "session"
# The request header that names the team a request acts in (default: the caller's own).
TEAM_HEADER = "X-Team-ID"
# Who calls and in which team, set by the authenticator on every signed-in request.
ACTING: web.RequestKey[Acting] = web.RequestKey("acting", Acting)

B = TypeVar("B")
Q = TypeVar("Q")


class Access(Enum):
    ANON = "anonymous"
    USER = "user"  # any signed-in account
    ADMIN = "administrator"
    AGENT = "agent"  # a node token, for its own node only
    JOIN = "join token"  # a cluster join token (agent registration)


@dataclass
class Call(Generic[B, Q]):
    """One parsed, authorised request as a handler sees it."""

    request: web.Request
    body: B
    query: Q
    principal: Any = None

    def param(self, name: str) -> str:
        return self.request.match_info[name]

    @property
    def acting(self) -> Acting:
        """The caller in the team the request acts in (signed-in routes only)."""
        return self.request[ACTING]


Handler = Callable[[Call[Any, Any]], Awaitable[web.StreamResponse]]
# Who calls (given the route's access and the scope a key needs there), or a refusal.
Authenticator = Callable[[web.Request, Access, str | None], Awaitable[Any]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    access: Access
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    # A body the handler reads itself as a stream (a snapshot upload: hundreds of MB, maybe
    # compressed), documented with this schema; never read whole by `serve`.
    streamed: type[BaseModel] | None = None
    status: int = 200
    # Raw routes (health, metrics, docs) answer outside /api/v1 and the envelope.
    raw: bool = False
    # Probes and scrapes: asked constantly by the platform, not by API clients.
    probe: bool = False
    # Takes money from a wallet, so it may answer 402 PAYMENT_REQUIRED with the shortfall.
    charges: bool = False
    # A signed webhook: the handler reads the body as sent (the signature covers those
    # bytes, not a parse of them), and this header carries the signature.
    signature_header: str | None = None
    # What a success answers with when it is not the JSON envelope (a PDF, say).
    produces: str | None = None
    # A security event audited although not an administrator's change (a sign-in).
    audited: bool = False
    # The path holds a credential (a share link's token): logged as its template.
    secret_path: bool = False
    # The scope an API key needs here, when the tag's own (`<tag>:read|write`) is not the
    # one; SESSION_ONLY: keys are refused (managing keys, changing a password).
    key_scope: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def audit(self) -> bool:
        """Administrators' routes that change something, and the security events (and, at
        serve time, any change an administrator makes through a customer's route)."""
        return self.audited or (self.access is Access.ADMIN and self.method != "GET")

    @property
    def scope(self) -> str | None:
        """What an API key must hold to call this route; None: keys are not accepted
        (anonymous and agent routes, and those that need a person's session)."""
        if self.access not in (Access.USER, Access.ADMIN) or self.key_scope == SESSION_ONLY:
            return None
        if self.key_scope is not None:
            return self.key_scope
        verb = "read" if self.method == "GET" else "write"
        resource = "admin" if self.access is Access.ADMIN else self.tag
        return f"{resource}:{verb}"

    @property
    def action(self) -> str:
        """The audit log's name for what it does: `<api module>.<handler>`."""
        return f"{self.handler.__module__.rsplit('.', 1)[-1]}.{self.handler.__name__}"

    @property
    def rate_limited(self) -> bool:
        # Agents authenticate per node and report at the rate the server told
        # them; probes come from the platform. Neither spends a client's budget.
        return self.access is not Access.AGENT and not self.probe

    @property
    def quiet(self) -> bool:
        """Successes are logged at DEBUG: a large fleet sends thousands a second."""
        return self.access is Access.AGENT or self.probe


def _field_errors(exc: ValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in err["loc"]) or "body"
        errors.append(FieldError(loc, str(err["msg"])))
    return errors


def validate(model: type[BaseModel], data: Any, what: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Invalid(f"Invalid {what}", _field_errors(exc)) from None


def refuse_content_encoding(request: web.Request) -> None:
    # The server does not decompress bodies itself (the app is built without
    # auto_decompress): only the routes that stream their body take a compressed one.
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise UnsupportedMediaType(f"Content-Encoding {encoding} is not accepted here")


async def read_body(request: web.Request, model: type[BaseModel]) -> Any:
    refuse_content_encoding(request)
    raw = await request.read()
    if not raw.strip():
        return validate(model, {}, "request body")
    if request.content_type != "application/json":
        raise UnsupportedMediaType("Request body must be application/json")
    if problems := json_limits.body_problems(raw):
        raise Invalid("Invalid request body", problems)
    # Parsed and validated in one pass by pydantic's core, straight from the bytes
    # (the hot path of every heartbeat).
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors(include_url=False)):
            raise Invalid("Malformed JSON body", [FieldError("body", "not valid JSON")]) from None
        raise Invalid("Invalid request body", _field_errors(exc)) from None


def read_query(request: web.Request, model: type[BaseModel]) -> Any:
    query = dict(request.query)
    if problems := json_limits.query_problems(query):
        raise Invalid("Invalid query parameters", problems)
    return validate(model, query, "query parameters")


class UnsupportedMediaType(ServiceError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


def serve(route: Route, authenticate: Authenticator) -> Callable[[web.Request], Awaitable[Any]]:
    async def prepare(request: web.Request) -> Call[Any, Any]:
        principal = await authenticate(request, route.access, route.scope)
        query = read_query(request, route.query) if route.query else None
        body = await read_body(request, route.body) if route.body else None
        # A body nobody reads would be silently dropped: refuse it instead.
        unread = route.body is None and route.streamed is None and route.signature_header is None
        if unread and request.can_read_body and (await request.read()).strip():
            raise Invalid("This endpoint takes no request body")
        return Call(request, body, query, principal)

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            call = await prepare(request)
        except Exception as exc:
            if route.audit:
                await auditing.refused(request, route.action, exc)
            raise
        if not (route.audit or auditing.by_administrator(request.method, call.principal)):
            return await route.handler(call)
        entry = await auditing.opened(request, route.action, call.body)
        status = 499  # stays so only if the client went away mid-request
        try:
            response = await route.handler(call)
            status = response.status
            return response
        except Exception as exc:
            status = auditing.status_of(exc)
            raise
        finally:
            await auditing.closed(request, entry, status)

    handle.__name__ = route.handler.__name__
    return handle
