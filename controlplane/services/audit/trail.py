"""Writes and reads the audit log.

The HTTP edge opens an entry before an audited request's handler runs and closes it with
the status after, so a change never commits without its entry, and a request that died
in between is visible as an outcome unknown. What the caller sent is kept with every
secret-looking field (a password, a token, a secret, a key, a signature) replaced, at any
depth: the log must not become the place where credentials lie.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Subquery

from controlplane.db.models import AuditEntry
from controlplane.services.paging import page
from shared.wire.audit import AuditList, AuditListQuery, AuditOut

REDACTED = "[redacted]"
SECRET_WORDS = ("password", "secret", "token", "key", "signature", "credential")
# Deleted per statement by the retention pass: bounded transactions, little WAL each.
PRUNE_BATCH = 5000


@dataclass(frozen=True)
class Actor:
    id: uuid.UUID | None
    email: str | None
    role: str | None


@dataclass(frozen=True)
class Request:
    action: str
    method: str
    path: str
    target_type: str | None
    target_id: str | None
    client_address: str
    request_id: str | None


def redact(value: Any) -> Any:
    """The value with every field whose name looks like a secret replaced."""
    if isinstance(value, dict):
        return {
            k: REDACTED if any(w in str(k).lower() for w in SECRET_WORDS) else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


async def open_entry(
    actor: Actor, request: Request, changes: Any, at: datetime, status: int | None = None
) -> int:
    """The entry, open (no status yet), or with `status` already closed."""
    entry = await AuditEntry.create(
        at=at,
        actor_id=actor.id,
        actor_email=actor.email,
        actor_role=actor.role,
        action=request.action,
        method=request.method,
        path=request.path[:512],
        target_type=request.target_type,
        target_id=request.target_id,
        client_address=request.client_address[:64],
        request_id=request.request_id,
        changes=redact(changes),
        status_code=status,
        finished_at=at if status is not None else None,
    )
    return int(entry.id)


async def close_entry(entry_id: int, status: int, at: datetime) -> None:
    await AuditEntry.filter(id=entry_id).update(status_code=status, finished_at=at)


async def record(actor: Actor, request: Request, changes: Any, status: int, at: datetime) -> None:
    """A request refused before it could do anything (not signed in, not allowed)."""
    await open_entry(actor, request, changes, at, status)


async def search(query: AuditListQuery) -> AuditList:
    qs = AuditEntry.all()
    if query.actor_id is not None:
        qs = qs.filter(actor_id=query.actor_id)
    if query.actor_email is not None:
        qs = qs.filter(actor_email=query.actor_email.strip().lower())
    if query.action is not None:
        qs = qs.filter(action__startswith=query.action)
    if query.target_id is not None:
        qs = qs.filter(target_id=query.target_id)
    if query.since is not None:
        qs = qs.filter(at__gte=query.since)
    if query.until is not None:
        qs = qs.filter(at__lt=query.until)
    if query.failed is not None:
        qs = qs.filter(status_code__gte=400) if query.failed else qs.filter(status_code__lt=400)
    rows, pagination = await page(qs, query, "at")
    return AuditList(entries=[AuditOut.model_validate(r) for r in rows], pagination=pagination)


async def prune(now: datetime, retention: timedelta) -> int:
    """Entries older than the retention, removed in bounded batches."""
    removed = 0
    while True:
        old = AuditEntry.filter(at__lt=now - retention).order_by("id").limit(PRUNE_BATCH)
        n = await AuditEntry.filter(id__in=Subquery(old.values("id"))).delete()
        removed += n
        if n < PRUNE_BATCH:
            return removed
