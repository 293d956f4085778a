"""Operator alerts on the wire (GET /admin/alerts)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.wire.base import WireOut
from shared.wire.common import PageQuery, Pagination

AlertState = Literal["PENDING", "FIRING", "RESOLVED"]
AlertKind = Literal["node.down", "instance.failed", "fleet.disrupted", "job.failing"]


class AlertListQuery(PageQuery):
    state: AlertState | None = None
    kind: AlertKind | None = None


class AlertOut(WireOut):
    id: uuid.UUID
    kind: str
    subject: str = Field(description="the node's, instance's id; a job's name; 'fleet'")
    subject_name: str
    state: AlertState = Field(
        description="PENDING: not confirmed yet (not told); FIRING: told; RESOLVED: ended"
    )
    detail: str | None
    since: datetime = Field(description="when the condition began")
    fired_at: datetime | None
    resolved_at: datetime | None
    flapping: bool = Field(description="fired while its subject was flapping: told as a summary")


class AlertList(WireOut):
    alerts: list[AlertOut]
    pagination: Pagination
