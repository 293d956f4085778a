"""What the pods bound to this node have requested: CPU, memory, ephemeral storage, and how many.

Only used in a cluster. Requests are summed the way the kube-scheduler counts them, so the
control plane's view of free capacity matches the cluster's.
"""

import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from shared.units import BYTES_PER_MB
from shared.wire.nodes import ResourceReport

RESOURCES = ("cpu", "memory", "ephemeral-storage")
TERMINATED_PHASES = frozenset({"Succeeded", "Failed"})
REQUEST_TIMEOUT_SECONDS = 10

Amounts = dict[str, Decimal]


def _requests(container: Any) -> Amounts:
    from kubernetes.utils import parse_quantity

    requests = (container.resources.requests if container.resources else None) or {}
    return {
        r: Decimal(parse_quantity(requests[r])) if r in requests else Decimal(0) for r in RESOURCES
    }


def pod_requests(pod: Any) -> Amounts:
    """A pod's effective request per resource: containers and sidecars running together, or
    the largest init step if that is bigger, plus the runtime overhead."""
    from kubernetes.utils import parse_quantity

    spec = pod.spec
    sidecars = dict.fromkeys(RESOURCES, Decimal(0))
    init_peak = dict.fromkeys(RESOURCES, Decimal(0))
    for init in spec.init_containers or []:
        own = _requests(init)
        # Sidecars (restartPolicy Always) keep running next to everything started after them.
        is_sidecar = getattr(init, "restart_policy", None) == "Always"
        for r in RESOURCES:
            if is_sidecar:
                sidecars[r] += own[r]
                init_peak[r] = max(init_peak[r], sidecars[r])
            else:
                init_peak[r] = max(init_peak[r], own[r] + sidecars[r])
    running = dict(sidecars)
    for container in spec.containers or []:
        own = _requests(container)
        for r in RESOURCES:
            running[r] += own[r]
    overhead = spec.overhead or {}
    return {
        r: max(running[r], init_peak[r])
        + (Decimal(parse_quantity(overhead[r])) if r in overhead else Decimal(0))
        for r in RESOURCES
    }


def allocation_from(pods: Iterable[Any]) -> ResourceReport:
    """The resource report for the given pods, terminated ones left out."""
    total = dict.fromkeys(RESOURCES, Decimal(0))
    count = 0
    for pod in pods:
        if pod.status is not None and pod.status.phase in TERMINATED_PHASES:
            continue
        count += 1
        for r, amount in pod_requests(pod).items():
            total[r] += amount
    # Rounded up: an allocation reported too small would let the control plane overcommit.
    return ResourceReport(
        allocatedCPU=math.ceil(total["cpu"] * 1000) / 1000,
        allocated_memory=math.ceil(total["memory"] / BYTES_PER_MB),
        allocated_storage=math.ceil(total["ephemeral-storage"] / BYTES_PER_MB),
        current_pods=count,
    )


class PodsCollector:
    name = "pods"

    def __init__(self, api: Any, node_name: str) -> None:
        self._api = api
        self._node_name = node_name

    def collect(self) -> ResourceReport:
        pods = self._api.list_pod_for_all_namespaces(
            field_selector=(
                f"spec.nodeName={self._node_name},status.phase!=Succeeded,status.phase!=Failed"
            ),
            _request_timeout=REQUEST_TIMEOUT_SECONDS,
        )
        return allocation_from(pods.items)
