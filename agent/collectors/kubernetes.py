"""What Kubernetes says about this node: labels, taints, kubelet, runtime, pod capacity, conditions.

Only used when in-cluster credentials exist; read from the node object's JSON as the API
server sends it (agent.collectors.kubeapi).
"""

from dataclasses import dataclass, field
from typing import Any

from agent.collectors.kubeapi import KubeApi
from agent.wire import DEFAULT_MAX_PODS, NodeCondition, Taint

CONDITION_TYPES = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
TAINT_EFFECTS = frozenset({"NoSchedule", "PreferNoSchedule", "NoExecute"})
REQUEST_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class KubeNode:
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[Taint] = field(default_factory=list)
    kubelet_version: str | None = None
    container_runtime: str | None = None
    max_pods: int = DEFAULT_MAX_PODS
    conditions: list[NodeCondition] = field(default_factory=list)


def _clip(text: str | None, limit: int) -> str | None:
    return text[:limit] if text else None


def _condition(kind: str, status: str, reason: str | None, message: str | None) -> NodeCondition:
    # "Unknown" is not a pressure we can claim, but it is not Ready either.
    return NodeCondition(
        type=kind,
        status=status == "True",
        reason=_clip(reason, 256),
        message=_clip(message, 1024),
    )


def kube_node_from(node: dict[str, Any]) -> KubeNode:
    """The facts the control plane wants, out of a v1 Node's JSON."""
    metadata = node.get("metadata") or {}
    spec = node.get("spec") or {}
    status = node.get("status") or {}
    taints = [
        Taint(key=t["key"], value=_clip(t.get("value"), 63), effect=t["effect"])
        for t in spec.get("taints") or []
        if t.get("effect") in TAINT_EFFECTS
    ]
    info = status.get("nodeInfo")
    allocatable = status.get("allocatable") or {}
    try:
        max_pods = int(allocatable.get("pods", DEFAULT_MAX_PODS))
    except (TypeError, ValueError):
        max_pods = DEFAULT_MAX_PODS
    conditions = [
        _condition(c["type"], c.get("status", ""), c.get("reason"), c.get("message"))
        for c in status.get("conditions") or []
        if c.get("type") in CONDITION_TYPES
    ]
    return KubeNode(
        labels=dict(metadata.get("labels") or {}),
        taints=taints,
        kubelet_version=_clip(info.get("kubeletVersion"), 64) if info else None,
        container_runtime=_clip(info.get("containerRuntimeVersion"), 128) if info else None,
        max_pods=max(1, min(max_pods, 10_000)),
        conditions=conditions,
    )


class KubernetesCollector:
    name = "kubernetes"

    def __init__(self, api: KubeApi, node_name: str) -> None:
        self._api = api
        self._node_name = node_name

    def collect(self) -> KubeNode:
        return kube_node_from(self._api.read_node(self._node_name, REQUEST_TIMEOUT_SECONDS))
