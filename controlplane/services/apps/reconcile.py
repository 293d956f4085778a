"""Reconcile: make the cluster hold what the subscriptions say, and the database say what runs.

Each pass: expire ended periods; move instances off nodes that died or went
into maintenance; place what waits; follow each placed instance's state in
the cluster (applying it again when any of its objects vanished or was
edited); remove what the cluster runs that nobody pays for any more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from tortoise.expressions import Q, Subquery

from controlplane.cluster.gateway import ClusterError
from controlplane.db.models import Instance, Subscription, WorkerNode
from controlplane.metrics import Metrics
from controlplane.services.apps import disruption
from controlplane.services.apps.instances import (
    TERMINAL_SUBSCRIPTIONS,
    Lifecycle,
    evictable_nodes,
    say,
)
from controlplane.services.apps.placement import HOLDING
from controlplane.services.apps.subscriptions import Subscriptions
from controlplane.services.clock import Clock
from shared.enums import InstanceStatus, NodeStatus

log = logging.getLogger("minispod.reconcile")


@dataclass
class Pass:
    renewed: int = 0
    past_due: int = 0
    suspended_unpaid: int = 0
    expired: int = 0
    # Cancelled at the end of their period, as their owners asked.
    cancelled: int = 0
    # Usage-priced subscriptions whose metered hours were charged.
    usage_charged: int = 0
    evicted: int = 0
    placed: int = 0
    observed: int = 0
    # Instances applied again because objects of theirs were missing or edited.
    repaired: int = 0
    removed_orphans: int = 0
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.renewed
            or self.past_due
            or self.suspended_unpaid
            or self.expired
            or self.cancelled
            or self.usage_charged
            or self.evicted
            or self.placed
            or self.repaired
            or self.removed_orphans
            or self.errors
        )


class Disruption:
    """What the eviction step remembers between passes: its rate budget, and whether it
    last found the fleet disrupted (to say so once when that changes)."""

    def __init__(self, threshold: float, rate: float, metrics: Metrics, now: datetime) -> None:
        self.threshold = threshold
        self.budget = disruption.EvictionBudget(rate, now)
        self._metrics = metrics
        self._paused = False

    async def paused(self) -> bool:
        health = await disruption.fleet_health(self.threshold)
        self._metrics.evictions_paused.set(int(health.disrupted))
        if health.disrupted and not self._paused:
            log.warning(
                "%d of %d nodes are INACTIVE (over %.0f %%): the likelier fault is between us "
                "and them, so no instance is moved off a silent node until the fleet recovers",
                health.inactive,
                health.nodes,
                self.threshold * 100,
            )
        elif self._paused and not health.disrupted:
            log.info("the fleet is no longer disrupted: evictions resume")
        self._paused = health.disrupted
        return health.disrupted


class Reconciler:
    def __init__(
        self,
        subscriptions: Subscriptions,
        lifecycle: Lifecycle,
        clock: Clock,
        eviction_timeout: float,
        metrics: Metrics,
        disruption: Disruption,
    ) -> None:
        self._metrics = metrics
        self._disruption = disruption
        self._subscriptions = subscriptions
        self._lifecycle = lifecycle
        self._clock = clock
        self._eviction_timeout = eviction_timeout

    async def run(self) -> Pass:
        result = Pass()
        self._lifecycle.fleet.invalidate()
        for renewals in (
            await self._subscriptions.renew_due(),
            await self._subscriptions.bill_usage(),
        ):
            result.renewed += renewals.renewed
            result.past_due += renewals.past_due
            result.suspended_unpaid += renewals.suspended
            result.expired += renewals.expired
            result.cancelled += renewals.cancelled
            result.usage_charged += renewals.usage_charged
        await self._stop_terminal(result)
        await self._evict(result)
        await self._place_pending(result)
        await self._observe(result)
        await self._remove_orphans(result)
        actions = self._metrics.reconcile_actions
        for action in (
            "renewed",
            "past_due",
            "suspended_unpaid",
            "expired",
            "cancelled",
            "usage_charged",
            "evicted",
            "placed",
            "repaired",
            "removed_orphans",
        ):
            actions.labels(action).inc(getattr(result, action))
        actions.labels("errors").inc(len(result.errors))
        return result

    async def _subscription(self, instance: Instance) -> Subscription | None:
        return await Subscription.get_or_none(id=instance.subscription_id)

    async def _stop_terminal(self, result: Pass) -> None:
        """Instances whose subscription ended but that still run (a teardown that failed midway)."""
        ended = await Subscription.filter(status__in=TERMINAL_SUBSCRIPTIONS).values_list(
            "id", flat=True
        )
        # A suspended instance is STOPPED but still holds its room and objects.
        for instance in await Instance.filter(
            Q(status__not=InstanceStatus.STOPPED) | Q(node_id__not_isnull=True),
            subscription_id__in=list(ended),
        ):
            await self._lifecycle.unplace(instance, InstanceStatus.STOPPED, "subscription ended")

    async def _evict(self, result: Pass) -> None:
        now = self._clock()
        paused = await self._disruption.paused()
        nodes = (
            await WorkerNode.filter(evictable_nodes(now, self._eviction_timeout))
            .filter(id__in=Subquery(Instance.filter(node_id__not_isnull=True).values("node_id")))
            .order_by("status_changed_at")
        )
        for node in nodes:
            silent = node.status is NodeStatus.INACTIVE
            if silent and paused:
                continue  # most of the fleet went silent at once: wait, do not re-place it
            if not self._disruption.budget.take(now):
                return  # the rest at the next passes, at the eviction rate
            why = (
                f"node {node.name} has been unreachable since {node.status_changed_at}"
                if silent
                else f"node {node.name} is in maintenance"
            )
            for instance in await Instance.filter(node_id=node.id):
                # A suspended instance leaves the node too, and is placed again on resume.
                after = (
                    InstanceStatus.STOPPED
                    if instance.status is InstanceStatus.STOPPED
                    else InstanceStatus.PENDING
                )
                await self._lifecycle.unplace(instance, after, f"evicted: {why}")
                result.evicted += 1

    async def _place_pending(self, result: Pass) -> None:
        pending = await Instance.filter(status=InstanceStatus.PENDING).order_by("created_at")
        if not pending:
            return
        if not any(n.status is NodeStatus.ACTIVE for n in await self._lifecycle.fleet.snapshot()):
            reason = "0 nodes are ACTIVE; waiting for capacity"
            for instance in pending:
                if not (instance.reason or "").startswith("evicted") and say(instance, reason):
                    await instance.save(update_fields=["reason", "detail", "updated_at"])
            return
        for instance in pending:
            subscription = await self._subscription(instance)
            if subscription is None or subscription.status in TERMINAL_SUBSCRIPTIONS:
                continue
            template = await self._lifecycle.template_of(instance)
            await self._lifecycle.place(instance, subscription, template)
            if instance.node_id is not None:
                result.placed += 1

    async def _observe(self, result: Pass) -> None:
        for instance in await Instance.filter(status__in=HOLDING):
            subscription = await self._subscription(instance)
            if subscription is None:
                continue
            try:
                if await self._lifecycle.observe(instance, subscription):
                    result.repaired += 1
                result.observed += 1
            except ClusterError as exc:
                result.errors.append(f"{instance.id}: {exc}")

    async def _remove_orphans(self, result: Pass) -> None:
        try:
            running = await self._lifecycle.provisioner.gateway.list_instances()
        except ClusterError as exc:
            result.errors.append(f"listing the cluster: {exc}")
            return
        # Placed instances, suspended ones included (their Deployment is scaled to zero).
        wanted = {
            str(i)
            for i in await Instance.filter(node_id__isnull=False).values_list("id", flat=True)
        }
        for namespace, instance_id in running:
            if instance_id in wanted:
                continue
            try:
                await self._lifecycle.provisioner.remove_by_id(instance_id, namespace)
                result.removed_orphans += 1
            except ClusterError as exc:
                result.errors.append(f"removing orphan {instance_id}: {exc}")
