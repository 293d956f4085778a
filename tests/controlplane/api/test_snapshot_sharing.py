"""Sharing snapshots: private by default (others get 404), PUBLIC for every signed-in user
to read, UNLISTED by a share link that works without an account until it is revoked."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from controlplane.db.models import Snapshot
from tests.controlplane.api.test_snapshots import accounts, snapshot_document, upload


async def make(client: TestClient, who: dict[str, str], cluster: str) -> str:
    status, body = await upload(client, who, json.dumps(snapshot_document(cluster)).encode())
    assert status == 201, body
    return str(body["data"]["id"])


async def test_a_public_snapshot_is_readable_by_others_but_only_its_owner_changes_it(
    client: TestClient,
) -> None:
    _, user, other = await accounts(client)
    sid = await make(client, user, "prod-eu")
    base = f"/api/v1/snapshots/{sid}"
    assert (await client.get(base, headers=other)).status == 404  # private by default
    made = await client.patch(base, json={"visibility": "PUBLIC"}, headers=user)
    assert made.status == 200 and (await made.json())["data"]["visibility"] == "PUBLIC"
    assert (await client.get(base, headers=other)).status == 200
    assert (await client.get(f"{base}/download", headers=other)).status == 200
    listed = await client.get("/api/v1/snapshots", params={"public": "true"}, headers=other)
    assert [s["id"] for s in (await listed.json())["data"]["snapshots"]] == [sid]
    own = await client.get("/api/v1/snapshots", headers=other)
    assert (await own.json())["data"]["snapshots"] == []  # public ones are not "mine"
    # Reading is all: others can neither change nor delete nor share it.
    assert (await client.patch(base, json={"pinned": True}, headers=other)).status == 404
    assert (await client.delete(base, headers=other)).status == 404
    assert (await client.post(f"{base}/share-link", headers=other)).status == 404
    assert (await client.get(base)).status == 401  # and it is not anonymous


async def test_a_share_link_opens_an_unlisted_snapshot_without_an_account_until_revoked(
    make_client: Any, store_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """With either blob store: the link's download streams from it like any other."""
    client = await make_client(**store_config)
    _, user, other = await accounts(client)
    sid = await make(client, user, "prod-us")
    made = await client.post(f"/api/v1/snapshots/{sid}/share-link", headers=user)
    assert made.status == 201, await made.text()
    link = (await made.json())["data"]
    token = link["token"]
    assert token.startswith("msh_") and link["snapshot"]["visibility"] == "UNLISTED"
    stored = await Snapshot.get(id=sid)
    assert stored.share_token_hash and token not in stored.share_token_hash
    assert (await client.get(f"/api/v1/snapshots/{sid}", headers=other)).status == 404
    listed = await client.get("/api/v1/snapshots", params={"public": "true"}, headers=other)
    assert (await listed.json())["data"]["snapshots"] == []  # unlisted

    with caplog.at_level(logging.INFO, logger="minispod.http"):
        meta = await client.get(link["path"])
        assert meta.status == 200 and (await meta.json())["data"]["id"] == sid
        doc = await client.get(f"{link['path']}/download")
        assert doc.status == 200
        assert json.loads(await doc.read())["metadata"]["clusterName"] == "prod-us"
    assert "/api/v1/shared/snapshots/{token}/download 200" in caplog.text  # logged...
    assert token not in caplog.text  # ...without the link's token

    # A new link replaces the old one; revoking ends the new one too.
    again = await client.post(f"/api/v1/snapshots/{sid}/share-link", headers=user)
    second = (await again.json())["data"]
    assert (await client.get(link["path"])).status == 404
    assert (await client.get(second["path"])).status == 200
    gone = await client.delete(f"/api/v1/snapshots/{sid}/share-link", headers=user)
    assert gone.status == 200
    assert (await client.get(second["path"])).status == 404
    assert (await client.get("/api/v1/shared/snapshots/msh_not-a-real-token")).status == 404


async def test_making_a_shared_snapshot_private_again_ends_its_link(client: TestClient) -> None:
    _, user, _ = await accounts(client)
    sid = await make(client, user, "staging")
    link = (await (await client.post(f"/api/v1/snapshots/{sid}/share-link", headers=user)).json())[
        "data"
    ]
    assert (await client.get(link["path"])).status == 200
    private = await client.patch(
        f"/api/v1/snapshots/{sid}", json={"visibility": "PRIVATE"}, headers=user
    )
    assert private.status == 200 and (await private.json())["data"]["sharedAt"] is None
    assert (await client.get(link["path"])).status == 404


async def test_the_whole_life_of_a_snapshot_on_either_database_and_blob_store(
    make_client: Any, store_config: dict[str, Any]
) -> None:
    """Upload, list, get, download (byte for byte), diff, search, share by link, revoke,
    delete: on SQLite and PostgreSQL (the test's dialects), with both blob stores."""
    client = await make_client(**store_config)
    _, user, _ = await accounts(client)
    monday = snapshot_document("life", pods=2)
    friday = snapshot_document("life", pods=3)
    friday["metadata"]["takenAt"] = "2026-12-05T08:00:00Z"
    friday["objects"]["pods"][0]["spec"]["containers"][0]["image"] = "nginx:1.29"
    sent = json.dumps(friday).encode()
    old = (await upload(client, user, json.dumps(monday).encode()))[1]["data"]["id"]
    status, body = await upload(client, user, sent)
    assert status == 201, body
    new = body["data"]["id"]

    listed = await (
        await client.get("/api/v1/snapshots", params={"cluster": "life"}, headers=user)
    ).json()
    assert [s["id"] for s in listed["data"]["snapshots"]] == [new, old]
    assert (await client.get(f"/api/v1/snapshots/{new}", headers=user)).status == 200
    got = await client.get(f"/api/v1/snapshots/{new}/download", headers=user)
    assert await got.read() == sent  # byte for byte
    diff = await (
        await client.get(f"/api/v1/snapshots/{new}/diff", params={"against": old}, headers=user)
    ).json()
    assert [o["name"] for o in diff["data"]["added"]] == ["web-2"]
    assert [o["name"] for o in diff["data"]["changed"]] == ["web-0"]
    found = await (
        await client.get("/api/v1/snapshots", params={"q": "nginx:1.29"}, headers=user)
    ).json()
    assert [s["id"] for s in found["data"]["snapshots"]] == [new]

    link = (await (await client.post(f"/api/v1/snapshots/{new}/share-link", headers=user)).json())[
        "data"
    ]
    assert await (await client.get(f"{link['path']}/download")).read() == sent
    assert (await client.delete(f"/api/v1/snapshots/{new}/share-link", headers=user)).status == 200
    assert (await client.get(link["path"])).status == 404
    assert (await client.delete(f"/api/v1/snapshots/{new}", headers=user)).status == 200
    assert (await client.get(f"/api/v1/snapshots/{new}", headers=user)).status == 404
    left = await (await client.get("/api/v1/snapshots", params={"q": "nginx"}, headers=user)).json()
    assert [s["id"] for s in left["data"]["snapshots"]] == [old]
