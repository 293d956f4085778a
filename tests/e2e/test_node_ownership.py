"""Node ownership with real agents against a real control plane: an agent keeps the node secret
it made at its first start, and a second agent with the same node name but another secret
cannot take the node over; it spools until an administrator releases the node, then claims it
and delivers every sample it spooled. An agent from before node secrets claims its node at its
first start after the upgrade."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import stat
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import AGENT_HEARTBEAT_INTERVAL, Agent, StartAgent
from tests.e2e.test_agent_against_control_plane import wait_for_status
from tests.processes import AdminApi, ControlPlane, wait_for

pytestmark = pytest.mark.slow


def secret_file(agent: Agent) -> Path:
    return agent.state_dir / "node-secret"


def test_the_node_secret_is_made_once_and_kept_across_restarts(
    admin: AdminApi, start_agent: StartAgent
) -> None:
    agent = start_agent()
    node_id = agent.wait_registered()
    made = secret_file(agent).read_bytes()
    mode = stat.S_IMODE(secret_file(agent).stat().st_mode)
    agent.signal(signal.SIGTERM)
    assert agent.wait(timeout=10) == 0

    # A restart resumes; a restart without its identity registers again, and only the same
    # secret gets the same node back.
    resumed = start_agent(agent.node_name)
    assert resumed.wait_registered() == node_id
    resumed.signal(signal.SIGTERM)
    assert resumed.wait(timeout=10) == 0
    (agent.state_dir / "node.json").unlink()
    registered_again = start_agent(agent.node_name)
    again_id = registered_again.wait_registered()

    assert mode == 0o600
    assert len(made.strip()) >= 32
    assert secret_file(registered_again).read_bytes() == made
    assert again_id == node_id
    wait_for_status(admin, node_id, "ACTIVE", timeout=5)
    assert made.strip().decode() not in registered_again.log()


@pytest.mark.parametrize("control_plane_database", ["postgres", "sqlite"], indirect=True)
def test_a_second_agent_with_the_same_name_is_refused_spools_and_claims_the_node_once_released(
    control_plane: ControlPlane, admin: AdminApi, start_agent: StartAgent, tmp_path: Path
) -> None:
    owner = start_agent()
    node_id = owner.wait_registered()
    wait_for_status(admin, node_id, "ACTIVE", timeout=5)
    # Same node name, its own state directory (so its own secret), a join token of its own.
    (tmp_path / "other").mkdir()
    intruder = Agent(control_plane.url, admin.join_token(), owner.node_name, tmp_path / "other")
    try:
        started = time.monotonic()
        intruder.spawn()
        refused = wait_for(
            lambda: (h := intruder.healthz()) and h["spoolDepth"] >= 5 and h,
            timeout=15,
            what="second agent refused and spooling",
        )
        seq_while_refused = admin.node(node_id)["lastSeq"]
        # A few more backed-off attempts (the backoff is capped at 1 s here).
        wait_for(
            lambda: (h := intruder.healthz()) and h["spoolDepth"] >= refused["spoolDepth"] + 10,
            timeout=15,
            what="second agent still spooling",
        )
        elapsed = time.monotonic() - started
        attempts = control_plane.log().count(f"refused to register node {owner.node_name} ")
        node = admin.node(node_id)
        errors = [line for line in intruder.log().splitlines() if " ERROR " in line]

        assert refused["registered"] is False and refused["nodeId"] is None
        assert "an administrator must release the node" in refused["lastError"]
        assert len(errors) == 1 and "an administrator must release the node" in errors[0]
        # Tried again and again, but backed off: at most once per heartbeat tick, no spinning.
        assert 3 <= attempts <= elapsed / AGENT_HEARTBEAT_INTERVAL + 3
        # The owner never noticed: same node, its heartbeats still stored, still ACTIVE.
        assert [n["id"] for n in admin.nodes_named(owner.node_name)] == [node_id]
        assert node["status"] == "ACTIVE" and node["lastSeq"] > seq_while_refused
        owner_health = owner.healthz()
        assert owner_health is not None and owner_health["lastError"] is None

        # The owner's node is reinstalled: its agent is gone, the new one is to take over.
        owner.signal(signal.SIGKILL)
        owner.wait(timeout=5)
        owners_last = admin.node(node_id)["lastSeq"]
        admin.data("POST", f"/workers/{node_id}/release")
        new_id = intruder.wait_registered(timeout=15)
        caught_up = wait_for(
            lambda: (h := intruder.healthz()) and h["spoolDepth"] == 0 and h,
            timeout=15,
            what="second agent's spool replayed",
        )
        seqs = wait_for(
            lambda: (s := admin.stored_seqs(new_id)) and max(s) >= caught_up["lastSeq"] and s,
            timeout=5,
            what="the spooled samples stored",
        )
    finally:
        intruder.kill()
        print(f"--- {intruder.log_path.name} ---\n{intruder.log()[-4000:]}")

    # The same node, with the owner's history; the newcomer numbered above all of it, so
    # not one of its spooled samples was taken for a replay of the owner's.
    assert new_id == node_id
    theirs = sorted(s for s in seqs if s > owners_last)
    assert theirs == list(range(theirs[0], max(seqs) + 1)), "a spooled sample was lost"
    assert len(theirs) >= refused["spoolDepth"] + 10
    assert len(seqs) == len(set(seqs))
    assert not any(secret_file(a).read_text().strip() in intruder.log() for a in (owner, intruder))
    assert secret_file(owner).read_bytes() != secret_file(intruder).read_bytes()
    assert os.path.exists(intruder.state_dir / "node.json")


@pytest.mark.parametrize("control_plane_database", ["sqlite"], indirect=True)
def test_an_agent_upgraded_to_node_secrets_claims_its_node_at_once(
    control_plane_database: str, admin: AdminApi, start_agent: StartAgent
) -> None:
    agent = start_agent()
    node_id = agent.wait_registered()
    agent.signal(signal.SIGTERM)
    assert agent.wait(timeout=10) == 0
    # The state on both sides as it is when an agent from before node secrets is upgraded:
    # no secret file, an identity without "claimed", a node row without a secret hash.
    secret_file(agent).unlink()
    identity = json.loads((agent.state_dir / "node.json").read_text())
    del identity["claimed"]
    (agent.state_dir / "node.json").write_text(json.dumps(identity))
    with sqlite3.connect(control_plane_database.removeprefix("sqlite://")) as db:
        db.execute("UPDATE worker_nodes SET node_secret_hash = NULL")

    upgraded = start_agent(agent.node_name)
    wait_for(
        lambda: json.loads((agent.state_dir / "node.json").read_text()).get("claimed"),
        timeout=10,
        what="the upgraded agent's claim",
    )
    with sqlite3.connect(control_plane_database.removeprefix("sqlite://")) as db:
        stored = db.execute("SELECT node_secret_hash FROM worker_nodes").fetchall()
    secret = secret_file(agent).read_text().strip()

    assert upgraded.wait_registered() == node_id
    assert stored == [(hashlib.sha256(secret.encode()).hexdigest(),)]
    wait_for_status(admin, node_id, "ACTIVE", timeout=5)
