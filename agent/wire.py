"""The agent's side of the wire: the bodies of `shared.wire.nodes` as plain dataclasses.

`shared.wire.nodes` stays the one declaration of the vocabulary. The agent builds the same
JSON with these instead of the pydantic models because importing pydantic and the models costs
about 10 MiB of the agent's 40 MiB budget. tests/agent/test_agent_wire.py validates every body
built here with the shared models and proves the JSON identical, field order included.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# shared.wire.nodes.NodeName; a test proves both accept the same names.
NODE_NAME_PATTERN = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?")
NODE_NAME_MAX_LENGTH = 253
DEFAULT_MAX_PODS = 110


def is_node_name(name: str) -> bool:
    """Whether `name` is a Kubernetes node name the control plane accepts."""
    return len(name) <= NODE_NAME_MAX_LENGTH and NODE_NAME_PATTERN.fullmatch(name) is not None


def _text(value: str | None) -> str | None:
    # The shared models strip whitespace from every string they take (str_strip_whitespace).
    return value.strip() if value is not None else None


def wire_timestamp(moment: datetime) -> str:
    """ISO 8601 as pydantic writes it: UTC as "Z", microseconds only when there are some."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@dataclass(frozen=True, kw_only=True)
class Taint:
    key: str
    value: str | None = None
    effect: str

    def wire(self) -> dict[str, Any]:
        return {"key": self.key.strip(), "value": _text(self.value), "effect": self.effect.strip()}


@dataclass(frozen=True)
class NodeCondition:
    """One Kubernetes-style condition. `status` True means the condition holds."""

    type: str
    status: bool
    reason: str | None = None
    message: str | None = None

    def wire(self) -> dict[str, Any]:
        return {
            "type": self.type.strip(),
            "status": self.status,
            "reason": _text(self.reason),
            "message": _text(self.message),
        }


@dataclass(frozen=True)
class NodeFacts:
    """Hardware and Kubernetes facts, sent at registration."""

    name: str
    hostname: str
    ip_address: str
    cpu_cores: int
    cpu_architecture: str
    total_memory: int
    total_storage: int
    architecture: str
    operating_system: str
    max_pods: int = DEFAULT_MAX_PODS
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: list[Taint] = field(default_factory=list)
    kubelet_version: str | None = None
    container_runtime: str | None = None
    kernel_version: str | None = None
    os_image: str | None = None
    agent_version: str | None = None

    def wire(self) -> dict[str, Any]:
        return {
            "name": self.name.strip(),
            "hostname": self.hostname.strip(),
            "ipAddress": self.ip_address.strip(),
            "cpuCores": int(self.cpu_cores),
            "cpuArchitecture": self.cpu_architecture.strip(),
            "totalMemory": int(self.total_memory),
            "totalStorage": int(self.total_storage),
            "architecture": self.architecture.strip(),
            "operatingSystem": self.operating_system.strip(),
            "maxPods": int(self.max_pods),
            "labels": {k.strip(): v.strip() for k, v in self.labels.items()},
            "taints": [t.wire() for t in self.taints],
            "kubeletVersion": _text(self.kubelet_version),
            "containerRuntime": _text(self.container_runtime),
            "kernelVersion": _text(self.kernel_version),
            "osImage": _text(self.os_image),
            "agentVersion": _text(self.agent_version),
        }


@dataclass(frozen=True)
class NodeRegistration:
    """The body of POST /agent/register: the node's facts and this agent's node secret, the
    proof that it is the agent the node name belongs to. The secret is kept out of reprs."""

    facts: NodeFacts
    node_secret: str = field(repr=False)

    def wire(self) -> dict[str, Any]:
        return self.facts.wire() | {"nodeSecret": self.node_secret.strip()}


@dataclass(frozen=True)
class UsageSample:
    """One numbered telemetry sample. (node, seq) is stored once, whatever the replays."""

    seq: int
    timestamp: datetime
    cpu_percent: float
    memory_used: int
    disk_used: int
    load1: float
    load5: float
    load15: float

    def wire(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "timestamp": wire_timestamp(self.timestamp),
            "cpuPercent": float(self.cpu_percent),
            "memoryUsed": int(self.memory_used),
            "diskUsed": int(self.disk_used),
            "load1": float(self.load1),
            "load5": float(self.load5),
            "load15": float(self.load15),
        }

    @classmethod
    def from_wire(cls, data: Any) -> "UsageSample":
        """A sample read back from its JSON (the spool); ValueError when it is not one."""
        if not isinstance(data, dict):
            raise ValueError("the sample is not a JSON object")
        timestamp = data.get("timestamp")
        if not isinstance(timestamp, str):
            raise ValueError("timestamp is not a string")
        sample = cls(
            seq=_integer(data, "seq"),
            timestamp=datetime.fromisoformat(timestamp),
            cpu_percent=_number(data, "cpuPercent"),
            memory_used=_integer(data, "memoryUsed"),
            disk_used=_integer(data, "diskUsed"),
            load1=_number(data, "load1"),
            load5=_number(data, "load5"),
            load15=_number(data, "load15"),
        )
        if sample.seq < 1:
            raise ValueError("seq must be at least 1")
        return sample


@dataclass(frozen=True)
class Heartbeat:
    """Liveness, health conditions and the latest sample."""

    sample: UsageSample
    conditions: list[NodeCondition] = field(default_factory=list)
    shutting_down: bool = False

    def wire(self) -> dict[str, Any]:
        return {
            "sample": self.sample.wire(),
            "conditions": [c.wire() for c in self.conditions],
            "shuttingDown": self.shutting_down,
        }


@dataclass(frozen=True)
class ResourceReport:
    """What the pods on the node have requested."""

    allocated_cpu: float
    allocated_memory: int
    allocated_storage: int
    current_pods: int

    def wire(self) -> dict[str, Any]:
        return {
            "allocatedCPU": float(self.allocated_cpu),
            "allocatedMemory": int(self.allocated_memory),
            "allocatedStorage": int(self.allocated_storage),
            "currentPods": int(self.current_pods),
        }


def telemetry_batch(samples: Iterable[UsageSample]) -> dict[str, Any]:
    """The body of POST /workers/:id/telemetry: spooled samples in seq order."""
    return {"samples": [s.wire() for s in samples]}


@dataclass(frozen=True)
class RegisterResult:
    node_id: str
    node_token: str = field(repr=False)
    heartbeat_interval: float
    resource_interval: float
    last_seq: int

    @classmethod
    def from_wire(cls, data: Any) -> "RegisterResult":
        """Fields this agent does not know are ignored: a newer control plane may add some."""
        if not isinstance(data, dict):
            raise ValueError("the result is not a JSON object")
        return cls(
            node_id=_string(data, "nodeId"),
            node_token=_string(data, "nodeToken"),
            heartbeat_interval=_number(data, "heartbeatInterval"),
            resource_interval=_number(data, "resourceInterval"),
            last_seq=_integer(data, "lastSeq"),
        )


@dataclass(frozen=True)
class IngestResult:
    """What the control plane committed: the agent drops these seqs from its spool."""

    accepted: int
    duplicates: int
    last_seq: int

    @classmethod
    def from_wire(cls, data: Any) -> "IngestResult":
        if not isinstance(data, dict):
            raise ValueError("the result is not a JSON object")
        return cls(
            accepted=_integer(data, "accepted"),
            duplicates=_integer(data, "duplicates"),
            last_seq=_integer(data, "lastSeq"),
        )


def _string(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key} is not a string")
    return value


def _integer(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    # bool is an int to Python, never to JSON.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{key} is not a whole number")
    return value


def _number(data: dict[str, Any], key: str) -> float:
    value = data.get(key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(f"{key} is not a number")
    return float(value)
