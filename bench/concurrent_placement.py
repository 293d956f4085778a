"""Concurrent placement with committed reservations on PostgreSQL: throughput and overcommit.

1,000 placements race over 500 nodes (each with room for a handful of
instances) through the real placement service and the real conditional
reservation. Afterwards the database is checked: no node may hold more than
its capacity. As a baseline in the same run: the same 1,000 decisions on one
in-memory snapshot with no database (what the decision alone costs).

    .venv/bin/python bench/concurrent_placement.py [--nodes 500] [--placements 1000] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from controlplane.config import normalise_database_url  # noqa: E402
from controlplane.db import database  # noqa: E402
from controlplane.db.models import WorkerNode  # noqa: E402
from controlplane.scheduler import profile_from_config, schedule  # noqa: E402
from controlplane.services import placement  # noqa: E402
from controlplane.services.catalog.templates import DEFAULT_CATALOG  # noqa: E402
from shared.enums import NodeStatus  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402


async def run(args: argparse.Namespace, url: str) -> None:
    await database.connect(normalise_database_url(url))
    rng = random.Random(7)
    zones = ["a", "b", "c"]
    await WorkerNode.bulk_create(
        [
            WorkerNode(
                id=uuid.uuid4(),
                name=f"node-{i:04d}",
                hostname=f"h{i}",
                ip_address="10.0.0.1",
                cpu_cores=rng.choice([2, 4]),
                cpu_architecture="x86_64",
                total_memory=rng.choice([4096, 8192]),
                total_storage=200_000,
                architecture="amd64",
                operating_system="Linux",
                status=NodeStatus.ACTIVE,
                labels={"topology.kubernetes.io/zone": rng.choice(zones)},
            )
            for i in range(args.nodes)
        ]
    )
    templates = [e["template"] for e in DEFAULT_CATALOG]
    profile = profile_from_config("LeastAllocated")
    owners = [uuid.uuid4() for _ in range(200)]

    # Baseline: decisions only, on one snapshot, no database.
    snapshot = await placement.Fleet().snapshot()
    started = time.perf_counter()
    for i in range(args.placements):
        request = placement.placement_request(
            templates[i % 3], owners[i % 200], placement.Counter()
        )
        schedule(request, snapshot, profile)
    decide_only = args.placements / (time.perf_counter() - started)

    nodes = placement.Fleet()
    sem = asyncio.Semaphore(args.concurrency)
    latencies: list[float] = []

    async def one(i: int) -> bool:
        async with sem:
            t0 = time.perf_counter()
            result = await placement.place(templates[i % 3], owners[i % 200], profile, nodes)
            latencies.append(time.perf_counter() - t0)
            return result.node is not None

    started = time.perf_counter()
    placed = sum(await asyncio.gather(*(one(i) for i in range(args.placements))))
    elapsed = time.perf_counter() - started
    over = await WorkerNode._meta.db.execute_query_dict(
        "SELECT count(*) AS n FROM worker_nodes WHERE reserved_cpu > cpu_cores + 1e-6 "
        "OR reserved_memory > total_memory OR reserved_storage > total_storage "
        "OR reserved_pods > max_pods"
    )
    latencies.sort()
    p99 = latencies[int(0.99 * len(latencies))] * 1000
    print(f"nodes={args.nodes} placements={args.placements} concurrency={args.concurrency}")
    print(f"decide only (one snapshot, no DB): {decide_only:8.0f} decisions/s")
    print(
        f"decide + reserve on PostgreSQL   : {args.placements / elapsed:8.0f} placements/s  "
        f"p99 {p99:.1f} ms  placed {placed}  unplaced {args.placements - placed}"
    )
    print(f"ratio committed / decide-only: {args.placements / elapsed / decide_only:.2f}")
    print(f"nodes over capacity: {over[0]['n']}")
    await database.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--placements", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    pg = PostgresServer().start()
    try:
        subprocess.run(
            [sys.executable, "-m", "controlplane", "migrate"],
            cwd=ROOT,
            check=True,
            env={**os.environ, "MINISPOD_DATABASE_URL": pg.url},
            capture_output=True,
        )
        asyncio.run(run(args, pg.url))
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
