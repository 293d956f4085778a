"""The control plane's own trouble never makes a live node look dead, nor loses a sample.

Real processes: a control plane, agents with the production backoff (60 s cap), and a
PostgreSQL of this module's own (durable, as production runs it), which the tests stop and
start. Each scenario is a fault longer than the grace period, after which every node must
still be ACTIVE with no INACTIVE event, and every sample numbered must be stored once.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import run_cli
from tests.e2e.conftest import CONTROL_PLANE_HEARTBEAT_INTERVAL, GRACE_PERIOD, Agent, StartAgent
from tests.pgserver import PostgresServer
from tests.processes import AdminApi, ControlPlane, create_admin, request_json, wait_for

pytestmark = pytest.mark.slow

FLEET = 3
# Longer than the grace period by enough that a node judged on it would be INACTIVE twice over,
# and long enough for an agent's backoff to grow far past its heartbeat interval.
OUTAGE = 3 * GRACE_PERIOD
# A stall longer than the agents' request timeout (10 s): no heartbeat still waits in the
# control plane's sockets when it wakes, as in a real freeze of more than a few seconds.
STALL = 11.0
# The production backoff cap: what made agents come back too late before.
PRODUCTION_BACKOFF = {"MINISPOD_BACKOFF_MAX": "60"}


@pytest.fixture(scope="module")
def outage_postgres() -> Iterator[tuple[PostgresServer, str]]:
    """A durable PostgreSQL this module may stop, with a migrated template holding the admin."""
    server = PostgresServer(durable=True).start()
    try:
        server.psql("CREATE DATABASE faults_template")
        url = server.url_for("faults_template")
        migrated = run_cli("migrate", database_url=url)
        assert migrated.returncode == 0, migrated.stderr
        create_admin(url)
        yield server, "faults_template"
    finally:
        server.stop()


@pytest.fixture
def control_plane_database(outage_postgres: tuple[PostgresServer, str]) -> str:
    server, template = outage_postgres
    name = f"faults_{uuid.uuid4().hex[:8]}"
    server.psql(f"CREATE DATABASE {name} TEMPLATE {template}")
    return server.url_for(name)


def live_fleet(
    start_agent: StartAgent, admin: AdminApi, **settings: str
) -> tuple[list[Agent], list[str]]:
    agents = [start_agent(**PRODUCTION_BACKOFF, **settings) for _ in range(FLEET)]
    node_ids = [agent.wait_registered() for agent in agents]
    for node_id in node_ids:
        wait_for(lambda n=node_id: admin.node(n)["status"] == "ACTIVE", 10, f"{node_id} ACTIVE")
    return agents, node_ids


def assert_nobody_was_declared_dead(admin: AdminApi, node_ids: list[str]) -> None:
    """After the fault: two more grace periods of a healthy fleet, then the record."""
    time.sleep(2 * GRACE_PERIOD)
    for node_id in node_ids:
        node = admin.node(node_id)
        journey = [(e["fromStatus"], e["toStatus"]) for e in admin.events(node_id)]
        assert node["status"] == "ACTIVE", (node_id, journey)
        assert ("ACTIVE", "INACTIVE") not in journey, (node_id, journey)


def heard_again(admin: AdminApi, node_ids: list[str], since: dict[str, int]) -> None:
    for node_id in node_ids:
        wait_for(
            lambda n=node_id: admin.node(n)["lastSeq"] > since[n],
            3 * GRACE_PERIOD,
            f"a new heartbeat from {node_id}",
        )


def test_a_database_outage_marks_no_live_node_inactive(
    outage_postgres: tuple[PostgresServer, str],
    control_plane: ControlPlane,
    admin: AdminApi,
    start_agent: StartAgent,
) -> None:
    server, _ = outage_postgres
    agents, node_ids = live_fleet(start_agent, admin)
    before = {n: admin.node(n)["lastSeq"] for n in node_ids}

    server.pause()
    try:
        # The agents are told 503 (their heartbeats cannot be stored) the whole time.
        wait_for(
            lambda: all(a.counter("minispod_agent_heartbeats_failed") >= 3 for a in agents),
            OUTAGE,
            "every agent refused a few times",
        )
        time.sleep(OUTAGE)
    finally:
        server.resume()

    heard_again(admin, node_ids, before)
    assert_nobody_was_declared_dead(admin, node_ids)


def test_a_control_plane_killed_and_restarted_marks_no_live_node_inactive(
    control_plane: ControlPlane, admin: AdminApi, start_agent: StartAgent
) -> None:
    agents, node_ids = live_fleet(start_agent, admin)
    before = {n: admin.node(n)["lastSeq"] for n in node_ids}

    control_plane.kill()  # kill -9: connections refused until it is back
    time.sleep(OUTAGE)
    control_plane.start()

    heard_again(admin, node_ids, before)
    assert_nobody_was_declared_dead(admin, node_ids)
    assert all(a.counter("minispod_agent_heartbeats_failed") >= 3 for a in agents)


def test_a_stalled_control_plane_flaps_no_node(
    control_plane: ControlPlane, admin: AdminApi, start_agent: StartAgent
) -> None:
    # Beating at the control plane's own interval, as agents do in production: when it
    # wakes, the next heartbeats are up to an interval away, and the sweep comes first.
    _, node_ids = live_fleet(
        start_agent, admin, MINISPOD_HEARTBEAT_INTERVAL=str(CONTROL_PLANE_HEARTBEAT_INTERVAL)
    )
    before = {n: admin.node(n)["lastSeq"] for n in node_ids}

    control_plane.signal(signal.SIGSTOP)  # heartbeats queue up in its sockets meanwhile
    time.sleep(STALL)
    control_plane.signal(signal.SIGCONT)

    heard_again(admin, node_ids, before)
    assert_nobody_was_declared_dead(admin, node_ids)


def test_a_heartbeat_in_flight_when_the_agent_is_killed_is_stored_after_all(
    control_plane: ControlPlane, admin: AdminApi, start_agent: StartAgent
) -> None:
    agent = start_agent()
    node_id = agent.wait_registered()
    wait_for(lambda: admin.node(node_id)["status"] == "ACTIVE", 10, "node ACTIVE")

    # A stopped control plane accepts the connection and never answers: the agent's
    # next heartbeat hangs in flight (its timeout is 10 s).
    control_plane.signal(signal.SIGSTOP)
    time.sleep(1.0)
    in_flight = agent.spool_dir / "in-flight.json"
    assert in_flight.read_bytes().strip(), "a heartbeat is on its way, written ahead"
    taken = agent.healthz()
    assert taken is not None and taken["lastSeq"] is not None
    agent.kill()  # kill -9 with the request in flight
    control_plane.kill()  # and the request dies unanswered with it
    control_plane.start()

    restarted = start_agent(agent.node_name)
    restarted.wait_registered()
    wait_for(
        lambda: (h := restarted.healthz()) and h["spoolDepth"] == 0 and h["lastSeq"] > 0,
        15,
        "spool replayed",
    )
    seqs = wait_for(
        lambda: (s := admin.stored_seqs(node_id)) and max(s) > taken["lastSeq"] and s,
        10,
        "samples after the kill stored",
    )
    assert taken["lastSeq"] in seqs, "the sample in flight at the kill was lost"
    assert len(seqs) == len(set(seqs)), "a sample stored twice"
    # Every sample numbered up to the kill is stored. (After a kill -9 the counter resumes
    # past the numbers it had reserved, so later seqs may skip: none of those was taken.)
    before_kill = sorted(s for s in seqs if s <= taken["lastSeq"])
    assert before_kill == list(range(min(seqs), taken["lastSeq"] + 1))


def test_the_fault_scenarios_run_on_a_durable_database(
    outage_postgres: tuple[PostgresServer, str], control_plane: ControlPlane
) -> None:
    """What the scenarios above promise needs fsync and synchronous commits: check it."""
    status, body = request_json("GET", control_plane.url + "/ready")
    assert status == 200 and body["data"]["durable"] is True, body
