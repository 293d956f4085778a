"""Handlers of /admin/audit: the audit log, read-only, for administrators."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from controlplane.api.envelope import ok
from controlplane.api.routing import Access, Call, Route
from controlplane.services.audit import trail
from shared.wire.audit import AuditList, AuditListQuery


async def list_entries(call: Call[Any, AuditListQuery]) -> web.Response:
    return ok(await trail.search(call.query), "Audit log")


ROUTES: list[Route] = [
    Route(
        "GET",
        "/admin/audit",
        list_entries,
        Access.ADMIN,
        "The audit log, newest first: administrators' changes and security events, with"
        " actor, target, address, request id and what was sent (secrets redacted)",
        "users",
        query=AuditListQuery,
        response=AuditList,
    ),
]
