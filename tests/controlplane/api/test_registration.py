"""Agent registration and node ownership: a node name belongs to the agent whose node secret
first registered it; a join token alone cannot take a registered node over."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from controlplane.db.models import WorkerNode
from tests.conftest import bearer
from tests.controlplane.api.test_workers import FACTS, beat, get_node, join_token

OWNER = "owner-secret-" + "o" * 30
INTRUDER = "intruder-secret-" + "i" * 30


async def post_register(client: TestClient, token: str, secret: str, **facts: Any) -> Any:
    return await client.post(
        "/api/v1/agent/register",
        json={**FACTS, **facts, "nodeSecret": secret},
        headers=bearer(token),
    )


async def registered(client: TestClient, token: str, secret: str, **facts: Any) -> dict:
    resp = await post_register(client, token, secret, **facts)
    body = await resp.json()
    assert resp.status == 200, body
    return dict(body["data"])


async def join_uses(client: TestClient, admin: dict[str, str]) -> list[int]:
    listing = await (await client.get("/api/v1/workers/join-tokens", headers=admin)).json()
    return sorted(t["uses"] for t in listing["data"]["joinTokens"])


async def test_the_same_secret_gets_the_same_node_and_a_new_token(client, admin_headers):
    token = await join_token(client, admin_headers)
    first = await registered(client, token, OWNER)
    assert (await beat(client, first, 1)).status == 200

    again = await registered(client, token, OWNER, cpuCores=16)

    assert again["nodeId"] == first["nodeId"] and again["lastSeq"] == 1
    assert again["nodeToken"] != first["nodeToken"]
    assert (await beat(client, first, 2)).status == 401
    assert (await beat(client, again, 2)).status == 200
    assert (await get_node(client, admin_headers, first["nodeId"]))["cpuCores"] == 16
    assert await join_uses(client, admin_headers) == [1]


async def test_another_secret_is_refused_and_changes_nothing(client, admin_headers, caplog):
    owners = await join_token(client, admin_headers)
    owner = await registered(client, owners, OWNER)
    before = await get_node(client, admin_headers, owner["nodeId"])
    # Any join token will do for the intruder: even one of its own, with uses to spare.
    intruders = await join_token(client, admin_headers, maxUses=1)

    with caplog.at_level(logging.WARNING, logger="minispod.registration"):
        resp = await post_register(client, intruders, INTRUDER, cpuCores=64, hostname="evil")
    body = await resp.json()

    assert resp.status == 409 and body["code"] == "CONFLICT"
    assert body["message"] == (
        "Node name 'worker-01' is already registered to another agent; an administrator "
        "must release the node (or delete it) before it can be registered again"
    )
    assert (await beat(client, owner, 1)).status == 200, "the owner's token was revoked"
    after = await get_node(client, admin_headers, owner["nodeId"])
    assert (after["cpuCores"], after["hostname"]) == (before["cpuCores"], before["hostname"])
    assert await join_uses(client, admin_headers) == [0, 1]
    assert "worker-01" in caplog.text and INTRUDER not in caplog.text


async def test_a_node_without_an_owner_is_claimed_by_the_first_secret(client, admin_headers):
    token = await join_token(client, admin_headers)
    legacy = await registered(client, token, OWNER)
    # As a row registered before node secrets looks after the migration.
    await WorkerNode.filter(id=legacy["nodeId"]).update(node_secret_hash=None)

    claimed = await registered(client, token, "upgraded-agent-secret-" + "u" * 20)
    refused = await post_register(client, token, INTRUDER)
    original = await post_register(client, token, OWNER)

    assert claimed["nodeId"] == legacy["nodeId"]
    assert (refused.status, original.status) == (409, 409)
    assert (await beat(client, claimed, 1)).status == 200


async def test_a_node_created_by_an_administrator_is_claimed_by_its_first_agent(
    client, admin_headers
):
    facts = {k: v for k, v in FACTS.items() if k != "nodeSecret"}
    resp = await client.post("/api/v1/workers", json=facts, headers=admin_headers)
    assert resp.status == 201, await resp.text()
    token = await join_token(client, admin_headers)

    agent = await registered(client, token, OWNER)
    refused = await post_register(client, token, INTRUDER)

    assert agent["nodeId"] == (await resp.json())["data"]["id"]
    assert refused.status == 409


# The seed README's POST /workers example, as an administrator sends it before any agent runs.
SEED_WORKER = {
    "name": "worker-node-01",
    "hostname": "worker01.cluster.local",
    "ipAddress": "192.168.1.100",
    "cpuCores": 8,
    "cpuArchitecture": "x86_64",
    "totalMemory": 32768,
    "totalStorage": 500000,
    "architecture": "amd64",
    "operatingSystem": "Ubuntu 22.04 LTS",
    "maxPods": 110,
    "labels": {"node-type": "worker", "zone": "us-west-1a"},
    "taints": [],
    "kubeletVersion": "v1.28.0",
    "containerRuntime": "containerd://1.7.0",
    "kernelVersion": "5.15.0-78-generic",
    "osImage": "Ubuntu 22.04.3 LTS",
}


async def test_an_agent_claiming_an_administrators_node_keeps_its_labels_and_brings_its_hardware(
    client, admin_headers
):
    resp = await client.post("/api/v1/workers", json=SEED_WORKER, headers=admin_headers)
    assert resp.status == 201, await resp.text()
    made = (await resp.json())["data"]
    token = await join_token(client, admin_headers)
    hostname_label = {"kubernetes.io/hostname": "worker-node-01"}

    # An agent without Kubernetes credentials: its hardware, no kubelet facts.
    agent = await registered(
        client,
        token,
        OWNER,
        name="worker-node-01",
        cpuCores=16,
        totalMemory=65536,
        hostname="worker-node-01",
        labels={**hostname_label, "zone": "us-west-1b"},
        kubeletVersion=None,
        containerRuntime=None,
    )
    assert agent["nodeId"] == made["id"]
    node = await get_node(client, admin_headers, made["id"])
    # Kubernetes' value wins on a key both set: pods' nodeSelector is matched against it.
    assert node["labels"] == {"node-type": "worker", "zone": "us-west-1b", **hostname_label}
    assert (node["cpuCores"], node["totalMemory"], node["hostname"]) == (
        16,
        65536,
        "worker-node-01",
    )
    # What the agent could not tell is kept from the administrator.
    assert (node["kubeletVersion"], node["containerRuntime"]) == ("v1.28.0", "containerd://1.7.0")
    assert (await beat(client, agent, 1)).status == 200
    assert (await get_node(client, admin_headers, made["id"]))["status"] == "ACTIVE"

    # Later labels of the administrator's survive the agent's restarts too, and a label
    # gone from Kubernetes goes from the node.
    resp = await client.put(
        f"/api/v1/workers/{made['id']}",
        json={"labels": {**node["labels"], "disk": "nvme"}},
        headers=admin_headers,
    )
    assert resp.status == 200, await resp.text()
    await registered(client, token, OWNER, name="worker-node-01", labels=hostname_label)
    node = await get_node(client, admin_headers, made["id"])
    assert node["labels"] == {"node-type": "worker", "disk": "nvme", **hostname_label}


async def test_deleting_the_node_frees_its_name_for_a_new_secret(client, admin_headers):
    token = await join_token(client, admin_headers)
    old = await registered(client, token, OWNER)
    assert (await post_register(client, token, INTRUDER)).status == 409

    deleted = await client.delete(f"/api/v1/workers/{old['nodeId']}", headers=admin_headers)
    new = await registered(client, token, INTRUDER)

    assert deleted.status == 200
    assert new["nodeId"] != old["nodeId"] and new["lastSeq"] == 0
    assert (await beat(client, new, 1)).status == 200
    assert (await post_register(client, token, OWNER)).status == 409


async def test_two_agents_racing_for_a_new_name_end_with_exactly_one_owner(client, admin_headers):
    token = await join_token(client, admin_headers)
    for round_ in range(4):
        name = f"contested-{round_}"
        secrets = [f"racer-{n}-secret-" + str(n) * 30 for n in range(2)]

        responses = await asyncio.gather(
            *(post_register(client, token, secret, name=name) for secret in secrets)
        )

        statuses = sorted(r.status for r in responses)
        assert statuses == [200, 409], [await r.text() for r in responses]
        winner = next(i for i, r in enumerate(responses) if r.status == 200)
        node = dict((await responses[winner].json())["data"])
        assert (await beat(client, node, 1)).status == 200
        assert (await registered(client, token, secrets[winner], name=name))["nodeId"] == (
            node["nodeId"]
        )
        assert (await post_register(client, token, secrets[1 - winner], name=name)).status == 409
    # One use per name: the loser's insert was rolled back with its spent use.
    assert await join_uses(client, admin_headers) == [4]


async def text_of(resp: ClientResponse) -> str:
    return json.dumps(await resp.json())


async def test_the_secret_never_appears_in_a_response(client, admin_headers):
    token = await join_token(client, admin_headers)
    node = await registered(client, token, OWNER)
    responses = [
        await post_register(client, token, OWNER),
        await post_register(client, token, INTRUDER),
        await post_register(client, token, INTRUDER + "\n", cpuCores=0),
        await client.get(f"/api/v1/workers/{node['nodeId']}", headers=admin_headers),
        await client.get("/api/v1/workers", headers=admin_headers),
        await client.get("/api/v1/workers?search=worker", headers=admin_headers),
        await client.get("/api/v1/workers/online", headers=admin_headers),
        await client.get("/api/v1/workers/offline", headers=admin_headers),
    ]

    assert [r.status for r in responses] == [200, 409, 400, 200, 200, 200, 200, 200]
    for resp in responses:
        text = await text_of(resp)
        assert OWNER not in text and INTRUDER not in text
        assert "nodeSecret" not in text or resp.status == 400
    stored = await WorkerNode.get(id=node["nodeId"])
    assert stored.node_secret_hash is not None and OWNER not in stored.node_secret_hash


@pytest.mark.parametrize(
    ("secret", "problem"),
    [(None, "Field required"), ("s" * 31, "at least 32"), ("s" * 257, "at most 256")],
)
async def test_a_registration_without_a_proper_secret_is_invalid(
    client, admin_headers, secret, problem
):
    token = await join_token(client, admin_headers)
    body = {k: v for k, v in FACTS.items() if k != "nodeSecret"}
    if secret is not None:
        body["nodeSecret"] = secret

    resp = await client.post("/api/v1/agent/register", json=body, headers=bearer(token))
    answer = await resp.json()

    assert resp.status == 400 and answer["code"] == "VALIDATION_ERROR"
    assert [e["field"] for e in answer["errors"]] == ["nodeSecret"]
    assert problem in answer["errors"][0]["message"]
    assert secret is None or secret not in json.dumps(answer)
    assert await join_uses(client, admin_headers) == [0]


async def test_the_openapi_document_marks_the_secret_write_only(client):
    spec = await (await client.get("/api/v1/openapi.json")).json()
    schemas = spec["components"]["schemas"]

    secret = schemas["NodeRegistration"]["properties"]["nodeSecret"]

    assert secret["writeOnly"] is True and secret["minLength"] == 32
    assert "nodeSecret" in schemas["NodeRegistration"]["required"]
    assert "nodeSecret" not in json.dumps(schemas.get("WorkerOut", {}))


async def test_a_released_node_is_claimed_by_the_next_secret_and_keeps_its_history(
    client, admin_headers, caplog
):
    token = await join_token(client, admin_headers)
    old = await registered(client, token, OWNER)
    assert (await beat(client, old, 7)).status == 200
    # The node is reinstalled: its agent comes back with a secret of its own.
    assert (await post_register(client, token, INTRUDER)).status == 409

    with caplog.at_level(logging.INFO, logger="minispod.workers"):
        resp = await client.post(f"/api/v1/workers/{old['nodeId']}/release", headers=admin_headers)
    assert resp.status == 200, await resp.text()
    assert "nodeSecret" not in await resp.text()
    assert (await beat(client, old, 8)).status == 401, "the old agent's token still works"
    assert "worker-01 released by administrator" in caplog.text

    new = await registered(client, token, "reinstalled-agent-secret-" + "r" * 20)
    assert new["nodeId"] == old["nodeId"] and new["lastSeq"] == 7
    assert (await beat(client, new, 8)).status == 200
    assert (await post_register(client, token, OWNER)).status == 409, "released only once"
    assert (await get_node(client, admin_headers, old["nodeId"]))["status"] == "ACTIVE"


async def test_only_an_administrator_releases_a_node(client, admin_headers, user_headers):
    token = await join_token(client, admin_headers)
    node = await registered(client, token, OWNER)
    refused = await client.post(f"/api/v1/workers/{node['nodeId']}/release", headers=user_headers)
    anonymous = await client.post(f"/api/v1/workers/{node['nodeId']}/release")
    missing = await client.post(
        "/api/v1/workers/00000000-0000-0000-0000-000000000000/release", headers=admin_headers
    )
    assert (refused.status, anonymous.status, missing.status) == (403, 401, 404)
    assert (await post_register(client, token, INTRUDER)).status == 409, "still owned"


async def test_concurrent_registrations_never_spend_more_uses_than_a_join_token_has(
    client, admin_headers
):
    token = await join_token(client, admin_headers, maxUses=3)

    responses = await asyncio.gather(
        *(
            post_register(client, token, f"agent-{i}-secret-" + "s" * 30, name=f"node-{i}")
            for i in range(10)
        )
    )

    assert sorted(r.status for r in responses) == [200] * 3 + [401] * 7
    assert await join_uses(client, admin_headers) == [3]
    listing = await (await client.get("/api/v1/workers", headers=admin_headers)).json()
    assert listing["data"]["pagination"]["total"] == 3, "a refused registration left a node"
