"""Node and request builders for scheduler tests: readable defaults, random fleets."""

import random
from collections.abc import Mapping, Sequence
from typing import Any

from controlplane.scheduler.snapshot import ZONE_LABEL, NodeSnapshot, PlacementRequest
from shared.enums import NodeStatus


def make_node(name: str = "n1", **overrides: Any) -> NodeSnapshot:
    """An ACTIVE, schedulable, empty 4-core / 8 GB / 100 GB node unless told otherwise."""
    fields: dict[str, Any] = {
        "id": f"id-{name}",
        "name": name,
        "status": NodeStatus.ACTIVE,
        "is_schedulable": True,
        "cpu_cores": 4.0,
        "total_memory": 8192,
        "total_storage": 102400,
        "allocated_cpu": 0.0,
        "allocated_memory": 0,
        "allocated_storage": 0,
        "current_pods": 0,
        "max_pods": 110,
        "labels": {},
        "taints": (),
    }
    fields.update(overrides)
    return NodeSnapshot(**fields)


def make_request(**overrides: Any) -> PlacementRequest:
    """Half a core, 512 MB, 1 GB of storage, one pod, no constraints unless told otherwise."""
    fields: dict[str, Any] = {"cpu": 0.5, "memory": 512, "storage": 1024, "owner_id": "o1"}
    fields.update(overrides)
    return PlacementRequest(**fields)


ZONES = ("z-a", "z-b", "z-c")
USED = (0.0, 0.25, 0.5, 0.9, 1.0, 1.1)
TAINTS: Sequence[tuple[str, str | None, str]] = (
    ("dedicated", "gpu", "NoSchedule"),
    ("dedicated", "db", "NoSchedule"),
    ("maintenance", None, "NoExecute"),
    ("spot", None, "PreferNoSchedule"),
    ("spot", "cheap", "PreferNoSchedule"),
)
TOLERATIONS: Sequence[tuple[str, str, str | None, str | None]] = (
    ("dedicated", "Equal", "gpu", "NoSchedule"),
    ("dedicated", "Exists", None, None),
    ("spot", "Exists", None, "PreferNoSchedule"),
    ("maintenance", "Exists", None, "NoExecute"),
    ("", "Exists", None, None),
    ("spot", "Equal", "cheap", None),
)


def random_fleet(rng: random.Random, size: int) -> list[NodeSnapshot]:
    """Nodes in every state, from empty to overfull, some tainted, zoned or labelled,
    named in an order unrelated to their ids (some names shared) so that tie-breaks
    are exercised too."""
    nodes = []
    for i in range(size):
        cores = rng.choice((0.0, 1.0, 2.0, 4.0, 8.0))
        memory = rng.choice((0, 1024, 4096, 8192))
        storage = rng.choice((0, 10240, 51200))
        labels: dict[str, str] = {}
        if rng.random() < 0.7:
            labels[ZONE_LABEL] = rng.choice(ZONES)
        if rng.random() < 0.4:
            labels["disktype"] = rng.choice(("ssd", "hdd"))
        max_pods = rng.choice((1, 5, 110))
        nodes.append(
            NodeSnapshot(
                id=f"id-{i}",
                name=f"n{rng.randint(0, size)}",
                status=rng.choice(list(NodeStatus)) if rng.random() < 0.3 else NodeStatus.ACTIVE,
                is_schedulable=rng.random() < 0.9,
                cpu_cores=cores,
                total_memory=memory,
                total_storage=storage,
                # Few distinct levels, so that equal scores (and tie-breaks) are common.
                allocated_cpu=cores * rng.choice(USED),
                allocated_memory=int(memory * rng.choice(USED)),
                allocated_storage=int(storage * rng.choice(USED)),
                current_pods=rng.randint(0, max_pods),
                max_pods=max_pods,
                labels=labels,
                taints=rng.sample(TAINTS, rng.choice((0, 0, 0, 1, 2))),
            )
        )
    return nodes


def random_request(rng: random.Random, nodes: Sequence[NodeSnapshot]) -> PlacementRequest:
    owner_node_ids: Mapping[str, int] = {
        n.id: rng.randint(1, 3) for n in rng.sample(list(nodes), min(len(nodes), rng.randint(0, 4)))
    }
    return PlacementRequest(
        cpu=rng.choice((0.0, 0.1, 0.5, 1.0, 3.0)),
        memory=rng.choice((0, 128, 1024, 4096)),
        storage=rng.choice((0, 1024, 20480)),
        pods=rng.choice((0, 1, 1, 2)),
        tolerations=rng.sample(TOLERATIONS, rng.choice((0, 0, 1, 2))),
        node_selector=rng.choice(({}, {}, {"disktype": "ssd"}, {ZONE_LABEL: "z-a"})),
        owner_id="owner",
        owner_node_ids=owner_node_ids,
    )
