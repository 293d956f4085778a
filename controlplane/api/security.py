"""Who is calling: bearer credentials turned into a principal, or a refusal."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from controlplane.api.auditing import PRINCIPAL
from controlplane.api.pipeline import client_address
from controlplane.api.routing import ACTING, TEAM_HEADER, Access
from controlplane.appkeys import ACCOUNTS, API_KEYS, NODE_AUTH, NODE_TOKEN_FAILURES, READS
from controlplane.db.models import ApiKey, User
from controlplane.db.sql import get_by
from controlplane.services import ownership
from controlplane.services.errors import Forbidden, MissingScope, RateLimited, Unauthorized
from shared.enums import Role
from shared.wire.api_keys import KEY_PREFIX


def bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authentication required: Authorization: Bearer <token>")
    return token.strip()


async def current_user(request: web.Request) -> User:
    claims = request.app[ACCOUNTS].access.verify(bearer(request))
    try:
        user_id = uuid.UUID(claims.user_id)
    except ValueError:
        raise Unauthorized("Invalid access token") from None
    # Through the read pool: a dashboard's every request signs in, and those lookups must
    # not queue for the connections heartbeats commit on. Same primary, so a session
    # ended by a commit a moment ago is seen ended.
    # Fixed SQL text rather than the ORM's query: 0.62x of its time (bench/sign_in_lookup.py).
    user = await get_by(User, "id", user_id, db=request.app[READS].db)
    # A deleted or deactivated account, or one whose sessions were ended
    # (password change), loses access at once rather than at token expiry.
    if user is None or not user.is_active or user.session_version != claims.session_version:
        raise Unauthorized("Session is no longer valid; sign in again")
    return user


def api_key_of(request: web.Request) -> str | None:
    """An API key sent as `X-API-Key`, or as a bearer credential (`mpk_…`)."""
    header = request.headers.get("X-API-Key", "").strip()
    if header:
        return header
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token.startswith(KEY_PREFIX) else None


async def _key_holder(
    request: web.Request, access: Access, scope: str | None, raw: str
) -> tuple[User, ApiKey]:
    """The user an API key acts for here: the key live and allowed from this address, and
    holding this route's scope (an administrator's route also needs the owner to be one)."""
    if scope is None:
        raise Forbidden("This endpoint needs a signed-in session; API keys are not accepted")
    user, key = await request.app[API_KEYS].authenticate(raw, client_address(request))
    request[PRINCIPAL] = user
    if scope not in key.scopes:
        raise MissingScope(scope)
    if access is Access.ADMIN and user.role is not Role.ADMINISTRATOR:
        raise Forbidden("Administrator role required")
    return user, key


async def authenticate(request: web.Request, access: Access, scope: str | None = None) -> Any:
    if access is Access.ANON:
        return None
    if access in (Access.USER, Access.ADMIN):
        raw = api_key_of(request)
        key = None
        if raw is not None:
            user, key = await _key_holder(request, access, scope, raw)
        else:
            user = await current_user(request)
            request[PRINCIPAL] = user
            if access is Access.ADMIN and user.role is not Role.ADMINISTRATOR:
                raise Forbidden("Administrator role required")
        # The team it acts in, and the caller's role there gating the team's resources
        # (a key: at most its creator's role, as it is now). Through the read pool, as the
        # account lookup; no query at all for a user in their own team.
        who = await ownership.acting(
            user, request.headers.get(TEAM_HEADER), key, request.app[READS].db
        )
        ownership.gate(who, scope)
        request[ACTING] = who
        return user
    if access is Access.JOIN:
        return bearer(request)  # checked by registration, which knows what a join token allows
    node_id = await _node_of_token(request)
    # A node token writes its own node only.
    if request.match_info.get("nodeId") != str(node_id):
        raise Forbidden("This node token belongs to another node")
    return node_id


async def _node_of_token(request: web.Request) -> uuid.UUID:
    """The node a bearer node token belongs to. Agents' routes spend no request budget
    (they report at the rate we told them), so guessing tokens is throttled apart: each
    failure per client address spends a token of its bucket, checked before the lookup."""
    failures = request.app[NODE_TOKEN_FAILURES]
    address = client_address(request)
    wait = failures.wait(address)
    if wait is not None:
        raise RateLimited("Too many failed node-token attempts; slow down", int(wait) + 1)
    try:
        return await request.app[NODE_AUTH].node_for(bearer(request))
    except Unauthorized:
        failures.take(address)
        raise
