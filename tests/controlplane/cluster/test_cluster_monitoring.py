"""Monitoring views and instance state, read from objects shaped as the API server returns them."""

from __future__ import annotations

from typing import Any

import pytest

from controlplane.cluster.monitoring import (
    ingress_view,
    instance_state,
    node_view,
    pod_metrics,
    pod_view,
)
from controlplane.cluster.quantity import (
    cpu_quantity,
    memory_quantity,
    parse_cpu,
    parse_memory_mb,
)

NODE: dict[str, Any] = {
    "metadata": {
        "name": "worker-1",
        "creationTimestamp": "2025-01-02T03:04:05Z",
        "labels": {
            "kubernetes.io/hostname": "worker-1",
            "node-role.kubernetes.io/control-plane": "true",
            "node-role.kubernetes.io/master": "true",
        },
    },
    "spec": {"taints": [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]},
    "status": {
        "capacity": {"cpu": "4", "memory": "16318436Ki", "pods": "110"},
        "allocatable": {"cpu": "3800m", "memory": "16216036Ki", "pods": "110"},
        "addresses": [
            {"type": "InternalIP", "address": "192.168.1.10"},
            {"type": "Hostname", "address": "worker-1"},
        ],
        "conditions": [
            {"type": "MemoryPressure", "status": "False"},
            {"type": "Ready", "status": "True", "reason": "KubeletReady"},
        ],
        "nodeInfo": {
            "kubeletVersion": "v1.30.6+k3s1",
            "osImage": "Ubuntu 22.04.4 LTS",
            "containerRuntimeVersion": "containerd://1.7.22-k3s1",
            "architecture": "amd64",
        },
    },
}


def _pod(
    name: str = "app-x-5d8f7c9b6d-abcde",
    created: str = "2025-01-02T03:04:05Z",
    **status: Any,
) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "namespace": "tenant-a",
            "creationTimestamp": created,
            "labels": {"minispod.io/instance": "inst-1"},
        },
        "spec": {
            "nodeName": "worker-1",
            "containers": [
                {"name": "app", "image": "wordpress:6-apache"},
                {"name": "mariadb", "image": "mariadb:11.4"},
            ],
        },
        "status": status,
    }


def _deployment(available: int = 0, conditions: list[dict[str, Any]] | None = None) -> dict:
    return {
        "metadata": {"name": "app-inst-1", "namespace": "tenant-a"},
        "status": {"availableReplicas": available, "conditions": conditions or []},
    }


@pytest.mark.parametrize(
    ("cores", "quantity"), [(0.25, "250m"), (1.0, "1"), (2.5, "2500m"), (0.001, "1m")]
)
def test_cpu_cores_round_trip_through_quantities(cores: float, quantity: str) -> None:
    assert cpu_quantity(cores) == quantity
    assert parse_cpu(quantity) == cores


@pytest.mark.parametrize(
    ("quantity", "mb"),
    [("512Mi", 512), ("1Gi", 1024), ("16318436Ki", 15935), ("1073741824", 1024), ("1G", 953)],
)
def test_memory_quantities_read_as_whole_megabytes(quantity: str, mb: int) -> None:
    assert parse_memory_mb(quantity) == mb


def test_memory_megabytes_write_as_the_shortest_binary_quantity() -> None:
    assert [memory_quantity(mb) for mb in (768, 1024, 10240)] == ["768Mi", "1Gi", "10Gi"]


def test_metrics_server_nanocores_read_as_cores() -> None:
    assert parse_cpu("12345678n") == 0.012
    with pytest.raises(ValueError, match="Invalid number format"):
        parse_cpu("lots")


def test_node_view_reports_readiness_roles_capacity_and_taints() -> None:
    view = node_view(NODE)
    assert view["name"] == "worker-1"
    assert view["ready"] is True
    assert view["roles"] == ["control-plane", "master"]
    assert view["capacity"] == {"cpu": 4.0, "memory": 15935, "pods": 110}
    assert view["allocatable"]["cpu"] == 3.8
    assert view["taints"] == [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]
    assert view["internalIP"] == "192.168.1.10"
    assert view["kubeletVersion"] == "v1.30.6+k3s1"
    assert view["createdAt"] == "2025-01-02T03:04:05Z"


def test_pod_view_merges_container_status_with_metrics_usage() -> None:
    pod = _pod(
        phase="Running",
        podIP="10.42.0.7",
        containerStatuses=[
            {"name": "app", "ready": True, "restartCount": 2, "state": {"running": {}}},
            {"name": "mariadb", "ready": True, "restartCount": 1, "state": {"running": {}}},
        ],
    )
    metrics = pod_metrics(
        {
            "metadata": {"name": "app-x-5d8f7c9b6d-abcde", "namespace": "tenant-a"},
            "timestamp": "2025-01-02T03:05:00Z",
            "window": "15s",
            "containers": [
                {"name": "app", "usage": {"cpu": "25000000n", "memory": "102400Ki"}},
                {"name": "mariadb", "usage": {"cpu": "5m", "memory": "200Mi"}},
            ],
        }
    )
    view = pod_view(pod, metrics)
    assert view["ready"] is True
    assert view["restarts"] == 3
    assert view["node"] == "worker-1"
    assert view["instanceId"] == "inst-1"
    assert view["containers"][0] == {
        "name": "app",
        "image": "wordpress:6-apache",
        "ready": True,
        "restarts": 2,
        "state": "running",
        "usage": {"cpu": 0.025, "memory": 100},
    }
    assert view["containers"][1]["usage"] == {"cpu": 0.005, "memory": 200}
    assert (view["metricsTimestamp"], view["metricsWindow"]) == ("2025-01-02T03:05:00Z", "15s")


def test_pod_view_without_metrics_has_no_usage() -> None:
    view = pod_view(_pod(phase="Pending"))
    assert view["ready"] is False
    assert [c["usage"] for c in view["containers"]] == [None, None]
    assert view["metricsTimestamp"] is None


def test_ingress_view_lists_hosts_tls_and_backends() -> None:
    view = ingress_view(
        {
            "metadata": {"name": "app-1", "namespace": "tenant-a", "labels": {}},
            "spec": {
                "ingressClassName": "traefik",
                "tls": [{"hosts": ["a.example.com"], "secretName": "app-1-tls"}],
                "rules": [
                    {
                        "host": "a.example.com",
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {
                                        "service": {"name": "app-1", "port": {"name": "http"}}
                                    },
                                }
                            ]
                        },
                    }
                ],
            },
            "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.5"}]}},
        }
    )
    assert view["hosts"] == ["a.example.com"]
    assert view["tls"] == [{"hosts": ["a.example.com"], "secretName": "app-1-tls"}]
    assert view["rules"][0]["paths"][0]["serviceName"] == "app-1"
    assert view["rules"][0]["paths"][0]["servicePort"] == "http"
    assert view["loadBalancer"] == ["203.0.113.5"]


def test_an_absent_deployment_means_the_instance_does_not_exist() -> None:
    assert instance_state(None, []).exists is False


def test_an_available_deployment_names_its_newest_live_pod() -> None:
    old = _pod("app-x-old", "2025-01-01T00:00:00Z")
    old["metadata"]["deletionTimestamp"] = "2025-01-02T00:00:00Z"
    new = _pod("app-x-new", "2025-01-02T00:00:00Z", phase="Running")
    state = instance_state(_deployment(available=1), [new, old])
    assert (state.exists, state.available, state.reason, state.pod_name) == (
        True,
        True,
        None,
        "app-x-new",
    )


@pytest.mark.parametrize(
    ("pod_status", "reason"),
    [
        (
            {
                "containerStatuses": [
                    {
                        "name": "app",
                        "state": {
                            "waiting": {
                                "reason": "ImagePullBackOff",
                                "message": 'Back-off pulling image "ghost:99"',
                            }
                        },
                    }
                ]
            },
            'ImagePullBackOff: Back-off pulling image "ghost:99"',
        ),
        (
            {
                "containerStatuses": [
                    {"name": "app", "state": {"terminated": {"reason": "OOMKilled"}}}
                ]
            },
            "OOMKilled",
        ),
        (
            {
                "conditions": [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "reason": "Unschedulable",
                        "message": "0/3 nodes are available",
                    }
                ]
            },
            "Unschedulable: 0/3 nodes are available",
        ),
        (
            {
                "containerStatuses": [
                    {"name": "app", "state": {"waiting": {"reason": "ContainerCreating"}}}
                ]
            },
            "Starting",
        ),
    ],
)
def test_an_unavailable_instance_says_why(pod_status: dict[str, Any], reason: str) -> None:
    state = instance_state(_deployment(), [_pod(**pod_status)])
    assert state.exists is True
    assert state.available is False
    assert state.reason == reason


def test_a_pod_refused_by_the_quota_is_reported_from_the_deployment() -> None:
    deployment = _deployment(
        conditions=[
            {
                "type": "ReplicaFailure",
                "status": "True",
                "reason": "FailedCreate",
                "message": "exceeded quota: tenant-quota",
            }
        ]
    )
    state = instance_state(deployment, [])
    assert state.reason == "FailedCreate: exceeded quota: tenant-quota"
    assert state.pod_name is None
