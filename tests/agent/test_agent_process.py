"""The real agent process: it serves its probes, spools while the control plane is away, and
exits 0 on SIGTERM without ever printing its tokens or its node secret."""

import json
import os
import signal
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.processes import free_port

REPO = Path(__file__).resolve().parents[2]
JOIN_TOKEN = "jt_process_test_join_token_123"
NODE_TOKEN = "nt_process_test_node_token_456"


def get(port: int, path: str) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return response.read().decode()
    except urllib.error.HTTPError as error:
        return error.read().decode()


def wait_for_spool(port: int, depth: int, deadline: float) -> dict:
    while True:
        try:
            body = json.loads(get(port, "/healthz"))
        except OSError:
            body = {}
        if body.get("spoolDepth", 0) >= depth or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def start_agent(tmp_path: Path, heartbeat_interval: float) -> tuple[subprocess.Popen, int]:
    """A node registered earlier, restarted while its control plane is unreachable."""
    server_url = f"http://127.0.0.1:{free_port()}"
    (tmp_path / "node.json").write_text(
        json.dumps(
            {
                "node_id": "node-1",
                "node_token": NODE_TOKEN,
                "node_name": "worker-7",
                "server_url": server_url,
                "heartbeat_interval": 10.0,
                "resource_interval": 60.0,
            }
        )
    )
    (tmp_path / "sequence").write_text("41\n")
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "MINISPOD_JOIN_TOKEN": JOIN_TOKEN,
        "MINISPOD_SERVER_URL": server_url,
        "MINISPOD_NODE_NAME": "worker-7",
        "MINISPOD_STATE_DIR": str(tmp_path),
        "MINISPOD_AGENT_HOST": "127.0.0.1",
        "MINISPOD_AGENT_PORT": str(port),
        "MINISPOD_HEARTBEAT_INTERVAL": str(heartbeat_interval),
        "MINISPOD_BACKOFF_MAX": "1",
    }
    agent = subprocess.Popen(
        [sys.executable, "-m", "agent"],
        env=env,
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )
    return agent, port


def test_agent_spools_while_the_control_plane_is_away_and_exits_0_on_sigterm(tmp_path):
    agent, port = start_agent(tmp_path, heartbeat_interval=0.2)
    try:
        health = wait_for_spool(port, 3, time.monotonic() + 15)
        metrics = get(port, "/metrics")
        agent.send_signal(signal.SIGTERM)
        _, stderr = agent.communicate(timeout=15)
    finally:
        agent.kill()

    assert health["status"] == "ok"
    assert health["nodeId"] == "node-1"
    assert health["spoolDepth"] >= 3
    assert "minispod_agent_heartbeats_failed_total" in metrics
    assert agent.returncode == 0
    assert "stop signal received" in stderr
    assert JOIN_TOKEN not in stderr
    assert NODE_TOKEN not in stderr
    # Made at the first start (this node.json is from before node secrets), private, unprinted.
    secret = (tmp_path / "node-secret").read_text().strip()
    assert len(secret) >= 32 and secret not in stderr
    assert stat.S_IMODE((tmp_path / "node-secret").stat().st_mode) == 0o600
    spooled = [
        json.loads(line)
        for segment in sorted((tmp_path / "spool").glob("*.jsonl"))
        for line in segment.read_text().splitlines()
    ]
    seqs = [s["seq"] for s in spooled]
    # numbering resumed above the old reservation; the goodbye sample was spooled too
    assert seqs == sorted(seqs)
    assert seqs[0] == 42
    assert len(seqs) >= 4


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_wakes_the_agent_from_its_wait_at_once(tmp_path, signum):
    # 30 s between heartbeats: an agent that slept its wait out would take that long to go.
    agent, port = start_agent(tmp_path, heartbeat_interval=30)
    try:
        health = wait_for_spool(port, 1, time.monotonic() + 15)
        asked = time.monotonic()
        agent.send_signal(signum)
        _, stderr = agent.communicate(timeout=15)
        took = time.monotonic() - asked
    finally:
        agent.kill()

    assert health["spoolDepth"] == 1
    assert agent.returncode == 0
    assert took < 3
    assert "stop signal received" in stderr
