"""Placement latency of `schedule` on a large seeded random fleet.

Builds the fleet (varied allocation, some tainted, cordoned or not ACTIVE), times each
placement and prints p50/p95/p99 and decisions/s. As a yardstick on the same machine and
in the same run it times a bare loop that only computes free CPU per node over the same
fleet, and prints how many such loops one placement costs. Target: p99 < 5 ms.

    .venv/bin/python bench/placement.py [--nodes 5000] [--placements 2000] [--policy MostAllocated]
"""

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from controlplane.scheduler.framework import schedule  # noqa: E402
from controlplane.scheduler.profiles import POLICIES, profile_from_config  # noqa: E402
from controlplane.scheduler.snapshot import (  # noqa: E402
    ZONE_LABEL,
    NodeSnapshot,
    PlacementRequest,
)
from shared.enums import NodeStatus  # noqa: E402

ZONES = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
NOT_ACTIVE = (
    NodeStatus.PENDING,
    NodeStatus.NOT_READY,
    NodeStatus.INACTIVE,
    NodeStatus.MAINTENANCE,
)


def random_fleet(rng: random.Random, size: int) -> list[NodeSnapshot]:
    nodes = []
    for i in range(size):
        cores = rng.choice((4, 8, 16, 32, 64))
        memory = cores * rng.choice((2048, 4096, 8192))
        storage = rng.choice((100, 250, 500, 1000)) * 1024
        # Mostly half-used nodes, some nearly empty, some nearly full.
        used = min(1.0, max(0.0, rng.betavariate(2, 2)))
        labels = {ZONE_LABEL: rng.choice(ZONES), "kubernetes.io/arch": "amd64"}
        if rng.random() < 0.3:
            labels["disktype"] = "ssd"
        taints: list[tuple[str, str | None, str]] = []
        roll = rng.random()
        if roll < 0.05:
            taints.append(("dedicated", "gpu", "NoSchedule"))
        elif roll < 0.10:
            taints.append(("spot", None, "PreferNoSchedule"))
        max_pods = 110
        nodes.append(
            NodeSnapshot(
                id=f"node-{i:05d}",
                name=f"worker-{i:05d}",
                status=NodeStatus.ACTIVE if rng.random() < 0.92 else rng.choice(NOT_ACTIVE),
                is_schedulable=rng.random() < 0.97,
                cpu_cores=float(cores),
                total_memory=memory,
                total_storage=storage,
                allocated_cpu=round(cores * used * rng.uniform(0.8, 1.0), 3),
                allocated_memory=int(memory * used),
                allocated_storage=int(storage * used * rng.uniform(0.5, 1.0)),
                current_pods=int(max_pods * used * rng.uniform(0.5, 1.05)),
                max_pods=max_pods,
                labels=labels,
                taints=taints,
            )
        )
    return nodes


def random_request(rng: random.Random, nodes: Sequence[NodeSnapshot]) -> PlacementRequest:
    owned = rng.choice((0, 0, 1, 2, 5))
    owner_nodes: dict[str, int] = {}
    for node in rng.sample(nodes, owned):
        owner_nodes[node.id] = rng.randint(1, 3)
    tolerations: list[tuple[str, str, str | None, str | None]] = []
    if rng.random() < 0.1:
        tolerations.append(("dedicated", "Equal", "gpu", "NoSchedule"))
    return PlacementRequest(
        cpu=rng.choice((0.25, 0.5, 1.0, 2.0, 4.0)),
        memory=rng.choice((256, 512, 1024, 2048, 8192)),
        storage=rng.choice((1024, 5120, 20480)),
        tolerations=tolerations,
        node_selector={"disktype": "ssd"} if rng.random() < 0.1 else {},
        owner_id=f"owner-{rng.randint(1, 500)}",
        owner_node_ids=owner_nodes,
    )


def timed_ms(run: Callable[[], object]) -> float:
    start = time.perf_counter_ns()
    run()
    return (time.perf_counter_ns() - start) / 1e6


def percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def free_cpu_loop(nodes: Sequence[NodeSnapshot]) -> float:
    free = 0.0
    for node in nodes:
        free = node.cpu_cores - node.allocated_cpu
    return free


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--placements", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--policy", choices=POLICIES, default=POLICIES[0])
    args = parser.parse_args()

    rng = random.Random(args.seed)
    nodes = random_fleet(rng, args.nodes)
    requests = [random_request(rng, nodes) for _ in range(args.placements)]
    profile = profile_from_config(args.policy)

    for req in requests[:50]:
        schedule(req, nodes, profile)  # warm-up: first calls pay for lazy interpreter caches
    gc.collect()
    placed = 0
    latencies = []
    for req in requests:
        start = time.perf_counter_ns()
        decision = schedule(req, nodes, profile)
        latencies.append((time.perf_counter_ns() - start) / 1e6)
        placed += decision.node_id is not None
    baseline = [timed_ms(lambda: free_cpu_loop(nodes)) for _ in range(args.placements)]

    # The failure path builds the per-filter reason summary over the whole fleet.
    too_big = PlacementRequest(cpu=1000.0, memory=1 << 30, storage=1)
    failed = [timed_ms(lambda: schedule(too_big, nodes, profile)) for _ in range(50)]

    p50 = percentile(latencies, 0.50)
    base50 = percentile(baseline, 0.50)
    print(f"fleet: {len(nodes)} nodes, {args.placements} placements, policy {args.policy}")
    print(f"placed: {placed}/{len(requests)}")
    print(
        f"schedule   p50 {p50:.3f} ms  p95 {percentile(latencies, 0.95):.3f} ms  "
        f"p99 {percentile(latencies, 0.99):.3f} ms  max {max(latencies):.3f} ms  "
        f"{1000 / statistics.fmean(latencies):.0f} decisions/s"
    )
    print(
        f"baseline   p50 {base50:.3f} ms  p99 {percentile(baseline, 0.99):.3f} ms  "
        f"(bare loop: free cpu of every node)"
    )
    print(f"ratio      schedule p50 / baseline p50 = {p50 / base50:.1f}x")
    print(
        f"unschedulable p50 {percentile(failed, 0.50):.3f} ms "
        f"p99 {percentile(failed, 0.99):.3f} ms (reason summary path)"
    )


if __name__ == "__main__":
    main()
