"""The placement cycle, kube-scheduler style: filter plugins drop nodes, score plugins rank
the rest, and `schedule` picks one node on an immutable snapshot (reserving it is the
caller's job)."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from controlplane.scheduler.snapshot import NodeSnapshot, PlacementRequest

MAX_SCORE = 100.0


@dataclass(frozen=True, slots=True)
class FilterResult:
    """A filter's verdict on one node: accepted, or rejected with a short reason that
    is counted in the unschedulable summary ("Insufficient cpu")."""

    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


ACCEPTED = FilterResult()


class FilterPlugin(Protocol):
    """Decides whether a node can take the request at all."""

    name: str

    def filter(self, req: PlacementRequest, node: NodeSnapshot) -> FilterResult:
        """The verdict on one node; this is the definition of the filter."""
        ...

    def filter_nodes(
        self, req: PlacementRequest, nodes: Sequence[NodeSnapshot]
    ) -> Sequence[NodeSnapshot]:
        """Exactly the nodes `filter` accepts, in their order. `schedule` runs this
        batch form on thousands of nodes per placement, so it must be cheap per node;
        it may return `nodes` itself when it accepts them all."""
        ...


@dataclass(frozen=True, slots=True)
class ScoreContext:
    """Fleet facts computed once per placement and shared by every scorer: where the
    request's owner already runs instances, per node id and per zone."""

    owner_node_counts: Mapping[str, int] = field(default_factory=dict)
    owner_zone_counts: Mapping[str, int] = field(default_factory=dict)
    owner_max_node_count: int = field(init=False)
    owner_max_zone_count: int = field(init=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "owner_max_node_count", max(self.owner_node_counts.values(), default=0))
        put(self, "owner_max_zone_count", max(self.owner_zone_counts.values(), default=0))


class ScorePlugin(Protocol):
    """Ranks a node that passed every filter, from 0 (worst) to 100 (best)."""

    name: str

    def score(self, req: PlacementRequest, node: NodeSnapshot, context: ScoreContext) -> float:
        """The score of one node; this is the definition of the scorer."""
        ...

    def score_nodes(
        self, req: PlacementRequest, nodes: Sequence[NodeSnapshot], context: ScoreContext
    ) -> list[float]:
        """`score` of every node, in order: the batch form `schedule` runs."""
        ...


@dataclass(frozen=True, slots=True)
class Profile:
    """Which plugins run and how much each scorer weighs. Filters run in order and a
    rejected node is reported under the first filter that rejects it."""

    name: str
    filters: tuple[FilterPlugin, ...]
    scorers: tuple[tuple[ScorePlugin, int], ...]

    def __post_init__(self) -> None:
        names = [p.name for p in self.filters] + [p.name for p, _ in self.scorers]
        duplicates = sorted(n for n, c in Counter(names).items() if c > 1)
        if duplicates:
            raise ValueError(f"profile {self.name!r} lists plugins twice: {duplicates}")
        for plugin, weight in self.scorers:
            if not isinstance(weight, int) or weight < 0:
                raise ValueError(
                    f"weight of scorer {plugin.name!r} must be a non-negative integer, "
                    f"got {weight!r}"
                )


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one placement. With a node: the winner's score per scorer (those
    weighted 0 are not run) and its weighted total. Without one: `reason` sums up why,
    as kube-scheduler does. `feasible_nodes` counts the nodes that passed every filter."""

    node_id: str | None
    scores: Mapping[str, float]
    total: float
    reason: str | None
    feasible_nodes: int


def score_context(req: PlacementRequest, nodes: Sequence[NodeSnapshot]) -> ScoreContext:
    """Where the owner already runs instances; zone counts only cover nodes in `nodes`."""
    owned = req.owner_node_ids
    if not owned:
        return ScoreContext()
    zones: Counter[str] = Counter()
    for node in nodes:
        if node.id in owned and node.zone is not None:
            zones[node.zone] += owned[node.id]
    return ScoreContext(
        owner_node_counts=MappingProxyType(dict(owned)),
        owner_zone_counts=MappingProxyType(dict(zones)),
    )


def unschedulable_reason(
    req: PlacementRequest, nodes: Sequence[NodeSnapshot], filters: Sequence[FilterPlugin]
) -> str:
    """kube-scheduler's summary line, e.g. "0/5 nodes are available: 3 Insufficient cpu,
    2 node(s) had untolerated taint." Each node is counted under the first filter that
    rejects it; reasons are sorted by count, most first, then by text."""
    counts: Counter[str] = Counter()
    for node in nodes:
        for plugin in filters:
            reason = plugin.filter(req, node).reason
            if reason is not None:
                counts[reason] += 1
                break
    head = f"0/{len(nodes)} nodes are available"
    if not counts:
        return head + "."
    parts = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return head + ": " + ", ".join(f"{count} {reason}" for reason, count in parts) + "."


def schedule(req: PlacementRequest, nodes: Sequence[NodeSnapshot], profile: Profile) -> Decision:
    """Pick the node for `req`: the feasible node with the highest weighted score, ties
    going to the smallest node name (then id), whatever the order of `nodes`."""
    candidates: Sequence[NodeSnapshot] = nodes
    for plugin in profile.filters:
        if not candidates:
            break
        candidates = plugin.filter_nodes(req, candidates)
    if not candidates:
        return Decision(
            node_id=None,
            scores=MappingProxyType({}),
            total=0.0,
            reason=unschedulable_reason(req, nodes, profile.filters),
            feasible_nodes=0,
        )

    context = score_context(req, nodes)
    count = len(candidates)
    totals: list[float] | None = None
    constant_total = 0.0
    columns: list[tuple[str, list[float]]] = []
    for scorer, weight in profile.scorers:
        if weight == 0:
            continue
        column = scorer.score_nodes(req, candidates, context)
        columns.append((scorer.name, column))
        first = column[0]
        # A scorer that gives every node the same score cannot change the ranking;
        # skipping it in the per-node sum saves a pass over the fleet. (Comparing the
        # ends first spares the full count for most columns that vary.)
        if column[-1] == first and column.count(first) == count:
            constant_total += weight * first
        elif totals is None:
            totals = column if weight == 1 else [weight * s for s in column]
        else:
            totals = [t + weight * s for t, s in zip(totals, column, strict=True)]

    tied: Sequence[int]
    if totals is None:
        best_total = 0.0
        tied = range(count)
    else:
        best_total = max(totals)
        # count/index run in C; the Python-level scan is only for real ties.
        if totals.count(best_total) == 1:
            tied = (totals.index(best_total),)
        else:
            tied = [i for i, t in enumerate(totals) if t == best_total]
    if len(tied) == 1:
        winner = tied[0]
    else:
        winner = min(tied, key=lambda i: (candidates[i].name, candidates[i].id))
    return Decision(
        node_id=candidates[winner].id,
        scores=MappingProxyType({name: column[winner] for name, column in columns}),
        total=best_total + constant_total,
        reason=None,
        feasible_nodes=count,
    )
