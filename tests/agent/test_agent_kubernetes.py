"""Kubernetes facts and pod allocation, read from the JSON the API server sends: built here with
the official client's models and serialized as that client does, so field names and shapes are
the API's own."""

import re
from decimal import Decimal
from typing import Any

import pytest
from kubernetes.client import (
    ApiClient,
    V1Container,
    V1Node,
    V1NodeCondition,
    V1NodeSpec,
    V1NodeStatus,
    V1NodeSystemInfo,
    V1ObjectMeta,
    V1Pod,
    V1PodSpec,
    V1PodStatus,
    V1ResourceRequirements,
    V1Taint,
)
from kubernetes.utils import parse_quantity as official_parse_quantity

from agent.collectors.kubeapi import in_cluster_credentials_exist
from agent.collectors.kubernetes import kube_node_from
from agent.collectors.pods import allocation_from, parse_quantity


def api_json(model: Any) -> Any:
    """What the API server sends for this object (camelCase, nulls left out)."""
    return ApiClient().sanitize_for_serialization(model)


def node_info() -> V1NodeSystemInfo:
    return V1NodeSystemInfo(
        architecture="amd64",
        boot_id="b",
        container_runtime_version="containerd://1.7.17-k3s1",
        kernel_version="6.1.0",
        kube_proxy_version="v1.30.2+k3s1",
        kubelet_version="v1.30.2+k3s1",
        machine_id="m",
        operating_system="linux",
        os_image="Ubuntu 22.04.4 LTS",
        system_uuid="u",
    )


def test_node_facts_from_a_kubernetes_node():
    node = V1Node(
        metadata=V1ObjectMeta(name="worker-7", labels={"node-role.kubernetes.io/worker": "true"}),
        spec=V1NodeSpec(
            taints=[
                V1Taint(key="dedicated", value="db", effect="NoSchedule"),
                V1Taint(key="node.kubernetes.io/unreachable", effect="NoExecute"),
            ]
        ),
        status=V1NodeStatus(
            allocatable={"cpu": "3800m", "memory": "15Gi", "pods": "250"},
            node_info=node_info(),
            conditions=[
                V1NodeCondition(type="Ready", status="True", reason="KubeletReady"),
                V1NodeCondition(type="MemoryPressure", status="False"),
                V1NodeCondition(type="DiskPressure", status="True", message="nodefs < 10%"),
                V1NodeCondition(type="PIDPressure", status="False"),
                V1NodeCondition(type="EtcdIsVoter", status="True"),
            ],
        ),
    )

    kube = kube_node_from(api_json(node))

    assert kube.labels == {"node-role.kubernetes.io/worker": "true"}
    assert [(t.key, t.value, t.effect) for t in kube.taints] == [
        ("dedicated", "db", "NoSchedule"),
        ("node.kubernetes.io/unreachable", None, "NoExecute"),
    ]
    assert kube.kubelet_version == "v1.30.2+k3s1"
    assert kube.container_runtime == "containerd://1.7.17-k3s1"
    assert kube.max_pods == 250
    assert {c.type: c.status for c in kube.conditions} == {
        "Ready": True,
        "MemoryPressure": False,
        "DiskPressure": True,
        "PIDPressure": False,
    }


def test_ready_unknown_counts_as_not_ready():
    node = V1Node(
        metadata=V1ObjectMeta(name="w"),
        status=V1NodeStatus(
            conditions=[V1NodeCondition(type="Ready", status="Unknown", reason="NodeStatusUnknown")]
        ),
    )

    kube = kube_node_from(api_json(node))

    assert [(c.type, c.status, c.reason) for c in kube.conditions] == [
        ("Ready", False, "NodeStatusUnknown")
    ]
    assert kube.max_pods == 110


def test_in_cluster_credentials_need_the_api_address_and_a_token(tmp_path):
    env = {"KUBERNETES_SERVICE_HOST": "10.43.0.1"}
    assert not in_cluster_credentials_exist(env, tmp_path)
    (tmp_path / "token").write_text("t")
    assert in_cluster_credentials_exist(env, tmp_path)
    assert not in_cluster_credentials_exist({}, tmp_path)


def container(cpu: str | None = None, memory: str | None = None, **extra) -> V1Container:
    requests = {k: v for k, v in {"cpu": cpu, "memory": memory}.items() if v}
    return V1Container(
        name="c", resources=V1ResourceRequirements(requests=requests or None), **extra
    )


def pod(phase: str, containers, init=None, overhead=None) -> V1Pod:
    return V1Pod(
        spec=V1PodSpec(containers=containers, init_containers=init, overhead=overhead),
        status=V1PodStatus(phase=phase),
    )


def test_allocation_sums_requests_of_pods_that_still_run():
    pods = [
        pod("Running", [container("250m", "256Mi"), container("0.5", "1Gi")]),
        pod("Pending", [container(memory="100M")]),
        pod("Running", [V1Container(name="no-requests")]),
        pod("Succeeded", [container("4", "8Gi")]),
        pod("Failed", [container("4", "8Gi")]),
    ]

    report = allocation_from(api_json(pods))

    assert report.current_pods == 3
    assert report.allocated_cpu == 0.75
    # 256Mi + 1Gi + 100M (decimal) = 1280 MiB + 95.37 MiB, rounded up.
    assert report.allocated_memory == 1376
    assert report.allocated_storage == 0
    assert report.wire()["allocatedCPU"] == 0.75


def test_init_containers_count_when_larger_and_sidecars_run_alongside():
    init_heavy = pod(
        "Pending",
        [container("100m", "64Mi")],
        init=[container("2", "128Mi")],
        overhead={"cpu": "50m"},
    )
    with_sidecar = pod(
        "Running",
        [container("100m", "64Mi")],
        init=[container("200m", "32Mi", restart_policy="Always"), container("250m", "16Mi")],
    )

    heavy = allocation_from(api_json([init_heavy]))
    sidecar = allocation_from(api_json([with_sidecar]))

    # max(containers, largest init step) + overhead
    assert heavy.allocated_cpu == 2.05
    assert heavy.allocated_memory == 128
    # the sidecar runs with the app (300m) and with the later init step (450m)
    assert sidecar.allocated_cpu == 0.45
    assert sidecar.allocated_memory == 96


def test_a_node_without_spec_or_status_gets_the_defaults():
    kube = kube_node_from({"metadata": {"name": "w"}})

    assert (kube.labels, kube.taints, kube.conditions, kube.max_pods) == ({}, [], [], 110)
    assert kube.kubelet_version is None


QUANTITIES = [
    "0",
    "100m",
    "250m",
    "0.5",
    "1",
    "4",
    "1k",
    "1K",
    "1Ki",
    "256Mi",
    "1Gi",
    "100M",
    "1.5Gi",
    "2T",
    "3Pi",
    "1E",
    "1Ei",
    "5n",
    "7u",
    "1e3",
    "1.5e-3",
    "-1",
    123,
    1.5,
]
BAD_QUANTITIES = ["", "abc", "1ki", "1mi", "1Xi", "1.2.3", "Mi"]


@pytest.mark.parametrize("quantity", QUANTITIES)
def test_quantities_are_read_as_the_official_client_reads_them(quantity):
    assert parse_quantity(quantity) == official_parse_quantity(quantity)
    assert isinstance(parse_quantity(quantity), Decimal)


# kubernetes-client before 37.0.2 reads "1mi" as 1/1024; the API server refuses it, and so do
# we. 37.0.2 needs python-dateutil 3, which botocore (the S3 blob store) does not allow yet,
# so the resolver may install 37.0.1.
def _official_client_takes(quantity: str) -> bool:
    try:
        official_parse_quantity(quantity)
    except ValueError:
        return False
    return True


OFFICIAL_CLIENT_TAKES = {q for q in ("1mi",) if _official_client_takes(q)}


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_quantities_the_official_client_refuses_are_refused(quantity):
    try:
        official_parse_quantity(quantity)
    except ValueError as refusal:
        official = str(refusal)
    else:
        assert quantity in OFFICIAL_CLIENT_TAKES, f"the official client takes {quantity!r}"
        with pytest.raises(ValueError, match="unknown suffix"):
            parse_quantity(quantity)
        return

    with pytest.raises(ValueError, match=f"^{re.escape(official)}$"):
        parse_quantity(quantity)
