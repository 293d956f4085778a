"""The in-memory cluster behaves like the real gateway: apply, readiness, delete, restart, reads."""

from __future__ import annotations

import asyncio

import pytest

from controlplane.cluster.gateway import ClusterRefused, InstanceNotFound
from controlplane.cluster.memory import InMemoryCluster
from controlplane.cluster.render import INSTANCE_LABEL, RESTARTED_AT_ANNOTATION, render
from controlplane.services.catalog.templates import GHOST, N8N, WORDPRESS

from .conftest import FakeClock, SpecFactory


def _restarted_at(cluster: InMemoryCluster, namespace: str) -> str | None:
    (deployment,) = cluster.objects("Deployment", namespace)
    annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
    value: str | None = annotations.get(RESTARTED_AT_ANNOTATION)
    return value


async def test_an_applied_instance_becomes_available_after_ready_after_seconds(
    make_spec: SpecFactory, clock: FakeClock
) -> None:
    cluster = InMemoryCluster(ready_after=30, clock=clock)
    spec = make_spec(N8N)
    await cluster.apply(spec)

    starting = await cluster.status(spec.instance_id, spec.namespace)
    assert (starting.exists, starting.available, starting.reason) == (True, False, "Starting")
    clock.advance(29.9)
    assert (await cluster.status(spec.instance_id, spec.namespace)).available is False
    clock.advance(0.1)
    ready = await cluster.status(spec.instance_id, spec.namespace)
    assert (ready.available, ready.reason) == (True, None)
    assert ready.pod_name is not None
    assert ready.pod_name.startswith(spec.app_name + "-")


async def test_with_no_delay_an_instance_is_available_on_the_next_status(
    make_spec: SpecFactory,
) -> None:
    cluster = InMemoryCluster()
    spec = make_spec(GHOST)
    await cluster.apply(spec)
    assert (await cluster.status(spec.instance_id, spec.namespace)).available is True


async def test_status_of_an_unknown_instance_says_it_does_not_exist() -> None:
    state = await InMemoryCluster().status("nope", "tenant-x")
    assert (state.exists, state.available, state.pod_name) == (False, False, None)


async def test_applying_twice_stores_the_same_objects(
    make_spec: SpecFactory, clock: FakeClock
) -> None:
    cluster = InMemoryCluster(ready_after=10, clock=clock)
    spec = make_spec(WORDPRESS)
    await cluster.apply(spec)
    first = cluster.objects()
    clock.advance(10)
    await cluster.apply(spec)
    assert cluster.objects() == first
    assert sorted(o["kind"] for o in first) == sorted(o["kind"] for o in render(spec))
    # An unchanged apply does not restart the pod.
    assert (await cluster.status(spec.instance_id, spec.namespace)).available is True


async def test_applying_a_changed_spec_replaces_the_pod_and_drops_stale_objects(
    make_spec: SpecFactory, clock: FakeClock
) -> None:
    cluster = InMemoryCluster(ready_after=5, clock=clock)
    spec = make_spec(WORDPRESS)
    await cluster.apply(spec)
    clock.advance(5)
    before = await cluster.status(spec.instance_id, spec.namespace)
    without_db = WORDPRESS.model_copy(update={"companions": []})
    changed = make_spec(without_db, generated_secrets=spec.generated_secrets)
    await cluster.apply(changed)
    after = await cluster.status(spec.instance_id, spec.namespace)
    assert after.available is False
    assert after.pod_name != before.pod_name
    claims = [o["metadata"]["name"] for o in cluster.objects("PersistentVolumeClaim")]
    assert claims == [f"{spec.app_name}-data"]


async def test_delete_removes_every_object_of_the_instance_and_the_last_namespace(
    make_spec: SpecFactory,
) -> None:
    cluster = InMemoryCluster()
    first = make_spec(N8N, instance_id="inst-a")
    second = make_spec(GHOST, instance_id="inst-b", subdomain="blog")
    await cluster.apply(first)
    await cluster.apply(second)

    await cluster.delete(first.instance_id, first.namespace)
    left = cluster.objects(namespace=first.namespace)
    assert all(
        o["metadata"].get("labels", {}).get(INSTANCE_LABEL) in (None, "inst-b") for o in left
    )
    assert [o["metadata"]["name"] for o in cluster.objects("Namespace")] == [first.namespace]
    assert (await cluster.status("inst-a", first.namespace)).exists is False
    assert await cluster.list_instances() == [(second.namespace, "inst-b")]

    await cluster.delete(second.instance_id, second.namespace)
    assert cluster.objects() == []
    assert await cluster.list_namespaces() == []


async def test_deleting_twice_or_deleting_the_unknown_is_harmless(make_spec: SpecFactory) -> None:
    cluster = InMemoryCluster()
    spec = make_spec(N8N)
    await cluster.apply(spec)
    await cluster.delete(spec.instance_id, spec.namespace)
    await cluster.delete(spec.instance_id, spec.namespace)
    await cluster.delete("never-was", "tenant-none")
    assert cluster.objects() == []


async def test_the_namespace_quota_grows_and_shrinks_with_its_instances(
    make_spec: SpecFactory,
) -> None:
    cluster = InMemoryCluster()
    n8n = make_spec(N8N, instance_id="inst-a")
    wordpress = make_spec(WORDPRESS, instance_id="inst-b", subdomain="site")

    async def hard_limits_cpu() -> str:
        (quota,) = cluster.objects("ResourceQuota", n8n.namespace)
        value: str = quota["spec"]["hard"]["limits.cpu"]
        return value

    await cluster.apply(n8n)
    assert await hard_limits_cpu() == "1000m"
    await cluster.apply(wordpress)
    assert await hard_limits_cpu() == "2500m"
    await cluster.apply(n8n)  # re-applying counts it once
    assert await hard_limits_cpu() == "2500m"
    await cluster.delete(n8n.instance_id, n8n.namespace)
    assert await hard_limits_cpu() == "1500m"


async def test_restart_sets_restarted_at_and_starts_a_new_pod(
    make_spec: SpecFactory, clock: FakeClock
) -> None:
    cluster = InMemoryCluster(ready_after=3, clock=clock)
    spec = make_spec(N8N)
    await cluster.apply(spec)
    clock.advance(3)
    before = await cluster.status(spec.instance_id, spec.namespace)
    assert _restarted_at(cluster, spec.namespace) is None

    await cluster.restart(spec.instance_id, spec.namespace)
    stamp = _restarted_at(cluster, spec.namespace)
    assert stamp is not None
    after = await cluster.status(spec.instance_id, spec.namespace)
    assert after.available is False
    assert after.pod_name != before.pod_name
    clock.advance(3)
    assert (await cluster.status(spec.instance_id, spec.namespace)).available is True
    # A later apply keeps the restart, as server-side apply keeps other managers' fields.
    await cluster.apply(spec)
    assert _restarted_at(cluster, spec.namespace) == stamp


async def test_restart_and_logs_of_an_unknown_instance_raise_not_found() -> None:
    cluster = InMemoryCluster()
    with pytest.raises(InstanceNotFound):
        await cluster.restart("nope", "tenant-x")
    with pytest.raises(InstanceNotFound):
        await cluster.logs("nope", "tenant-x")


async def test_logs_return_the_last_lines(make_spec: SpecFactory) -> None:
    cluster = InMemoryCluster()
    spec = make_spec(N8N)
    await cluster.apply(spec)
    start = await cluster.logs(spec.instance_id, spec.namespace)
    assert any("n8nio/n8n:1.116.2" in line for line in start)
    cluster.write_log(spec.instance_id, *(f"line {i}" for i in range(10)))
    assert await cluster.logs(spec.instance_id, spec.namespace, tail=3) == [
        "line 7",
        "line 8",
        "line 9",
    ]


async def test_a_failed_instance_is_unavailable_with_the_reason(make_spec: SpecFactory) -> None:
    cluster = InMemoryCluster()
    spec = make_spec(WORDPRESS)
    await cluster.apply(spec)
    cluster.fail(spec.instance_id, "CrashLoopBackOff")
    state = await cluster.status(spec.instance_id, spec.namespace)
    assert (state.available, state.reason) == (False, "CrashLoopBackOff")
    (pod,) = await cluster.list_pods(spec.namespace)
    assert pod["ready"] is False
    assert pod["restarts"] == 1
    cluster.recover(spec.instance_id)
    assert (await cluster.status(spec.instance_id, spec.namespace)).available is True


async def test_a_pod_pinned_to_an_unknown_node_stays_unschedulable(
    make_spec: SpecFactory,
) -> None:
    cluster = InMemoryCluster()
    cluster.register_node("worker-1")
    spec = make_spec(N8N, node_name="worker-9")
    await cluster.apply(spec)
    state = await cluster.status(spec.instance_id, spec.namespace)
    assert state.available is False
    assert state.reason is not None
    assert state.reason.startswith("Unschedulable: 0/1 nodes are available")


async def test_monitoring_lists_show_applied_objects_and_filter_by_namespace(
    make_spec: SpecFactory,
) -> None:
    cluster = InMemoryCluster()
    cluster.register_node("worker-1", cpu=8, memory_mb=16384, labels={"zone": "a"})
    alice = make_spec(N8N, instance_id="inst-a", owner_id="alice")
    bob = make_spec(WORDPRESS, instance_id="inst-b", owner_id="bob", subdomain="bobsite")
    await cluster.apply(alice)
    await cluster.apply(bob)

    pods = await cluster.list_pods()
    assert sorted(p["instanceId"] for p in pods) == ["inst-a", "inst-b"]
    (bob_pod,) = await cluster.list_pods("tenant-bob")
    assert bob_pod["node"] == "worker-1"
    assert bob_pod["phase"] == "Running"
    assert [c["name"] for c in bob_pod["containers"]] == ["app", "mariadb"]
    assert bob_pod["createdAt"] is not None

    (deployment,) = await cluster.list_deployments("tenant-alice")
    assert deployment["available"] is True
    assert deployment["images"] == ["n8nio/n8n:1.116.2"]
    assert deployment["nodeSelector"]["kubernetes.io/hostname"] == "worker-1"

    namespaces = await cluster.list_namespaces()
    assert [(n["name"], n["ownerId"], n["phase"]) for n in namespaces] == [
        ("tenant-alice", "alice", "Active"),
        ("tenant-bob", "bob", "Active"),
    ]

    (service,) = await cluster.list_services("tenant-bob")
    assert service["ports"][0]["port"] == 80
    assert service["clusterIP"].startswith("10.43.")
    assert len(await cluster.list_services()) == 2

    (ingress,) = await cluster.list_ingresses("tenant-alice")
    assert ingress["hosts"] == ["myapp.apps.example.com"]
    assert await cluster.list_ingresses("tenant-nobody") == []

    (node,) = await cluster.list_nodes()
    assert node["name"] == "worker-1"
    assert node["ready"] is True
    assert node["capacity"] == {"cpu": 8.0, "memory": 16384, "pods": 110}
    assert node["labels"]["zone"] == "a"


async def test_readiness_follows_the_real_clock_by_default(make_spec: SpecFactory) -> None:
    cluster = InMemoryCluster(ready_after=0.05)
    spec = make_spec(GHOST)
    await cluster.apply(spec)
    assert (await cluster.status(spec.instance_id, spec.namespace)).available is False
    await asyncio.sleep(0.06)
    assert (await cluster.status(spec.instance_id, spec.namespace)).available is True


async def test_like_an_api_server_it_refuses_objects_the_quota_does_not_cover(
    make_spec: SpecFactory,
) -> None:
    # Two applies to one namespace at once, each sizing the quota for itself alone: what
    # the control plane's tenant locks exist to prevent, reproduced here on purpose.
    cluster = InMemoryCluster(latency=0.001)
    first = make_spec(N8N, instance_id="inst-a")
    second = make_spec(GHOST, instance_id="inst-b", subdomain="blog")
    results = await asyncio.gather(
        cluster.apply(first), cluster.apply(second), return_exceptions=True
    )
    (refused,) = [r for r in results if isinstance(r, ClusterRefused)]
    assert refused.status == 403
    assert "exceeded quota" in str(refused)


async def test_export_holds_what_was_applied_and_names_secrets_without_their_data(
    make_spec: SpecFactory,
) -> None:
    cluster = InMemoryCluster()
    cluster.register_node("worker-1", kubelet_version="v1.31.2+k3s1")
    spec = make_spec(WORDPRESS)
    await cluster.apply(spec)

    exported = await cluster.export()

    assert [n["metadata"]["name"] for n in exported.objects["nodes"]] == ["worker-1"]
    assert [n["metadata"]["name"] for n in exported.objects["namespaces"]] == [spec.namespace]
    assert exported.objects["namespaces"][0]["status"] == {"phase": "Active"}
    (deployment,) = exported.objects["deployments"]
    assert deployment["status"]["readyReplicas"] == 1
    assert len(exported.objects["pods"]) == 1
    assert exported.objects["services"] and exported.objects["persistentvolumeclaims"]
    secrets = [o for o in cluster.objects("Secret")]
    assert exported.secret_names == sorted(
        (s["metadata"]["namespace"], s["metadata"]["name"]) for s in secrets
    )
    assert "Secret" not in {o.get("kind") for kind in exported.objects.values() for o in kind}
    assert exported.kubernetes_version == "v1.31.2+k3s1"
