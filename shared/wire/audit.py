"""The audit log on the wire (GET /admin/audit)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from shared.wire.base import WireOut
from shared.wire.common import PageQuery, Pagination


class AuditListQuery(PageQuery):
    actor_id: uuid.UUID | None = None
    actor_email: str | None = Field(default=None, max_length=254)
    action: str | None = Field(
        default=None, max_length=64, description="an action, or its start: `users.` for all"
    )
    target_id: str | None = Field(default=None, max_length=64)
    since: datetime | None = None
    until: datetime | None = None
    failed: bool | None = Field(default=None, description="only refused or failed (4xx, 5xx)")


class AuditOut(WireOut):
    id: int
    at: datetime
    actor_id: uuid.UUID | None
    actor_email: str | None
    actor_role: str | None
    action: str = Field(description="`<resource>.<handler>`, e.g. users.update_user")
    method: str
    path: str
    target_type: str | None
    target_id: str | None
    client_address: str
    request_id: str | None
    changes: Any = Field(description="what the request sent, secrets redacted")
    status_code: int | None = Field(description="the answer's status; null: outcome unknown")
    finished_at: datetime | None


class AuditList(WireOut):
    entries: list[AuditOut]
    pagination: Pagination
