"""Drift: a live object matches its rendering when it holds every rendered field, read as the
API server writes it back; anything deleted, edited or added to an atomic list is drift."""

from __future__ import annotations

import copy
from typing import Any

from controlplane.cluster.drift import Drift, drift, first_difference, key_of
from controlplane.cluster.memory import InMemoryCluster
from controlplane.cluster.render import render
from controlplane.services.catalog.templates import N8N, WORDPRESS

from .conftest import SpecFactory


def _canonical(quantity: str) -> str:
    """As the API server writes a quantity back: "1000m" → "1", "2048Mi" → "2Gi"."""
    if quantity.endswith("m") and int(quantity[:-1]) % 1000 == 0:
        return str(int(quantity[:-1]) // 1000)
    if quantity.endswith("Mi") and int(quantity[:-2]) % 1024 == 0 and quantity != "0Mi":
        return f"{int(quantity[:-2]) // 1024}Gi"
    return quantity


def _as_served(obj: dict[str, Any]) -> dict[str, Any]:
    """What an API server returns for an applied object: defaults, status, canonical
    quantities and fields of other managers around ours."""
    live = copy.deepcopy(obj)
    live["metadata"].update(
        uid="4f1c", resourceVersion="812", creationTimestamp="2026-01-01T00:00:00Z"
    )
    live["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = "x"
    live["status"] = {"phase": "Active"}
    if obj["kind"] == "ResourceQuota":
        hard = live["spec"]["hard"]
        for name, value in hard.items():
            hard[name] = _canonical(value)
    if obj["kind"] == "Deployment":
        pod = live["spec"]["template"]["spec"]
        pod["dnsPolicy"] = "ClusterFirst"
        for container in pod["containers"]:
            container["terminationMessagePath"] = "/dev/termination-log"
            for amounts in container["resources"].values():
                amounts.update({k: _canonical(v) for k, v in amounts.items()})
        live["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = "3"
    if obj["kind"] == "Service":
        live["spec"].update(clusterIP="10.43.0.12", sessionAffinity="None")
    return live


def _live(objects: list[dict[str, Any]]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {key_of(o): _as_served(o) for o in objects}


def test_what_the_server_adds_and_canonical_quantities_are_not_drift(
    make_spec: SpecFactory,
) -> None:
    objects = render(make_spec(N8N))
    assert drift(objects, _live(objects)) == []


def test_a_deleted_object_of_any_kind_is_missing(make_spec: SpecFactory) -> None:
    objects = render(make_spec(WORDPRESS))
    live = _live(objects)
    for kind in ("NetworkPolicy", "Secret", "Service", "Ingress", "ResourceQuota"):
        key = next(k for k in live if k[0] == kind)
        without = {k: v for k, v in live.items() if k != key}
        assert drift(objects, without) == [Drift(kind, key[2], "missing")], kind


def test_an_opened_network_policy_is_drift(make_spec: SpecFactory) -> None:
    objects = render(make_spec(N8N))
    live = _live(objects)
    policy = next(v for k, v in live.items() if k[0] == "NetworkPolicy")
    # Someone lets every pod of the cluster in: one more ingress rule, allowing all.
    policy["spec"]["ingress"].append({})
    (found,) = drift(objects, live)
    assert (found.kind, found.what) == ("NetworkPolicy", "spec.ingress differs")


def test_edited_values_labels_and_secrets_are_drift(make_spec: SpecFactory) -> None:
    objects = render(make_spec(WORDPRESS))
    live = _live(objects)
    secret = next(v for k, v in live.items() if k[0] == "Secret")
    key = next(iter(secret["data"]))
    secret["data"][key] = "MWUz"
    service = next(v for k, v in live.items() if k[0] == "Service")
    del service["metadata"]["labels"]["minispod.io/instance"]
    assert sorted(str(d) for d in drift(objects, live)) == [
        f"Secret/{secret['metadata']['name']}: data.{key} differs",
        f"Service/{service['metadata']['name']}: metadata.labels.minispod.io/instance differs",
    ]


def test_quantities_compare_as_quantities_only_where_they_are_quantities() -> None:
    assert first_difference({"limits": {"cpu": "1000m"}}, {"limits": {"cpu": "1"}}) is None
    assert first_difference({"limits": {"memory": "1Gi"}}, {"limits": {"memory": "1024Mi"}}) is None
    assert first_difference({"data": {"k": "1000m"}}, {"data": {"k": "1"}}) == "data.k"
    assert first_difference({"replicas": 1}, {"replicas": 1.0}) is None
    assert first_difference({"ready": True}, {"ready": 1}) == "ready"


async def test_the_in_memory_cluster_reports_what_was_deleted_or_edited_behind_its_back(
    make_spec: SpecFactory,
) -> None:
    cluster = InMemoryCluster()
    spec = make_spec(N8N)
    await cluster.apply(spec)
    assert await cluster.drift(spec) == []

    cluster.delete_object("Service", spec.namespace, spec.app_name)
    cluster.edit_object(
        "NetworkPolicy",
        spec.namespace,
        spec.app_name,
        lambda policy: policy["spec"]["ingress"].append({}),
    )
    assert [str(d) for d in await cluster.drift(spec)] == [
        f"NetworkPolicy/{spec.app_name}: spec.ingress differs",
        f"Service/{spec.app_name}: missing",
    ]
    await cluster.apply(spec)
    assert await cluster.drift(spec) == []
