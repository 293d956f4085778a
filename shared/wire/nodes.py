"""What an agent says about its node: facts at registration, samples, allocation reports."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, Secret, StringConstraints

from shared.wire.base import WireModel

NodeName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=253,
        pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
        description="Kubernetes node name (DNS subdomain)",
    ),
]
# What an agent proves it is the same agent with (K3s's "node password"): generated once,
# kept in its state directory. Secret: never in a repr, a dump, a log line or a response.
NODE_SECRET_MIN_LENGTH = 32
NODE_SECRET_MAX_LENGTH = 256
NodeSecret = Secret[
    Annotated[
        str,
        StringConstraints(min_length=NODE_SECRET_MIN_LENGTH, max_length=NODE_SECRET_MAX_LENGTH),
    ]
]
MB = Annotated[int, Field(ge=0, le=1 << 40, description="megabytes")]
Cores = Annotated[float, Field(ge=0, le=100_000, description="CPU cores")]


class Taint(WireModel):
    key: str = Field(min_length=1, max_length=316)
    value: str | None = Field(default=None, max_length=63)
    effect: str = Field(pattern=r"^(NoSchedule|PreferNoSchedule|NoExecute)$")


class NodeCondition(WireModel):
    """One Kubernetes-style condition. `status` True means the condition holds."""

    type: str = Field(min_length=1, max_length=64)
    status: bool
    reason: str | None = Field(default=None, max_length=256)
    message: str | None = Field(default=None, max_length=1024)


# Conditions whose status True means the node is unhealthy (as in Kubernetes);
# for "Ready" it is the other way round.
PRESSURE_CONDITIONS = frozenset(
    {"MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable"}
)


class NodeFacts(WireModel):
    """Hardware and Kubernetes facts, sent at registration (the seed's node fields)."""

    name: NodeName
    hostname: str = Field(min_length=1, max_length=253)
    ip_address: str = Field(min_length=2, max_length=45)
    cpu_cores: int = Field(ge=1, le=100_000)
    cpu_architecture: str = Field(min_length=1, max_length=32)
    total_memory: MB
    total_storage: MB
    architecture: str = Field(min_length=1, max_length=32)
    operating_system: str = Field(min_length=1, max_length=128)
    max_pods: int = Field(default=110, ge=1, le=10_000)
    labels: dict[str, str] = Field(default_factory=dict)
    taints: list[Taint] = Field(default_factory=list)
    kubelet_version: str | None = Field(default=None, max_length=64)
    container_runtime: str | None = Field(default=None, max_length=128)
    kernel_version: str | None = Field(default=None, max_length=128)
    os_image: str | None = Field(default=None, max_length=128)
    agent_version: str | None = Field(default=None, max_length=32)


class NodeRegistration(NodeFacts):
    """The body of POST /agent/register: the node's facts and the agent's node secret.

    A node name belongs to the agent that first registered it with its secret; registering
    that name again needs the same secret (409 otherwise) until an administrator deletes the
    node. The secret is write-only: excluded from every dump, masked in reprs.
    """

    node_secret: NodeSecret = Field(
        exclude=True,
        description="A random secret the agent generated once and keeps; write-only",
        json_schema_extra={"writeOnly": True, "format": "password"},
    )


class UsageSample(WireModel):
    """One numbered telemetry sample. (node, seq) is stored once, whatever the replays."""

    seq: int = Field(ge=1, le=(1 << 62))
    timestamp: datetime
    cpu_percent: float = Field(ge=0, le=100)
    memory_used: MB
    disk_used: MB
    load1: float = Field(ge=0, le=1_000_000)
    load5: float = Field(ge=0, le=1_000_000)
    load15: float = Field(ge=0, le=1_000_000)


class Heartbeat(WireModel):
    """Liveness, health conditions and the latest sample."""

    sample: UsageSample
    conditions: list[NodeCondition] = Field(default_factory=list, max_length=32)
    shutting_down: bool = False


class ResourceReport(WireModel):
    """What the pods on the node have requested (seed: POST /workers/:id/resources)."""

    allocated_cpu: Cores = Field(alias="allocatedCPU")
    allocated_memory: MB
    allocated_storage: MB
    current_pods: int = Field(ge=0, le=10_000)


class TelemetryBatch(WireModel):
    """Spooled samples, replayed in seq order after an outage."""

    samples: list[UsageSample] = Field(min_length=1, max_length=1000)


class RegisterResult(WireModel):
    node_id: str
    node_token: str
    heartbeat_interval: float
    resource_interval: float
    last_seq: int


class IngestResult(WireModel):
    """What the control plane committed: the agent drops these seqs from its spool."""

    accepted: int
    duplicates: int
    last_seq: int
