"""Wire types of worker-node administration: nodes, stats, join tokens, events, usage history."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field, field_validator, model_validator

from shared.enums import NodeStatus
from shared.wire.base import WireModel, WireOut
from shared.wire.common import CursorPagination, PageQuery
from shared.wire.nodes import MB, NodeCondition, NodeFacts, Taint


class WorkerCreate(NodeFacts):
    """An administrator registering a node by hand (the seed's POST /workers)."""

    is_schedulable: bool = True


class WorkerUpdate(WireModel):
    hostname: str | None = Field(default=None, min_length=1, max_length=253)
    ip_address: str | None = Field(default=None, min_length=2, max_length=45)
    cpu_cores: int | None = Field(default=None, ge=1, le=100_000)
    total_memory: MB | None = None
    total_storage: MB | None = None
    max_pods: int | None = Field(default=None, ge=1, le=10_000)
    labels: dict[str, str] | None = None
    taints: list[Taint] | None = None
    operating_system: str | None = Field(default=None, min_length=1, max_length=128)
    kubelet_version: str | None = Field(default=None, max_length=64)
    container_runtime: str | None = Field(default=None, max_length=128)
    kernel_version: str | None = Field(default=None, max_length=128)
    os_image: str | None = Field(default=None, max_length=128)

    @model_validator(mode="after")
    def _not_empty(self) -> "WorkerUpdate":
        if not self.model_fields_set:
            raise ValueError("nothing to update")
        return self


class WorkerSummary(WireOut):
    """A node as a fleet listing's `view=summary` shows it: what a dashboard's table
    has columns for (a fifth of the full body). Every field is WorkerOut's, as named."""

    id: UUID
    name: str
    hostname: str
    ip_address: str
    status: NodeStatus
    is_ready: bool
    is_schedulable: bool
    cpu_cores: int
    total_memory: int
    total_storage: int
    max_pods: int
    current_pods: int
    allocated_cpu: float = Field(alias="allocatedCPU")
    allocated_memory: int
    allocated_storage: int
    last_heartbeat: datetime | None
    cpu_percent: float | None
    memory_used: int | None
    disk_used: int | None
    created_at: datetime


class WorkerOut(WorkerSummary):
    cpu_architecture: str
    architecture: str
    operating_system: str
    status_reason: str | None
    status_changed_at: datetime | None
    labels: dict[str, str]
    taints: list[dict[str, Any]]
    kubelet_version: str | None
    container_runtime: str | None
    kernel_version: str | None
    os_image: str | None
    last_health_check: datetime | None
    load1: float | None
    load5: float | None
    load15: float | None
    conditions: list[NodeCondition]
    agent_version: str | None
    last_seq: int
    updated_at: datetime


class WorkerListQuery(PageQuery):
    status: NodeStatus | None = None
    is_schedulable: bool | None = None
    search: str | None = Field(default=None, max_length=100)
    sort_by: Literal["createdAt", "name", "status", "lastHeartbeat"] = "createdAt"
    # Keyset paging: the `nextCursor` of the page before (not with sortBy=lastHeartbeat);
    # with it, `page` is not used for the rows (it is echoed in the pagination).
    cursor: str | None = Field(default=None, max_length=512)
    # summary: each node as WorkerSummary (a dashboard's columns), a fifth of the bytes.
    view: Literal["full", "summary"] = "full"


class WorkerList(WireOut):
    """With view=summary, each of `workers` has WorkerSummary's fields only."""

    workers: list[WorkerOut] | list[WorkerSummary]
    pagination: CursorPagination


# Health the control plane computes from heartbeats; nobody may set it.
COMPUTED_STATES = frozenset({NodeStatus.NOT_READY.value, NodeStatus.INACTIVE.value})


class StatusChange(WireModel):
    """An administrator's say in a node's health, which heartbeats otherwise decide.

    MAINTENANCE takes a node out (again: no change). From MAINTENANCE, ACTIVE
    gives it back when its heartbeats are fresh and healthy (else 409, and it
    stays), and PENDING gives it back unconditionally, its next heartbeat deciding.
    ACTIVE or PENDING asked of a node not in MAINTENANCE is a 409.
    """

    status: Literal["MAINTENANCE", "ACTIVE", "PENDING"] = Field(examples=["MAINTENANCE"])
    reason: str | None = Field(default=None, max_length=400)

    @field_validator("status", mode="before")
    @classmethod
    def _not_computed(cls, value: Any) -> Any:
        if value in COMPUTED_STATES:
            raise ValueError(
                f"{value} is computed from heartbeats and cannot be set; "
                "ask for MAINTENANCE, ACTIVE or PENDING"
            )
        return value


class Capacity(WireOut):
    total: float
    allocated: float
    ratio: float


class WorkerStats(WireOut):
    # When these figures were computed: they may be kept for MINISPOD_FLEET_STATS_TTL.
    as_of: datetime
    total: int
    by_status: dict[str, int]
    schedulable: int
    online: int
    cpu: Capacity
    memory: Capacity
    storage: Capacity
    pods: Capacity


class NodeEventOut(WireOut):
    id: int
    from_status: NodeStatus | None
    to_status: NodeStatus
    reason: str
    created_at: datetime


class JoinTokenCreate(WireModel):
    name: str = Field(min_length=1, max_length=100)
    expires_in_hours: float | None = Field(default=None, gt=0, le=24 * 365)
    max_uses: int | None = Field(default=None, ge=1, le=1_000_000)


class JoinTokenOut(WireOut):
    id: UUID
    name: str
    prefix: str
    expires_at: datetime | None
    max_uses: int | None
    uses: int
    revoked_at: datetime | None
    created_at: datetime


class JoinTokenCreated(JoinTokenOut):
    token: str = Field(description="Shown once; store it as the agents' Secret")


class MetricsQuery(WireModel):
    from_: datetime | None = Field(default=None, alias="from")
    to: datetime | None = None
    step: int | None = Field(default=None, ge=10, le=86_400, description="bucket seconds")
    limit: int = Field(default=500, ge=1, le=5000)


class SampleOut(WireOut):
    seq: int
    timestamp: datetime
    cpu_percent: float
    memory_used: int
    disk_used: int
    load1: float
    load5: float
    load15: float


class BucketOut(WireOut):
    timestamp: datetime
    samples: int
    cpu_percent: float
    cpu_percent_max: float
    memory_used: float
    disk_used: float
    load1: float


class NodeMetrics(WireOut):
    node_id: UUID
    step: int | None
    samples: list[SampleOut] | None = None
    buckets: list[BucketOut] | None = None
