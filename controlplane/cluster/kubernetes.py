"""The Kubernetes cluster gateway: server-side apply and reads through the official client.

Requests go through the client's `ApiClient` as plain JSON (no generated
models): server-side apply is a PATCH with `application/apply-patch+yaml`,
`fieldManager=minispod` and `force=true`, which every API server since 1.22
serves and which needs no discovery round-trips. Each blocking call runs in
a worker thread so the event loop never waits on the network.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from controlplane.cluster import monitoring
from controlplane.cluster.drift import Drift, ObjectKey, drift, key_of
from controlplane.cluster.gateway import (
    ClusterError,
    ClusterExport,
    ClusterRefused,
    ClusterUnavailable,
    InstanceNotFound,
    InstanceState,
    JsonDict,
    Trouble,
)
from controlplane.cluster.render import (
    ACCESS_KINDS,
    INSTANCE_KINDS,
    INSTANCE_LABEL,
    MANAGED_BY_LABEL,
    MANAGER,
    OWNER_LABEL,
    QUOTA_NAME,
    RESTARTED_AT_ANNOTATION,
    QuotaShare,
    access_binding,
    quota_share_of,
    render,
    resource_quota,
)
from controlplane.cluster.spec import TenantSpec
from shared import kube_call
from shared.snapshot_document import METADATA_ONLY
from shared.wire.catalog import MAIN_CONTAINER

log = logging.getLogger(__name__)

T = TypeVar("T")

SERVICE_ACCOUNT_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")
FIELD_MANAGER = MANAGER
MANAGED = f"{MANAGED_BY_LABEL}={MANAGER}"
PAGE_SIZE = 500
# A RoleBinding just made takes a moment to reach the API server's RBAC cache: a 403
# inside a namespace of ours is tried again after these pauses (seconds).
RBAC_GRACE = (0.1, 0.3, 0.6, 1.0)

# kind → (API prefix, plural, namespaced)
_RESOURCES: dict[str, tuple[str, str, bool]] = {
    "Namespace": ("/api/v1", "namespaces", False),
    "Node": ("/api/v1", "nodes", False),
    "ResourceQuota": ("/api/v1", "resourcequotas", True),
    "LimitRange": ("/api/v1", "limitranges", True),
    "Secret": ("/api/v1", "secrets", True),
    "PersistentVolumeClaim": ("/api/v1", "persistentvolumeclaims", True),
    "Service": ("/api/v1", "services", True),
    "Pod": ("/api/v1", "pods", True),
    "Event": ("/api/v1", "events", True),
    "Deployment": ("/apis/apps/v1", "deployments", True),
    "ReplicaSet": ("/apis/apps/v1", "replicasets", True),
    "NetworkPolicy": ("/apis/networking.k8s.io/v1", "networkpolicies", True),
    "Ingress": ("/apis/networking.k8s.io/v1", "ingresses", True),
    "RoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "rolebindings", True),
    "PodMetrics": ("/apis/metrics.k8s.io/v1beta1", "pods", True),
}


# What a snapshot exports from each namespace MinisPod manages: plural → kind.
EXPORTED_KINDS = {
    "deployments": "Deployment",
    "replicasets": "ReplicaSet",
    "pods": "Pod",
    "services": "Service",
    "ingresses": "Ingress",
    "persistentvolumeclaims": "PersistentVolumeClaim",
    "resourcequotas": "ResourceQuota",
    "events": "Event",
}


class ApiRefused(ClusterRefused):
    """The API server answered with a client error (4xx)."""


def in_cluster_credentials_available() -> bool:
    """True inside a pod with a service account (what `load_incluster_config` needs)."""
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and SERVICE_ACCOUNT_TOKEN.is_file()


def collection_path(kind: str, namespace: str | None = None) -> str:
    prefix, plural, namespaced = _RESOURCES[kind]
    if namespaced and namespace:
        return f"{prefix}/namespaces/{quote(namespace, safe='')}/{plural}"
    return f"{prefix}/{plural}"


def item_path(kind: str, namespace: str | None, name: str) -> str:
    return f"{collection_path(kind, namespace)}/{quote(name, safe='')}"


class KubernetesCluster:
    """A `ClusterGateway` backed by a real API server (K3s or any Kubernetes ≥ 1.22).

    Least privilege (deploy/base/controlplane-rbac.yaml): cluster-wide the control plane may
    only manage namespaces and read nodes; inside a tenant namespace it acts through the
    RoleBinding it applies with the namespace. So every read and write inside a namespace
    goes through `_inside`, which binds again (and waits for RBAC to catch up) when the
    API server answers 403 in a namespace MinisPod manages.
    """

    def __init__(self, api_client: Any, *, timeout: tuple[float, float] = (5.0, 30.0)) -> None:
        self._api = api_client
        self._timeout = timeout

    @classmethod
    def from_config(
        cls,
        kubeconfig: str | None,
        *,
        in_cluster: bool | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
    ) -> KubernetesCluster:
        """From a kubeconfig file, or from the pod's service account when `kubeconfig` is None.

        `in_cluster` None means: look for the service account. Raises
        ClusterUnavailable when neither is there or the kubeconfig is unusable.
        Nothing is sent to the server here.
        """
        import urllib3
        from kubernetes import client, config

        configuration = client.Configuration()
        try:
            if kubeconfig:
                if not Path(kubeconfig).is_file():
                    raise ClusterUnavailable(f"kubeconfig {kubeconfig} does not exist")
                config.load_kube_config(config_file=kubeconfig, client_configuration=configuration)
            else:
                if in_cluster is None:
                    in_cluster = in_cluster_credentials_available()
                if not in_cluster:
                    raise ClusterUnavailable(
                        "no kubeconfig given and no in-cluster service account found"
                    )
                config.load_incluster_config(client_configuration=configuration)
        except config.ConfigException as exc:
            raise ClusterUnavailable(f"cannot load cluster credentials: {exc}") from exc
        # One quick retry for a dropped connection; the caller's job retries the rest.
        configuration.retries = urllib3.Retry(total=1, connect=1, read=0, redirect=0, status=0)
        return cls(client.ApiClient(configuration), timeout=timeout)

    @property
    def host(self) -> str:
        return str(self._api.configuration.host)

    # --- the HTTP layer ------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        query: list[tuple[str, str]] | None = None,
        body: Any = None,
        content_type: str = "application/json",
        text: bool = False,
        accept: str | None = None,
    ) -> Any:
        accept = accept or ("*/*" if text else "application/json")
        headers = {"Accept": accept, "Content-Type": content_type}
        try:
            status, payload = kube_call.call(
                self._api,
                method,
                path,
                headers=headers,
                timeout=self._timeout,
                query=query,
                body=body,
            )
        except kube_call.Unanswered as exc:
            raise ClusterUnavailable(f"{method} {path}: {exc}") from exc
        if status >= 500 or status == 429:
            raise ClusterUnavailable(f"{method} {path}: {status} {_message(payload)}")
        if status >= 400:
            raise ApiRefused(status, f"{method} {path}: {_message(payload)}", _causes(payload))
        if text:
            return payload
        return json.loads(payload) if payload else {}

    def _list(
        self,
        kind: str,
        namespace: str | None = None,
        selector: str | None = None,
        accept: str | None = None,
    ) -> list[JsonDict]:
        if namespace and _RESOURCES[kind][2]:
            return self._inside(
                namespace, lambda: self._list_pages(kind, namespace, selector, accept)
            )
        return self._list_pages(kind, namespace, selector, accept)

    def _list_pages(
        self, kind: str, namespace: str | None, selector: str | None, accept: str | None = None
    ) -> list[JsonDict]:
        items: list[JsonDict] = []
        token: str | None = None
        while True:
            query = [("limit", str(PAGE_SIZE))]
            if selector:
                query.append(("labelSelector", selector))
            if token:
                query.append(("continue", token))
            page = self._request(
                "GET", collection_path(kind, namespace), query=query, accept=accept
            )
            items += page.get("items") or []
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return items

    def _get(self, kind: str, namespace: str | None, name: str) -> JsonDict | None:
        def read() -> JsonDict | None:
            try:
                result: JsonDict = self._request("GET", item_path(kind, namespace, name))
            except ApiRefused as exc:
                if exc.status == 404:
                    return None
                raise
            return result

        if namespace and kind != "RoleBinding":
            return self._inside(namespace, read)
        return read()

    def _server_side_apply(self, obj: JsonDict) -> None:
        meta = obj["metadata"]
        namespace = meta.get("namespace")

        def write() -> None:
            self._request(
                "PATCH",
                item_path(obj["kind"], namespace, meta["name"]),
                query=[("fieldManager", FIELD_MANAGER), ("force", "true")],
                body=obj,
                content_type="application/apply-patch+yaml",
            )

        # The RoleBinding is written with the cluster-wide right to bind, not from inside.
        if namespace and obj["kind"] != "RoleBinding":
            self._inside(namespace, write)
        else:
            write()

    def _inside(self, namespace: str, call: Callable[[], T]) -> T:
        """`call` inside a tenant namespace. A 403 there means our RoleBinding is not seen
        yet (just made) or is gone (deleted behind our back): bind again, try again."""
        for pause in (*RBAC_GRACE, None):
            try:
                return call()
            except ApiRefused as exc:
                # Only a refusal of who we are: an exceeded quota or a terminating
                # namespace is no matter of RBAC.
                if exc.trouble is not Trouble.FORBIDDEN or pause is None:
                    raise
                if not self._bind(namespace):
                    raise
                time.sleep(pause)
        raise AssertionError("unreachable: the last pause is None")

    def _bind(self, namespace: str) -> bool:
        """Applies our RoleBinding in `namespace` if MinisPod manages it; False otherwise."""
        found = self._get("Namespace", None, namespace)
        labels = ((found or {}).get("metadata") or {}).get("labels") or {}
        if labels.get(MANAGED_BY_LABEL) != MANAGER or not labels.get(OWNER_LABEL):
            return False
        self._server_side_apply(access_binding(namespace, labels[OWNER_LABEL]))
        return True

    def _managed_namespaces(self) -> list[str]:
        found = self._list("Namespace", None, MANAGED)
        return sorted(n["metadata"]["name"] for n in found)

    def _scope(self, namespace: str | None) -> list[str]:
        """The namespaces a monitoring read covers: MinisPod's own, never anybody else's."""
        if namespace is None:
            return self._managed_namespaces()
        found = self._get("Namespace", None, namespace)
        labels = ((found or {}).get("metadata") or {}).get("labels") or {}
        return [namespace] if labels.get(MANAGED_BY_LABEL) == MANAGER else []

    def _list_each(self, kind: str, namespace: str | None) -> list[JsonDict]:
        return [item for ns in self._scope(namespace) for item in self._list(kind, ns)]

    def _delete(self, path: str) -> None:
        try:
            self._request("DELETE", path, query=[("propagationPolicy", "Background")])
        except ApiRefused as exc:
            if exc.status != 404:
                raise

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    # --- provisioning --------------------------------------------------

    def _rendered(self, spec: TenantSpec) -> list[JsonDict]:
        """What to apply for `spec`: its objects, with the quota sized for the siblings there."""
        siblings = []
        for d in self._list("Deployment", spec.namespace, MANAGED):
            share = quota_share_of(d)
            if (
                share
                and (d["metadata"].get("labels") or {}).get(INSTANCE_LABEL) != spec.instance_id
            ):
                siblings.append(share)
        return render(spec, siblings)

    def _apply(self, spec: TenantSpec) -> None:
        # The namespace and our RoleBinding in it first: sizing the quota reads the
        # namespace's Deployments, which only the binding allows.
        for obj in render(spec):
            if obj["kind"] in ACCESS_KINDS:
                self._server_side_apply(obj)
        objects = self._rendered(spec)
        for obj in objects:
            if obj["kind"] not in ACCESS_KINDS:
                self._server_side_apply(obj)
        # Objects an earlier render had and this one has not (a dropped claim) go.
        wanted = {(o["kind"], o["metadata"]["name"]) for o in objects}
        selector = f"{INSTANCE_LABEL}={spec.instance_id}"
        for kind in INSTANCE_KINDS:
            for found in self._list(kind, spec.namespace, selector):
                name = found["metadata"]["name"]
                if (kind, name) not in wanted:
                    self._delete(item_path(kind, spec.namespace, name))
        log.info("applied %d objects for %s/%s", len(objects), spec.namespace, spec.instance_id)

    def _delete_instance(self, instance_id: str, namespace: str) -> None:
        # Listed and deleted one by one rather than by deletecollection, which
        # RBAC roles (ours included) rarely grant.
        selector = f"{INSTANCE_LABEL}={instance_id}"
        for kind in reversed(INSTANCE_KINDS):
            for found in self._list(kind, namespace, selector):
                self._delete(item_path(kind, namespace, found["metadata"]["name"]))
        remaining = [
            d
            for d in self._list("Deployment", namespace, MANAGED)
            if (d["metadata"].get("labels") or {}).get(INSTANCE_LABEL) != instance_id
            and not d["metadata"].get("deletionTimestamp")
        ]
        if not remaining:
            ns_object = self._get("Namespace", None, namespace)
            labels = ((ns_object or {}).get("metadata") or {}).get("labels") or {}
            # Never remove a namespace MinisPod did not create.
            if labels.get(MANAGED_BY_LABEL) == MANAGER:
                self._delete(item_path("Namespace", None, namespace))
                log.info("deleted namespace %s with its last instance %s", namespace, instance_id)
            return
        quota = self._get("ResourceQuota", namespace, QUOTA_NAME)
        owner = (((quota or {}).get("metadata") or {}).get("labels") or {}).get(OWNER_LABEL)
        if owner:
            total = QuotaShare()
            for d in remaining:
                total = total + (quota_share_of(d) or QuotaShare())
            self._server_side_apply(resource_quota(namespace, owner, total))

    def _drift(self, spec: TenantSpec) -> list[Drift]:
        # Our access first, read with cluster-wide rights: without it nothing inside can be
        # read, and re-binding while reading would hide that it had gone.
        access = [o for o in render(spec) if o["kind"] in ACCESS_KINDS]
        live: dict[ObjectKey, JsonDict] = {}
        for obj in access:
            kind, namespace, name = key_of(obj)
            found = self._get(kind, namespace or None, name)
            if found is not None:
                live[key_of(obj)] = found
        lost = drift(access, live)
        if lost:
            return lost
        # Then one GET per object, by name: an object someone stripped of its labels is
        # still found (and its labels count as drift).
        rendered = [o for o in self._rendered(spec) if o["kind"] not in ACCESS_KINDS]
        for obj in rendered:
            kind, namespace, name = key_of(obj)
            found = self._get(kind, namespace or None, name)
            if found is not None:
                live[key_of(obj)] = found
        return drift(rendered, live)

    def _find_deployment(self, instance_id: str, namespace: str) -> JsonDict | None:
        found = self._list("Deployment", namespace, f"{INSTANCE_LABEL}={instance_id}")
        return found[0] if found else None

    def _pods(self, instance_id: str, namespace: str) -> list[JsonDict]:
        return self._list("Pod", namespace, f"{INSTANCE_LABEL}={instance_id}")

    def _status(self, instance_id: str, namespace: str) -> InstanceState:
        deployment = self._find_deployment(instance_id, namespace)
        if deployment is None:
            return InstanceState(exists=False, available=False)
        return monitoring.instance_state(deployment, self._pods(instance_id, namespace))

    def _restart(self, instance_id: str, namespace: str) -> None:
        deployment = self._find_deployment(instance_id, namespace)
        if deployment is None:
            raise InstanceNotFound(f"{namespace}/{instance_id}")
        moment = datetime.now(UTC).isoformat()
        patch = {
            "spec": {"template": {"metadata": {"annotations": {RESTARTED_AT_ANNOTATION: moment}}}}
        }
        # A merge patch, not an apply: the annotation must not become a field
        # minispod's apply owns (the next apply would drop it again).
        self._request(
            "PATCH",
            item_path("Deployment", namespace, deployment["metadata"]["name"]),
            body=patch,
            content_type="application/strategic-merge-patch+json",
        )

    def _logs(self, instance_id: str, namespace: str, tail: int) -> list[str]:
        if self._find_deployment(instance_id, namespace) is None:
            raise InstanceNotFound(f"{namespace}/{instance_id}")
        pods = self._pods(instance_id, namespace)
        if not pods or tail <= 0:
            return []
        newest = max(pods, key=lambda p: p["metadata"].get("creationTimestamp") or "")
        path = item_path("Pod", namespace, newest["metadata"]["name"]) + "/log"
        try:
            text: str = self._request(
                "GET",
                path,
                query=[("container", MAIN_CONTAINER), ("tailLines", str(tail))],
                text=True,
            )
        except ApiRefused as exc:
            # 400 while the container is still being created: nothing logged yet.
            if exc.status in (400, 404):
                return []
            raise
        return text.splitlines()

    def _list_instances(self) -> list[tuple[str, str]]:
        # Namespace by namespace: deployments cluster-wide are not ours to read.
        found = [
            d
            for namespace in self._managed_namespaces()
            for d in self._list("Deployment", namespace, f"{MANAGED},{INSTANCE_LABEL}")
        ]
        return sorted(
            (d["metadata"]["namespace"], d["metadata"]["labels"][INSTANCE_LABEL]) for d in found
        )

    def _pod_views(self, namespace: str | None) -> list[JsonDict]:
        pods: list[JsonDict] = []
        metrics: dict[tuple[str | None, str | None], JsonDict] = {}
        for ns in self._scope(namespace):
            pods += self._list("Pod", ns)
            try:
                for item in self._list("PodMetrics", ns):
                    meta = item.get("metadata") or {}
                    key = (meta.get("namespace"), meta.get("name"))
                    metrics[key] = monitoring.pod_metrics(item)
            except ClusterError as exc:
                # No metrics-server (404) or one that is down (503): pods without usage.
                log.debug("pod metrics unavailable: %s", exc)
        return [
            monitoring.pod_view(
                p, metrics.get((p["metadata"].get("namespace"), p["metadata"].get("name")))
            )
            for p in pods
        ]

    def _export(self) -> ClusterExport:
        # Nodes and namespaces whole (cluster-wide reads we hold); inside namespaces only
        # MinisPod's own, as everywhere else (least privilege).
        objects = {"nodes": self._list("Node"), "namespaces": self._list("Namespace")}
        managed = self._managed_namespaces()
        for plural, kind in EXPORTED_KINDS.items():
            objects[plural] = [item for ns in managed for item in self._list(kind, ns)]
        secrets = sorted(
            (ns, item["metadata"]["name"])
            for ns in managed
            for item in self._list("Secret", ns, accept=METADATA_ONLY)
        )
        version = self._request("GET", "/version").get("gitVersion")
        return ClusterExport(objects, secrets, str(version) if version else None)

    # --- the gateway ---------------------------------------------------

    async def apply(self, spec: TenantSpec) -> None:
        await self._run(self._apply, spec)

    async def delete(self, instance_id: str, namespace: str) -> None:
        await self._run(self._delete_instance, instance_id, namespace)

    async def status(self, instance_id: str, namespace: str) -> InstanceState:
        return await self._run(self._status, instance_id, namespace)

    async def drift(self, spec: TenantSpec) -> list[Drift]:
        return await self._run(self._drift, spec)

    async def restart(self, instance_id: str, namespace: str) -> None:
        await self._run(self._restart, instance_id, namespace)

    async def logs(self, instance_id: str, namespace: str, tail: int = 100) -> list[str]:
        return await self._run(self._logs, instance_id, namespace, tail)

    async def list_instances(self) -> list[tuple[str, str]]:
        return await self._run(self._list_instances)

    async def list_pods(self, namespace: str | None = None) -> list[JsonDict]:
        return await self._run(self._pod_views, namespace)

    async def list_deployments(self, namespace: str | None = None) -> list[JsonDict]:
        items = await self._run(self._list_each, "Deployment", namespace)
        return [monitoring.deployment_view(d) for d in items]

    async def list_nodes(self) -> list[JsonDict]:
        return [monitoring.node_view(n) for n in await self._run(self._list, "Node")]

    async def list_namespaces(self) -> list[JsonDict]:
        return [monitoring.namespace_view(n) for n in await self._run(self._list, "Namespace")]

    async def list_services(self, namespace: str | None = None) -> list[JsonDict]:
        items = await self._run(self._list_each, "Service", namespace)
        return [monitoring.service_view(s) for s in items]

    async def list_ingresses(self, namespace: str | None = None) -> list[JsonDict]:
        items = await self._run(self._list_each, "Ingress", namespace)
        return [monitoring.ingress_view(i) for i in items]

    async def export(self) -> ClusterExport:
        return await self._run(self._export)

    async def close(self) -> None:
        await self._run(self._api.close)


def _message(payload: str) -> str:
    """The `message` of a Kubernetes Status body, else the body itself (shortened)."""
    try:
        data = json.loads(payload)
    except ValueError:
        return payload[:300]
    if isinstance(data, dict) and data.get("message"):
        return str(data["message"])
    return payload[:300]


def _causes(payload: str) -> tuple[str, ...]:
    """The cause types of a Kubernetes Status body (`details.causes[].type`)."""
    try:
        data = json.loads(payload)
    except ValueError:
        return ()
    details = data.get("details") if isinstance(data, dict) else None
    causes = details.get("causes") if isinstance(details, dict) else None
    if not isinstance(causes, list):
        return ()
    return tuple(str(c["type"]) for c in causes if isinstance(c, dict) and c.get("type"))
