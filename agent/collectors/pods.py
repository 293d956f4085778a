"""What the pods bound to this node have requested: CPU, memory, ephemeral storage, and how many.

Only used in a cluster. Requests are summed the way the kube-scheduler counts them, so the
control plane's view of free capacity matches the cluster's. Pods are read as the JSON the API
server sends (agent.collectors.kubeapi).
"""

import math
from collections.abc import Iterable
from decimal import Decimal, DecimalException, InvalidOperation
from typing import Any

from agent.collectors.kubeapi import KubeApi
from agent.wire import ResourceReport
from shared.units import BYTES_PER_MB

RESOURCES = ("cpu", "memory", "ephemeral-storage")
TERMINATED_PHASES = frozenset({"Succeeded", "Failed"})
REQUEST_TIMEOUT_SECONDS = 10
# Kubernetes quantity suffixes: the power of 1000 (decimal) or of 1024 (binary, with "i").
EXPONENTS = {"n": -3, "u": -2, "m": -1, "K": 1, "k": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}
BINARY_PREFIXES = frozenset("KMGTPE")

Amounts = dict[str, Decimal]


def parse_quantity(quantity: str | int | float | Decimal) -> Decimal:
    """A Kubernetes quantity ("250m", "1Gi", "1e3") as a number, as the official client's
    kubernetes.utils.parse_quantity reads it (a test holds the two together).

    The agent keeps its own copy of these twenty lines for a measured reason:
    `import kubernetes.utils` loads the whole generated client, 0.23 s and +33 MB
    of RSS on a daemon whose whole peak is 27 MiB (bench/agent_footprint.py). The
    control plane, which imports the client anyway, uses the official one."""
    if isinstance(quantity, int | float | Decimal):
        return Decimal(quantity)
    text = str(quantity)
    number, suffix = text, ""
    if len(text) >= 2 and text[-1] == "i":
        if text[-2] in EXPONENTS:
            number, suffix = text[:-2], text[-2:]
    elif text and text[-1] in EXPONENTS:
        number, suffix = text[:-1], text[-1]
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"Invalid number format: {number}") from None
    if not suffix:
        return value
    if suffix.endswith("i"):
        # "ki", "mi", "ni" and "ui" are not binary suffixes.
        if suffix[0] not in BINARY_PREFIXES:
            raise ValueError(f"{text} has unknown suffix")
        base = 1024
    else:
        base = 1000
    try:
        return value * (base ** Decimal(EXPONENTS[suffix[0]]))
    except DecimalException as exc:
        raise ValueError(f"Invalid quantity: {text}") from exc


def _amounts(resources: dict[str, Any] | None) -> Amounts:
    resources = resources or {}
    return {r: parse_quantity(resources[r]) if r in resources else Decimal(0) for r in RESOURCES}


def _requests(container: dict[str, Any]) -> Amounts:
    return _amounts((container.get("resources") or {}).get("requests"))


def pod_requests(pod: dict[str, Any]) -> Amounts:
    """A pod's effective request per resource: containers and sidecars running together, or
    the largest init step if that is bigger, plus the runtime overhead."""
    spec = pod.get("spec") or {}
    sidecars = dict.fromkeys(RESOURCES, Decimal(0))
    init_peak = dict.fromkeys(RESOURCES, Decimal(0))
    for init in spec.get("initContainers") or []:
        own = _requests(init)
        # Sidecars (restartPolicy Always) keep running next to everything started after them.
        is_sidecar = init.get("restartPolicy") == "Always"
        for r in RESOURCES:
            if is_sidecar:
                sidecars[r] += own[r]
                init_peak[r] = max(init_peak[r], sidecars[r])
            else:
                init_peak[r] = max(init_peak[r], own[r] + sidecars[r])
    running = dict(sidecars)
    for container in spec.get("containers") or []:
        own = _requests(container)
        for r in RESOURCES:
            running[r] += own[r]
    overhead = _amounts(spec.get("overhead"))
    return {r: max(running[r], init_peak[r]) + overhead[r] for r in RESOURCES}


def allocation_from(pods: Iterable[dict[str, Any]]) -> ResourceReport:
    """The resource report for the given pods, terminated ones left out."""
    total = dict.fromkeys(RESOURCES, Decimal(0))
    count = 0
    for pod in pods:
        if (pod.get("status") or {}).get("phase") in TERMINATED_PHASES:
            continue
        count += 1
        for r, amount in pod_requests(pod).items():
            total[r] += amount
    # Rounded up: an allocation reported too small would let the control plane overcommit.
    return ResourceReport(
        allocated_cpu=math.ceil(total["cpu"] * 1000) / 1000,
        allocated_memory=math.ceil(total["memory"] / BYTES_PER_MB),
        allocated_storage=math.ceil(total["ephemeral-storage"] / BYTES_PER_MB),
        current_pods=count,
    )


class PodsCollector:
    name = "pods"

    def __init__(self, api: KubeApi, node_name: str) -> None:
        self._api = api
        self._node_name = node_name

    def collect(self) -> ResourceReport:
        return allocation_from(
            self._api.list_pods_on_node(self._node_name, REQUEST_TIMEOUT_SECONDS)
        )
