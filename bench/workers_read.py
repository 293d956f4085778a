"""Worker reads: /workers/stats and pages of /workers with a 10,000-node fleet on PostgreSQL.

A throwaway PostgreSQL is migrated with the real CLI and seeded straight into
worker_nodes (varied statuses, allocations, labels, heartbeats); the control
plane runs as a subprocess and this one load process measures it over real
HTTP on loopback. As a baseline, GET /health (no database) is measured the
same way in the same run. Prints latency percentiles, throughput and ratios.

    .venv/bin/python bench/workers_read.py [--nodes 10000] [--requests 500] [--concurrency 4]
        [--heartbeats 200] [--heartbeat-loader python|wrk] [--heartbeats-only] [--only TEXT]
        [--compare CHECKOUT] [--durable] [--statements] [--pairs N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import openloop  # noqa: E402
from harness import (  # noqa: E402
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    control_plane_env,
    create_admin,
    free_port,
    machine_speed,
    pg_connection,
    serve,
    setting,
)
from heartbeat_ingest import (  # noqa: E402
    cpu_seconds,
    heartbeat_body,
    process_tree,
    py_spy,
    scraped,
    start_wrk,
    wrk_result,
)
from openloop import paced  # noqa: E402

from controlplane.config import normalise_database_url  # noqa: E402
from controlplane.db import packing  # noqa: E402
from controlplane.db.bulk import SAMPLE_COLUMNS  # noqa: E402
from controlplane.db.database import connected  # noqa: E402
from controlplane.services.bearer import hash_token  # noqa: E402
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


SAMPLED_NODES = 20  # nodes given a day of history for /workers/:id/metrics
DAY_OF_SAMPLES = 8640  # one every 10 s


async def seed(url: str, n: int) -> tuple[list[tuple[str, str]], list[str]]:
    """The fleet, a node token for each (so the run can heartbeat as every node) and a
    day of samples for a few: ((node id, raw token) for all, ids with history)."""
    rng = random.Random(42)
    now = datetime.now(UTC)
    rows = [node_row(i, now, rng) for i in range(n)]
    tokens = [(str(r[0]), f"mpn_bench_{uuid.uuid4().hex}") for r in rows]
    sampled = [str(r[0]) for r in rows[:SAMPLED_NODES]]
    end = int(now.timestamp() * 1000)
    samples = [
        (
            uuid.UUID(node),
            k,
            end - (DAY_OF_SAMPLES - k) * 10_000,
            rng.uniform(1, 95),
            rng.randint(1000, 60000),
            rng.randint(1000, 500000),
            1.0,
            0.8,
            0.6,
        )
        for node in sampled
        for k in range(DAY_OF_SAMPLES)
    ]
    async with pg_connection(url) as conn:
        await conn.copy_records_to_table("worker_nodes", records=rows, columns=COLUMNS)
        await conn.copy_records_to_table(
            "node_tokens",
            records=[(uuid.uuid4(), uuid.UUID(i), hash_token(t), now) for i, t in tokens],
            columns=["id", "node_id", "token_hash", "created_at"],
        )
        await conn.copy_records_to_table(
            "node_samples",
            records=samples,
            columns=list(SAMPLE_COLUMNS),
        )
        # The agents' seqs run on from their history, as a restarted agent's would.
        await conn.execute("UPDATE worker_nodes SET last_seq = $1", DAY_OF_SAMPLES)
        # The history as a fleet's leader keeps it: every hour that ended packed (its
        # compaction job; the run itself has jobs off), the last hour or so still rows.
        async with connected(normalise_database_url(url)):
            await packing.compact(end)
        # What autovacuum would do shortly after a bulk load, so plans see real statistics.
        await conn.execute("ANALYZE")
    return tokens, sampled


def started(env: dict[str, str], root: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A control plane of the checkout at `root` on a free port, once it answers; and its
    base URL."""
    port = free_port()
    proc = serve(env, port, root)
    base = f"http://127.0.0.1:{port}"
    asyncio.run(wait_up(f"{base}/health"))
    return proc, base


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


WRK_SCRIPT = r"""
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local auth = os.getenv("BENCH_AUTH")
local i = 0
request = function()
  i = (i % #paths) + 1
  return wrk.format("GET", paths[i], {["Authorization"] = auth})
end
-- done() runs in wrk's main Lua state, apart from the threads': a counter kept in
-- response() would read 0 here. summary.errors.status counts every status >= 400.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %f %f %f %f %d\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def drive_wrk(
    base: str,
    label: str,
    request: Callable[[int], Request],
    headers: dict[str, str],
    seconds: float,
    concurrency: int,
) -> tuple[Result, int]:
    """As drive(), from wrk (an independent load generator in C, one thread): closed
    loop, `concurrency` connections, for `seconds`, cycling through the case's paths.
    Its CPU is a fraction of this Python client's, so the server's figure is less
    the loader's."""
    with (
        tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script,
        tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as paths,
    ):
        script.write(WRK_SCRIPT)
        paths.writelines(request(k)[1] + "\n" for k in range(5000))
    out = subprocess.run(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "-s", script.name, base],
        env={**os.environ, "BENCH_PATHS": paths.name, "BENCH_AUTH": headers["Authorization"]},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
    n, elapsed, p50, p95, p99, errors = line.split()[1:]
    rate = int(n) / float(elapsed)
    return Result(label, rate, float(p50), float(p95), float(p99), int(errors), []), int(n)


# ---------------------------------------------------------------- paced load


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0


# A heartbeat this late is part of a stall (a round's p50 is 5-15 ms).
SLOW = 0.05


def heartbeat_child(base: str, nodes_file: str, rate: float, seconds: float, seq_base: int) -> None:
    """Runs in its own process (so the readers' client work does not delay it): the
    fleet heartbeating at `rate`, round-robin over every node; prints one JSON line."""
    nodes = [line.split() for line in Path(nodes_file).read_text().splitlines()]

    def request(k: int) -> openloop.Request:
        node_id, token = nodes[k % len(nodes)]
        return (
            "POST",
            f"/api/v1/workers/{node_id}/heartbeat",
            heartbeat_body(seq_base + k // len(nodes)),
            {"Authorization": f"Bearer {token}"},
        )

    started = time.perf_counter()
    log: list[tuple[float, float, str]] = []
    latencies, errors = asyncio.run(paced(base, rate, seconds, request, log))
    figures = {"p50": pct(latencies, 0.5), "p99": pct(latencies, 0.99), "errors": errors}
    slow = [(at, latency) for at, latency, _ in log if latency > SLOW]
    rate = len(latencies) / (time.perf_counter() - started)
    print(json.dumps({**figures, "rate": rate, "slow": slow}))


def clock(epoch: float) -> str:
    """An epoch instant as UTC HH:MM:SS.mmm, as PostgreSQL's %m and our logs write it."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M:%S.%f")[:-3]


def stalls(slow: list[tuple[float, float]], reads: list[tuple[float, float, str]]) -> str:
    """The spells of late heartbeats, each with when it began (UTC, to match against the
    server's and PostgreSQL's logs) and the dashboard reads in flight while it lasted: one
    spell of 100 ms at 1,000 heartbeats/s is 100 late heartbeats, half a 20-second round's
    p99 by itself. Returns one line per spell, the worst first."""
    spells: list[list[float]] = []  # [start, end, count, worst]
    for at, latency in sorted(slow):
        if spells and at <= spells[-1][1]:
            spell = spells[-1]
            spell[1] = max(spell[1], at + latency)
            spell[2] += 1
            spell[3] = max(spell[3], latency)
        else:
            spells.append([at, at + latency, 1, latency])
    lines = []
    for start, end, count, worst in sorted(spells, key=lambda s: -s[2])[:6]:
        during: dict[str, int] = {}
        for due, latency, path in reads:
            if due < end and due + latency > start:
                name = path.split("?")[0].removeprefix("/api/v1")
                query = path.partition("?")[2]
                kind = next((k for k in ("search", "status", "cursor") if f"{k}=" in query), "page")
                key = name if name != "/workers" else f"/workers ({kind})"
                during[key] = during.get(key, 0) + 1
        reads_then = ", ".join(f"{n} x{c}" for n, c in sorted(during.items())) or "none"
        lines.append(
            f"    stall at {clock(start)} of {(end - start) * 1000:.0f} ms: {count:.0f} "
            f"heartbeats late by "
            f"up to {worst * 1000:.0f} ms; reads in flight: {reads_then}"
        )
    return "\n".join(lines) if lines else f"    no heartbeat later than {SLOW * 1000:g} ms"


HEARTBEAT_ROUTE = "/api/v1/workers/{nodeId}/heartbeat"
SEED_DATABASE = "bench_seed"


async def server_histograms(base: str) -> dict[str, dict[float, float]]:
    """The server's own histograms a heartbeat round reads (/metrics), each a cumulative
    count by bound: the heartbeat route's latency, the ingest batches' commit time and
    the event loop's lag. If only the route's p99 moves, heartbeats waited before their
    batch; if the commit's moves with it, inside the batch, whose timer spans its round
    trips: the database's time and each reply's wait for the event loop alike. The loop's
    lag tells the two apart: what it does not cover, the database (or the machine) took."""
    got: dict[str, dict[float, float]] = {"route": {}, "commit": {}, "loop": {}}
    for s in await scraped(base):
        if (
            s.name == "minispod_http_request_duration_seconds_bucket"
            and s.labels.get("route") == HEARTBEAT_ROUTE
            and s.labels.get("method") == "POST"
        ):
            got["route"][float(s.labels["le"])] = s.value
        elif s.name == "minispod_ingest_commit_seconds_bucket":
            got["commit"][float(s.labels["le"])] = s.value
        elif s.name == "minispod_event_loop_lag_seconds_bucket":
            got["loop"][float(s.labels["le"])] = s.value
    return got


async def wal_counters(url: str) -> dict[str, float]:
    """PostgreSQL's WAL so far: bytes, full-page images, checkpoints begun; and the
    node rows' updates, all and HOT (heap-only: no index touched, the new version on
    the same page). The first change to a page after a checkpoint writes the whole page
    to the WAL, so a checkpoint within a round raises its WAL and, with fsync on, its
    commits' tail; an update that is not HOT writes every index of worker_nodes."""
    async with pg_connection(url) as conn:
        row = await conn.fetchrow(
            "SELECT w.wal_bytes::float8 AS bytes, w.wal_fpi::float8 AS fpi, "
            "(b.checkpoints_timed + b.checkpoints_req)::float8 AS checkpoints, "
            "t.n_tup_upd::float8 AS updates, t.n_tup_hot_upd::float8 AS hot "
            "FROM pg_stat_wal w, pg_stat_bgwriter b, pg_stat_user_tables t "
            "WHERE t.relname = 'worker_nodes'"
        )
    return dict(row)


async def reset_statements(url: str) -> None:
    """Starts pg_stat_statements' counts afresh (the extension made on first use)."""
    async with pg_connection(url) as conn:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        await conn.execute("SELECT pg_stat_statements_reset()")


async def statements(url: str, top: int = 12) -> str:
    """What PostgreSQL spent its time on since `reset_statements`, heaviest statements
    first: a round's database time per statement and per call."""
    async with pg_connection(url) as conn:
        rows = await conn.fetch(
            "SELECT calls, total_exec_time, query FROM pg_stat_statements "
            "ORDER BY total_exec_time DESC LIMIT $1",
            top,
        )
    lines = ["statements by PostgreSQL time in the round (total ms, calls, ms per call):"]
    for r in rows:
        query = " ".join(r["query"].split())[:150]
        lines.append(
            f"  {r['total_exec_time']:9.0f} {r['calls']:7d} "
            f"{r['total_exec_time'] / max(r['calls'], 1):8.3f}  {query}"
        )
    return "\n".join(lines)


def cpu_snapshot(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process tree, of this process (the dashboards'
    reads), of the whole machine (busy, from /proc/stat), and the involuntary context
    switches of the control plane's main thread, the event loop's: the times the kernel
    took its core away to run something else (on a shared machine, the loaders' and the
    database's work). Two snapshots' difference is a round's."""
    got = {name: cpu_seconds(pid) for name, pid in pids.items()}
    got["readers"] = time.process_time()
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    got["machine"] = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    status = Path(f"/proc/{pids['control plane']}/status").read_text()
    got["preempted"] = float(status.split("nonvoluntary_ctxt_switches:")[1].split()[0])
    return got


# Whose waits for a core a round reports, by cpu_snapshot's names: PostgreSQL's with its
# backends, the others as single processes.
WAITERS = (("control plane", False), ("PostgreSQL", True), ("heartbeat loader", False))


def waits_snapshot(pids: dict[str, int]) -> dict[tuple[str, int], float]:
    """The time so far each of WAITERS' processes waited for a core, by (name, pid)."""
    got = {}
    for name, tree in WAITERS:
        root = pids[name]
        for pid, seconds in run_queue_wait(process_tree(root) if tree else {root}).items():
            got[(name, pid)] = seconds
    return got


def waits_line(
    before: dict[tuple[str, int], float], after: dict[tuple[str, int], float], seconds: float
) -> str:
    """A round's waits for a core, in milliseconds a second, over the processes alive at
    both its ends (an exiting backend takes its count with it)."""
    waited: dict[str, float] = {}
    for key in after.keys() & before.keys():
        waited[key[0]] = waited.get(key[0], 0.0) + after[key] - before[key]
    each = ", ".join(
        f"{name} {waited.get(name, 0.0) / seconds * 1000:.0f} ms/s" for name, _ in WAITERS
    )
    return f"; waited for a core: {each}"


def run_queue_wait(pids: set[int]) -> dict[int, float]:
    """Seconds each living process's threads have so far spent runnable but waiting for
    a core (schedstat's second field): what a shared machine's other work costs a server
    in latency, where its CPU time does not show it."""
    got = {}
    for pid in pids:
        try:
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
            got[pid] = sum(int((t / "schedstat").read_text().split()[1]) for t in tasks) / 1e9
        except (OSError, IndexError):
            continue
    return got


def cpu_line(before: dict[str, float], after: dict[str, float], seconds: float) -> str:
    """A round's CPU as shares of one core, the machine's of all of them."""
    share = {k: (after[k] - before[k]) / seconds * 100 for k in after}
    each = ", ".join(
        f"{k} {v:.0f} %" for k, v in share.items() if k not in ("machine", "preempted")
    )
    machine = share["machine"] / (os.cpu_count() or 1)
    return (
        f"  cpu: {each}; machine {machine:.0f} % of {os.cpu_count()} cores; control plane "
        f"preempted {share['preempted'] / 100:.0f} times/s"
    )


INF = float("inf")


def round_counts(before: dict[float, float], after: dict[float, float]) -> dict[float, float]:
    """A server histogram's cumulative counts by bucket bound over one round (two
    scrapes' difference), bounds ascending, +Inf last; empty where it has none."""
    return {bound: after[bound] - before.get(bound, 0.0) for bound in sorted(after)}


def histogram_quantile(q: float, before: dict[float, float], after: dict[float, float]) -> float:
    """A round's q-quantile of a server histogram in seconds, interpolated linearly within
    its bucket as Prometheus's histogram_quantile does: the server's own view of the
    heartbeats' tail, free of the loader's scheduling; NaN where it has no histogram."""
    counts = round_counts(before, after)
    if not counts:
        return float("nan")
    rank, lower, below = q * counts[INF], 0.0, 0.0
    for bound, count in counts.items():
        if count >= rank:
            if bound == INF:
                return lower
            return lower + (bound - lower) * (rank - below) / max(count - below, 1e-9)
        lower, below = bound, count
    return lower


def histogram_p99(before: dict[float, float], after: dict[float, float]) -> str:
    """The bucket the server's p99 fell in over a round: "<= 10 ms" (its buckets are coarse;
    from the server's side, so free of the loader's own scheduling); "-" where the server
    has no such histogram (a checkout before it)."""
    counts = round_counts(before, after)
    bounds = list(counts)
    for bound, count in counts.items():
        if count >= 0.99 * counts[INF]:
            return f"<= {bound * 1000:g} ms" if bound != INF else f"> {bounds[-2]:g} s"
    return "-"


def beyond(before: dict[float, float], after: dict[float, float], bound: float) -> float:
    """How many of a histogram's observations over a round were above `bound` (one of its
    bucket bounds); 0 where the server has no such histogram."""
    counts = round_counts(before, after)
    return counts[INF] - counts[bound] if counts else 0.0


class Heartbeats:
    """The fleet's heartbeats in a child process, for `seconds`, from a fresh seq range:
    the Python open-loop loader (latency from each request's scheduled time), or with
    `wrk` wrk's paced connections (latency from each send; a loader in C, so its own
    scheduling on a shared machine weighs less, though a server stall also holds back
    the requests behind it)."""

    runs = 0
    connections = 32  # wrk's, each pacing itself to its share of the rate

    def __init__(
        self, base: str, nodes_file: str, rate: float, seconds: float, wrk: bool = False
    ) -> None:
        Heartbeats.runs += 1
        seq_base = DAY_OF_SAMPLES + Heartbeats.runs * 1_000_000
        self.seconds = seconds
        self.wrk = wrk
        if wrk:
            self.proc = start_wrk(
                base, nodes_file, max(1.0, seconds), self.connections, seq_base, rate
            )
            return
        self.proc = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--heartbeat-child",
                base,
                nodes_file,
                str(rate),
                str(seconds),
                str(seq_base),
            ],
            stdout=subprocess.PIPE,
            cwd=ROOT,
            text=True,
        )

    def result(self) -> dict:
        if self.wrk:
            return wrk_result(self.proc, self.seconds)
        out, _ = self.proc.communicate()
        return dict(json.loads(out.strip().splitlines()[-1]))


# ---------------------------------------------------------------- the cases


DEEP_PAGE = 400  # of 20 rows: 8,000 nodes in


async def deep_cursor(base: str, headers: dict[str, str]) -> str | None:
    """The cursor after page DEEP_PAGE - 1, or None from a control plane without cursors."""
    async with (
        aiohttp.ClientSession(headers=headers) as s,
        s.get(f"{base}/api/v1/workers?page={DEEP_PAGE - 1}&limit=20") as r,
    ):
        return (await r.json())["data"]["pagination"].get("nextCursor")


def read_cases(
    nodes: int, sampled: list[str], now: datetime, cursor: str | None
) -> list[tuple[str, Callable[[int], Request]]]:
    """The reads measured one by one; the last two only where the control plane has
    them (`view`, `cursor`: a control plane before them refuses the parameters)."""
    rng = random.Random(7)
    day_ago = (now - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    new: list[tuple[str, Callable[[int], Request]]] = []
    if cursor is not None:
        new = [
            (
                "page 1, view=summary",
                lambda _k: ("", "/api/v1/workers?page=1&limit=20&view=summary"),
            ),
            (
                f"page {DEEP_PAGE} by cursor",
                lambda _k: ("", f"/api/v1/workers?limit=20&cursor={cursor}"),
            ),
        ]
    return [
        ("GET /health (baseline)", lambda _k: ("", "/health")),
        ("page 1", lambda _k: ("", "/api/v1/workers?page=1&limit=20")),
        (
            "search",
            lambda _k: (
                "",
                f"/api/v1/workers?page=1&limit=20&search=node-{rng.randrange(nodes) // 100:03d}",
            ),
        ),
        (
            "status=ACTIVE",
            lambda _k: ("", f"/api/v1/workers?page={rng.randint(1, 5)}&limit=20&status=ACTIVE"),
        ),
        ("stats", lambda _k: ("", "/api/v1/workers/stats")),
        (
            "metrics, a day",
            lambda _k: (
                "",
                f"/api/v1/workers/{rng.choice(sampled)}/metrics?from={day_ago}&step=300",
            ),
        ),
        (
            f"page {DEEP_PAGE} by offset",
            lambda _k: ("", f"/api/v1/workers?page={DEEP_PAGE}&limit=20"),
        ),
        *new,
    ]


def dashboard(nodes: int, headers: dict[str, str]) -> Callable[[int], openloop.Request]:
    """What a room of dashboards asks: the operators' mix of pages, then stats."""
    pages = list_paths(random.Random(11), nodes)

    def request(k: int) -> openloop.Request:
        path = "/api/v1/workers/stats" if k % 5 == 4 else pages(k)[1]
        return "GET", path, None, headers

    return request


def measure(
    base: str,
    server_pid: int,
    args: argparse.Namespace,
    nodes_file: str,
    sampled: list[str],
    database: str,
    database_pid: int,
    reader: tuple[str, int] | None = None,
) -> dict[str, float]:
    """Prints what it measures; returns each case's p99 and the heartbeat p99 ratio.
    `reader`: (base URL, pid) of a second control plane the dashboards read from."""
    headers = asyncio.run(sign_in(base))
    reads_base, reads_headers = base, headers
    if reader is not None:
        reads_base = reader[0]
        reads_headers = asyncio.run(sign_in(reads_base))
    cursor = asyncio.run(deep_cursor(base, headers))
    cases = read_cases(args.nodes, sampled, datetime.now(UTC), cursor)
    if args.only:
        cases = [c for c in cases if c[0] == cases[0][0] or args.only in c[0]]
    # Warm-up: every node's first heartbeat looks its token up in the database (a
    # running fleet's are cached); connection pools, prepared statements, plans.
    Heartbeats(base, nodes_file, 500, args.nodes / 500 + 2).result()
    for _label, request in cases:
        asyncio.run(drive(base, "warm-up", request, headers, 50, args.concurrency))

    if args.only:
        return {
            r.label: r.p99 for r in read_each(base, server_pid, args, nodes_file, cases, headers)
        }
    # 1. Heartbeat latency alone, then under the dashboards' load, then alone again
    # (the machine is shared: the two quiet rounds bracket the loaded one).
    wrk = args.heartbeat_loader == "wrk"

    def heartbeat_round(dashboards: bool) -> dict:
        """One round, with what the server itself timed (its histograms' p99 buckets) and,
        under dashboards, the reads' latencies and errors."""
        watched = dashboards and args.statements
        if watched:
            asyncio.run(reset_statements(database))
        before = asyncio.run(server_histograms(base))
        wal_before = asyncio.run(wal_counters(database))
        started = time.perf_counter()
        hb = Heartbeats(base, nodes_file, args.heartbeats, args.seconds, wrk)
        pids = {
            "control plane": server_pid,
            "PostgreSQL": database_pid,
            "heartbeat loader": hb.proc.pid,
        }
        if reader is not None:
            pids["reading control plane"] = reader[1]
        cpu_before, waits_before = cpu_snapshot(pids), waits_snapshot(pids)
        read = dashboard(args.nodes, reads_headers)
        reads_log: list[tuple[float, float, str]] = []
        reads = (
            asyncio.run(paced(reads_base, args.dashboard, args.seconds, read, reads_log))
            if dashboards
            else None
        )
        # Taken as the loader ends, before it exits and its times with it.
        time.sleep(max(0.0, started + args.seconds - 0.2 - time.perf_counter()))
        cpu_after, waits_after = cpu_snapshot(pids), waits_snapshot(pids)
        got = hb.result()
        slow = got.pop("slow", [])
        got["stalls"] = stalls(slow, reads_log)
        elapsed = time.perf_counter() - started
        got["cpu"] = cpu_line(cpu_before, cpu_after, elapsed) + waits_line(
            waits_before, waits_after, elapsed
        )
        after = asyncio.run(server_histograms(base))
        wal = asyncio.run(wal_counters(database))
        got["wal"] = {k: wal[k] - wal_before[k] for k in wal}
        got["server p99"] = histogram_p99(before["route"], after["route"])
        got["server p99 s"] = histogram_quantile(0.99, before["route"], after["route"])
        got["commit p99"] = histogram_p99(before["commit"], after["commit"])
        got["loop p99"] = histogram_p99(before["loop"], after["loop"])
        # Who saw the late heartbeats: if the server's own timer saw fewer than the loader,
        # they waited outside its handlers (in socket buffers, in the loader, on the CPU).
        got["beyond"] = (
            f"  over {SLOW * 1000:g} ms: {len(slow)} heartbeats as the loader timed them, "
            f"{beyond(before['route'], after['route'], SLOW):.0f} as the server did; "
            f"{beyond(before['commit'], after['commit'], SLOW):.0f} batch commits; "
            f"{beyond(before['loop'], after['loop'], SLOW):.0f} loop-lag samples"
        )
        # One commit observed per batch: heartbeats answered over batches committed.
        batches = round_counts(before["commit"], after["commit"])[INF]
        got["batch"] = round_counts(before["route"], after["route"])[INF] / max(1.0, batches)
        if watched:
            print(asyncio.run(statements(database)))
        if reads is not None:
            got["reads"], got["read errors"] = reads
        return got

    def show(label: str, r: dict) -> None:
        reads = ""
        if "reads" in r:
            reads = (
                f"; dashboard reads p50 {pct(r['reads'], 0.5):.1f} ms, "
                f"p99 {pct(r['reads'], 0.99):.1f} ms, errors {r['read errors']}"
            )
        print(
            f"{label:<23} {r['rate']:5.0f} hb/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms  "
            f"errors {r['errors']}  (server's p99 {r['server p99']}, about "
            f"{r['server p99 s'] * 1000:.1f} ms; its commits' "
            f"{r['commit p99']}, its loop lag's {r['loop p99']}; batches of {r['batch']:.1f}"
            f"{reads})\n{r['cpu']}\n  wal: {r['wal']['bytes'] / max(1.0, r['rate'] * args.seconds):.0f} bytes "
            f"a heartbeat, {r['wal']['fpi']:.0f} full-page images, "
            f"{r['wal']['checkpoints']:.0f} checkpoint(s) begun; "
            f"{r['wal']['hot'] / max(1.0, r['wal']['updates']):.0%} of node updates HOT\n"
            f"{r['beyond']}\n{r['stalls']}"
        )

    # Alone, loaded, alone, loaded, ..., alone: each loaded round against the median of
    # the two quiet ones around it (the machine's own spells move both), and the pairs'
    # median, since one round's p99 is its worst 1 %, which one stall of anything moves.
    quiet = [heartbeat_round(False)]
    show("heartbeats alone", quiet[0])
    ratios: dict[str, list[float]] = {"p99": [], "server p99 s": []}
    loaded_p99s = []
    for _ in range(args.pairs):
        loaded = heartbeat_round(True)
        show("heartbeats + dashboards", loaded)
        quiet.append(heartbeat_round(False))
        show("heartbeats alone", quiet[-1])
        for key, got in ratios.items():
            around = statistics.median(q[key] for q in quiet[-2:])
            got.append(loaded[key] / around if around else float("inf"))
        loaded_p99s.append(loaded["p99"])
    for key, timer in (("p99", "the loader's"), ("server p99 s", "the server's own")):
        ratio = statistics.median(ratios[key])
        verdict = "meets" if ratio <= 1.5 else "MISSES"
        each = ", ".join(f"{r:.2f}" for r in ratios[key])
        print(
            f"heartbeat p99 under dashboards by {timer} timer: {ratio:.2f}x of alone "
            f"({each}); {verdict} <= 1.5x"
        )
    quiet_p99 = statistics.median(q["p99"] for q in quiet)
    heartbeats = {
        "heartbeat p99 alone": quiet_p99,
        "heartbeat p99 + dashboards": statistics.median(loaded_p99s),
    }
    if args.heartbeats_only:
        return heartbeats

    # 2. Each read at `concurrency` readers while the fleet heartbeats.
    figures = {
        r.label: r.p99 for r in read_each(base, server_pid, args, nodes_file, cases, headers)
    }
    return {**figures, **heartbeats}


def read_each(
    base: str,
    server_pid: int,
    args: argparse.Namespace,
    nodes_file: str,
    cases: list[tuple[str, Callable[[int], Request]]],
    headers: dict[str, str],
) -> list[Result]:
    """Each read case at `concurrency` readers while the fleet heartbeats; prints them."""
    results: list[tuple[Result, float]] = []
    for label, request in cases:
        # Long enough to cover the case.
        est = (args.read_seconds if args.loader == "wrk" else args.requests / 300) + 5
        hb = Heartbeats(base, nodes_file, args.heartbeats, est)
        if args.profile:
            out = f"{args.profile}/{label.split()[0].replace('/', '')}.txt"
            prof = py_spy(args.py_spy, server_pid, est - 2, out)
        cpu0 = cpu_seconds(server_pid)
        if args.loader == "wrk":
            r, done = drive_wrk(base, label, request, headers, args.read_seconds, args.concurrency)
        else:
            r = asyncio.run(drive(base, label, request, headers, args.requests, args.concurrency))
            done = args.requests
        cpu_ms = (cpu_seconds(server_pid) - cpu0) / max(1, done) * 1000
        hb.result()
        if args.profile:
            prof.wait()
        results.append((r, cpu_ms))
    baseline = results[0][0]
    for r, cpu_ms in results:
        verdict = (
            ""
            if r is baseline
            else ("meets" if r.p99 <= TARGET_P99_MS and not r.errors else "MISSES")
        )
        print(
            f"{r.label:<24} {r.rate:6.0f} req/s  p50 {r.p50:6.1f}  p95 {r.p95:6.1f}  "
            f"p99 {r.p99:6.1f} ms  ({r.p99 / baseline.p99:4.1f}x /health)  server "
            f"{cpu_ms:4.1f} ms CPU/req (with heartbeats)  errors {r.errors}  {verdict}"
        )
    return [r for r, _ in results]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--heartbeat-child":
        base, nodes_file, rate, seconds, seq_base = sys.argv[2:7]
        heartbeat_child(base, nodes_file, float(rate), float(seconds), int(seq_base))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument(
        "--loader",
        choices=["wrk", "python"],
        default="wrk" if shutil.which("wrk") else "python",
        help="the closed-loop readers: wrk where installed (apt-get install wrk), else "
        "this process's aiohttp client",
    )
    parser.add_argument("--requests", type=int, default=2000, help="per read case (python)")
    parser.add_argument("--read-seconds", type=float, default=5, help="per read case (wrk)")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent readers")
    parser.add_argument(
        "--heartbeats",
        type=float,
        default=200,
        help="fleet heartbeats per second, open loop (10,000 nodes every 10 s is 1000: more "
        "than a machine shared with other work sustains beside the loaders)",
    )
    parser.add_argument("--dashboard", type=float, default=100, help="dashboard reads per second")
    parser.add_argument("--seconds", type=float, default=20, help="each heartbeat-latency round")
    parser.add_argument(
        "--pairs",
        type=int,
        default=1,
        help="heartbeat rounds under dashboards, each between two alone",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="control-plane processes (MINISPOD_WORKERS)"
    )
    parser.add_argument(
        "--only", help="only the read cases whose label holds this (and the baseline)"
    )
    parser.add_argument(
        "--heartbeat-loader",
        choices=["python", "wrk"],
        default="python",
        help="who sends the heartbeat rounds: the Python open-loop loader, or wrk's paced "
        "connections (the read cases' heartbeats stay Python's)",
    )
    parser.add_argument(
        "--heartbeats-only",
        action="store_true",
        help="only the heartbeat rounds (alone, under dashboards, alone): no read cases",
    )
    parser.add_argument("--durable", action="store_true", help="fsync and synchronous commit on")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        type=setting,
        metavar="NAME=VALUE",
        help="a setting of the control plane (repeatable), e.g. MINISPOD_INGEST_LINGER=0",
    )
    parser.add_argument(
        "--pg",
        action="append",
        default=[],
        type=setting,
        metavar="NAME=VALUE",
        help="a setting of the bench's PostgreSQL server (repeatable), e.g. wal_init_zero=off",
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="print the statements PostgreSQL spent most time on in the dashboard round "
        "(pg_stat_statements, preloaded in the bench's server)",
    )
    parser.add_argument(
        "--reads-apart",
        action="store_true",
        help="the dashboards read from a second control-plane process on the same database "
        "(agents and people served apart): tells the event loop's share of the heartbeats' "
        "latency under dashboards from the cores'",
    )
    parser.add_argument("--profile", help="directory: a py-spy profile (raw stacks) per read case")
    parser.add_argument("--py-spy", default="py-spy", help="the py-spy binary")
    parser.add_argument(
        "--compare",
        help="another checkout (e.g. `git archive main`) whose control plane is measured "
        "first, on a copy of the same seeded database, for before/after ratios in one run",
    )
    args = parser.parse_args()

    preload = {"shared_preload_libraries": "pg_stat_statements"} if args.statements else {}
    settings = {**preload, **dict(args.pg)}
    pg = PostgresServer(durable=args.durable, settings=settings).start()
    server: subprocess.Popen[bytes] | None = None
    try:
        # The fleet is seeded once into a database of its own, and each control plane
        # measured gets a fresh copy of it: the second of a --compare run would otherwise
        # find the first's heartbeats, dead rows and their vacuuming in its database.
        pg.psql(f'CREATE DATABASE "{SEED_DATABASE}"')
        seed_url = pg.url_for(SEED_DATABASE)
        env = control_plane_env(
            seed_url,
            **{
                # A health sweep would rewrite the seeded fleet mid-measurement; the
                # heartbeats keep every node's row as live as a fleet's.
                "MINISPOD_RUN_JOBS": "false",
                "MINISPOD_WORKERS": str(args.workers),
                **dict(args.env),  # may override the two above
            },
        )
        py = sys.executable
        subprocess.run(
            [py, "-m", "controlplane", "migrate"],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        create_admin(seed_url)
        t0 = time.perf_counter()
        tokens, sampled = asyncio.run(seed(seed_url, args.nodes))
        print(
            f"seeded {args.nodes} nodes, {len(sampled) * DAY_OF_SAMPLES} samples in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.writelines(f"{node_id} {token}\n" for node_id, token in tokens)
        print(machine_speed())
        print(
            f"nodes={args.nodes} readers={args.concurrency} loader={args.loader} "
            f"requests/case={args.requests if args.loader == 'python' else '-'} "
            f"heartbeats={args.heartbeats:g}/s ({args.heartbeat_loader}) "
            f"dashboard={args.dashboard:g} reads/s "
            f"seconds={args.seconds:g} durable={args.durable} reads apart={args.reads_apart}"
        )
        roots = [("this checkout", ROOT)]
        if args.compare:
            roots.insert(0, (f"baseline {args.compare}", Path(args.compare).resolve()))
        figures: dict[str, dict[str, float]] = {}
        for i, (name, root) in enumerate(roots):
            database = f"bench_{i}"
            pg.psql(f'CREATE DATABASE "{database}" TEMPLATE "{SEED_DATABASE}"')
            run_env = {**env, "MINISPOD_DATABASE_URL": pg.url_for(database)}
            server, base = started(run_env, root)
            reading = started(run_env, root) if args.reads_apart else None
            print(f"--- {name}")
            run = argparse.Namespace(**vars(args))
            if args.profile:  # one directory of profiles per control plane
                run.profile = str(Path(args.profile) / name.split()[0])
                Path(run.profile).mkdir(parents=True, exist_ok=True)
            try:
                figures[name] = measure(
                    base,
                    server.pid,
                    run,
                    f.name,
                    sampled,
                    pg.url_for(database),
                    pg.pid,
                    (reading[1], reading[0].pid) if reading else None,
                )
            finally:
                if reading is not None:
                    reading[0].terminate()
                    reading[0].wait(timeout=20)
            server.terminate()
            server.wait(timeout=20)
            server = None
            # Gone, so that no vacuum of its writes runs beside the next one's rounds.
            pg.psql(f'DROP DATABASE "{database}" WITH (FORCE)')
        if len(figures) == 2:
            (before_name, before), (after_name, after) = figures.items()
            print(
                f"--- p99, {after_name} / {before_name} (same run, copies of one seeded database)"
            )
            for label, was in before.items():
                now = after[label]
                print(f"{label:<28} {was:8.1f} ms -> {now:8.1f} ms   {now / was:5.2f}x")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        pg.stop()


if __name__ == "__main__":
    main()
