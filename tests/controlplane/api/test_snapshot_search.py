"""Full-text search over snapshots: names, namespaces, labels and images found whole, every
word of a query required, only among the snapshots the caller may see, alike on SQLite
(FTS5) and PostgreSQL (tsvector with a GIN index)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient

from controlplane.db.models import Snapshot
from controlplane.services.snapshots.intake import Intake, words
from tests.controlplane.api.test_snapshots import accounts, upload


def document(cluster: str, image: str, app: str, namespace: str = "shop") -> dict[str, Any]:
    return {
        "metadata": {"clusterName": cluster, "takenAt": "2026-12-01T08:00:00Z"},
        "objects": {
            "deployments": [
                {
                    "metadata": {
                        "name": f"{app}-frontend",
                        "namespace": namespace,
                        "labels": {"app": app, "tier": "web"},
                        "annotations": {"note": "annotations-are-not-indexed"},
                    },
                    "spec": {
                        "template": {
                            "spec": {
                                "containers": [{"name": "main", "image": image}],
                                "initContainers": [{"name": "init", "image": "busybox:1.36"}],
                            }
                        }
                    },
                }
            ],
            "pods": [{"metadata": {"name": "lonely"}, "spec": {"nodeName": "worker-9"}}],
        },
    }


def test_the_words_kept_are_names_namespaces_labels_and_images_only() -> None:
    intake = Intake()
    raw = json.dumps(document("prod", "registry.example/nginx:1.27", "shopfront")).encode()
    for at in range(0, len(raw), 7):  # in small pieces, as a stream arrives
        intake.feed(raw[at : at + 7])
    terms = intake.finish().terms.split()
    assert terms == sorted(terms)
    assert {"shopfront", "frontend", "shop", "app", "tier", "web", "nginx", "1", "27"} <= set(terms)
    assert {"registry", "example", "busybox", "36", "lonely"} <= set(terms)
    assert "annotations" not in terms and "indexed" not in terms  # annotations are not kept
    assert "worker" not in terms  # nor any other field's value
    assert words("App=Web  nginx:1.27") == ["app", "web", "nginx", "1", "27"]


async def search(client: TestClient, who: dict[str, str], **params: str) -> tuple[int, Any]:
    resp = await client.get("/api/v1/snapshots", params=params, headers=who)
    return resp.status, await resp.json()


async def test_search_finds_every_word_among_the_snapshots_the_caller_may_see(
    client: TestClient,
) -> None:
    admin, user, other = await accounts(client)
    mine = {}
    for cluster, image, app in (
        ("prod-eu", "nginx:1.27", "shop"),
        ("prod-us", "nginx:1.25", "blog"),
        ("staging", "ghost:5.80", "blog"),
    ):
        status, body = await upload(
            client, user, json.dumps(document(cluster, image, app)).encode()
        )
        assert status == 201, body
        mine[cluster] = body["data"]["id"]
    status, body = await upload(
        client, other, json.dumps(document("theirs", "nginx:1.27", "secret-app")).encode()
    )
    assert status == 201, body

    async def found(who: dict[str, str], q: str, **extra: str) -> set[str]:
        status, body = await search(client, who, q=q, **extra)
        assert status == 200, body
        return {s["clusterName"] for s in body["data"]["snapshots"]}

    assert await found(user, "nginx") == {"prod-eu", "prod-us"}  # not the other user's
    assert await found(user, "nginx:1.27") == {"prod-eu"}  # every word: nginx, 1, 27
    assert await found(user, "app=blog") == {"prod-us", "staging"}
    assert await found(user, "ghost blog") == {"staging"}
    assert await found(user, "NGINX", cluster="prod-us") == {"prod-us"}
    assert await found(user, "ngin") == set()  # whole words only
    assert await found(user, "annotations") == set()
    assert await found(admin, "nginx 27") == {"prod-eu", "theirs"}
    assert await found(other, "blog") == set()
    status, body = await search(client, user, q="--- ***")
    assert status == 400 and body["errors"][0]["field"] == "q"
    # A deleted snapshot leaves the index with it.
    resp = await client.delete(f"/api/v1/snapshots/{mine['staging']}", headers=user)
    assert resp.status == 200
    assert await found(user, "ghost") == set()
    assert await Snapshot.filter(search_terms__contains="ghost").count() == 0


def test_the_words_kept_are_bounded_however_many_objects(monkeypatch) -> None:
    from controlplane.services.snapshots import intake as module

    monkeypatch.setattr(module, "MAX_TERMS", 10)
    pods = [{"metadata": {"name": f"pod{i}"}} for i in range(50)]
    doc = {"metadata": {"clusterName": "big", "takenAt": "2026-12-01T08:00:00Z"}}
    intake = Intake()
    intake.feed(json.dumps({**doc, "objects": {"pods": pods}}).encode())
    summary = intake.finish()
    assert summary.object_counts == {"pods": 50}  # every object counted, only the words capped
    assert summary.terms.split() == sorted(f"pod{i}" for i in range(10))
