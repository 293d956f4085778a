"""The HTTP edge's side of the audit log: who, what, which thing, from where, how it ended.

A route is audited when it changes something as an administrator, or when it is a
security event that says so (`Route.audited`: sign-in, password changes and resets,
webhook secrets, agent registration). Its entry is opened before the handler runs, so
no change commits unrecorded, and closed with the answer's status; a request refused
before its handler (not signed in, not allowed, a bad body) is recorded as refused.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from controlplane.api.pipeline import client_address
from controlplane.appkeys import CLOCK
from controlplane.db.models import User
from controlplane.logs import request_id_var
from controlplane.services.audit import trail
from shared.enums import Role

log = logging.getLogger("minispod.audit")

# Where authentication leaves the account it found, even when it then refuses it (a
# customer on an administrator's route): the refusal is recorded with its actor.
PRINCIPAL: web.RequestKey[User] = web.RequestKey("principal", User)


def by_administrator(method: str, principal: Any) -> bool:
    """A change an administrator makes through a route customers use too (another
    customer's webhook deleted, say): audited like their own routes."""
    return method != "GET" and isinstance(principal, User) and principal.role is Role.ADMINISTRATOR


def status_of(exc: BaseException) -> int:
    return int(getattr(exc, "status", 500))


def _actor(request: web.Request, body: Any) -> trail.Actor:
    user = request.get(PRINCIPAL)
    if isinstance(user, User):
        return trail.Actor(user.id, user.email, user.role.value)
    # A sign-in or a recovery: who it claims to be, as sent.
    claimed = getattr(body, "email", None)
    return trail.Actor(None, str(claimed)[:254] if claimed else None, None)


def _request(action: str, request: web.Request) -> trail.Request:
    params = dict(request.match_info)
    name, value = next(iter(params.items()), (None, None))
    return trail.Request(
        action=action,
        method=request.method,
        path=request.path,
        target_type=name.removesuffix("Id")[:32] if name else None,
        target_id=value[:64] if value else None,
        client_address=client_address(request),
        request_id=request_id_var.get(),
    )


def _changes(body: Any) -> Any:
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return None


async def refused(request: web.Request, action: str, exc: BaseException) -> None:
    now = request.app[CLOCK]()
    await trail.record(_actor(request, None), _request(action, request), None, status_of(exc), now)


async def opened(request: web.Request, action: str, body: Any) -> int:
    now = request.app[CLOCK]()
    return await trail.open_entry(
        _actor(request, body), _request(action, request), _changes(body), now
    )


async def closed(request: web.Request, entry: int, status: int) -> None:
    try:
        await trail.close_entry(entry, status, request.app[CLOCK]())
    except Exception:
        # The entry stays open (an outcome unknown); the answer must not change for it.
        log.exception("audit entry %d could not be closed with status %d", entry, status)
