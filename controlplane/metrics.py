"""Prometheus metrics of the control plane, in a registry owned by the app (no global)."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

# Methods outside this set are counted as OTHER: a client may send any verb,
# and each distinct label value would be a new time series.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
PLACEMENT_RESULTS = ("placed", "unschedulable")


class Metrics:
    def __init__(self) -> None:
        # Label children looked up once per (method, route, status): labels() takes
        # a lock and builds a key on every call, on the path of every request.
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        # The standard process_*, python_info and python_gc_* series, in our own
        # registry (the library's defaults live in its global one).
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        GCCollector(registry=r)
        self.requests = Counter(
            "minispod_http_requests_total",
            "HTTP requests served, by method, route template and status code.",
            # `code`, as Prometheus' own HTTP instrumentation names it.
            ["method", "route", "code"],
            registry=r,
        )
        self.latency = Histogram(
            "minispod_http_request_duration_seconds",
            "Time to serve an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.ingest_batches = Counter(
            "minispod_ingest_batches_total",
            "Telemetry batches committed, by outcome.",
            ["outcome"],
            registry=r,
        )
        self.ingest_samples = Counter(
            "minispod_ingest_samples_total",
            "Telemetry samples received, by result (stored, or duplicate of a stored seq).",
            ["result"],
            registry=r,
        )
        self.ingest_batch_size = Histogram(
            "minispod_ingest_batch_size",
            "Requests coalesced into one telemetry transaction.",
            buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2000),
            registry=r,
        )
        self.ingest_commit = Histogram(
            "minispod_ingest_commit_seconds",
            "Time to commit one telemetry batch.",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=r,
        )
        self.loop_lag = Histogram(
            "minispod_event_loop_lag_seconds",
            "How late the event loop ran a timer that was due: the wait every request and "
            "every database reply shares while the process is busy elsewhere.",
            buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=r,
        )
        self.reconcile_actions = Counter(
            "minispod_reconcile_actions_total",
            "What reconcile passes did: expired, evicted, placed, repaired, removed_orphans, "
            "errors.",
            ["action"],
            registry=r,
        )
        # kube-scheduler's pair: the whole wait a customer sees (its SLI), and each
        # attempt's cost on its own, which a fleet without room repeats every pass.
        self.placement_wait = Histogram(
            "minispod_placement_wait_seconds",
            "Time from a subscription asking for an instance to the placement decision that "
            "put it on a node (its placedAt minus its createdAt; first placements only).",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
            registry=r,
        )
        self.placement_attempts = Histogram(
            "minispod_placement_attempt_duration_seconds",
            "Time to decide on a snapshot and reserve, by result: placed, or unschedulable "
            "(no node could take the instance, or placements raced for the room).",
            ["result"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=r,
        )
        for result in PLACEMENT_RESULTS:
            # Both series exist from the start: a panel or rule over "unschedulable"
            # reads 0, not nothing, until the first instance cannot be placed.
            self.placement_attempts.labels(result)
        self.jobs_leader = Gauge(
            "minispod_jobs_leader",
            "1 while this replica holds the jobs lock and runs the periodic jobs.",
            registry=r,
        )
        self.database_durable = Gauge(
            "minispod_database_durable",
            "1 while the database promises that a commit survives a crash (fsync, "
            "synchronous_commit and full_page_writes on; SQLite synchronous=FULL).",
            registry=r,
        )
        self.evictions_paused = Gauge(
            "minispod_evictions_paused",
            "1 while most of the fleet is INACTIVE at once and no instance is moved off a "
            "silent node (disruption mode).",
            registry=r,
        )
        # State gauges count rows of the shared database, so only the jobs leader
        # exports them: summed over replicas they stay right, and a follower shows none.
        self.nodes = Gauge(
            "minispod_nodes",
            "Worker nodes by health state (exported by the jobs leader).",
            ["state"],
            registry=r,
        )
        self.instances = Gauge(
            "minispod_instances",
            "Service instances by state (exported by the jobs leader).",
            ["state"],
            registry=r,
        )
        self.subscriptions = Gauge(
            "minispod_subscriptions",
            "Subscriptions by state (exported by the jobs leader).",
            ["state"],
            registry=r,
        )
        # Money read from the ledger and the subscriptions by the jobs leader, not counted
        # where it is posted: a posting is part of its caller's transaction, which may still
        # roll back, and a counter per replica would start again at every restart.
        self.billing_mrr = Gauge(
            "minispod_billing_mrr",
            "Monthly recurring revenue of paying subscriptions, in the currency's major unit "
            "(exported by the jobs leader).",
            ["currency"],
            registry=r,
        )
        self.billing_revenue_month = Gauge(
            "minispod_billing_revenue_month",
            "Gross revenue posted to the ledger in the current calendar month (UTC), in the "
            "currency's major unit (exported by the jobs leader).",
            ["currency"],
            registry=r,
        )
        self.billing_past_due = Gauge(
            "minispod_billing_past_due",
            "What PAST_DUE subscriptions owe for their unpaid period, in the currency's major "
            "unit (exported by the jobs leader).",
            ["currency"],
            registry=r,
        )

    def leader_gauges(self) -> tuple[Gauge, ...]:
        """The gauges only the jobs leader exports: rows of the shared database."""
        return (
            self.nodes,
            self.instances,
            self.subscriptions,
            self.billing_mrr,
            self.billing_revenue_month,
            self.billing_past_due,
        )

    def set_leading(self, leading: bool) -> None:
        self.jobs_leader.set(1 if leading else 0)
        if not leading:
            for gauge in self.leader_gauges():
                gauge.clear()

    @staticmethod
    def set_states(gauge: Gauge, counts: Mapping[str, int]) -> None:
        for state, n in counts.items():
            gauge.labels(state).set(n)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        if method not in KNOWN_METHODS:
            method = "OTHER"
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)
