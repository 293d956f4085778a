"""The collector registry: one failing collector never breaks a report; each run is measured."""

from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest
from prometheus_client import generate_latest

from agent.collectors.hardware import HardwareCollector
from agent.collectors.host import HostPaths
from agent.collectors.kubernetes import KubeNode
from agent.collectors.registry import Registry
from agent.collectors.usage import Usage, UsageCollector
from agent.conditions import local_conditions
from agent.metrics import create_metrics
from agent.wire import NodeCondition, ResourceReport

FIXTURES = Path(__file__).parent / "fixtures"
HOST = HostPaths(
    proc=FIXTURES / "host-amd64" / "proc",
    sys=FIXTURES / "host-amd64" / "sys",
    root=FIXTURES / "host-amd64" / "root",
)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


class Broken:
    """A collector whose source has gone away (unmounted /proc, API server down)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.calls = 0

    def collect(self):
        self.calls += 1
        raise OSError(f"{self.name} source unavailable")


class Fixed:
    def __init__(self, name: str, value) -> None:
        self.name = name
        self.value = value

    def collect(self):
        return self.value


@pytest.fixture(autouse=True)
def _restore_procfs_path():
    before = psutil.PROCFS_PATH
    yield
    psutil.PROCFS_PATH = before


def metric(metrics, name: str, collector: str) -> float | None:
    return metrics.registry.get_sample_value(name, {"collector": collector})


def test_failing_kubernetes_collector_leaves_a_heartbeat_with_local_conditions():
    metrics = create_metrics()
    registry = Registry(
        metrics,
        hardware=HardwareCollector(HOST),
        usage=UsageCollector(HOST),
        kubernetes=Broken("kubernetes"),
    )

    heartbeat = registry.heartbeat(5, NOW)

    assert heartbeat.sample.seq == 5
    assert heartbeat.sample.memory_used == 8000
    assert {c.type for c in heartbeat.conditions} == {"Ready", "MemoryPressure", "DiskPressure"}
    assert metric(metrics, "minispod_agent_collector_success", "kubernetes") == 0
    assert metric(metrics, "minispod_agent_collector_success", "usage") == 1
    duration = metric(metrics, "minispod_agent_collector_duration_seconds", "usage")
    assert duration is not None
    assert 0 <= duration < 1
    text = generate_latest(metrics.registry).decode()
    assert 'minispod_agent_collector_success{collector="kubernetes"} 0.0' in text


def test_kubernetes_conditions_win_over_local_judgement():
    not_ready = NodeCondition(type="Ready", status=False, reason="KubeletNotReady")
    registry = Registry(
        create_metrics(),
        hardware=HardwareCollector(HOST),
        usage=UsageCollector(HOST),
        kubernetes=Fixed("kubernetes", KubeNode(conditions=[not_ready])),
    )

    heartbeat = registry.heartbeat(1, NOW)

    assert heartbeat.conditions == [not_ready]


def test_the_last_heartbeat_does_not_wait_on_the_kubernetes_api():
    kubernetes = Broken("kubernetes")
    registry = Registry(
        create_metrics(),
        hardware=HardwareCollector(HOST),
        usage=UsageCollector(HOST),
        kubernetes=kubernetes,
    )

    goodbye = registry.heartbeat(9, NOW, shutting_down=True)

    assert kubernetes.calls == 0
    assert goodbye.shutting_down is True
    assert {c.type for c in goodbye.conditions} == {"Ready", "MemoryPressure", "DiskPressure"}


def test_failing_usage_repeats_the_last_good_reading():
    usage = Fixed("usage", Usage(12.5, 100, 80.0, 2000, 10.0, 0.5, 0.4, 0.3))
    registry = Registry(create_metrics(), hardware=HardwareCollector(HOST), usage=usage)
    registry.heartbeat(1, NOW)
    registry._usage = Broken("usage")  # the host's /proc disappears after a good reading

    heartbeat = registry.heartbeat(2, NOW, shutting_down=True)

    assert heartbeat.sample.seq == 2
    assert heartbeat.sample.cpu_percent == 12.5
    assert heartbeat.sample.disk_used == 2000
    assert heartbeat.shutting_down is True
    # Without a fresh reading no pressure is claimed, and the node still says it is there.
    assert [c.type for c in heartbeat.conditions] == ["Ready"]


def test_node_facts_wait_for_hardware_and_are_collected_once():
    broken = Broken("hardware")
    registry = Registry(create_metrics(), hardware=broken, usage=UsageCollector(HOST))
    assert registry.node_facts("worker-7", "0.1.0") is None

    registry._hardware = HardwareCollector(HOST, interfaces=lambda: {"eth0": ["10.0.10.7"]})
    first = registry.node_facts("worker-7", "0.1.0")
    registry._hardware = broken
    second = registry.node_facts("worker-7", "0.1.0")

    assert first is not None
    assert first == second
    wire = first.wire()
    assert wire["name"] == "worker-7"
    assert wire["cpuCores"] == 4
    assert wire["architecture"] == "amd64"
    assert wire["ipAddress"] == "10.0.10.7"
    assert wire["maxPods"] == 110
    assert wire["agentVersion"] == "0.1.0"


def test_node_facts_carry_kubernetes_labels_taints_and_capacity():
    kube = KubeNode(
        labels={"topology.kubernetes.io/zone": "eu-1a"},
        kubelet_version="v1.30.2+k3s1",
        container_runtime="containerd://1.7.17-k3s1",
        max_pods=250,
    )
    registry = Registry(
        create_metrics(),
        hardware=HardwareCollector(HOST, interfaces=lambda: {"eth0": ["10.0.10.7"]}),
        usage=UsageCollector(HOST),
        kubernetes=Fixed("kubernetes", kube),
    )

    facts = registry.node_facts("worker-7", None)

    assert facts is not None
    assert facts.labels == {"topology.kubernetes.io/zone": "eu-1a"}
    assert facts.max_pods == 250
    assert facts.kubelet_version == "v1.30.2+k3s1"


def test_resources_only_with_a_pods_collector():
    report = ResourceReport(
        allocated_cpu=1.5, allocated_memory=512, allocated_storage=0, current_pods=3
    )
    without = Registry(create_metrics(), hardware=Broken("hardware"), usage=Broken("usage"))
    with_pods = Registry(
        create_metrics(),
        hardware=Broken("hardware"),
        usage=Broken("usage"),
        pods=Fixed("pods", report),
    )

    assert not without.reports_resources
    assert without.resources() is None
    assert with_pods.reports_resources
    assert with_pods.resources() == report


def test_disk_pressure_above_90_percent_used():
    full = Usage(5.0, 100, 60.0, 95_000, 91.5, 0.1, 0.1, 0.1)

    conditions = {c.type: c for c in local_conditions(full)}

    assert conditions["DiskPressure"].status is True
    assert conditions["DiskPressure"].message == "91.5% of the root filesystem used"
    assert conditions["MemoryPressure"].status is False
