"""The agent's own Prometheus metrics, in a registry it owns (never the process-global default)."""

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass(frozen=True)
class AgentMetrics:
    registry: CollectorRegistry
    heartbeats_sent: Counter
    heartbeats_failed: Counter
    registrations: Counter
    samples_replayed: Counter
    samples_rejected: Counter
    spool_depth: Gauge
    spool_dropped: Counter
    collector_success: Gauge
    collector_duration: Gauge
    last_success: Gauge


def create_metrics() -> AgentMetrics:
    registry = CollectorRegistry(auto_describe=True)
    return AgentMetrics(
        registry=registry,
        heartbeats_sent=Counter(
            "minispod_agent_heartbeats_sent",
            "Heartbeats the control plane accepted.",
            registry=registry,
        ),
        heartbeats_failed=Counter(
            "minispod_agent_heartbeats_failed",
            "Heartbeats that did not reach the control plane (their sample was spooled).",
            registry=registry,
        ),
        registrations=Counter(
            "minispod_agent_registrations",
            "Successful registrations with the join token.",
            registry=registry,
        ),
        samples_replayed=Counter(
            "minispod_agent_samples_replayed",
            "Spooled samples delivered to the control plane after an outage.",
            registry=registry,
        ),
        samples_rejected=Counter(
            "minispod_agent_samples_rejected",
            "Samples the control plane refused as invalid; they are dropped, never retried.",
            registry=registry,
        ),
        spool_depth=Gauge(
            "minispod_agent_spool_depth",
            "Samples waiting in the on-disk spool.",
            registry=registry,
        ),
        spool_dropped=Counter(
            "minispod_agent_spool_dropped",
            "Oldest samples dropped because the spool was full.",
            registry=registry,
        ),
        collector_success=Gauge(
            "minispod_agent_collector_success",
            "Whether the collector's last run succeeded (1) or failed (0).",
            ["collector"],
            registry=registry,
        ),
        collector_duration=Gauge(
            "minispod_agent_collector_duration_seconds",
            "How long the collector's last run took.",
            ["collector"],
            registry=registry,
        ),
        last_success=Gauge(
            "minispod_agent_last_success_timestamp_seconds",
            "Unix time of the last request the control plane accepted.",
            registry=registry,
        ),
    )
