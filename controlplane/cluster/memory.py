"""The in-memory cluster: keeps rendered objects and simulates pods, so all runs without K3s."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from controlplane.cluster import monitoring
from controlplane.cluster.drift import Drift, drift
from controlplane.cluster.gateway import (
    ClusterExport,
    ClusterRefused,
    InstanceNotFound,
    InstanceState,
    JsonDict,
)
from controlplane.cluster.quantity import parse_memory_mb
from controlplane.cluster.render import (
    HOSTNAME_LABEL,
    INSTANCE_LABEL,
    OWNER_LABEL,
    QUOTA_NAME,
    RESTARTED_AT_ANNOTATION,
    QuotaShare,
    quota_share_of,
    render,
    resource_quota,
)
from controlplane.cluster.spec import TenantSpec

log = logging.getLogger(__name__)

Key = tuple[str, str, str]  # kind, namespace ("" for cluster-scoped), name
LOG_LINES_KEPT = 1000


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utcnow() -> datetime:
    return datetime.now(UTC)


# What status() says of a Deployment scaled to zero (a suspended subscription).
SCALED_TO_ZERO = "Scaled to zero"


# Kinds the quota admission counts when they are created: kind → quota resource.
_COUNTED = {"Service": "services", "PersistentVolumeClaim": "persistentvolumeclaims"}


def _storage_mb(claim: JsonDict) -> int:
    return parse_memory_mb(claim["spec"]["resources"]["requests"]["storage"])


def _hard_amount(resource: str, limit: str | None) -> int:
    if limit is None:
        return 1 << 62
    return parse_memory_mb(limit) if resource == "requests.storage" else int(limit)


@dataclass
class _Run:
    """The simulated life of one instance's pod."""

    namespace: str
    started_at: float
    pod_hash: str
    rollouts: int = 0
    logs: deque[str] = field(default_factory=lambda: deque(maxlen=LOG_LINES_KEPT))


def _pod_hash(deployment: JsonDict) -> str:
    """Like Kubernetes' pod-template-hash: a new pod template means a new pod."""
    template = json.dumps(deployment["spec"]["template"], sort_keys=True)
    return hashlib.sha256(template.encode()).hexdigest()[:10]


class InMemoryCluster:
    """A `ClusterGateway` that holds objects in memory and plays the part of the kubelet.

    A Deployment becomes available `ready_after` seconds (by `clock`) after
    its pod was (re)created; 0 means at once. `fail()` makes an instance's
    pod crash with a reason until `recover()`. When nodes were registered,
    a pod pinned to an unknown node stays Pending as Unschedulable.

    Like an API server, it admits a Service or a PersistentVolumeClaim only
    within the namespace's ResourceQuota (403 `exceeded quota` otherwise), and
    every request is a round trip of `latency` seconds during which other
    tasks run: concurrent changes interleave as they would against a cluster.
    A deleted namespace stays Terminating for `terminating_for` seconds (by
    `clock`), refusing new content meanwhile as the API server does.
    """

    def __init__(
        self,
        ready_after: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = _utcnow,
        latency: float = 0.0,
        terminating_for: float = 0.0,
    ) -> None:
        self._ready_after = ready_after
        self._latency = latency
        self._terminating_for = terminating_for
        # Namespace → when its deletion completes (by `clock`).
        self._terminating: dict[str, float] = {}
        self._clock = clock
        self._wall_clock = wall_clock
        self._objects: dict[Key, JsonDict] = {}
        self._created: dict[Key, str] = {}
        self._runs: dict[str, _Run] = {}
        self._failures: dict[str, str] = {}
        self._nodes: dict[str, JsonDict] = {}

    # --- test controls -------------------------------------------------

    def fail(self, instance_id: str, reason: str) -> None:
        """From now on the instance's pod is not ready, for `reason` (e.g. "CrashLoopBackOff")."""
        self._failures[instance_id] = reason

    def recover(self, instance_id: str) -> None:
        self._failures.pop(instance_id, None)

    def write_log(self, instance_id: str, *lines: str) -> None:
        """Appends lines to the instance's log, as if the app had printed them."""
        run = self._runs.get(instance_id)
        if run is None:
            raise InstanceNotFound(instance_id)
        run.logs.extend(lines)

    def register_node(
        self,
        name: str,
        *,
        cpu: int = 4,
        memory_mb: int = 8192,
        pods: int = 110,
        labels: dict[str, str] | None = None,
        taints: Iterable[JsonDict] = (),
        ready: bool = True,
        unschedulable: bool = False,
        internal_ip: str = "10.0.0.10",
        kubelet_version: str = "v1.30.6+k3s1",
    ) -> None:
        """Adds (or replaces) a node as the API server would describe it."""
        capacity = {"cpu": str(cpu), "memory": f"{memory_mb}Mi", "pods": str(pods)}
        self._nodes[name] = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                "labels": {HOSTNAME_LABEL: name, **(labels or {})},
                "creationTimestamp": _rfc3339(self._wall_clock()),
            },
            "spec": {"unschedulable": unschedulable, "taints": list(taints)},
            "status": {
                "capacity": capacity,
                "allocatable": dict(capacity),
                "addresses": [{"type": "InternalIP", "address": internal_ip}],
                "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                "nodeInfo": {
                    "kubeletVersion": kubelet_version,
                    "osImage": "Ubuntu 22.04 LTS",
                    "containerRuntimeVersion": "containerd://1.7.22-k3s1",
                    "architecture": "amd64",
                },
            },
        }

    def delete_object(self, kind: str, namespace: str, name: str) -> None:
        """Removes one object behind the control plane's back, as `kubectl delete` would."""
        key = (kind, namespace if kind != "Namespace" else "", name)
        if key not in self._objects:
            raise KeyError(f"no {kind} {namespace}/{name}")
        self._remove(key)

    def edit_object(
        self, kind: str, namespace: str, name: str, edit: Callable[[JsonDict], None]
    ) -> None:
        """Changes one stored object in place behind the control plane's back (`kubectl edit`)."""
        edit(self._objects[(kind, namespace if kind != "Namespace" else "", name)])

    def objects(self, kind: str | None = None, namespace: str | None = None) -> list[JsonDict]:
        """Copies of the stored objects, as they were applied."""
        return [
            copy.deepcopy(obj)
            for (k, ns, _), obj in sorted(self._objects.items())
            if (kind is None or k == kind) and (namespace is None or ns == namespace)
        ]

    # --- provisioning --------------------------------------------------

    async def apply(self, spec: TenantSpec) -> None:
        self._finish_terminations()
        siblings = self._shares(spec.namespace, exclude=spec.instance_id)
        await self._round_trip()
        rendered = render(spec, siblings)
        new = next(o for o in rendered if o["kind"] == "Deployment")
        # Objects the new render no longer has (e.g. a dropped companion's claim) go.
        wanted = {self._key(o) for o in rendered}
        for key in self._instance_keys(spec.instance_id, spec.namespace):
            if key not in wanted:
                await self._round_trip()
                self._remove(key)
        for obj in rendered:
            await self._round_trip()
            self._refuse_if_terminating(obj)
            if obj is new:
                self._keep_restart(obj)
            self._admit(obj)
            self._store(obj)
        self._roll(spec.instance_id, spec.namespace, new)

    async def delete(self, instance_id: str, namespace: str) -> None:
        for key in self._instance_keys(instance_id, namespace):
            await self._round_trip()
            self._remove(key)
        self._runs.pop(instance_id, None)
        await self._round_trip()
        if not self._listed("Deployment", namespace):
            for key in [k for k in self._objects if k[1] == namespace]:
                self._remove(key)
            if self._terminating_for > 0 and ("Namespace", "", namespace) in self._objects:
                self._terminating[namespace] = self._clock() + self._terminating_for
            else:
                self._remove(("Namespace", "", namespace))
            return
        quota_key = ("ResourceQuota", namespace, QUOTA_NAME)
        if quota_key in self._objects:
            owner = self._objects[quota_key]["metadata"]["labels"][OWNER_LABEL]
            total = QuotaShare()
            for share in self._shares(namespace):
                total = total + share
            await self._round_trip()
            self._store(resource_quota(namespace, owner, total))

    async def status(self, instance_id: str, namespace: str) -> InstanceState:
        deployment = self._deployment(instance_id, namespace)
        if deployment is None:
            return InstanceState(exists=False, available=False)
        if deployment["spec"].get("replicas", 1) == 0:
            return InstanceState(exists=True, available=False, reason=SCALED_TO_ZERO)
        pod = self._pod(deployment)
        return monitoring.instance_state(self._live_deployment(deployment, pod), [pod])

    async def drift(self, spec: TenantSpec) -> list[Drift]:
        rendered = render(spec, self._shares(spec.namespace, exclude=spec.instance_id))
        return drift(rendered, self._objects)

    async def restart(self, instance_id: str, namespace: str) -> None:
        deployment = self._deployment(instance_id, namespace)
        if deployment is None:
            raise InstanceNotFound(f"{namespace}/{instance_id}")
        annotations = deployment["spec"]["template"]["metadata"].setdefault("annotations", {})
        annotations[RESTARTED_AT_ANNOTATION] = self._wall_clock().astimezone(UTC).isoformat()
        self._roll(instance_id, namespace, deployment)

    async def logs(self, instance_id: str, namespace: str, tail: int = 100) -> list[str]:
        if self._deployment(instance_id, namespace) is None:
            raise InstanceNotFound(f"{namespace}/{instance_id}")
        lines = list(self._runs[instance_id].logs)
        return lines[-tail:] if tail > 0 else []

    async def list_instances(self) -> list[tuple[str, str]]:
        return sorted(
            (ns, obj["metadata"]["labels"][INSTANCE_LABEL])
            for (kind, ns, _), obj in self._objects.items()
            if kind == "Deployment"
        )

    # --- monitoring ----------------------------------------------------

    async def list_pods(self, namespace: str | None = None) -> list[JsonDict]:
        return [
            monitoring.pod_view(self._pod(d))
            for d in self._listed("Deployment", namespace)
            if d["spec"].get("replicas", 1) > 0
        ]

    async def list_deployments(self, namespace: str | None = None) -> list[JsonDict]:
        return [
            monitoring.deployment_view(self._live_deployment(d, self._pod(d)))
            for d in self._listed("Deployment", namespace)
        ]

    async def list_nodes(self) -> list[JsonDict]:
        return [monitoring.node_view(n) for _, n in sorted(self._nodes.items())]

    async def list_namespaces(self) -> list[JsonDict]:
        self._finish_terminations()
        out = []
        for ns in self._listed("Namespace", None):
            live = copy.deepcopy(ns)
            terminating = ns["metadata"]["name"] in self._terminating
            live["status"] = {"phase": "Terminating" if terminating else "Active"}
            out.append(monitoring.namespace_view(live))
        return out

    async def list_services(self, namespace: str | None = None) -> list[JsonDict]:
        out = []
        for svc in self._listed("Service", namespace):
            live = copy.deepcopy(svc)
            # A stable, made-up address in K3s's service range.
            _, ns, name = self._key(svc)
            digest = hashlib.sha256(f"{ns}/{name}".encode()).digest()
            live["spec"]["clusterIP"] = f"10.43.{digest[0]}.{digest[1] or 1}"
            out.append(monitoring.service_view(live))
        return out

    async def list_ingresses(self, namespace: str | None = None) -> list[JsonDict]:
        return [monitoring.ingress_view(i) for i in self._listed("Ingress", namespace)]

    async def export(self) -> ClusterExport:
        self._finish_terminations()
        running = [d for d in self._listed("Deployment", None) if d["spec"].get("replicas", 1) > 0]
        namespaces = []
        for ns in self._listed("Namespace", None):
            terminating = ns["metadata"]["name"] in self._terminating
            ns["status"] = {"phase": "Terminating" if terminating else "Active"}
            namespaces.append(ns)
        objects: dict[str, list[JsonDict]] = {
            "nodes": [copy.deepcopy(n) for _, n in sorted(self._nodes.items())],
            "namespaces": namespaces,
            "deployments": [
                self._live_deployment(d, self._pod(d)) for d in self._listed("Deployment", None)
            ],
            # No controller runs here: Deployments own no ReplicaSets, nothing writes events.
            "replicasets": [],
            "pods": [self._pod(d) for d in running],
            "services": self._listed("Service", None),
            "ingresses": self._listed("Ingress", None),
            "persistentvolumeclaims": self._listed("PersistentVolumeClaim", None),
            "resourcequotas": self._listed("ResourceQuota", None),
            "events": [],
        }
        secrets = sorted((ns, name) for kind, ns, name in self._objects if kind == "Secret")
        versions = {n["status"]["nodeInfo"]["kubeletVersion"] for n in self._nodes.values()}
        return ClusterExport(objects, secrets, min(versions) if versions else None)

    async def close(self) -> None:
        return None

    # --- internals -----------------------------------------------------

    async def _round_trip(self) -> None:
        """One request to the API server: other tasks run meanwhile."""
        await asyncio.sleep(self._latency)

    def _finish_terminations(self) -> None:
        """Namespaces whose deletion completed by now are gone."""
        now = self._clock()
        for namespace, ends in list(self._terminating.items()):
            if now >= ends:
                del self._terminating[namespace]
                self._remove(("Namespace", "", namespace))

    def _refuse_if_terminating(self, obj: JsonDict) -> None:
        kind, namespace, name = self._key(obj)
        if namespace not in self._terminating:
            return
        plural = f"{kind.lower()}s"
        raise ClusterRefused(
            403,
            f"PATCH /api/v1/namespaces/{namespace}/{plural}/{name}: {plural} {name!r} is "
            f"forbidden: unable to create new content in namespace {namespace} because it "
            "is being terminated",
            ("NamespaceTerminating",),
        )

    def _keep_restart(self, deployment: JsonDict) -> None:
        """Server-side apply leaves fields other managers own (a restart's annotation)."""
        old = self._objects.get(self._key(deployment))
        if old is None:
            return
        restarted = old["spec"]["template"]["metadata"].get("annotations", {})
        if RESTARTED_AT_ANNOTATION in restarted:
            deployment["spec"]["template"]["metadata"].setdefault("annotations", {})[
                RESTARTED_AT_ANNOTATION
            ] = restarted[RESTARTED_AT_ANNOTATION]

    def _admit(self, obj: JsonDict) -> None:
        """The ResourceQuota admission of an API server, for the kinds it counts at creation."""
        kind, namespace, name = self._key(obj)
        quota = self._objects.get(("ResourceQuota", namespace, QUOTA_NAME))
        if quota is None or kind not in _COUNTED or (kind, namespace, name) in self._objects:
            return
        hard = quota["spec"]["hard"]
        same = [o for k, o in self._objects.items() if k[0] == kind and k[1] == namespace]
        wanted = {_COUNTED[kind]: len(same) + 1}
        if kind == "PersistentVolumeClaim":
            wanted["requests.storage"] = sum(_storage_mb(o) for o in [*same, obj])
        over = {
            resource: used
            for resource, used in wanted.items()
            if used > _hard_amount(resource, hard.get(resource))
        }
        if over:
            limited = ",".join(f"{r}={hard.get(r)}" for r in over)
            raise ClusterRefused(
                403,
                f"POST {kind.lower()}s {name!r} in namespace {namespace}: "
                f"{_COUNTED[kind]} {name!r} is forbidden: exceeded quota: {QUOTA_NAME}, "
                f"limited: {limited}",
            )

    @staticmethod
    def _key(obj: JsonDict) -> Key:
        meta = obj["metadata"]
        return (obj["kind"], meta.get("namespace", ""), meta["name"])

    def _store(self, obj: JsonDict) -> None:
        key = self._key(obj)
        self._objects[key] = copy.deepcopy(obj)
        self._created.setdefault(key, _rfc3339(self._wall_clock()))

    def _remove(self, key: Key) -> None:
        self._objects.pop(key, None)
        self._created.pop(key, None)

    def _instance_keys(self, instance_id: str, namespace: str) -> list[Key]:
        return [
            key
            for key, obj in self._objects.items()
            if key[1] == namespace
            and obj["metadata"].get("labels", {}).get(INSTANCE_LABEL) == instance_id
        ]

    def _shares(self, namespace: str, exclude: str | None = None) -> list[QuotaShare]:
        shares = []
        for d in self._listed("Deployment", namespace):
            if d["metadata"]["labels"].get(INSTANCE_LABEL) == exclude:
                continue
            share = quota_share_of(d)
            if share is not None:
                shares.append(share)
        return shares

    def _listed(self, kind: str, namespace: str | None) -> list[JsonDict]:
        return [
            self._with_created(key, obj)
            for key, obj in sorted(self._objects.items())
            if key[0] == kind and (namespace is None or key[1] == namespace)
        ]

    def _with_created(self, key: Key, obj: JsonDict) -> JsonDict:
        live = copy.deepcopy(obj)
        live["metadata"]["creationTimestamp"] = self._created.get(key)
        return live

    def _deployment(self, instance_id: str, namespace: str) -> JsonDict | None:
        for key, obj in self._objects.items():
            if (
                key[0] == "Deployment"
                and key[1] == namespace
                and obj["metadata"]["labels"].get(INSTANCE_LABEL) == instance_id
            ):
                return obj
        return None

    def _roll(self, instance_id: str, namespace: str, deployment: JsonDict) -> None:
        """Starts a new pod when the pod template changed (or there was none)."""
        pod_hash = _pod_hash(deployment)
        run = self._runs.get(instance_id)
        if run is not None and run.pod_hash == pod_hash:
            return
        if run is None:
            run = _Run(namespace=namespace, started_at=self._clock(), pod_hash=pod_hash)
            self._runs[instance_id] = run
        else:
            run.rollouts += 1
            run.started_at = self._clock()
            run.pod_hash = pod_hash
        stamp = _rfc3339(self._wall_clock())
        for c in deployment["spec"]["template"]["spec"]["containers"]:
            run.logs.append(f"{stamp} pulled image {c['image']}")
            run.logs.append(f"{stamp} started container {c['name']}")
        log.info("in-memory cluster: pod of %s/%s (re)created", namespace, instance_id)

    def _pod(self, deployment: JsonDict) -> JsonDict:
        """The pod the kubelet would report for the Deployment right now."""
        meta = deployment["metadata"]
        instance_id = meta["labels"][INSTANCE_LABEL]
        run = self._runs[instance_id]
        template = deployment["spec"]["template"]
        node = template["spec"]["nodeSelector"].get(HOSTNAME_LABEL)
        suffix = hashlib.sha256(f"{instance_id}/{run.rollouts}".encode()).hexdigest()[:5]
        containers = [
            {"name": c["name"], "image": c["image"]} for c in template["spec"]["containers"]
        ]
        pod: JsonDict = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": f"{meta['name']}-{run.pod_hash}-{suffix}",
                "namespace": meta["namespace"],
                "labels": dict(template["metadata"]["labels"]),
                "creationTimestamp": self._created.get(self._key(deployment)),
            },
            "spec": {"nodeName": node, "containers": containers},
        }
        if self._nodes and node not in self._nodes:
            pod["spec"]["nodeName"] = None
            pod["status"] = {
                "phase": "Pending",
                "conditions": [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "reason": "Unschedulable",
                        "message": f"0/{len(self._nodes)} nodes are available: "
                        f"node {node} not found.",
                    }
                ],
            }
            return pod
        failure = self._failures.get(instance_id)
        started = self._clock() - run.started_at >= self._ready_after
        ready = failure is None and started
        up: JsonDict = {"running": {"startedAt": pod["metadata"]["creationTimestamp"]}}
        creating: JsonDict = {"waiting": {"reason": "ContainerCreating"}}
        statuses = []
        for i, c in enumerate(containers):
            state = up if started else creating
            if i == 0 and failure is not None:
                # The main container is the one that crashes.
                state = {"waiting": {"reason": failure}}
            statuses.append(
                {
                    "name": c["name"],
                    "image": c["image"],
                    "ready": ready,
                    "restartCount": 1 if i == 0 and failure is not None else 0,
                    "state": state,
                }
            )
        digest = hashlib.sha256(instance_id.encode()).digest()
        pod["status"] = {
            "phase": "Running" if started or failure is not None else "Pending",
            "podIP": f"10.42.{digest[0]}.{digest[1] or 1}",
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": statuses,
        }
        return pod

    def _live_deployment(self, deployment: JsonDict, pod: JsonDict) -> JsonDict:
        live = self._with_created(self._key(deployment), deployment)
        wanted = int(deployment["spec"].get("replicas", 1))
        statuses = pod["status"].get("containerStatuses", [{"ready": False}])
        ready = wanted > 0 and all(s["ready"] for s in statuses)
        count = 1 if ready else 0
        live["status"] = {
            "replicas": wanted,
            "updatedReplicas": wanted,
            "readyReplicas": count,
            "availableReplicas": count,
            "conditions": [
                {
                    "type": "Available",
                    "status": "True" if ready else "False",
                    "reason": "MinimumReplicasAvailable" if ready else "MinimumReplicasUnavailable",
                }
            ],
        }
        return live
