"""Cluster snapshots over HTTP: upload (raw, gzip, zstd), list, get, download (ETag, Range,
zstd), delete with ownership, taken of our own cluster, and bodies that are not snapshots.

Everything runs on SQLite and PostgreSQL; the round trips run with both blob stores (a
directory, and S3 on moto's standalone server as a real process)."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import zstandard
from aiohttp.test_utils import TestClient

from controlplane.app import create_app
from controlplane.appkeys import SNAPSHOTS
from controlplane.blobs.store import BlobStore
from controlplane.cluster.memory import InMemoryCluster
from controlplane.cluster.spec import TenantSpec
from controlplane.db.models import Snapshot
from controlplane.services.catalog.templates import WORDPRESS
from controlplane.services.snapshots.storage import blob_key
from tests.conftest import (
    ADMIN_PASSWORD,
    USER_PASSWORD,
    FakeClock,
    bearer,
    create_account,
    sign_in,
)

Client = Callable[..., Awaitable[TestClient]]


def snapshot_document(cluster: str = "prod-eu", pods: int = 3) -> dict[str, Any]:
    return {
        "metadata": {
            "clusterName": cluster,
            "takenAt": "2026-12-01T08:00:00Z",
            "kubernetesVersion": "v1.30.6+k3s1",
        },
        "objects": {
            "nodes": [{"metadata": {"name": "worker-1", "labels": {"zone": "a"}}, "status": {}}],
            "pods": [
                {
                    "metadata": {"name": f"web-{i}", "namespace": "shop"},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
                }
                for i in range(pods)
            ],
        },
        "secrets": [{"namespace": "shop", "name": "db-credentials"}],
    }


def unzstd(data: bytes) -> bytes:
    # Streamed frames carry no content size, so the one-shot decompress() refuses them.
    return zstandard.ZstdDecompressor().decompressobj().decompress(data)


def encoded(doc: Any) -> bytes:
    return json.dumps(doc, indent=1).encode()


async def accounts(client: TestClient) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Headers of an administrator and of two customers."""
    await create_account(client, "admin@paas.com", ADMIN_PASSWORD, "ADMINISTRATOR")
    await create_account(client, "user@paas.com", USER_PASSWORD)
    await create_account(client, "other@paas.com", USER_PASSWORD)
    return (
        bearer((await sign_in(client, "admin@paas.com", ADMIN_PASSWORD))["accessToken"]),
        bearer((await sign_in(client, "user@paas.com", USER_PASSWORD))["accessToken"]),
        bearer((await sign_in(client, "other@paas.com", USER_PASSWORD))["accessToken"]),
    )


async def upload(
    client: TestClient, headers: dict[str, str], body: bytes, encoding: str | None = None
) -> Any:
    sent = {**headers, "Content-Type": "application/json"}
    if encoding:
        sent["Content-Encoding"] = encoding
    resp = await client.post("/api/v1/snapshots", data=body, headers=sent)
    return resp.status, await resp.json()


def store_of(client: TestClient) -> BlobStore:
    return client.app[SNAPSHOTS].store


async def keys_in(client: TestClient) -> list[str]:
    store = store_of(client)
    return sorted(b.key for b in await store.list("blobs/") + await store.list("staging/"))


async def test_upload_list_get_download_and_delete_round_trip(
    make_client: Client, store_config: dict[str, Any], clock: FakeClock
) -> None:
    client = await make_client(**store_config)
    _, user, _ = await accounts(client)
    body = encoded(snapshot_document())
    sha = hashlib.sha256(body).hexdigest()

    status, created = await upload(client, user, body)
    assert status == 201, created
    snap = created["data"]
    assert snap["clusterName"] == "prod-eu"
    assert snap["objectCounts"] == {"nodes": 1, "pods": 3}
    assert snap["secretCount"] == 1
    assert (snap["size"], snap["sha256"], snap["source"]) == (len(body), sha, "UPLOAD")
    assert 0 < snap["storedSize"] < len(body)
    assert await keys_in(client) == [blob_key(sha)]

    listed = await (await client.get("/api/v1/snapshots", headers=user)).json()
    assert [s["id"] for s in listed["data"]["snapshots"]] == [snap["id"]]
    assert listed["data"]["pagination"]["total"] == 1
    got = await (await client.get(f"/api/v1/snapshots/{snap['id']}", headers=user)).json()
    assert got["data"] == snap

    url = f"/api/v1/snapshots/{snap['id']}/download"
    resp = await client.get(url, headers=user)
    assert resp.status == 200
    assert await resp.read() == body  # byte-identical to the upload
    assert resp.headers["ETag"] == f'"{sha}"'
    assert resp.headers["Content-Type"].startswith("application/json")
    assert resp.headers["Accept-Ranges"] == "bytes"

    resp = await client.get(url, headers={**user, "Range": "bytes=10-109"})
    assert resp.status == 206
    assert await resp.read() == body[10:110]
    assert resp.headers["Content-Range"] == f"bytes 10-109/{len(body)}"
    resp = await client.get(url, headers={**user, "Range": "bytes=-7"})
    assert (resp.status, await resp.read()) == (206, body[-7:])

    resp = await client.get(url, headers={**user, "If-None-Match": f'"{sha}"'})
    assert resp.status == 304

    resp = await client.get(url, headers={**user, "Range": f"bytes={len(body)}-"})
    assert resp.status == 416
    assert resp.headers["Content-Range"] == f"bytes */{len(body)}"
    assert (await resp.json())["code"] == "RANGE_NOT_SATISFIABLE"

    # The compressed form, as a content coding and as a file.
    resp = await client.get(url, headers={**user, "Accept-Encoding": "zstd"}, auto_decompress=False)
    assert resp.headers["Content-Encoding"] == "zstd"
    assert resp.headers["ETag"] == f'"{sha}-zst"'
    stored = await resp.read()
    assert len(stored) == snap["storedSize"]
    assert unzstd(stored) == body
    resp = await client.get(url + "?format=zst", headers=user)
    assert resp.headers["Content-Type"] == "application/zstd"
    assert "Content-Encoding" not in resp.headers
    assert await resp.read() == stored
    resp = await client.get(url + "?format=zst", headers={**user, "Range": "bytes=0-9"})
    assert (resp.status, await resp.read()) == (206, stored[:10])

    resp = await client.delete(f"/api/v1/snapshots/{snap['id']}", headers=user)
    assert resp.status == 200
    resp = await client.get(f"/api/v1/snapshots/{snap['id']}", headers=user)
    assert resp.status == 404
    # Unreferenced now, but young: an upload may be between its blob and its row.
    assert await keys_in(client) == [blob_key(sha)]
    written = max(b.modified for b in await store_of(client).list("blobs/"))
    clock.now = written + timedelta(seconds=3601)  # past the grace period, by the blob's time
    assert await client.app[SNAPSHOTS].sweep() == 1
    assert await keys_in(client) == []


async def test_raw_gzip_and_zstd_uploads_of_one_document_share_one_blob(
    make_client: Client, store_config: dict[str, Any]
) -> None:
    client = await make_client(**store_config)
    _, user, other = await accounts(client)
    body = encoded(snapshot_document())
    results = [
        await upload(client, user, body),
        await upload(client, other, gzip.compress(body), "gzip"),
        await upload(client, user, zstandard.ZstdCompressor(level=19).compress(body), "zstd"),
    ]
    assert [status for status, _ in results] == [201, 201, 201]
    shas = {created["data"]["sha256"] for _, created in results}
    assert shas == {hashlib.sha256(body).hexdigest()}
    assert await keys_in(client) == [blob_key(shas.pop())]
    assert await Snapshot.all().count() == 3


async def test_a_blob_is_kept_while_another_snapshot_references_it(
    make_client: Client, clock: FakeClock
) -> None:
    client = await make_client(snapshot_blob_grace=60)
    _, user, _ = await accounts(client)
    body = encoded(snapshot_document())
    _, first = await upload(client, user, body)
    _, second = await upload(client, user, body)
    # Past the blobs' grace period (by their own times: the fake clock stood still while
    # they were written), well within the access token's life.
    written = max(b.modified for b in await store_of(client).list("blobs/"))
    clock.now = max(clock.now, written) + timedelta(seconds=61)
    await client.delete(f"/api/v1/snapshots/{first['data']['id']}", headers=user)
    assert await client.app[SNAPSHOTS].sweep() == 0
    resp = await client.get(f"/api/v1/snapshots/{second['data']['id']}/download", headers=user)
    assert await resp.read() == body
    # The last reference gone and the blob old: deleting removes it at once.
    await client.delete(f"/api/v1/snapshots/{second['data']['id']}", headers=user)
    assert await keys_in(client) == []


async def test_a_blob_whose_row_was_never_written_is_swept_after_the_grace_period(
    make_client: Client, clock: FakeClock
) -> None:
    """A crash between writing the blob and writing its row leaves no orphan for ever."""
    client = await make_client()
    store = store_of(client)

    async def content() -> Any:
        yield zstandard.ZstdCompressor().compress(b'{"orphan": true}')

    orphan = blob_key("0" * 64)
    await store.put(orphan, content())
    await store.put("staging/abandoned", content())
    snapshots = client.app[SNAPSHOTS]
    assert await snapshots.sweep() == 0  # young: maybe an upload about to write its row
    written = max(b.modified for b in await store.list("blobs/") + await store.list("staging/"))
    clock.now = written + timedelta(seconds=3599)
    assert await snapshots.sweep() == 0
    clock.now = written + timedelta(seconds=3601)
    assert await snapshots.sweep() == 2
    assert await keys_in(client) == []


async def test_others_snapshots_are_not_found_and_administrators_see_all(
    make_client: Client,
) -> None:
    client = await make_client()
    admin, user, other = await accounts(client)
    _, created = await upload(client, user, encoded(snapshot_document()))
    snap_id = created["data"]["id"]
    for method, path in [
        ("GET", f"/api/v1/snapshots/{snap_id}"),
        ("GET", f"/api/v1/snapshots/{snap_id}/download"),
        ("DELETE", f"/api/v1/snapshots/{snap_id}"),
        ("GET", "/api/v1/snapshots/not-a-uuid"),
    ]:
        resp = await client.request(method, path, headers=other)
        assert resp.status == 404, (method, path)
        assert (await resp.json())["code"] == "NOT_FOUND"
    listed = await (await client.get("/api/v1/snapshots", headers=other)).json()
    assert listed["data"]["snapshots"] == []
    listed = await (await client.get("/api/v1/snapshots", headers=admin)).json()
    assert [s["id"] for s in listed["data"]["snapshots"]] == [snap_id]
    filtered = await (await client.get("/api/v1/snapshots?cluster=other", headers=admin)).json()
    assert filtered["data"]["snapshots"] == []
    assert (await client.get("/api/v1/snapshots")).status == 401
    resp = await client.delete(f"/api/v1/snapshots/{snap_id}", headers=admin)
    assert resp.status == 200
    assert await Snapshot.all().count() == 0


def _bomb(compress: Callable[[bytes], bytes]) -> bytes:
    """Valid JSON that expands to 64 MiB: a snapshot padded with whitespace."""
    doc = encoded(snapshot_document())
    return compress(doc[:-1] + b" " * (64 * 1024 * 1024) + doc[-1:])


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("zstd", zstandard.ZstdCompressor(level=3).compress)],
)
async def test_a_zip_bomb_is_refused_past_the_limit_and_stores_nothing(
    make_client: Client, encoding: str, compress: Callable[[bytes], bytes]
) -> None:
    client = await make_client(snapshot_max_bytes=1024 * 1024)
    _, user, _ = await accounts(client)
    bomb = _bomb(compress)
    assert len(bomb) < 1024 * 1024  # small on the wire: only decompressing shows its size
    status, body = await upload(client, user, bomb, encoding)
    assert status == 413, body
    assert body["code"] == "PAYLOAD_TOO_LARGE"
    assert await keys_in(client) == []
    assert await Snapshot.all().count() == 0


async def test_a_plain_body_over_the_limit_is_refused_before_it_is_read(
    make_client: Client,
) -> None:
    client = await make_client(snapshot_max_bytes=2048)
    _, user, _ = await accounts(client)
    status, body = await upload(client, user, encoded(snapshot_document(pods=50)))
    assert (status, body["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert await keys_in(client) == []


def _with(change: Callable[[dict[str, Any]], None]) -> bytes:
    doc = snapshot_document()
    change(doc)
    return encoded(doc)


NOT_SNAPSHOTS = {
    "not json": (b"{this is not json", "body"),
    "truncated json": (encoded(snapshot_document())[:-5], "body"),
    "a list": (b"[1, 2, 3]", "body"),
    "empty object": (b"{}", "metadata"),
    "unknown top-level field": (_with(lambda d: d.update(extra=1)), "extra"),
    "secrets as objects": (
        _with(lambda d: d["objects"].update(secrets=[{"metadata": {"name": "s"}, "data": {}}])),
        "objects.secrets",
    ),
    "secret data": (
        _with(lambda d: d["secrets"][0].update(data={"password": "aHVudGVyMg=="})),
        "secrets.0.data",
    ),
    "unknown kind": (_with(lambda d: d["objects"].update(configmaps=[])), "objects.configmaps"),
    "object without a name": (
        _with(lambda d: d["objects"]["pods"][1]["metadata"].pop("name")),
        "objects.pods.1.metadata.name",
    ),
    "object without metadata": (
        _with(lambda d: d["objects"]["pods"][2].pop("metadata")),
        "objects.pods.2.metadata",
    ),
    "kind not a list": (_with(lambda d: d["objects"].update(nodes={})), "objects.nodes"),
    "bad cluster name": (
        _with(lambda d: d["metadata"].update(clusterName="Prod EU!")),
        "metadata.clusterName",
    ),
    "no taken at": (_with(lambda d: d["metadata"].pop("takenAt")), "metadata.takenAt"),
}


@pytest.mark.parametrize("case", sorted(NOT_SNAPSHOTS))
async def test_a_body_that_is_not_a_snapshot_gets_400_naming_the_field(
    make_client: Client, case: str
) -> None:
    client = await make_client()
    _, user, _ = await accounts(client)
    body, field = NOT_SNAPSHOTS[case]
    status, answer = await upload(client, user, body)
    assert status == 400, answer
    assert answer["code"] == "VALIDATION_ERROR"
    assert answer["errors"][0]["field"] == field
    assert await keys_in(client) == []
    assert await Snapshot.all().count() == 0


async def test_broken_compression_and_unknown_codings_are_refused(make_client: Client) -> None:
    client = await make_client()
    _, user, _ = await accounts(client)
    body = encoded(snapshot_document())
    assert (await upload(client, user, b"not gzip at all", "gzip"))[0] == 400
    assert (await upload(client, user, gzip.compress(body)[:-20], "gzip"))[0] == 400
    truncated = zstandard.ZstdCompressor().compress(body)[:-10]
    assert (await upload(client, user, truncated, "zstd"))[0] == 400
    status, answer = await upload(client, user, body, "br")
    assert (status, answer["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE")
    resp = await client.post(
        "/api/v1/snapshots", data=body, headers={**user, "Content-Type": "text/plain"}
    )
    assert resp.status == 415
    assert await keys_in(client) == []
    # Other routes take no compressed bodies at all.
    resp = await client.post(
        "/api/v1/auth/login",
        data=gzip.compress(b'{"email": "user@paas.com", "password": "x"}'),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert resp.status == 415


async def test_an_administrator_takes_a_snapshot_of_the_cluster_without_secret_data(
    aiohttp_client: Any, config: Any, clock: FakeClock
) -> None:
    cluster = InMemoryCluster()
    cluster.register_node("worker-1")
    spec = TenantSpec.for_instance(
        owner_id="3f2a1c9e-0000-4000-8000-000000000001",
        instance_id="inst-0001",
        subscription_id="sub-0001",
        subdomain="blog",
        base_domain="apps.example.com",
        node_name="worker-1",
        template=WORDPRESS,
        generated_secrets={"WORDPRESS_DB_PASSWORD": "s3cr3t-never-in-a-snapshot"},
    )
    await cluster.apply(spec)
    client = await aiohttp_client(create_app(config, clock=clock, cluster=cluster))
    admin, user, _ = await accounts(client)

    assert (await client.post("/api/v1/admin/snapshots", headers=user)).status == 403
    resp = await client.post("/api/v1/admin/snapshots", headers=admin)
    assert resp.status == 201
    snap = (await resp.json())["data"]
    assert snap["source"] == "CLUSTER"
    assert snap["clusterName"] == "minispod"
    assert snap["objectCounts"]["nodes"] == 1
    assert snap["objectCounts"]["deployments"] == 1
    assert snap["objectCounts"]["pods"] == 1
    assert snap["secretCount"] >= 1

    resp = await client.get(f"/api/v1/snapshots/{snap['id']}/download", headers=admin)
    raw = await resp.read()
    doc = json.loads(raw)
    secret_names = {(s["namespace"], s["name"]) for s in doc["secrets"]}
    stored = {
        (s["metadata"]["namespace"], s["metadata"]["name"]) for s in cluster.objects("Secret")
    }
    assert secret_names == stored
    secret_values = [
        value
        for s in cluster.objects("Secret")
        for value in (s.get("stringData") or s.get("data") or {}).values()
    ]
    assert secret_values  # the tenant does have secret data in the cluster
    for value in secret_values:
        assert value.encode() not in raw
    assert "Secret" not in {o.get("kind") for objs in doc["objects"].values() for o in objs}


def versioned(image: str, pods: list[str], heartbeat: str, version: str) -> dict[str, Any]:
    doc = snapshot_document()
    doc["objects"]["pods"] = [{"metadata": {"name": n, "namespace": "shop"}} for n in pods]
    doc["objects"]["deployments"] = [
        {
            "metadata": {"name": "web", "namespace": "shop", "resourceVersion": version},
            "spec": {"template": {"spec": {"containers": [{"name": "web", "image": image}]}}},
        }
    ]
    doc["objects"]["nodes"] = [
        {
            "metadata": {"name": "worker-1", "resourceVersion": version, "managedFields": []},
            "status": {"conditions": [{"type": "Ready", "lastHeartbeatTime": heartbeat}]},
        }
    ]
    return doc


async def test_a_diff_lists_added_removed_and_changed_objects_without_noise(
    make_client: Client,
) -> None:
    client = await make_client()
    _, user, other = await accounts(client)
    monday = versioned("nginx:1.26", ["web-0", "web-1"], "2026-11-30T08:00:00Z", "100")
    friday = versioned("nginx:1.27", ["web-1", "web-9"], "2026-12-04T08:00:00Z", "205")
    _, old = await upload(client, user, encoded(monday))
    _, new = await upload(client, user, encoded(friday))
    old_id, new_id = old["data"]["id"], new["data"]["id"]

    resp = await client.get(f"/api/v1/snapshots/{new_id}/diff?against={old_id}", headers=user)
    assert resp.status == 200
    diff = (await resp.json())["data"]
    assert (diff["snapshotId"], diff["againstId"]) == (new_id, old_id)
    assert diff["added"] == [{"kind": "pods", "namespace": "shop", "name": "web-9"}]
    assert diff["removed"] == [{"kind": "pods", "namespace": "shop", "name": "web-0"}]
    # The node only beat its heart and got a new resourceVersion: no change.
    assert diff["changed"] == [
        {
            "kind": "deployments",
            "namespace": "shop",
            "name": "web",
            "fields": [
                {
                    "path": "spec.template.spec.containers[0].image",
                    "before": "nginx:1.26",
                    "after": "nginx:1.27",
                }
            ],
        }
    ]
    assert diff["truncated"] is False

    # Another customer's snapshot is nobody to compare with.
    _, theirs = await upload(client, other, encoded(monday))
    resp = await client.get(
        f"/api/v1/snapshots/{new_id}/diff?against={theirs['data']['id']}", headers=user
    )
    assert resp.status == 404


async def test_a_clusters_history_lists_its_snapshots_only(make_client: Client) -> None:
    client = await make_client()
    _, user, other = await accounts(client)
    for cluster in ("prod-eu", "prod-eu", "staging"):
        assert (await upload(client, user, encoded(snapshot_document(cluster))))[0] == 201
    await upload(client, other, encoded(snapshot_document("prod-eu")))
    resp = await client.get("/api/v1/clusters/prod-eu/snapshots?limit=1", headers=user)
    history = (await resp.json())["data"]
    assert history["pagination"]["total"] == 2
    assert [s["clusterName"] for s in history["snapshots"]] == ["prod-eu"]


async def test_retention_deletes_what_the_policy_lets_go_but_keeps_pinned_ones(
    make_client: Client, clock: FakeClock
) -> None:
    client = await make_client(snapshot_keep_last=1, snapshot_keep_days=0, snapshot_blob_grace=60)
    _, user, _ = await accounts(client)
    ids = []
    for day in ("01", "02", "03"):
        doc = snapshot_document()
        doc["metadata"]["takenAt"] = f"2026-12-{day}T08:00:00Z"
        ids.append((await upload(client, user, encoded(doc)))[1]["data"]["id"])
    resp = await client.patch(f"/api/v1/snapshots/{ids[0]}", json={"pinned": True}, headers=user)
    assert (resp.status, (await resp.json())["data"]["pinned"]) == (200, True)

    written = max(b.modified for b in await store_of(client).list("blobs/"))
    clock.now = written + timedelta(seconds=61)  # every blob past its grace period
    summary = await client.app[SNAPSHOTS].housekeeping()
    assert summary == "1 snapshot(s) expired, 0 blob(s) removed"
    assert sorted(str(i) for i in await Snapshot.all().values_list("id", flat=True)) == sorted(
        [ids[0], ids[2]]  # the pinned one, and the last taken
    )
    assert len(await store_of(client).list("blobs/")) == 2  # the expired one's blob went too


async def test_snapshots_are_found_by_their_metadata(make_client: Client) -> None:
    client = await make_client()
    _, user, _ = await accounts(client)
    for day, version in (("01", "v1.29.9"), ("03", "v1.30.6"), ("05", "v1.30.6")):
        doc = snapshot_document()
        doc["metadata"].update(takenAt=f"2026-12-{day}T08:00:00Z", kubernetesVersion=version)
        assert (await upload(client, user, encoded(doc)))[0] == 201

    async def taken(query: str) -> list[str]:
        resp = await client.get(f"/api/v1/snapshots?{query}", headers=user)
        assert resp.status == 200, await resp.text()
        return [s["takenAt"][:10] for s in (await resp.json())["data"]["snapshots"]]

    assert await taken("from=2026-12-02T00:00:00Z&to=2026-12-05T08:00:00Z") == ["2026-12-03"]
    assert await taken("kubernetesVersion=v1.30.6&sortOrder=asc") == ["2026-12-03", "2026-12-05"]
    assert await taken("source=CLUSTER") == []
    assert await taken("cluster=prod-eu&from=2026-12-05T08:00:00Z") == ["2026-12-05"]
    resp = await client.get("/api/v1/snapshots?from=yesterday", headers=user)
    assert resp.status == 400


async def test_a_form_upload_takes_its_file_part_raw_or_compressed(client: TestClient) -> None:
    _, user, _ = await accounts(client)
    raw = encoded(snapshot_document("form-eu"))
    for filename, data, kind in (
        ("prod.json", raw, "application/json"),
        ("prod.json.zst", zstandard.ZstdCompressor().compress(raw), "application/octet-stream"),
        ("prod.json.gz", gzip.compress(raw), "application/gzip"),
    ):
        form = aiohttp.FormData()
        form.add_field("note", "a plain field comes first and is skipped")
        form.add_field("file", data, filename=filename, content_type=kind)
        resp = await client.post("/api/v1/snapshots", data=form, headers=user)
        assert resp.status == 201, (filename, await resp.text())
        body = (await resp.json())["data"]
        assert body["clusterName"] == "form-eu" and body["size"] == len(raw)
    # One document, three uploads: one blob.
    assert len({s.sha256 for s in await Snapshot.all()}) == 1
    empty = aiohttp.FormData(default_to_multipart=True)
    empty.add_field("note", "no file here")
    resp = await client.post("/api/v1/snapshots", data=empty, headers=user)
    assert resp.status == 400 and (await resp.json())["errors"][0]["field"] == "file"
