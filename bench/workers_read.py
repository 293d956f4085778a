"""Worker reads: /workers/stats and pages of /workers with a 10,000-node fleet on PostgreSQL.

A throwaway PostgreSQL is migrated with the real CLI and seeded straight into
worker_nodes (varied statuses, allocations, labels, heartbeats); the control
plane runs as a subprocess and this one load process measures it over real
HTTP on loopback. As a baseline, GET /health (no database) is measured the
same way in the same run. Prints latency percentiles, throughput and ratios.

    .venv/bin/python bench/workers_read.py [--nodes 10000] [--requests 500] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, control_plane_env, create_admin, free_port  # noqa: E402

from tests.pgserver import PostgresServer  # noqa: E402

TARGET_P99_MS = 50.0

# Roughly what a fleet looks like: most nodes healthy, a tail in every other state.
STATUS_WEIGHTS = {
    "ACTIVE": 80,
    "NOT_READY": 5,
    "INACTIVE": 7,
    "MAINTENANCE": 3,
    "PENDING": 5,
}
ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c", "us-east-1a", "us-east-1b"]
SHAPES = [(4, 16384, 200_000), (8, 32768, 500_000), (16, 65536, 1_000_000), (32, 131072, 2_000_000)]

COLUMNS = [
    "id",
    "name",
    "hostname",
    "ip_address",
    "cpu_cores",
    "cpu_architecture",
    "total_memory",
    "total_storage",
    "architecture",
    "operating_system",
    "status",
    "status_reason",
    "status_changed_at",
    "is_ready",
    "is_schedulable",
    "max_pods",
    "current_pods",
    "allocated_cpu",
    "allocated_memory",
    "allocated_storage",
    "reserved_cpu",
    "reserved_memory",
    "reserved_storage",
    "reserved_pods",
    "labels",
    "taints",
    "kubelet_version",
    "container_runtime",
    "kernel_version",
    "os_image",
    "last_heartbeat",
    "last_health_check",
    "cpu_percent",
    "memory_used",
    "disk_used",
    "load1",
    "load5",
    "load15",
    "conditions",
    "agent_version",
    "last_seq",
    "created_at",
    "updated_at",
]


def node_row(i: int, now: datetime, rng: random.Random) -> tuple[object, ...]:
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    cores, memory, storage = rng.choice(SHAPES)
    used = rng.uniform(0.05, 0.95)
    zone = rng.choice(ZONES)
    live = status in ("ACTIVE", "NOT_READY", "MAINTENANCE")
    heartbeat = (
        now - timedelta(seconds=rng.uniform(0, 10))
        if live
        else (now - timedelta(hours=rng.uniform(1, 72)) if status == "INACTIVE" else None)
    )
    created = now - timedelta(days=rng.uniform(0, 365), seconds=i)
    labels = {
        "topology.kubernetes.io/zone": zone,
        "node.kubernetes.io/instance-type": f"c{cores}.m{memory // 1024}",
        "minispod.io/pool": rng.choice(["general", "general", "memory", "batch"]),
    }
    taints = (
        [{"key": "dedicated", "value": "batch", "effect": "NoSchedule"}]
        if labels["minispod.io/pool"] == "batch"
        else []
    )
    pods = int(110 * used)
    return (
        uuid.uuid4(),
        f"node-{i:05d}",
        f"node-{i:05d}.{zone}.cluster.local",
        f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
        cores,
        "x86_64",
        memory,
        storage,
        "amd64",
        "Ubuntu 22.04.4 LTS",
        status,
        None if status == "ACTIVE" else f"seeded {status.lower()}",
        created,
        status == "ACTIVE",
        status != "MAINTENANCE" and rng.random() > 0.05,
        110,
        pods,
        round(cores * used, 2),
        int(memory * used),
        int(storage * used * 0.5),
        0.0,
        0,
        0,
        0,
        json.dumps(labels),
        json.dumps(taints),
        "v1.29.4+k3s1",
        "containerd://1.7.15-k3s1",
        "6.5.0-35-generic",
        "Ubuntu 22.04.4 LTS",
        heartbeat,
        heartbeat,
        round(rng.uniform(1, 95), 1) if live else None,
        int(memory * rng.uniform(0.1, 0.9)) if live else None,
        int(storage * rng.uniform(0.1, 0.6)) if live else None,
        round(rng.uniform(0, cores), 2) if live else None,
        round(rng.uniform(0, cores), 2) if live else None,
        round(rng.uniform(0, cores), 2) if live else None,
        json.dumps([{"type": "Ready", "status": status == "ACTIVE"}]),
        "0.1.0",
        rng.randint(0, 100_000),
        created,
        now,
    )


async def seed(url: str, n: int) -> None:
    rng = random.Random(42)
    now = datetime.now(UTC)
    rows = [node_row(i, now, rng) for i in range(n)]
    conn = await asyncpg.connect(url)
    try:
        await conn.copy_records_to_table("worker_nodes", records=rows, columns=COLUMNS)
        # What autovacuum would do shortly after a bulk load, so plans see real statistics.
        await conn.execute("ANALYZE worker_nodes")
    finally:
        await conn.close()


async def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as s:
        while time.monotonic() < deadline:
            try:
                async with s.get(url) as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


async def sign_in(base: str) -> dict[str, str]:
    async with (
        aiohttp.ClientSession() as s,
        s.post(
            f"{base}/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
        ) as r,
    ):
        body = await r.json()
        assert r.status == 200, body
        return {"Authorization": f"Bearer {body['data']['accessToken']}"}


Request = tuple[str, str]  # (kind, path)


def list_paths(rng: random.Random, nodes: int) -> Callable[[int], Request]:
    """Pages an operator would open: plain pages across the fleet, a status, searches."""
    last_page = max(1, nodes // 20)
    statuses = list(STATUS_WEIGHTS)

    def path(k: int) -> Request:
        kind = k % 10
        if kind < 5:
            return "plain page", f"/api/v1/workers?page={rng.randint(1, last_page)}&limit=20"
        if kind < 7:
            status = rng.choice(statuses)
            return "status filter", (
                f"/api/v1/workers?page={rng.randint(1, 5)}&limit=20&status={status}"
            )
        if kind < 8:
            # Looking for one node: a fragment of its name matches a handful.
            fragment = f"node-{rng.randrange(nodes) // 10:04d}"
            return "narrow search", f"/api/v1/workers?page=1&limit=20&search={fragment}"
        if kind < 9:
            # A broad search: a thousand matches, paged.
            fragment = f"node-0{rng.randint(0, 9)}"
            return "broad search", (
                f"/api/v1/workers?page={rng.randint(1, 10)}&limit=20&search={fragment}"
            )
        return "sorted by name", (
            f"/api/v1/workers?page={rng.randint(1, 20)}&limit=20&sortBy=name&sortOrder=asc"
        )

    return path


@dataclass
class Result:
    label: str
    rate: float
    p50: float
    p95: float
    p99: float
    errors: int
    kinds: list[Result]


def summarise(label: str, latencies: list[float], elapsed: float, errors: int) -> Result:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return Result(label, len(ordered) / elapsed, pct(0.5), pct(0.95), pct(0.99), errors, [])


async def drive(
    base: str,
    label: str,
    request: Callable[[int], Request],
    headers: dict[str, str],
    requests: int,
    concurrency: int,
) -> Result:
    """`requests` GETs, `concurrency` at a time, back to back; latencies split by kind."""
    latencies: dict[str, list[float]] = {}
    errors = 0
    counter = iter(range(requests))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def worker() -> None:
            nonlocal errors
            for k in counter:
                kind, path = request(k)
                t0 = time.perf_counter()
                try:
                    async with session.get(base + path) as r:
                        await r.read()
                        ok = r.status == 200
                except aiohttp.ClientError:
                    ok = False
                if ok:
                    latencies.setdefault(kind, []).append(time.perf_counter() - t0)
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    result = summarise(label, [t for ts in latencies.values() for t in ts], elapsed, errors)
    if len(latencies) > 1:
        result.kinds = [summarise(kind, ts, elapsed, 0) for kind, ts in latencies.items()]
    return result


async def measure(base: str, nodes: int, requests: int, concurrency: int) -> list[Result]:
    headers = await sign_in(base)
    cases: list[tuple[str, Callable[[int], Request]]] = [
        ("GET /health (baseline)", lambda _k: ("", "/health")),
        ("GET /workers/stats", lambda _k: ("", "/api/v1/workers/stats")),
        ("GET /workers?page=N", list_paths(random.Random(7), nodes)),
    ]
    # Warm-up: connection pools, prepared statements, the planner's caches.
    for label, request in cases:
        await drive(base, label, request, headers, 50, concurrency)
    return [
        await drive(base, label, request, headers, requests, concurrency)
        for label, request in cases
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--workers", type=int, default=1, help="control-plane processes (MINISPOD_WORKERS)"
    )
    args = parser.parse_args()

    pg = PostgresServer().start()
    server: subprocess.Popen[bytes] | None = None
    try:
        env = control_plane_env(
            pg.url,
            # The seeded heartbeats are not kept fresh: a health sweep would
            # rewrite the fleet mid-measurement. Reads alone are measured.
            MINISPOD_RUN_JOBS="false",
            MINISPOD_WORKERS=str(args.workers),
        )
        py = sys.executable
        subprocess.run(
            [py, "-m", "controlplane", "migrate"],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        create_admin(pg.url)
        t0 = time.perf_counter()
        asyncio.run(seed(pg.url, args.nodes))
        seeded = time.perf_counter() - t0
        port = free_port()
        server = subprocess.Popen(
            [py, "-m", "controlplane", "serve"],
            cwd=ROOT,
            env={**env, "MINISPOD_PORT": str(port), "MINISPOD_HOST": "127.0.0.1"},
        )
        base = f"http://127.0.0.1:{port}"
        asyncio.run(wait_up(f"{base}/health"))
        results = asyncio.run(measure(base, args.nodes, args.requests, args.concurrency))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        pg.stop()

    print(
        f"nodes={args.nodes} (seeded in {seeded:.1f} s) requests={args.requests} "
        f"concurrency={args.concurrency}"
    )
    for r in results:
        print(
            f"{r.label:<24} {r.rate:7.0f} req/s  p50 {r.p50:6.1f} ms  p95 {r.p95:6.1f} ms  "
            f"p99 {r.p99:6.1f} ms  errors {r.errors}"
        )
        for k in r.kinds:
            print(
                f"  {k.label:<22} {k.rate:7.0f} req/s  p50 {k.p50:6.1f} ms  "
                f"p95 {k.p95:6.1f} ms  p99 {k.p99:6.1f} ms"
            )
    baseline = results[0]
    for r in results[1:]:
        verdict = "meets" if r.p99 < TARGET_P99_MS and not r.errors else "MISSES"
        print(
            f"{r.label:<24} throughput {r.rate / baseline.rate:.2f}x of /health, "
            f"p99 {r.p99 / baseline.p99:.1f}x of /health; {verdict} p99 < {TARGET_P99_MS:g} ms"
        )


if __name__ == "__main__":
    main()
