"""The collectors an agent runs, each isolated and timed, composed into the reports it sends.

As in node_exporter: one failing collector never breaks a report. Each run sets
`minispod_agent_collector_success{collector}` and `..._duration_seconds{collector}`.
"""

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from agent.collectors.hardware import Hardware, HardwareCollector
from agent.collectors.kubeapi import KubeApi, in_cluster_credentials_exist
from agent.collectors.kubernetes import KubeNode, KubernetesCollector
from agent.collectors.pods import PodsCollector
from agent.collectors.usage import Usage, UsageCollector
from agent.conditions import local_conditions
from agent.config import AgentConfig
from agent.metrics import AgentMetrics
from agent.wire import Heartbeat, NodeFacts, ResourceReport, UsageSample

log = logging.getLogger("minispod.agent.collectors")

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Collector(Protocol[T_co]):
    @property
    def name(self) -> str: ...

    def collect(self) -> T_co: ...


class Registry:
    def __init__(
        self,
        metrics: AgentMetrics,
        *,
        hardware: Collector[Hardware],
        usage: Collector[Usage],
        kubernetes: Collector[KubeNode] | None = None,
        pods: Collector[ResourceReport] | None = None,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._metrics = metrics
        self._hardware = hardware
        self._usage = usage
        self._kubernetes = kubernetes
        self._pods = pods
        self._timer = timer
        self._hardware_facts: Hardware | None = None
        self._last_usage: Usage | None = None

    @property
    def names(self) -> list[str]:
        collectors = (self._hardware, self._usage, self._kubernetes, self._pods)
        return [c.name for c in collectors if c is not None]

    @property
    def reports_resources(self) -> bool:
        """Resource reports need the pods collector, which needs a cluster."""
        return self._pods is not None

    def run(self, collector: Collector[T]) -> T | None:
        """The collector's result, or None (logged and counted) when it fails."""
        started = self._timer()
        try:
            result: T | None = collector.collect()
        except Exception as exc:
            log.warning("collector %s failed: %s: %s", collector.name, type(exc).__name__, exc)
            result = None
        self._metrics.collector_duration.labels(collector.name).set(self._timer() - started)
        self._metrics.collector_success.labels(collector.name).set(0 if result is None else 1)
        return result

    def node_facts(self, node_name: str, agent_version: str | None) -> NodeFacts | None:
        """Registration facts; None while the hardware collector cannot read the node."""
        if self._hardware_facts is None:
            self._hardware_facts = self.run(self._hardware)
        hw = self._hardware_facts
        if hw is None:
            return None
        kube = self.run(self._kubernetes) if self._kubernetes else None
        kube = kube or KubeNode()
        return NodeFacts(
            name=node_name,
            hostname=hw.hostname[:253],
            ip_address=hw.ip_address,
            cpu_cores=max(1, hw.cpu_cores),
            cpu_architecture=hw.cpu_architecture[:32],
            total_memory=hw.total_memory,
            total_storage=hw.total_storage,
            architecture=hw.architecture[:32],
            operating_system=hw.operating_system[:128],
            max_pods=kube.max_pods,
            labels=kube.labels,
            taints=kube.taints,
            kubelet_version=kube.kubelet_version,
            container_runtime=kube.container_runtime,
            kernel_version=hw.kernel_version[:128] if hw.kernel_version else None,
            os_image=hw.os_image[:128] if hw.os_image else None,
            agent_version=agent_version,
        )

    def heartbeat(
        self, seq: int, now: datetime | None = None, *, shutting_down: bool = False
    ) -> Heartbeat:
        """A heartbeat numbered `seq`. Conditions come from Kubernetes when it answers, else
        from local judgement; usage falls back to the last good reading. The last heartbeat
        (shutting down) does not wait on the Kubernetes API: a node whose agent leaves is
        INACTIVE whatever its conditions, and the agent has seconds to leave."""
        usage = self.run(self._usage)
        if usage is not None:
            self._last_usage = usage
        reading = usage or self._last_usage
        kube = self.run(self._kubernetes) if self._kubernetes and not shutting_down else None
        conditions = kube.conditions if kube and kube.conditions else local_conditions(usage)
        return Heartbeat(
            sample=UsageSample(
                seq=seq,
                timestamp=now or datetime.now(UTC),
                cpu_percent=reading.cpu_percent if reading else 0.0,
                memory_used=reading.memory_used if reading else 0,
                disk_used=reading.disk_used if reading else 0,
                load1=reading.load1 if reading else 0.0,
                load5=reading.load5 if reading else 0.0,
                load15=reading.load15 if reading else 0.0,
            ),
            conditions=conditions,
            shutting_down=shutting_down,
        )

    def resources(self) -> ResourceReport | None:
        return self.run(self._pods) if self._pods else None


def build_registry(config: AgentConfig, metrics: AgentMetrics, env: Mapping[str, str]) -> Registry:
    """Host collectors always; Kubernetes ones only when in-cluster credentials exist."""
    kubernetes: KubernetesCollector | None = None
    pods: PodsCollector | None = None
    if in_cluster_credentials_exist(env):
        try:
            api = KubeApi.in_cluster(env)
        except (ValueError, OSError) as exc:
            log.warning("in-cluster credentials found but unusable, Kubernetes facts off: %s", exc)
        else:
            kubernetes = KubernetesCollector(api, config.node_name)
            pods = PodsCollector(api, config.node_name)
    registry = Registry(
        metrics,
        hardware=HardwareCollector(config.host),
        usage=UsageCollector(config.host),
        kubernetes=kubernetes,
        pods=pods,
    )
    log.info("collectors: %s", ", ".join(registry.names))
    return registry
