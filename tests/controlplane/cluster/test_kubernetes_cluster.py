"""The Kubernetes gateway, offline: built from a kubeconfig file, talking to a local stand-in
API server over real HTTP (what it sends, how it reads answers), and failing fast when no
server is there."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from controlplane.cluster.drift import Drift
from controlplane.cluster.gateway import (
    ClusterError,
    ClusterRefused,
    ClusterUnavailable,
    InstanceNotFound,
    Trouble,
)
from controlplane.cluster.kubernetes import (
    METADATA_ONLY,
    ApiRefused,
    KubernetesCluster,
    item_path,
)
from controlplane.cluster.render import render
from controlplane.cluster.spec import TenantSpec
from controlplane.services.catalog.templates import N8N, WORDPRESS

from .conftest import SpecFactory

Answer = tuple[int, Any]
TOKEN = "test-token"


MANAGED_NAMESPACE = {
    "metadata": {
        "name": "tenant-a",
        "labels": {"app.kubernetes.io/managed-by": "minispod", "minispod.io/owner": "a"},
    }
}


def write_kubeconfig(path: Path, server: str, token: str = TOKEN) -> Path:
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {
                        "name": "k3s",
                        "cluster": {"server": server, "insecure-skip-tls-verify": True},
                    }
                ],
                "users": [{"name": "admin", "user": {"token": token}}],
                "contexts": [{"name": "default", "context": {"cluster": "k3s", "user": "admin"}}],
                "current-context": "default",
            }
        )
    )
    return path


class FakeApiServer:
    """Records every request; answers from `decide(request)` when it has an answer, else from
    `answers` by (method, path), else with an empty success."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: dict[tuple[str, str], Answer] = {}
        self.decide: Callable[[dict[str, Any]], Answer | None] = lambda _request: None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                request = {
                    "method": self.command,
                    "path": url.path,
                    "query": dict(parse_qsl(url.query)),
                    "contentType": self.headers.get("Content-Type"),
                    "authorization": self.headers.get("Authorization"),
                    "accept": self.headers.get("Accept"),
                    "body": json.loads(raw) if raw else None,
                }
                outer.requests.append(request)
                default: Answer = (200, {"items": []} if self.command == "GET" else {})
                status, body = outer.decide(request) or outer.answers.get(
                    (self.command, url.path), default
                )
                payload = body if isinstance(body, str) else json.dumps(body)
                data = payload.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PATCH = do_DELETE = do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FakeApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def made(self, method: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == method]


@pytest.fixture
def api() -> Iterator[FakeApiServer]:
    with FakeApiServer() as server:
        yield server


@pytest.fixture
def cluster(api: FakeApiServer, tmp_path: Path) -> KubernetesCluster:
    return KubernetesCluster.from_config(str(write_kubeconfig(tmp_path / "kubeconfig", api.url)))


def test_it_builds_from_a_kubeconfig_file_without_contacting_the_server(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "kubeconfig", "https://127.0.0.1:1")
    cluster = KubernetesCluster.from_config(str(path))
    assert cluster.host == "https://127.0.0.1:1"


async def test_an_unreachable_server_raises_cluster_unavailable_quickly(tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "kubeconfig", "https://127.0.0.1:1")
    cluster = KubernetesCluster.from_config(str(path))
    started = time.monotonic()
    with pytest.raises(ClusterUnavailable, match="unreachable"):
        await cluster.status("inst-1", "tenant-a")
    assert time.monotonic() - started < 5
    await cluster.close()


async def test_a_server_that_never_answers_times_out_instead_of_hanging(tmp_path: Path) -> None:
    # A socket that completes the TCP handshake (the kernel does) and never replies.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        path = write_kubeconfig(tmp_path / "kubeconfig", url)
        cluster = KubernetesCluster.from_config(str(path), timeout=(0.3, 0.3))
        started = time.monotonic()
        with pytest.raises(ClusterUnavailable, match="unreachable"):
            await cluster.list_nodes()
        assert time.monotonic() - started < 3


def test_without_kubeconfig_or_service_account_there_is_no_cluster(tmp_path: Path) -> None:
    with pytest.raises(ClusterUnavailable, match="no kubeconfig"):
        KubernetesCluster.from_config(None, in_cluster=False)
    with pytest.raises(ClusterUnavailable, match="does not exist"):
        KubernetesCluster.from_config(str(tmp_path / "missing"))
    broken = tmp_path / "broken"
    broken.write_text(json.dumps({"apiVersion": "v1", "kind": "Config", "contexts": []}))
    with pytest.raises(ClusterUnavailable, match="cannot load"):
        KubernetesCluster.from_config(str(broken))


def test_in_cluster_config_outside_a_pod_is_refused() -> None:
    with pytest.raises(ClusterUnavailable, match="cannot load"):
        KubernetesCluster.from_config(None, in_cluster=True)


async def test_apply_server_side_applies_every_rendered_object(
    api: FakeApiServer, cluster: KubernetesCluster, make_spec: SpecFactory
) -> None:
    spec = make_spec(WORDPRESS)
    await cluster.apply(spec)
    patches = api.made("PATCH")
    assert [p["body"] for p in patches] == render(spec)
    for patch in patches:
        assert patch["contentType"] == "application/apply-patch+yaml"
        assert patch["query"] == {"fieldManager": "minispod", "force": "true"}
        assert patch["authorization"] == f"Bearer {TOKEN}"
    paths = [p["path"] for p in patches]
    ns = spec.namespace
    assert paths[0] == f"/api/v1/namespaces/{ns}"
    assert f"/apis/apps/v1/namespaces/{ns}/deployments/{spec.app_name}" in paths
    assert f"/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses/{spec.app_name}" in paths
    assert api.made("DELETE") == []


async def test_apply_sizes_the_quota_for_the_instances_already_there(
    api: FakeApiServer, cluster: KubernetesCluster, make_spec: SpecFactory
) -> None:
    sibling = make_spec(WORDPRESS, instance_id="inst-old", subdomain="old")
    deployments = [o for o in render(sibling) if o["kind"] == "Deployment"]
    api.answers[("GET", f"/apis/apps/v1/namespaces/{sibling.namespace}/deployments")] = (
        200,
        {"items": deployments},
    )
    spec = make_spec(N8N)
    await cluster.apply(spec)
    quota = next(p["body"] for p in api.made("PATCH") if p["body"]["kind"] == "ResourceQuota")
    assert quota["spec"]["hard"]["limits.cpu"] == "2500m"


async def test_apply_removes_objects_the_instance_no_longer_has(
    api: FakeApiServer, cluster: KubernetesCluster, make_spec: SpecFactory
) -> None:
    spec = make_spec(N8N)
    stale = f"{spec.app_name}-mariadb-data"
    claims = f"/api/v1/namespaces/{spec.namespace}/persistentvolumeclaims"
    api.answers[("GET", claims)] = (
        200,
        {"items": [{"metadata": {"name": stale}}, {"metadata": {"name": f"{spec.app_name}-data"}}]},
    )
    await cluster.apply(spec)
    assert [d["path"] for d in api.made("DELETE")] == [f"{claims}/{stale}"]


async def test_status_reads_the_deployment_and_its_pods(
    api: FakeApiServer, cluster: KubernetesCluster, make_spec: SpecFactory
) -> None:
    spec = make_spec(N8N)
    assert (await cluster.status(spec.instance_id, spec.namespace)).exists is False
    (listing,) = api.made("GET")
    assert listing["query"]["labelSelector"] == f"minispod.io/instance={spec.instance_id}"

    deployment = next(o for o in render(spec) if o["kind"] == "Deployment")
    deployment["status"] = {"availableReplicas": 1}
    api.answers[("GET", f"/apis/apps/v1/namespaces/{spec.namespace}/deployments")] = (
        200,
        {"items": [deployment]},
    )
    api.answers[("GET", f"/api/v1/namespaces/{spec.namespace}/pods")] = (
        200,
        {
            "items": [
                {"metadata": {"name": "app-pod-1", "creationTimestamp": "2025-01-01T00:00:00Z"}}
            ]
        },
    )
    state = await cluster.status(spec.instance_id, spec.namespace)
    assert (state.exists, state.available, state.pod_name) == (True, True, "app-pod-1")


async def test_server_errors_mean_unavailable_and_refusals_are_cluster_errors(
    api: FakeApiServer, cluster: KubernetesCluster
) -> None:
    api.answers[("GET", "/api/v1/nodes")] = (503, {"kind": "Status", "message": "etcd is down"})
    with pytest.raises(ClusterUnavailable, match="etcd is down"):
        await cluster.list_nodes()
    api.answers[("GET", "/api/v1/namespaces")] = (403, {"kind": "Status", "message": "forbidden"})
    with pytest.raises(ApiRefused, match="forbidden") as refused:
        await cluster.list_namespaces()
    assert refused.value.status == 403
    assert isinstance(refused.value, ClusterError)


async def test_delete_removes_the_instance_by_label_then_its_empty_namespace(
    api: FakeApiServer, cluster: KubernetesCluster
) -> None:
    collections = [
        "/apis/networking.k8s.io/v1/namespaces/tenant-a/ingresses",
        "/api/v1/namespaces/tenant-a/services",
        "/apis/apps/v1/namespaces/tenant-a/deployments",
        "/api/v1/namespaces/tenant-a/persistentvolumeclaims",
        "/api/v1/namespaces/tenant-a/secrets",
        "/apis/networking.k8s.io/v1/namespaces/tenant-a/networkpolicies",
    ]
    for path in collections:
        item = {"name": "app-inst-1", "labels": {"minispod.io/instance": "inst-1"}}
        api.answers[("GET", path)] = (200, {"items": [{"metadata": item}]})
    api.answers[("GET", "/api/v1/namespaces/tenant-a")] = (
        200,
        {"metadata": {"name": "tenant-a", "labels": {"app.kubernetes.io/managed-by": "minispod"}}},
    )
    await cluster.delete("inst-1", "tenant-a")
    by_instance = [
        r["path"]
        for r in api.made("GET")
        if r["query"].get("labelSelector") == "minispod.io/instance=inst-1"
    ]
    assert by_instance == collections
    deletes = [d["path"] for d in api.made("DELETE")]
    assert deletes == [f"{path}/app-inst-1" for path in collections] + [
        "/api/v1/namespaces/tenant-a"
    ]


async def test_delete_shrinks_the_quota_to_the_instances_that_remain(
    api: FakeApiServer, cluster: KubernetesCluster, make_spec: SpecFactory
) -> None:
    stays = make_spec(N8N, instance_id="inst-stays")
    objects = render(stays)
    ns = stays.namespace
    api.answers[("GET", f"/apis/apps/v1/namespaces/{ns}/deployments")] = (
        200,
        {"items": [o for o in objects if o["kind"] == "Deployment"]},
    )
    api.answers[("GET", f"/api/v1/namespaces/{ns}/resourcequotas/tenant-quota")] = (
        200,
        next(o for o in objects if o["kind"] == "ResourceQuota"),
    )
    await cluster.delete("inst-gone", ns)
    (patch,) = api.made("PATCH")
    assert patch["path"] == f"/api/v1/namespaces/{ns}/resourcequotas/tenant-quota"
    assert patch["body"]["spec"]["hard"]["limits.cpu"] == "1000m"
    assert f"/api/v1/namespaces/{ns}" not in [d["path"] for d in api.made("DELETE")]


async def test_delete_leaves_a_namespace_minispod_did_not_create(
    api: FakeApiServer, cluster: KubernetesCluster
) -> None:
    api.answers[("GET", "/api/v1/namespaces/default")] = (200, {"metadata": {"name": "default"}})
    services = "/api/v1/namespaces/default/services"
    api.answers[("GET", services)] = (200, {"items": [{"metadata": {"name": "app-inst-1"}}]})
    # Already gone by the time we delete it: not an error.
    api.answers[("DELETE", f"{services}/app-inst-1")] = (404, {"message": "not found"})
    await cluster.delete("inst-1", "default")
    assert "/api/v1/namespaces/default" not in [d["path"] for d in api.made("DELETE")]


async def test_restart_patches_the_restarted_at_annotation(
    api: FakeApiServer, cluster: KubernetesCluster, make_spec: SpecFactory
) -> None:
    spec = make_spec(N8N)
    with pytest.raises(InstanceNotFound):
        await cluster.restart(spec.instance_id, spec.namespace)
    deployment = next(o for o in render(spec) if o["kind"] == "Deployment")
    api.answers[("GET", f"/apis/apps/v1/namespaces/{spec.namespace}/deployments")] = (
        200,
        {"items": [deployment]},
    )
    await cluster.restart(spec.instance_id, spec.namespace)
    (patch,) = api.made("PATCH")
    assert patch["contentType"] == "application/strategic-merge-patch+json"
    annotations = patch["body"]["spec"]["template"]["metadata"]["annotations"]
    assert "kubectl.kubernetes.io/restartedAt" in annotations


async def test_logs_tail_the_main_container_of_the_newest_pod(
    api: FakeApiServer, cluster: KubernetesCluster, make_spec: SpecFactory
) -> None:
    spec = make_spec(N8N)
    ns = spec.namespace
    deployment = next(o for o in render(spec) if o["kind"] == "Deployment")
    api.answers[("GET", f"/apis/apps/v1/namespaces/{ns}/deployments")] = (
        200,
        {"items": [deployment]},
    )
    api.answers[("GET", f"/api/v1/namespaces/{ns}/pods")] = (
        200,
        {
            "items": [
                {"metadata": {"name": "old", "creationTimestamp": "2025-01-01T00:00:00Z"}},
                {"metadata": {"name": "new", "creationTimestamp": "2025-01-02T00:00:00Z"}},
            ]
        },
    )
    api.answers[("GET", f"/api/v1/namespaces/{ns}/pods/new/log")] = (200, "one\ntwo\n")
    assert await cluster.logs(spec.instance_id, ns, tail=2) == ["one", "two"]
    log_request = api.requests[-1]
    assert log_request["query"] == {"container": "app", "tailLines": "2"}


async def test_pods_carry_usage_when_metrics_server_answers(
    api: FakeApiServer, cluster: KubernetesCluster
) -> None:
    pod = {
        "metadata": {"name": "p1", "namespace": "tenant-a"},
        "spec": {
            "nodeName": "worker-1",
            "containers": [{"name": "app", "image": "ghost:5-alpine"}],
        },
        "status": {"phase": "Running"},
    }
    api.answers[("GET", "/api/v1/namespaces/tenant-a")] = (200, MANAGED_NAMESPACE)
    api.answers[("GET", "/api/v1/namespaces/tenant-a/pods")] = (200, {"items": [pod]})
    api.answers[("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/tenant-a/pods")] = (
        404,
        {"message": "the server could not find the requested resource"},
    )
    (without,) = await cluster.list_pods("tenant-a")
    assert without["containers"][0]["usage"] is None

    api.answers[("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/tenant-a/pods")] = (
        200,
        {
            "items": [
                {
                    "metadata": {"name": "p1", "namespace": "tenant-a"},
                    "timestamp": "2025-01-01T00:00:00Z",
                    "window": "10s",
                    "containers": [{"name": "app", "usage": {"cpu": "3m", "memory": "64Mi"}}],
                }
            ]
        },
    )
    (with_usage,) = await cluster.list_pods("tenant-a")
    assert with_usage["containers"][0]["usage"] == {"cpu": 0.003, "memory": 64}
    assert with_usage["metricsWindow"] == "10s"


async def test_list_instances_finds_managed_deployments_namespace_by_namespace(
    api: FakeApiServer, cluster: KubernetesCluster
) -> None:
    api.answers[("GET", "/api/v1/namespaces")] = (
        200,
        {"items": [{"metadata": {"name": "tenant-b"}}, {"metadata": {"name": "tenant-a"}}]},
    )
    for namespace, instance in (("tenant-a", "i1"), ("tenant-b", "i2")):
        api.answers[("GET", f"/apis/apps/v1/namespaces/{namespace}/deployments")] = (
            200,
            {
                "items": [
                    {
                        "metadata": {
                            "namespace": namespace,
                            "labels": {"minispod.io/instance": instance},
                        }
                    }
                ]
            },
        )
    assert await cluster.list_instances() == [("tenant-a", "i1"), ("tenant-b", "i2")]
    (namespaces, *per_namespace) = api.made("GET")
    assert namespaces["query"]["labelSelector"] == "app.kubernetes.io/managed-by=minispod"
    assert [r["path"] for r in per_namespace] == [
        "/apis/apps/v1/namespaces/tenant-a/deployments",
        "/apis/apps/v1/namespaces/tenant-b/deployments",
    ]
    # Deployments cluster-wide are not the control plane's to read.
    assert "/apis/apps/v1/deployments" not in [r["path"] for r in api.requests]


async def test_drift_reads_every_rendered_object_by_name_and_names_what_is_gone(
    api: FakeApiServer, cluster: KubernetesCluster, make_spec: SpecFactory
) -> None:
    spec = make_spec(WORDPRESS)
    objects = render(spec)
    for obj in objects:
        meta = obj["metadata"]
        live = {**obj, "metadata": {**meta, "uid": "u-1", "resourceVersion": "7"}}
        api.answers[("GET", item_path(obj["kind"], meta.get("namespace"), meta["name"]))] = (
            200,
            live,
        )
    assert await cluster.drift(spec) == []

    policy = item_path("NetworkPolicy", spec.namespace, spec.app_name)
    api.answers[("GET", policy)] = (404, {"kind": "Status", "reason": "NotFound"})
    assert await cluster.drift(spec) == [Drift("NetworkPolicy", spec.app_name, "missing")]
    assert api.made("PATCH") == []


async def test_a_refusal_says_what_kind_of_trouble_it_is(
    api: FakeApiServer, cluster: KubernetesCluster, make_spec: SpecFactory
) -> None:
    spec = make_spec(N8N)
    quota = item_path("ResourceQuota", spec.namespace, "tenant-quota")
    api.answers[("PATCH", quota)] = (
        403,
        {
            "kind": "Status",
            "status": "Failure",
            "reason": "Forbidden",
            "message": f'resourcequotas "tenant-quota" is forbidden: unable to create new '
            f"content in namespace {spec.namespace} because it is being terminated",
            "details": {
                "name": "tenant-quota",
                "kind": "resourcequotas",
                "causes": [{"type": "NamespaceTerminating", "field": "metadata.namespace"}],
            },
            "code": 403,
        },
    )
    with pytest.raises(ClusterRefused) as refused:
        await cluster.apply(spec)
    assert refused.value.trouble is Trouble.NAMESPACE_TERMINATING
    assert refused.value.causes == ("NamespaceTerminating",)

    service = item_path("Service", spec.namespace, spec.app_name)
    api.answers.pop(("PATCH", quota))
    api.answers[("PATCH", service)] = (
        403,
        {"kind": "Status", "reason": "Forbidden", "message": "exceeded quota: tenant-quota"},
    )
    with pytest.raises(ClusterRefused) as over:
        await cluster.apply(spec)
    assert over.value.trouble is Trouble.QUOTA_EXCEEDED
    api.answers[("PATCH", service)] = (403, {"kind": "Status", "message": "RBAC: access denied"})
    with pytest.raises(ClusterRefused) as denied:
        await cluster.apply(spec)
    assert denied.value.trouble is Trouble.FORBIDDEN


def _ours(spec: TenantSpec) -> dict[str, Any]:
    """The tenant's Namespace as the API server returns it once applied."""
    (namespace,) = [o for o in render(spec) if o["kind"] == "Namespace"]
    return namespace


def _rbac_stand_in(api: FakeApiServer, namespace: str, *, lag: int = 0) -> None:
    """Answers like an API server whose RBAC lets us into `namespace` only once our
    RoleBinding is there, and only `lag` requests after it was written (a cache catching up)."""
    state = {"bound_at": None}
    binding = f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/rolebindings/"
    inside = f"/namespaces/{namespace}/"

    def decide(request: dict[str, Any]) -> Answer | None:
        if request["method"] == "PATCH" and request["path"].startswith(binding):
            if state["bound_at"] is None:
                state["bound_at"] = len(api.requests)
            return None
        if inside not in request["path"] or request["path"].startswith(binding):
            return None
        bound = state["bound_at"]
        if bound is None or len(api.requests) - bound <= lag:
            return (403, {"kind": "Status", "reason": "Forbidden", "message": "RBAC: denied"})
        return None

    api.decide = decide


async def test_apply_binds_itself_into_the_namespace_before_reading_there(
    api: FakeApiServer, cluster: KubernetesCluster, make_spec: SpecFactory
) -> None:
    spec = make_spec(N8N)
    api.answers[("GET", f"/api/v1/namespaces/{spec.namespace}")] = (200, _ours(spec))
    _rbac_stand_in(api, spec.namespace, lag=2)
    await cluster.apply(spec)
    kinds = [p["body"]["kind"] for p in api.made("PATCH")]
    assert kinds[:2] == ["Namespace", "RoleBinding"]
    binding = api.made("PATCH")[1]["body"]
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "minispod-tenant",
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "minispod-controlplane", "namespace": "minispod-system"}
    ]
    # Every object got written in the end, though RBAC took a moment to let us in.
    assert {o["kind"] for o in render(spec)} <= set(kinds)


async def test_a_role_binding_deleted_behind_our_back_is_drift_and_is_bound_again(
    api: FakeApiServer, cluster: KubernetesCluster, make_spec: SpecFactory
) -> None:
    spec = make_spec(N8N)
    api.answers[("GET", f"/api/v1/namespaces/{spec.namespace}")] = (200, _ours(spec))
    binding = item_path("RoleBinding", spec.namespace, "minispod-controlplane")
    api.answers[("GET", binding)] = (404, {"kind": "Status", "reason": "NotFound"})
    _rbac_stand_in(api, spec.namespace)
    assert await cluster.drift(spec) == [Drift("RoleBinding", "minispod-controlplane", "missing")]
    # Nothing inside was read: without the binding it could not be.
    assert not [r for r in api.requests if f"/namespaces/{spec.namespace}/" in r["path"]][1:]

    # A status read meanwhile binds again instead of failing for good.
    state = await cluster.status(spec.instance_id, spec.namespace)
    assert state.exists is False
    assert [p["path"] for p in api.made("PATCH")] == [binding]


async def test_monitoring_reads_only_the_namespaces_minispod_manages(
    api: FakeApiServer, cluster: KubernetesCluster
) -> None:
    api.answers[("GET", "/api/v1/namespaces/kube-system")] = (
        200,
        {"metadata": {"name": "kube-system", "labels": {}}},
    )
    assert await cluster.list_pods("kube-system") == []
    assert await cluster.list_deployments("kube-system") == []
    assert [r["path"] for r in api.requests] == ["/api/v1/namespaces/kube-system"] * 2


async def test_export_lists_every_kind_in_managed_namespaces_and_secrets_by_metadata_only(
    api: FakeApiServer, cluster: KubernetesCluster
) -> None:
    node = {"metadata": {"name": "worker-1"}, "status": {}}
    other = {"metadata": {"name": "kube-system", "labels": {}}}
    pod = {"metadata": {"name": "web-1", "namespace": "tenant-a"}, "spec": {}}
    event = {"metadata": {"name": "web-1.17a", "namespace": "tenant-a"}, "reason": "Pulled"}
    secret = {"metadata": {"name": "app-credentials", "namespace": "tenant-a"}}

    def decide(request: dict[str, Any]) -> Answer | None:
        path, query = request["path"], request["query"]
        if path == "/api/v1/namespaces":
            managed = query.get("labelSelector") == "app.kubernetes.io/managed-by=minispod"
            return 200, {"items": [MANAGED_NAMESPACE] if managed else [MANAGED_NAMESPACE, other]}
        return {
            "/api/v1/nodes": (200, {"items": [node]}),
            "/api/v1/namespaces/tenant-a/pods": (200, {"items": [pod]}),
            "/api/v1/namespaces/tenant-a/events": (200, {"items": [event]}),
            "/api/v1/namespaces/tenant-a/secrets": (200, {"items": [secret]}),
            "/version": (200, {"gitVersion": "v1.30.6+k3s1"}),
        }.get(path)

    api.decide = decide
    exported = await cluster.export()

    assert exported.objects["nodes"] == [node]
    assert [n["metadata"]["name"] for n in exported.objects["namespaces"]] == [
        "tenant-a",
        "kube-system",
    ]
    assert exported.objects["pods"] == [pod]
    assert exported.objects["events"] == [event]
    assert exported.objects["replicasets"] == []
    assert exported.secret_names == [("tenant-a", "app-credentials")]
    assert exported.kubernetes_version == "v1.30.6+k3s1"
    (secrets_request,) = [r for r in api.requests if r["path"].endswith("/secrets")]
    # The API server sends metadata only: a Secret's data never crosses the wire.
    assert secrets_request["accept"] == METADATA_ONLY
    namespaced = {r["path"] for r in api.requests if "/namespaces/" in r["path"]}
    assert all("/namespaces/tenant-a/" in p for p in namespaced)
    assert "/apis/apps/v1/namespaces/tenant-a/replicasets" in namespaced
