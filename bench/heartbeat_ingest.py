"""Heartbeat ingest: simulated agents against the real control plane on PostgreSQL.

One load process drives N simulated agents over real HTTP on loopback: wrk
(C, one thread, a Lua script playing the agents: each request is the next
heartbeat of the next node, with its own token and a growing seq) when it is
installed (`apt-get install wrk`), else this Python process. As a baseline,
the same load hits a bare aiohttp endpoint that only decodes and answers
JSON, in the same run. Prints throughput, latency percentiles and the ratio.

    .venv/bin/python bench/heartbeat_ingest.py [--nodes 2000] [--seconds 20] [--concurrency 200]
        [--loader wrk|python] [--rounds 3] [--workers 1] [--bare-workers 1] [--durable]
        [--env MINISPOD_NAME=value ...] [--history 20000000 [--history-as-rows]]
        [--compare CHECKOUT] [--profile FILE --py-spy BIN]

With --history N the rounds run twice in the same run: first on an empty history, then
after N old samples of the same nodes are stored as the control plane keeps them (hours
packed by the leader's packing pass; as rows with --history-as-rows, how every sample
was kept before packing).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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

from controlplane.config import normalise_database_url  # noqa: E402
from controlplane.db import packing  # noqa: E402
from controlplane.db.bulk import SAMPLE_COLUMNS  # noqa: E402
from controlplane.db.database import connected  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402

BARE_SERVER = """
import sys
from aiohttp import web
async def handle(request):
    body = await request.json()
    return web.json_response({"success": True, "data": {"accepted": 1, "seq": body.get("sample", {}).get("seq")}})
app = web.Application()
app.router.add_post("/api/v1/workers/{nodeId}/heartbeat", handle)
# SO_REUSEPORT: with --bare-workers N, N of these share the port, as the control
# plane's MINISPOD_WORKERS processes do.
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None,
            reuse_port=True)
"""


def process_stats() -> dict[int, list[str]]:
    """Every living process's /proc/PID/stat fields after its name (field 3 on)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
    return stats


def process_tree(root: int, stats: dict[int, list[str]] | None = None) -> set[int]:
    """A process and its living descendants (`stats`: a process_stats() already read)."""
    stats = process_stats() if stats is None else stats
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, fields in stats.items() if int(fields[1]) == pid]
        tree.update(children)
        frontier.extend(children)
    return tree


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process and all its descendants, living or reaped, from /proc.

    Other work on the machine (a test run, a helper) shifts throughput but not
    what each request costs the server, so this is printed beside the rates."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = process_stats()
    # Its own time and its reaped children's: a backend that exited mid-round took its
    # time with it, except into its parent's cutime and cstime.
    return sum(
        sum(int(f) for f in stats[p][11:15]) / tick for p in process_tree(root, stats) if p in stats
    )


def measured(pids: list[int], run: Callable[[], dict], database_pid: int | None = None) -> dict:
    """`run`'s figures plus the server's (its processes', and the database's) CPU
    microseconds per answered request."""
    before = sum(cpu_seconds(pid) for pid in pids)
    db_before = cpu_seconds(database_pid) if database_pid else 0.0
    result = run()
    spent = sum(cpu_seconds(pid) for pid in pids) - before
    answered = result["rate"] * result["seconds"]
    result["cpu_us"] = spent / answered * 1e6 if answered else 0.0
    if database_pid and answered:
        result["db_cpu_us"] = (cpu_seconds(database_pid) - db_before) / answered * 1e6
    return result


async def scraped(base: str) -> list[Sample]:
    """The control plane's /metrics, parsed by prometheus_client's own parser."""
    async with aiohttp.ClientSession() as s, s.get(f"{base}/metrics") as r:
        text = await r.text()
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


async def batching(base: str) -> str:
    """How the write path coalesced the whole run, from the control plane's own metrics."""
    values = {
        s.name: s.value
        for s in await scraped(base)
        if s.name.startswith(("minispod_ingest_batch_size_", "minispod_ingest_commit_seconds_"))
    }
    batches = values.get("minispod_ingest_batch_size_count", 0.0)
    if not batches:
        return "ingest batches: none recorded"
    size = values["minispod_ingest_batch_size_sum"] / batches
    commit = values["minispod_ingest_commit_seconds_sum"] / batches * 1000
    return f"ingest batches: {batches:.0f}, mean {size:.0f} heartbeats, mean commit {commit:.1f} ms"


async def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as s:
        while time.monotonic() < deadline:
            try:
                async with s.post(url, json={}):
                    return  # any answer means it is serving
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def heartbeat_body(seq: int) -> dict:
    return {
        "sample": {
            "seq": seq,
            "timestamp": datetime.now(UTC).isoformat(),
            "cpuPercent": 12.5,
            "memoryUsed": 2048,
            "diskUsed": 10000,
            "load1": 0.5,
            "load5": 0.4,
            "load15": 0.3,
        },
        "conditions": [{"type": "Ready", "status": True}],
    }


async def drive(
    base: str, nodes: list[tuple[str, str]], seconds: float, concurrency: int, seq_base: int
) -> dict:
    """`concurrency` workers, each playing agents round-robin, back to back; each run
    numbers its samples from `seq_base`, so no run repeats another's seqs."""
    latencies: list[float] = []
    errors = 0
    seqs = {node_id: seq_base for node_id, _ in nodes}
    stop_at = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)

    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(offset: int) -> None:
            nonlocal errors
            i = offset
            while time.monotonic() < stop_at:
                node_id, token = nodes[i % len(nodes)]
                i += concurrency
                seqs[node_id] += 1
                t0 = time.perf_counter()
                try:
                    async with session.post(
                        f"{base}/api/v1/workers/{node_id}/heartbeat",
                        json=heartbeat_body(seqs[node_id]),
                        headers={"Authorization": f"Bearer {token}"},
                    ) as r:
                        await r.read()
                        ok = r.status == 200
                except aiohttp.ClientError:
                    ok = False
                if ok:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors += 1

        started = time.monotonic()
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0
        )

    return {
        "rate": len(latencies) / elapsed,
        "seconds": elapsed,
        "ok": len(latencies),
        "errors": errors,
        "p50": pct(0.50),
        "p99": pct(0.99),
    }


WRK_SCRIPT = r"""
local nodes = {}
local seqs = {}
local i = 0
for line in io.lines(os.getenv("BENCH_NODES")) do
  local id, token = line:match("([^ ]+) ([^ ]+)")
  nodes[#nodes + 1] = {id, token}
  seqs[#nodes] = tonumber(os.getenv("BENCH_SEQ_BASE"))
end
-- BENCH_DELAY_MS paces each connection (wrk leaves the pause out of the latency).
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if pause then
  delay = function() return pause end
end
request = function()
  i = (i % #nodes) + 1
  seqs[i] = seqs[i] + 1
  local n = nodes[i]
  local body = string.format('{"sample":{"seq":%d,"timestamp":"%s","cpuPercent":12.5,'
    .. '"memoryUsed":2048,"diskUsed":10000,"load1":0.5,"load5":0.4,"load15":0.3},'
    .. '"conditions":[{"type":"Ready","status":true}]}', seqs[i], os.date("!%Y-%m-%dT%H:%M:%SZ"))
  return wrk.format("POST", "/api/v1/workers/" .. n[1] .. "/heartbeat",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. n[2]}, body)
end
-- done() runs in wrk's main Lua state, apart from the threads': a counter kept in
-- response() always read 0 here. summary.errors.status counts every status >= 400.
done = function(summary, latency, requests)
  io.write(string.format("RESULT %f %f %f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def start_wrk(
    base: str,
    nodes_file: str,
    seconds: float,
    concurrency: int,
    seq_base: int,
    rate: float | None = None,
) -> subprocess.Popen[str]:
    """wrk playing the agents, as a running process (`wrk_result` waits for its figures).
    Each run numbers its samples from `seq_base`, so no run repeats another's seqs. With
    `rate`, each connection pauses concurrency / rate seconds between its requests: about
    `rate` heartbeats a second, the latency still timed from each request's send."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    env = {**os.environ, "BENCH_NODES": nodes_file, "BENCH_SEQ_BASE": str(seq_base)}
    if rate is not None:
        env["BENCH_DELAY_MS"] = str(max(1, round(concurrency / rate * 1000)))
    return subprocess.Popen(
        ["wrk", "-t1", f"-c{concurrency}", f"-d{int(seconds)}s", "-s", script.name, base],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def wrk_result(proc: subprocess.Popen[str], seconds: float) -> dict:
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"wrk exited with {proc.returncode}")
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
    rate, p50, p99, bad, errors = line.split()[1:]
    return {
        "rate": float(rate),
        "seconds": seconds,
        "p50": float(p50),
        "p99": float(p99),
        "errors": int(bad) + int(errors),
    }


def drive_wrk(base: str, nodes_file: str, seconds: float, concurrency: int, seq_base: int) -> dict:
    return wrk_result(start_wrk(base, nodes_file, seconds, concurrency, seq_base), seconds)


async def make_join_tokens(base: str, admin_email: str, password: str, count: int) -> list[str]:
    async with aiohttp.ClientSession() as s:
        async with s.post(
            f"{base}/api/v1/auth/login", json={"email": admin_email, "password": password}
        ) as r:
            token = (await r.json())["data"]["accessToken"]
        h = {"Authorization": f"Bearer {token}"}
        joins = []
        for k in range(count):
            async with s.post(
                f"{base}/api/v1/workers/join-tokens", json={"name": f"bench-{k}"}, headers=h
            ) as r:
                joins.append((await r.json())["data"]["token"])
        return joins


async def register_nodes(
    base: str, joins: list[str], n: int, concurrency: int = 32
) -> list[tuple[str, str]]:
    """n agents registering, `concurrency` at a time, spread over the join tokens."""
    async with aiohttp.ClientSession() as s:
        sem = asyncio.Semaphore(concurrency)

        async def one(i: int) -> tuple[str, str]:
            facts = {
                "name": f"bench-{i:05d}",
                "hostname": f"bench-{i}",
                "ipAddress": "10.0.0.1",
                "cpuCores": 8,
                "cpuArchitecture": "x86_64",
                "totalMemory": 32768,
                "totalStorage": 500000,
                "architecture": "amd64",
                "operatingSystem": "Linux",
                # Fixed per name, so a second run on the same database registers its nodes again.
                "nodeSecret": f"bench-node-secret-{i:05d}-0123456789abcdef",
            }
            async with (
                sem,
                s.post(
                    f"{base}/api/v1/agent/register",
                    json=facts,
                    headers={"Authorization": f"Bearer {joins[i % len(joins)]}"},
                ) as r,
            ):
                data = (await r.json())["data"]
                return data["nodeId"], data["nodeToken"]

        return list(await asyncio.gather(*(one(i) for i in range(n))))


LOADS = (0.5, 0.4, 0.3)
# Above any seq the warm-up and the rounds send (each round's start at a million apart).
HISTORY_SEQS = 10**9


async def store_history(url: str, nodes: list[tuple[str, str]], rows: int, packed: bool) -> str:
    """`rows` old samples spread over `nodes`, every 10 s until two hours ago, with seqs
    no round sends; packed into hours unless told otherwise."""
    per_node = max(1, rows // len(nodes))
    end = (int(time.time() * 1000) - 2 * 3_600_000) // 3_600_000 * 3_600_000
    records = (
        (
            uuid.UUID(node_id),
            HISTORY_SEQS + k,
            end - (per_node - k) * 10_000,
            12.5,
            2048,
            10,
            *LOADS,
        )
        for node_id, _ in nodes
        for k in range(1, per_node + 1)
    )
    started = time.perf_counter()
    async with pg_connection(url) as conn:
        await conn.copy_records_to_table(
            "node_samples", records=records, columns=list(SAMPLE_COLUMNS)
        )
        await conn.execute("VACUUM ANALYZE node_samples")
    took = time.perf_counter() - started
    said = f"{per_node * len(nodes):,} rows stored in {took:.0f} s"
    if packed:
        started = time.perf_counter()
        async with connected(normalise_database_url(url)):
            moved = await packing.compact(int(time.time() * 1000))
        said += f", {moved:,} packed in {time.perf_counter() - started:.0f} s"
    return said + f"; settled in {await settle(url):.0f} s"


async def settle(url: str, patience: float = 300) -> float:
    """Vacuums what the history left and waits for autovacuum to go quiet: the rounds then
    measure a database holding this history, not one still cleaning up after loading it
    (a fleet accumulates it over days, its deletes vacuumed an hour at a time)."""
    started = time.perf_counter()
    async with pg_connection(url) as conn:
        await conn.execute("VACUUM ANALYZE node_samples, node_sample_chunks")
        await conn.execute("CHECKPOINT")
        while time.perf_counter() - started < patience:
            busy = await conn.fetchval(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            )
            if not busy:
                break
            await asyncio.sleep(1)
    return time.perf_counter() - started


async def table_writes(url: str) -> str:
    """How PostgreSQL wrote the tables a heartbeat touches: a node row update that is not
    HOT (heap-only) rewrites every index of the row, the dearest part of a heartbeat."""
    async with pg_connection(url) as conn:
        rows = await conn.fetch(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_dead_tup, "
            "pg_total_relation_size(relid) AS size FROM pg_stat_user_tables "
            "WHERE relname IN ('worker_nodes', 'node_samples') ORDER BY relname"
        )
    said = []
    for r in rows:
        hot = r["n_tup_hot_upd"] / r["n_tup_upd"] if r["n_tup_upd"] else 0.0
        said.append(
            f"{r['relname']}: {r['n_tup_ins']:,} inserted, {r['n_tup_upd']:,} updated "
            f"({hot:.0%} HOT), {r['n_dead_tup']:,} dead, {r['size'] / 2**20:.0f} MiB"
        )
    return "tables: " + "; ".join(said)


def py_spy(binary: str, pid: int, seconds: float, out: str) -> subprocess.Popen[bytes]:
    """py-spy sampling `pid` for `seconds` into `out` (raw stacks). The process's CPU
    figures meanwhile include the sampler's cost: read the profile's shares, not them."""
    return subprocess.Popen(
        [
            binary,
            "record",
            "-p",
            str(pid),
            "-d",
            str(max(1, int(seconds))),
            "-r",
            "200",
            "-f",
            "raw",
            "-o",
            out,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating baseline/control-plane rounds"
    )
    parser.add_argument(
        "--loader", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="control-plane processes (MINISPOD_WORKERS)"
    )
    parser.add_argument(
        "--bare-workers",
        type=int,
        default=1,
        help="baseline processes sharing its port (compare like with like with --workers)",
    )
    parser.add_argument(
        "--durable",
        action="store_true",
        help="PostgreSQL with fsync and synchronous commit, as in production (default: off)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        type=setting,
        metavar="NAME=VALUE",
        help="a setting of the control plane (repeatable), e.g. MINISPOD_ALERT_INTERVAL=0.2",
    )
    parser.add_argument("--history", type=int, default=0, help="old samples, for a second run")
    parser.add_argument(
        "--history-as-rows", action="store_true", help="keep the history as rows, not packed"
    )
    parser.add_argument(
        "--profile", help="file: a py-spy profile (raw stacks) of the first control-plane round"
    )
    parser.add_argument("--py-spy", default="py-spy", help="the py-spy binary")
    parser.add_argument(
        "--compare",
        help="another checkout (e.g. `git archive main`, the same schema or older) whose "
        "control plane runs beside this one on the same database, measured in every round",
    )
    args = parser.parse_args()
    extra = dict(args.env)
    print(machine_speed())

    pg = PostgresServer(durable=args.durable).start()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        env = control_plane_env(pg.url, **extra)
        py = sys.executable
        create_admin(pg.url)
        port, bare_port, other_port = free_port(), free_port(), free_port()

        other: subprocess.Popen[bytes] | None = None
        other_base = f"http://127.0.0.1:{other_port}"
        if args.compare:
            # First, so that its migrations run before this checkout's newer ones.
            other = serve(
                env, other_port, Path(args.compare).resolve(), MINISPOD_WORKERS=str(args.workers)
            )
            asyncio.run(wait_up(f"{other_base}/api/v1/auth/login"))
        procs.append(serve(env, port, MINISPOD_WORKERS=str(args.workers)))
        if other is not None:
            procs.append(other)
        bare_procs = [
            subprocess.Popen([py, "-c", BARE_SERVER, str(bare_port)])
            for _ in range(args.bare_workers)
        ]
        procs.extend(bare_procs)
        cp_pid, bare_pids = procs[0].pid, [p.pid for p in bare_procs]
        other_pid = other.pid if other is not None else 0
        database_pid = pg.pid
        base, bare = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
        asyncio.run(wait_up(f"{base}/api/v1/auth/login"))
        asyncio.run(wait_up(f"{bare}/api/v1/workers/x/heartbeat"))
        joins = asyncio.run(make_join_tokens(base, ADMIN_EMAIL, ADMIN_PASSWORD, 1))
        nodes = asyncio.run(register_nodes(base, joins, args.nodes))
        if args.loader == "wrk":
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
                f.writelines(f"{node_id} {token}\n" for node_id, token in nodes)

            def load(url: str, seconds: float, seq_base: int) -> dict:
                return drive_wrk(url, f.name, seconds, args.concurrency, seq_base)
        else:

            def load(url: str, seconds: float, seq_base: int) -> dict:
                return asyncio.run(drive(url, nodes, seconds, args.concurrency, seq_base))

        load(bare, 2, 0)  # warm both up
        # Long enough for every node's first heartbeat, whose node-token lookup misses the
        # cache (a replica learns a token at its first use): at 10,000 nodes a 2 s warm-up
        # left thousands of those misses inside the measured rounds, which a fleet that has
        # been running never pays.
        load(base, max(2.0, args.nodes / 1500), 0)
        if other is not None:
            load(other_base, max(2.0, args.nodes / 1500), 0)
        print(
            f"loader={args.loader} nodes={args.nodes} concurrency={args.concurrency} "
            f"seconds={args.seconds} rounds={args.rounds} control-plane workers={args.workers} "
            f"baseline processes={args.bare_workers} durable database={args.durable}"
            + (f" compared with {args.compare}" if other is not None else "")
        )

        # Rounds alternate baseline and control plane, so a slow spell of the machine
        # (a shared VM's neighbours) lands on both rather than on one side of the ratio.
        def line(label: str, c: dict) -> str:
            return (
                f"{label}: {c['rate']:8.0f} hb/s   p50 {c['p50']:6.1f} ms  "
                f"p99 {c['p99']:6.1f} ms  server CPU {c['cpu_us']:5.0f} us/hb   "
                f"errors {c['errors']}  (PostgreSQL {c.get('db_cpu_us', 0):.0f} us/hb)"
            )

        def ours(seq_base: int, profiled: bool) -> dict:
            profiler = (
                py_spy(args.py_spy, cp_pid, args.seconds - 1, args.profile)
                if args.profile and profiled
                else None
            )
            got = measured([cp_pid], partial(load, base, args.seconds, seq_base), database_pid)
            if profiler is not None:
                profiler.wait()
            return got

        def theirs(seq_base: int) -> dict:
            run = partial(load, other_base, args.seconds, seq_base + 500_000)
            return measured([other_pid], run, database_pid)

        def rounds(first: int) -> list[float]:
            ratios, cpu_ratios, p99s = [], [], []
            against, cpu_against = [], []  # this checkout / the compared one
            for r in range(first, first + args.rounds):
                b = measured(bare_pids, partial(load, bare, args.seconds, 0))
                seq_base = (r + 1) * 1_000_000  # each round's seqs are new to the database

                # The two control planes take turns going first within a round.
                if other is not None and r % 2:
                    o, c = theirs(seq_base), ours(seq_base, r == first)
                else:
                    c = ours(seq_base, r == first)
                    o = theirs(seq_base) if other is not None else None
                print(
                    f"bare aiohttp JSON POST : {b['rate']:8.0f} req/s  p50 {b['p50']:6.1f} ms  "
                    f"p99 {b['p99']:6.1f} ms  server CPU {b['cpu_us']:5.0f} us/req  "
                    f"errors {b['errors']}"
                )
                print(line("control plane heartbeat", c))
                ratios.append(c["rate"] / b["rate"])
                cpu_ratios.append(b["cpu_us"] / c["cpu_us"])
                p99s.append(c["p99"])
                compared = ""
                if o is not None:
                    print(line("compared checkout      ", o))
                    against.append(c["rate"] / o["rate"])
                    cpu_against.append(c["cpu_us"] / o["cpu_us"])
                    compared = (
                        f"; against the compared checkout {against[-1]:.2f}x the rate, "
                        f"{cpu_against[-1]:.2f}x the CPU per heartbeat"
                    )
                print(
                    f"  round {r + 1}: ratio {ratios[-1]:.2f}, CPU per request "
                    f"{cpu_ratios[-1]:.2f}{compared}"
                )
            # Work per request is less disturbed by the rest of the machine than throughput.
            print(
                f"ratio control plane / bare: median {statistics.median(ratios):.2f} "
                f"(min {min(ratios):.2f}, max {max(ratios):.2f}); CPU per request, bare / "
                f"control plane: median {statistics.median(cpu_ratios):.2f}"
            )
            if against:
                print(
                    f"this checkout / compared: rate median {statistics.median(against):.2f}x "
                    f"(min {min(against):.2f}, max {max(against):.2f}), CPU per heartbeat "
                    f"median {statistics.median(cpu_against):.2f}x"
                )
            return [statistics.median(ratios), statistics.median(p99s)]

        empty = rounds(0)
        if args.history:
            print(asyncio.run(store_history(pg.url, nodes, args.history, not args.history_as_rows)))
            full = rounds(args.rounds)
            print(
                f"with the history: throughput ratio {full[0] / empty[0]:.2f}x of without, "
                f"p99 {full[1]:.1f} ms against {empty[1]:.1f} ms ({full[1] / empty[1]:.2f}x)"
            )
        print(asyncio.run(batching(base)))
        print(asyncio.run(table_writes(pg.url)))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=20)
        pg.stop()


if __name__ == "__main__":
    main()
