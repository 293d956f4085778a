"""Raw Kubernetes objects (API JSON) → the views admins read, and the state of an instance.

Both gateways feed these pure functions: the Kubernetes one with what the API
server returns, the in-memory one with objects it synthesizes. The shapes are
documented on `ClusterGateway`.
"""

from __future__ import annotations

from typing import Any

from controlplane.cluster.gateway import InstanceState, JsonDict
from controlplane.cluster.quantity import parse_cpu, parse_memory_mb
from controlplane.cluster.render import INSTANCE_LABEL, MANAGED_BY_LABEL, MANAGER, OWNER_LABEL

# Waiting reasons that are part of a normal start, not a problem to report.
_NORMAL_WAITING = frozenset({"ContainerCreating", "PodInitializing"})


def _meta(obj: JsonDict) -> JsonDict:
    return obj.get("metadata") or {}


def _labels(obj: JsonDict) -> dict[str, str]:
    return dict(_meta(obj).get("labels") or {})


def _created(obj: JsonDict) -> str | None:
    return _meta(obj).get("creationTimestamp")


def pod_metrics(item: JsonDict) -> JsonDict:
    """A metrics.k8s.io PodMetrics → {timestamp, window, containers: {name: {cpu, memory}}}."""
    containers = {}
    for c in item.get("containers") or []:
        usage = c.get("usage") or {}
        containers[c.get("name", "")] = {
            "cpu": parse_cpu(usage.get("cpu", "0")),
            "memory": parse_memory_mb(usage.get("memory", "0")),
        }
    return {
        "timestamp": item.get("timestamp"),
        "window": item.get("window"),
        "containers": containers,
    }


def pod_view(pod: JsonDict, metrics: JsonDict | None = None) -> JsonDict:
    meta, spec, status = _meta(pod), pod.get("spec") or {}, pod.get("status") or {}
    statuses = {s.get("name"): s for s in status.get("containerStatuses") or []}
    usage = (metrics or {}).get("containers") or {}
    containers = []
    for c in spec.get("containers") or []:
        s = statuses.get(c.get("name")) or {}
        containers.append(
            {
                "name": c.get("name"),
                "image": c.get("image"),
                "ready": bool(s.get("ready", False)),
                "restarts": int(s.get("restartCount", 0)),
                "state": next(iter(s.get("state") or {}), None),
                "usage": usage.get(c.get("name")),
            }
        )
    return {
        "name": meta.get("name"),
        "namespace": meta.get("namespace"),
        "node": spec.get("nodeName"),
        "phase": status.get("phase"),
        "ready": bool(containers) and all(c["ready"] for c in containers),
        "restarts": sum(c["restarts"] for c in containers),
        "podIP": status.get("podIP"),
        "instanceId": _labels(pod).get(INSTANCE_LABEL),
        "labels": _labels(pod),
        "containers": containers,
        "metricsTimestamp": (metrics or {}).get("timestamp"),
        "metricsWindow": (metrics or {}).get("window"),
        "createdAt": _created(pod),
    }


def _conditions(status: JsonDict) -> list[JsonDict]:
    return [
        {
            "type": c.get("type"),
            "status": c.get("status"),
            "reason": c.get("reason"),
            "message": c.get("message"),
        }
        for c in status.get("conditions") or []
    ]


def deployment_view(deployment: JsonDict) -> JsonDict:
    meta, spec = _meta(deployment), deployment.get("spec") or {}
    status = deployment.get("status") or {}
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    return {
        "name": meta.get("name"),
        "namespace": meta.get("namespace"),
        "replicas": int(spec.get("replicas", 1)),
        "readyReplicas": int(status.get("readyReplicas", 0)),
        "availableReplicas": int(status.get("availableReplicas", 0)),
        "updatedReplicas": int(status.get("updatedReplicas", 0)),
        "available": int(status.get("availableReplicas", 0)) >= 1,
        "strategy": (spec.get("strategy") or {}).get("type"),
        "images": [c.get("image") for c in pod_spec.get("containers") or []],
        "nodeSelector": dict(pod_spec.get("nodeSelector") or {}),
        "instanceId": _labels(deployment).get(INSTANCE_LABEL),
        "labels": _labels(deployment),
        "conditions": _conditions(status),
        "createdAt": _created(deployment),
    }


def _amounts(raw: JsonDict) -> JsonDict:
    return {
        "cpu": parse_cpu(raw["cpu"]) if "cpu" in raw else None,
        "memory": parse_memory_mb(raw["memory"]) if "memory" in raw else None,
        "pods": int(raw["pods"]) if "pods" in raw else None,
    }


def node_view(node: JsonDict) -> JsonDict:
    meta, spec, status = _meta(node), node.get("spec") or {}, node.get("status") or {}
    labels = _labels(node)
    conditions = _conditions(status)
    info = status.get("nodeInfo") or {}
    addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    return {
        "name": meta.get("name"),
        "ready": any(c["type"] == "Ready" and c["status"] == "True" for c in conditions),
        "unschedulable": bool(spec.get("unschedulable", False)),
        "roles": sorted(
            k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/")
        ),
        "labels": labels,
        "taints": [
            {"key": t.get("key"), "value": t.get("value"), "effect": t.get("effect")}
            for t in spec.get("taints") or []
        ],
        "capacity": _amounts(status.get("capacity") or {}),
        "allocatable": _amounts(status.get("allocatable") or {}),
        "internalIP": addresses.get("InternalIP"),
        "kubeletVersion": info.get("kubeletVersion"),
        "osImage": info.get("osImage"),
        "containerRuntime": info.get("containerRuntimeVersion"),
        "architecture": info.get("architecture"),
        "conditions": conditions,
        "createdAt": _created(node),
    }


def namespace_view(namespace: JsonDict) -> JsonDict:
    labels = _labels(namespace)
    return {
        "name": _meta(namespace).get("name"),
        "phase": (namespace.get("status") or {}).get("phase"),
        "ownerId": labels.get(OWNER_LABEL),
        "managed": labels.get(MANAGED_BY_LABEL) == MANAGER,
        "labels": labels,
        "createdAt": _created(namespace),
    }


def service_view(service: JsonDict) -> JsonDict:
    meta, spec = _meta(service), service.get("spec") or {}
    return {
        "name": meta.get("name"),
        "namespace": meta.get("namespace"),
        "type": spec.get("type", "ClusterIP"),
        "clusterIP": spec.get("clusterIP"),
        "ports": [
            {
                "name": p.get("name"),
                "port": p.get("port"),
                "targetPort": p.get("targetPort"),
                "protocol": p.get("protocol", "TCP"),
                "nodePort": p.get("nodePort"),
            }
            for p in spec.get("ports") or []
        ],
        "selector": dict(spec.get("selector") or {}),
        "instanceId": _labels(service).get(INSTANCE_LABEL),
        "labels": _labels(service),
        "createdAt": _created(service),
    }


def ingress_view(ingress: JsonDict) -> JsonDict:
    meta, spec = _meta(ingress), ingress.get("spec") or {}
    status = ingress.get("status") or {}
    rules = []
    for rule in spec.get("rules") or []:
        paths = []
        for p in (rule.get("http") or {}).get("paths") or []:
            backend = (p.get("backend") or {}).get("service") or {}
            port = backend.get("port") or {}
            paths.append(
                {
                    "path": p.get("path"),
                    "pathType": p.get("pathType"),
                    "serviceName": backend.get("name"),
                    "servicePort": port.get("number", port.get("name")),
                }
            )
        rules.append({"host": rule.get("host"), "paths": paths})
    balancer = (status.get("loadBalancer") or {}).get("ingress") or []
    return {
        "name": meta.get("name"),
        "namespace": meta.get("namespace"),
        "ingressClassName": spec.get("ingressClassName"),
        "hosts": [r["host"] for r in rules if r["host"]],
        "tls": [
            {"hosts": list(t.get("hosts") or []), "secretName": t.get("secretName")}
            for t in spec.get("tls") or []
        ],
        "rules": rules,
        "loadBalancer": [b.get("ip") or b.get("hostname") for b in balancer],
        "annotations": dict(meta.get("annotations") or {}),
        "instanceId": _labels(ingress).get(INSTANCE_LABEL),
        "labels": _labels(ingress),
        "createdAt": _created(ingress),
    }


def _said(reason: str | None, message: str | None) -> str | None:
    if not reason:
        return message or None
    return f"{reason}: {message}" if message else reason


def _pod_problem(pod: JsonDict) -> str | None:
    status = pod.get("status") or {}
    for s in [
        *(status.get("initContainerStatuses") or []),
        *(status.get("containerStatuses") or []),
    ]:
        state: dict[str, Any] = s.get("state") or {}
        waiting = state.get("waiting")
        if waiting and waiting.get("reason") not in _NORMAL_WAITING:
            return _said(waiting.get("reason"), waiting.get("message"))
        terminated = state.get("terminated")
        if terminated and terminated.get("reason") != "Completed":
            return _said(terminated.get("reason"), terminated.get("message"))
    for c in status.get("conditions") or []:
        if c.get("type") == "PodScheduled" and c.get("status") == "False":
            return _said(c.get("reason") or "Unschedulable", c.get("message"))
    return None


def _deployment_problem(deployment: JsonDict) -> str | None:
    for c in (deployment.get("status") or {}).get("conditions") or []:
        if c.get("type") == "ReplicaFailure" and c.get("status") == "True":
            return _said(c.get("reason"), c.get("message"))
        if c.get("type") == "Progressing" and c.get("status") == "False":
            return _said(c.get("reason"), c.get("message"))
    return None


def instance_state(deployment: JsonDict | None, pods: list[JsonDict]) -> InstanceState:
    """Whether an instance serves, and if not the most telling reason why."""
    if deployment is None:
        return InstanceState(exists=False, available=False)
    live = [p for p in pods if not _meta(p).get("deletionTimestamp")] or pods
    newest = max(live, key=lambda p: _created(p) or "", default=None)
    pod_name = _meta(newest).get("name") if newest else None
    status = deployment.get("status") or {}
    if int(status.get("availableReplicas", 0)) >= 1:
        return InstanceState(exists=True, available=True, pod_name=pod_name)
    reason = (_pod_problem(newest) if newest else None) or _deployment_problem(deployment)
    if reason is None:
        reason = "Starting" if newest else "Pending: no pod created yet"
    return InstanceState(exists=True, available=False, reason=reason, pod_name=pod_name)
