"""Footprint of the real agent process: peak RSS and average CPU over a run.

    python bench/agent_footprint.py [--server-url URL] [--duration 120] [--interval 10]

By default the control plane is unreachable (a closed local port) and the agent starts as a
node that registered earlier, so it runs its steady path: sample, fail to deliver, spool.
Against a real control plane pass --server-url and --join-token. Start-up (imports, first
collection) is reported apart from the steady state, which is what the target is about
(peak RSS <= 40 MiB, average CPU <= 0.5 % of one core).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.processes import free_port  # noqa: E402

MIB = 1024 * 1024


def healthz(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            return json.load(r)
    except urllib.error.HTTPError as error:
        return json.load(error)
    except OSError:
        return None


def seed_identity(state_dir: Path, server_url: str, node_name: str, interval: float) -> None:
    """Make the agent resume as a registered node: its steady path, not the register loop."""
    identity = {
        "node_id": "bench-node",
        "node_token": "bench-node-token-not-valid",
        "node_name": node_name,
        "server_url": server_url.rstrip("/"),
        "heartbeat_interval": interval,
        "resource_interval": 60.0,
    }
    (state_dir / "node.json").write_text(json.dumps(identity))
    (state_dir / "sequence").write_text("0\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", default=f"http://127.0.0.1:{free_port()}")
    parser.add_argument("--join-token", default="bench-join-token-0123456789")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds")
    parser.add_argument("--interval", type=float, default=10.0, help="heartbeat seconds")
    parser.add_argument("--fresh", action="store_true", help="start unregistered")
    args = parser.parse_args()

    node_name = "bench-node"
    with tempfile.TemporaryDirectory(prefix="minispod-agent-bench-") as tmp:
        state_dir = Path(tmp)
        if not args.fresh:
            seed_identity(state_dir, args.server_url, node_name, args.interval)
        port = free_port()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "MINISPOD_SERVER_URL": args.server_url,
            "MINISPOD_JOIN_TOKEN": args.join_token,
            "MINISPOD_NODE_NAME": node_name,
            "MINISPOD_STATE_DIR": str(state_dir),
            "MINISPOD_AGENT_HOST": "127.0.0.1",
            "MINISPOD_AGENT_PORT": str(port),
            "MINISPOD_HEARTBEAT_INTERVAL": str(args.interval),
            "MINISPOD_LOG_LEVEL": "WARNING",
        }
        started = time.monotonic()
        agent = subprocess.Popen(
            [sys.executable, "-m", "agent"],
            env=env,
            cwd=REPO,
            stderr=subprocess.DEVNULL,
        )
        process = psutil.Process(agent.pid)
        peak_rss = 0
        ready_at = ready_cpu = None
        status = None
        try:
            while time.monotonic() - started < args.duration:
                peak_rss = max(peak_rss, process.memory_info().rss)
                if ready_at is None and healthz(port) is not None:
                    ready_at = time.monotonic()
                    times = process.cpu_times()
                    ready_cpu = times.user + times.system
                time.sleep(0.5)
            peak_rss = max(peak_rss, process.memory_info().rss)
            end_at = time.monotonic()
            times = process.cpu_times()
            end_cpu = times.user + times.system
            status = healthz(port)
        finally:
            agent.send_signal(signal.SIGTERM)
            try:
                code = agent.wait(timeout=15)
            except subprocess.TimeoutExpired:
                agent.kill()
                code = agent.wait()

    if ready_at is None or ready_cpu is None:
        print("the agent never served /healthz", file=sys.stderr)
        return 1
    steady = end_at - ready_at
    print(f"server:            {args.server_url} (interval {args.interval:g}s)")
    print(f"duration:          {end_at - started:.1f}s (start-up {ready_at - started:.2f}s)")
    print(f"peak RSS:          {peak_rss / MIB:.1f} MiB")
    print(f"start-up CPU:      {ready_cpu:.2f}s")
    print(f"avg CPU (steady):  {100 * (end_cpu - ready_cpu) / steady:.3f} % of one core")
    print(f"avg CPU (overall): {100 * end_cpu / (end_at - started):.3f} % of one core")
    if status:
        print(f"spool depth:       {status.get('spoolDepth')}")
    print(f"exit code:         {code}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
