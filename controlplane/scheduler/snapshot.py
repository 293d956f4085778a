"""Immutable inputs of a placement: the fleet's node snapshots and the request to place."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple

from shared.enums import NodeStatus

ZONE_LABEL = "topology.kubernetes.io/zone"
# The taints Kubernetes' node lifecycle controller puts on a node whose kubelet stopped
# reporting (unreachable) or reports it is not ready: the node runs nothing new, whatever
# a template tolerates.
NOT_READY_TAINTS = frozenset({"node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready"})


class TaintEffect(StrEnum):
    NO_SCHEDULE = "NoSchedule"
    PREFER_NO_SCHEDULE = "PreferNoSchedule"
    NO_EXECUTE = "NoExecute"


class TolerationOperator(StrEnum):
    EQUAL = "Equal"
    EXISTS = "Exists"


EFFECTS = frozenset(e.value for e in TaintEffect)
# Taints that keep new instances off a node; PreferNoSchedule only lowers its score.
HARD_EFFECTS = frozenset({TaintEffect.NO_SCHEDULE.value, TaintEffect.NO_EXECUTE.value})
OPERATORS = frozenset(o.value for o in TolerationOperator)


class Taint(NamedTuple):
    key: str
    value: str | None
    effect: str


class Toleration(NamedTuple):
    """A Kubernetes toleration. An empty key with Exists tolerates every taint; an
    empty effect (None or "") tolerates every effect."""

    key: str
    operator: str
    value: str | None
    effect: str | None

    def tolerates(self, taint: Taint) -> bool:
        # Same order and meaning as k8s.io/api/core/v1 Toleration.ToleratesTaint.
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator == TolerationOperator.EXISTS:
            return True
        return (self.value or "") == (taint.value or "")


def to_millicores(cores: float) -> int:
    """CPU as integer millicores, so that 4.0 - 3.7 >= 0.3 holds as it does in Kubernetes."""
    return round(cores * 1000)


def count_untolerated(taints: Iterable[Taint], tolerations: Sequence[Toleration]) -> int:
    """How many of `taints` no toleration tolerates."""
    return sum(1 for taint in taints if not any(t.tolerates(taint) for t in tolerations))


class UntoleratedCounts(dict[tuple[Taint, ...], int]):
    """`count_untolerated` per taint set for one set of tolerations, worked out on first
    use: a fleet has few distinct taint sets, so most lookups are a dict hit."""

    def __init__(self, tolerations: Sequence[Toleration]) -> None:
        super().__init__()
        self.tolerations = tolerations

    def __missing__(self, taints: tuple[Taint, ...]) -> int:
        count = count_untolerated(taints, self.tolerations)
        self[taints] = count
        return count


def _taints(raw: Iterable[tuple[str, str | None, str]]) -> tuple[Taint, ...]:
    taints = tuple(Taint(*t) for t in raw)
    for t in taints:
        if t.effect not in EFFECTS:
            raise ValueError(f"taint {t.key!r} has unknown effect {t.effect!r}")
    return taints


def _tolerations(
    raw: Iterable[tuple[str, str, str | None, str | None]],
) -> tuple[Toleration, ...]:
    tolerations = []
    for key, operator, value, effect in raw:
        # Kubernetes treats an empty operator as Equal.
        op = operator or TolerationOperator.EQUAL.value
        if op not in OPERATORS:
            raise ValueError(f"toleration {key!r} has unknown operator {operator!r}")
        if op == TolerationOperator.EXISTS and value:
            raise ValueError(f"toleration {key!r} with operator Exists must have no value")
        if effect and effect not in EFFECTS:
            raise ValueError(f"toleration {key!r} has unknown effect {effect!r}")
        tolerations.append(Toleration(key or "", op, value, effect or None))
    return tuple(tolerations)


@dataclass(frozen=True, slots=True)
class NodeSnapshot:
    """One node as the scheduler sees it at decision time. Memory and storage in MB,
    CPU in cores. `ready` is what Kubernetes says of the node's Ready condition (True when
    it says nothing). The fields after `ready` are derived once here so that filtering
    thousands of nodes per placement reads plain attributes instead of recomputing."""

    id: str
    name: str
    status: NodeStatus
    is_schedulable: bool
    cpu_cores: float
    total_memory: int
    total_storage: int
    allocated_cpu: float
    allocated_memory: int
    allocated_storage: int
    current_pods: int
    max_pods: int
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    taints: Sequence[tuple[str, str | None, str]] = ()
    ready: bool = True

    cpu_millis: int = field(init=False, repr=False, compare=False)
    free_millicpu: int = field(init=False, repr=False, compare=False)
    free_memory: int = field(init=False, repr=False, compare=False)
    free_storage: int = field(init=False, repr=False, compare=False)
    free_pods: int = field(init=False, repr=False, compare=False)
    hard_taints: tuple[Taint, ...] = field(init=False, repr=False, compare=False)
    soft_taints: tuple[Taint, ...] = field(init=False, repr=False, compare=False)
    zone: str | None = field(init=False, repr=False, compare=False)
    """The `topology.kubernetes.io/zone` label, None when the node has none."""
    unready: bool = field(init=False, repr=False, compare=False)
    """Kubernetes says the node is not Ready, or it carries a not-ready/unreachable taint."""

    def __post_init__(self) -> None:
        if (
            min(self.cpu_cores, self.total_memory, self.total_storage, self.max_pods) < 0
            or min(
                self.allocated_cpu, self.allocated_memory, self.allocated_storage, self.current_pods
            )
            < 0
        ):
            raise ValueError(f"node {self.name!r}: capacities and allocations cannot be negative")
        # object.__setattr__ is how a frozen dataclass fills its own derived fields.
        put = object.__setattr__
        put(self, "status", NodeStatus(self.status))
        put(self, "labels", MappingProxyType(dict(self.labels)))
        put(self, "zone", self.labels.get(ZONE_LABEL))
        taints = _taints(self.taints)
        put(self, "taints", taints)
        cpu_millis = to_millicores(self.cpu_cores)
        put(self, "cpu_millis", cpu_millis)
        put(self, "free_millicpu", cpu_millis - to_millicores(self.allocated_cpu))
        put(self, "free_memory", self.total_memory - self.allocated_memory)
        put(self, "free_storage", self.total_storage - self.allocated_storage)
        put(self, "free_pods", self.max_pods - self.current_pods)
        put(self, "hard_taints", tuple(t for t in taints if t.effect in HARD_EFFECTS))
        put(
            self,
            "soft_taints",
            tuple(t for t in taints if t.effect == TaintEffect.PREFER_NO_SCHEDULE),
        )
        put(self, "unready", not self.ready or any(t.key in NOT_READY_TAINTS for t in taints))


@dataclass(frozen=True, slots=True)
class PlacementRequest:
    """What one instance needs: CPU in cores, memory and storage in MB, and the pods it
    adds. `owner_node_ids` counts the owner's existing instances per node id; the
    spread scorer uses it to keep one customer's instances apart."""

    cpu: float
    memory: int
    storage: int
    pods: int = 1
    tolerations: Sequence[tuple[str, str, str | None, str | None]] = ()
    node_selector: Mapping[str, str] = field(default_factory=dict, hash=False)
    owner_id: str = ""
    owner_node_ids: Mapping[str, int] = field(default_factory=dict, hash=False)

    millicpu: int = field(init=False, repr=False, compare=False)
    hard_tolerations: tuple[Toleration, ...] = field(init=False, repr=False, compare=False)
    soft_tolerations: tuple[Toleration, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.cpu < 0 or self.memory < 0 or self.storage < 0 or self.pods < 0:
            raise ValueError("a placement request cannot ask for negative resources")
        put = object.__setattr__
        tolerations = _tolerations(self.tolerations)
        put(self, "tolerations", tolerations)
        put(
            self,
            "hard_tolerations",
            tuple(t for t in tolerations if t.effect is None or t.effect in HARD_EFFECTS),
        )
        put(
            self,
            "soft_tolerations",
            tuple(
                t
                for t in tolerations
                if t.effect is None or t.effect == TaintEffect.PREFER_NO_SCHEDULE
            ),
        )
        put(self, "node_selector", MappingProxyType(dict(self.node_selector)))
        put(
            self,
            "owner_node_ids",
            MappingProxyType({k: v for k, v in self.owner_node_ids.items() if v > 0}),
        )
        put(self, "millicpu", to_millicores(self.cpu))
