"""What Kubernetes says about this node: labels, taints, kubelet, runtime, pod capacity, conditions.

Only used when in-cluster credentials exist. The `kubernetes` package is imported lazily,
inside `in_cluster_core_api`, because importing it costs tens of MiB that an agent outside a
cluster should not pay.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.wire.nodes import NodeCondition, Taint

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")
CONDITION_TYPES = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
TAINT_EFFECTS = frozenset({"NoSchedule", "PreferNoSchedule", "NoExecute"})
DEFAULT_MAX_PODS = 110
REQUEST_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class KubeNode:
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[Taint] = field(default_factory=list)
    kubelet_version: str | None = None
    container_runtime: str | None = None
    max_pods: int = DEFAULT_MAX_PODS
    conditions: list[NodeCondition] = field(default_factory=list)


def in_cluster_credentials_exist(
    env: Mapping[str, str], service_account_dir: Path = SERVICE_ACCOUNT_DIR
) -> bool:
    """What the official client's load_incluster_config needs: the API address and a token."""
    return bool(env.get("KUBERNETES_SERVICE_HOST")) and (service_account_dir / "token").is_file()


def in_cluster_core_api() -> Any:
    """A CoreV1Api authenticated with the pod's service account."""
    from kubernetes import client, config

    config.load_incluster_config()
    return client.CoreV1Api()


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


def kube_node_from(node: Any) -> KubeNode:
    """The facts the control plane wants, out of a kubernetes.client V1Node."""
    spec, status = node.spec, node.status
    taints = [
        Taint(key=t.key, value=_clip(t.value, 63), effect=t.effect)
        for t in (spec.taints if spec and spec.taints else [])
        if t.effect in TAINT_EFFECTS
    ]
    info = status.node_info if status else None
    allocatable = (status.allocatable if status else None) or {}
    try:
        max_pods = int(allocatable.get("pods", DEFAULT_MAX_PODS))
    except (TypeError, ValueError):
        max_pods = DEFAULT_MAX_PODS
    conditions = [
        _condition(c.type, c.status, c.reason, c.message)
        for c in (status.conditions if status and status.conditions else [])
        if c.type in CONDITION_TYPES
    ]
    return KubeNode(
        labels=dict(node.metadata.labels or {}),
        taints=taints,
        kubelet_version=_clip(info.kubelet_version, 64) if info else None,
        container_runtime=_clip(info.container_runtime_version, 128) if info else None,
        max_pods=max(1, min(max_pods, 10_000)),
        conditions=conditions,
    )


class KubernetesCollector:
    name = "kubernetes"

    def __init__(self, api: Any, node_name: str) -> None:
        self._api = api
        self._node_name = node_name

    def collect(self) -> KubeNode:
        node = self._api.read_node(self._node_name, _request_timeout=REQUEST_TIMEOUT_SECONDS)
        return kube_node_from(node)
