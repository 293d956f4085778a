"""The real agent against the real control plane, as separate processes over loopback HTTP:
registration with the machine's own figures, liveness both ways, and telemetry that survives a
control-plane restart stored exactly once."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from typing import Any

import psutil
import pytest

from shared.units import bytes_to_mb
from tests.e2e.conftest import AGENT_HEARTBEAT_INTERVAL, GRACE_PERIOD, SWEEP_SLACK, StartAgent
from tests.processes import AdminApi, ControlPlane, wait_for

pytestmark = pytest.mark.slow


def wait_for_status(admin: AdminApi, node_id: str, status: str, timeout: float) -> dict[str, Any]:
    return wait_for(
        lambda: (node := admin.node(node_id))["status"] == status and node,
        timeout,
        f"node {node_id} {status}",
    )


def test_agent_registers_with_this_machines_figures_and_goes_active(
    admin: AdminApi, start_agent: StartAgent
) -> None:
    agent = start_agent()
    node_id = agent.wait_registered()

    node = wait_for_status(admin, node_id, "ACTIVE", timeout=5)

    assert admin.nodes_named(agent.node_name)[0]["id"] == node_id
    assert node["cpuCores"] == os.cpu_count()
    # Memory can be hot-plugged or ballooned in a VM; a few MB of drift is not a wrong figure.
    assert abs(node["totalMemory"] - bytes_to_mb(psutil.virtual_memory().total)) <= 4
    assert node["totalStorage"] == bytes_to_mb(psutil.disk_usage("/").total)
    assert node["hostname"] == socket.gethostname()
    assert node["cpuArchitecture"] == os.uname().machine
    assert node["kernelVersion"] == os.uname().release
    assert node["isReady"] is True
    assert node["lastHeartbeat"] is not None
    assert node["cpuPercent"] is not None and node["memoryUsed"] > 0
    journey = [(e["fromStatus"], e["toStatus"]) for e in admin.events(node_id)]
    assert journey[:2] == [(None, "PENDING"), ("PENDING", "ACTIVE")]


def test_agent_killed_with_sigkill_goes_inactive_within_the_grace_period(
    admin: AdminApi, start_agent: StartAgent
) -> None:
    agent = start_agent()
    node_id = agent.wait_registered()
    wait_for_status(admin, node_id, "ACTIVE", timeout=5)

    agent.signal(signal.SIGKILL)
    killed_at = time.monotonic()
    node = wait_for_status(admin, node_id, "INACTIVE", timeout=GRACE_PERIOD + SWEEP_SLACK)
    silent_for = time.monotonic() - killed_at

    # Not before the grace period either: its last heartbeat was at most one interval old.
    assert silent_for >= GRACE_PERIOD - 2 * AGENT_HEARTBEAT_INTERVAL
    assert node["isReady"] is False
    assert node["statusReason"].startswith("no heartbeat for")
    last = admin.events(node_id)[-1]
    assert (last["fromStatus"], last["toStatus"]) == ("ACTIVE", "INACTIVE")
    assert last["reason"] == node["statusReason"]


@pytest.mark.parametrize("control_plane_database", ["postgres", "sqlite"], indirect=True)
def test_samples_spooled_while_the_control_plane_is_down_are_stored_exactly_once(
    control_plane: ControlPlane, admin: AdminApi, start_agent: StartAgent
) -> None:
    agent = start_agent()
    node_id = agent.wait_registered()
    wait_for_status(admin, node_id, "ACTIVE", timeout=5)

    assert control_plane.stop() == 0
    # A couple of seconds of heartbeats with nowhere to go.
    spooled = wait_for(
        lambda: (h := agent.healthz()) and h["spoolDepth"] >= 8 and h["spoolDepth"],
        timeout=10,
        what="agent spooling while the control plane is down",
    )
    control_plane.start()

    caught_up = wait_for(
        lambda: (h := agent.healthz()) and h["spoolDepth"] == 0 and h["lastError"] is None and h,
        timeout=15,
        what="agent spool replayed",
    )
    latest = caught_up["lastSeq"]
    seqs = wait_for(
        lambda: (s := admin.stored_seqs(node_id)) and max(s) >= latest and s,
        timeout=5,
        what=f"samples up to seq {latest} stored",
    )

    assert sorted(seqs) == list(range(min(seqs), max(seqs) + 1)), "a seq missing or twice"
    assert len(seqs) >= spooled
    assert admin.node(node_id)["lastSeq"] >= latest


def test_a_spool_replayed_twice_after_a_crash_is_not_stored_twice(
    control_plane: ControlPlane, admin: AdminApi, start_agent: StartAgent
) -> None:
    agent = start_agent()
    node_id = agent.wait_registered()
    wait_for_status(admin, node_id, "ACTIVE", timeout=5)
    assert control_plane.stop() == 0
    wait_for(
        lambda: (h := agent.healthz()) and h["spoolDepth"] >= 5,
        timeout=10,
        what="agent spooling while the control plane is down",
    )
    agent.signal(signal.SIGKILL)
    agent.wait(timeout=5)
    # The spool as it is on disk when an agent dies after the control plane stored its samples
    # but before it could cross them off: the next run sends them all again.
    snapshot = {p.name: p.read_bytes() for p in agent.spool_dir.glob("*.jsonl")}
    spooled = [json.loads(line)["seq"] for data in snapshot.values() for line in data.splitlines()]
    control_plane.start()
    agent = start_agent(agent.node_name)
    wait_for(lambda: (h := agent.healthz()) and h["spoolDepth"] == 0, 15, "first replay done")

    agent.signal(signal.SIGKILL)
    agent.wait(timeout=5)
    for name, data in snapshot.items():
        (agent.spool_dir / name).write_bytes(data)
    agent = start_agent(agent.node_name)
    wait_for(lambda: (h := agent.healthz()) and h["spoolDepth"] == 0, 15, "second replay done")

    assert agent.counter("minispod_agent_samples_replayed") >= len(spooled)
    seqs = admin.stored_seqs(node_id)
    assert len(seqs) == len(set(seqs)), "a replayed sample was stored twice"
    assert set(spooled) <= set(seqs)


def test_sigterm_ends_the_agent_cleanly_and_the_node_shows_it_shutting_down(
    admin: AdminApi, start_agent: StartAgent
) -> None:
    agent = start_agent()
    node_id = agent.wait_registered()
    wait_for_status(admin, node_id, "ACTIVE", timeout=5)

    agent.signal(signal.SIGTERM)

    assert agent.wait(timeout=10) == 0
    # The last heartbeat is acknowledged only once stored, so this holds at once: no polling.
    node = admin.node(node_id)
    assert node["status"] == "INACTIVE"
    assert node["statusReason"] == "agent is shutting down"
    assert node["isReady"] is False
    last = admin.events(node_id)[-1]
    assert (last["fromStatus"], last["toStatus"], last["reason"]) == (
        "ACTIVE",
        "INACTIVE",
        "agent is shutting down",
    )


def test_agent_registers_again_by_itself_when_the_control_plane_forgets_its_node(
    admin: AdminApi, start_agent: StartAgent
) -> None:
    agent = start_agent()
    old_id = agent.wait_registered()
    wait_for_status(admin, old_id, "ACTIVE", timeout=5)

    admin.data("DELETE", f"/workers/{old_id}")

    node = wait_for(
        lambda: next(
            (n for n in admin.nodes_named(agent.node_name) if n["status"] == "ACTIVE"), None
        ),
        timeout=10,
        what=f"node {agent.node_name} back and ACTIVE",
    )
    assert node["id"] != old_id
    assert admin.call("GET", f"/workers/{old_id}")[0] == 404
    health = wait_for(
        lambda: (h := agent.healthz()) and h["nodeId"] == node["id"] and h,
        timeout=5,
        what="agent reporting its new node id",
    )
    assert health["registered"] is True
    assert agent.running
