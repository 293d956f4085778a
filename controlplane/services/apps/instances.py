"""The life of an instance: placed, provisioned, observed, evicted, torn down; and its views."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from controlplane.cluster.gateway import ClusterError, InstanceNotFound
from controlplane.db.models import Instance, Service, Subscription, User, WorkerNode
from controlplane.db.reservations import Requests, release
from controlplane.metrics import Metrics
from controlplane.scheduler import Profile
from controlplane.services import tallies
from controlplane.services.apps import metering, placement, reasons
from controlplane.services.apps.history import History
from controlplane.services.apps.provisioning import Provisioner, is_failure
from controlplane.services.clock import Clock
from controlplane.services.errors import Conflict, Unavailable
from controlplane.services.ownership import Acting, find_in_team, in_team
from controlplane.services.paging import page
from shared.enums import InstanceStatus, NodeStatus, Role, SubscriptionStatus
from shared.wire.catalog import ServiceTemplate
from shared.wire.subscriptions import InstanceList, InstanceListQuery, InstanceOut

# What following the cluster changes on an instance.
OBSERVED = ["status", "reason", "detail", "updated_at"]

log = logging.getLogger("minispod.instances")

TERMINAL_SUBSCRIPTIONS = (SubscriptionStatus.CANCELLED, SubscriptionStatus.EXPIRED)
# What the customer reads while parts of the app are put back; it clears once healthy.
REPAIRING = "parts of the app were missing or changed in the cluster; restoring them"
SETTING_UP = "setting up the app in the cluster"
# Said to a customer whose restart or logs the cluster could not serve.
CLUSTER_AWAY = "The cluster is unavailable right now; try again soon"


def sees_cluster_detail(actor: User) -> bool:
    """Only administrators read what the cluster said: it names paths, namespaces, nodes."""
    return actor.role is Role.ADMINISTRATOR


def out(instance: Instance, *, detail: bool = False) -> InstanceOut:
    """The instance as the API shows it; `detail` (the cluster's words) for administrators."""
    view = InstanceOut.model_validate(instance)
    return view if detail else view.model_copy(update={"detail": None})


def say(instance: Instance, reason: str | None, detail: str | None = None) -> bool:
    """Sets what the customer reads and what administrators read behind it; True if changed."""
    detail = detail[:2048] if detail else None
    if instance.reason == reason and instance.detail == detail:
        return False
    instance.reason, instance.detail = reason, detail
    return True


def requests_held(instance: Instance) -> Requests:
    return Requests(instance.cpu, instance.memory, instance.storage)


async def visible_instance(who: Acting, raw_id: str) -> Instance:
    return await find_in_team(who, Instance.all(), raw_id, "Instance")


async def list_instances(who: Acting, query: InstanceListQuery) -> InstanceList:
    qs = in_team(who, Instance.all(), query.user_id)
    if query.status is not None:
        qs = qs.filter(status=query.status)
    if query.node_id is not None and who.administrator:
        qs = qs.filter(node_id=query.node_id)
    rows, pagination = await page(qs, query, "created_at")
    detail = sees_cluster_detail(who.user)
    return InstanceList(instances=[out(i, detail=detail) for i in rows], pagination=pagination)


class Lifecycle:
    """Moves instances between states; the only code that reserves, provisions or removes."""

    def __init__(
        self,
        provisioner: Provisioner,
        profile: Profile,
        clock: Clock,
        fleet: placement.Fleet,
        history: History,
        metrics: Metrics,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provisioner = provisioner
        self._metrics = metrics
        # An attempt's duration is an interval, not a date: the monotonic clock, never
        # the (injectable, possibly moved) wall clock.
        self._monotonic = monotonic
        # Where a subscription's state changes are recorded and told (its instance running
        # makes it ACTIVE here; every other change is made by Subscriptions, through this).
        self.history = history
        self.profile = profile
        self.fleet = fleet
        self._clock = clock

    async def template_of(self, instance: Instance) -> ServiceTemplate:
        service = await Service.get(id=instance.service_id)
        return ServiceTemplate.model_validate(service.template)

    async def place(
        self, instance: Instance, subscription: Subscription, template: ServiceTemplate
    ) -> Instance:
        """PENDING → PROVISIONING on a node with room, or PENDING with the reasons why not."""
        started = self._monotonic()
        result = await placement.place(
            template, instance.team_id, self.profile, self.fleet, instance.id
        )
        self._metrics.placement_attempts.labels(
            "unschedulable" if result.node is None else "placed"
        ).observe(self._monotonic() - started)
        now = self._clock()
        if result.node is None:
            say(instance, result.decision.reason)
            await instance.save(update_fields=["reason", "detail", "updated_at"])
            return instance
        node = result.node
        spec = self.provisioner.spec(instance, subscription, template, node)
        instance.node_id = node.id
        instance.status = InstanceStatus.PROVISIONING
        instance.placement = {
            "node": node.name,
            "scores": dict(result.decision.scores),
            "total": result.decision.total,
            "feasibleNodes": result.decision.feasible_nodes,
        }
        if instance.placed_at is None:
            # Its first node: the customer waited from subscribing until now. (An evicted or
            # resumed instance placed again keeps no record of when it started waiting.)
            waited = (now - instance.created_at).total_seconds()
            self._metrics.placement_wait.observe(max(0.0, waited))
        instance.placed_at = now
        instance.url = spec.url
        say(instance, f"placed on {node.name}; provisioning")
        await instance.save()
        await self.provision(instance, subscription, template, node)
        return instance

    async def provision(
        self,
        instance: Instance,
        subscription: Subscription,
        template: ServiceTemplate,
        node: WorkerNode,
    ) -> None:
        try:
            await self.provisioner.apply(instance, subscription, template, node)
        except ClusterError as exc:
            # Stays as it is: the reconcile job applies again. The customer reads our
            # words; the API server's (paths, namespaces) are for administrators.
            say(instance, reasons.for_cluster_error(exc), str(exc))
            await instance.save(update_fields=["reason", "detail", "updated_at"])
            log.warning("provisioning %s failed: %s", instance.id, exc)

    async def unplace(self, instance: Instance, status: InstanceStatus, reason: str) -> None:
        """Removes the instance from its node and the cluster, and gives the room back."""
        try:
            await self.provisioner.remove(instance)
        except ClusterError as exc:
            # The reconcile job removes orphans; the reservation is freed now.
            log.warning("removing %s from the cluster failed: %s", instance.id, exc)
        if instance.node_id is not None:
            # Metered up to the moment the room is given back: a usage-priced customer
            # pays for what was held, not a second more or less.
            instance.metered_until = await metering.accrue(instance.id, self._clock())
            await release(instance.node_id, requests_held(instance))
        instance.node_id = None
        instance.status = status
        say(instance, reason)
        await instance.save()

    async def observe(self, instance: Instance, subscription: Subscription) -> bool:
        """Follows what the cluster says: RUNNING, FAILED with why, or repairs what vanished
        or was changed behind our back. True when it had to repair."""
        state = await self.provisioner.state(instance)
        node = await WorkerNode.get_or_none(id=instance.node_id)
        if not state.exists:
            if node is None:
                await self.unplace(instance, InstanceStatus.PENDING, "node is gone; placing again")
                return False
            # Never created (a first apply that failed) or deleted behind our back.
            words = SETTING_UP if instance.status is InstanceStatus.PROVISIONING else REPAIRING
            say(instance, words, "Deployment missing from the cluster")
            await instance.save(update_fields=["reason", "detail", "updated_at"])
            await self.provision(instance, subscription, await self.template_of(instance), node)
            return True
        if node is not None and await self._repair_drift(instance, subscription, node):
            return True
        if state.available:
            # Healthy and whole: whatever was said before (a repair, a retry) is over.
            if say(instance, None) or instance.status is not InstanceStatus.RUNNING:
                was, instance.status = instance.status, InstanceStatus.RUNNING
                await self.history.save_instance(instance, was, OBSERVED)
            if subscription.status is SubscriptionStatus.PENDING:
                async with in_transaction():
                    await self.history.transition(
                        subscription,
                        SubscriptionStatus.ACTIVE,
                        "its instance is running",
                        self._clock(),
                    )
                    await subscription.save(update_fields=["status", "updated_at"])
            return False
        ours = reasons.for_instance_state(state.reason)
        if is_failure(state):
            if say(instance, ours, state.reason) or instance.status is not InstanceStatus.FAILED:
                was, instance.status = instance.status, InstanceStatus.FAILED
                await self.history.save_instance(instance, was, OBSERVED)
        elif instance.status is InstanceStatus.FAILED:
            instance.status = InstanceStatus.PROVISIONING
            say(instance, ours, state.reason)
            await instance.save(update_fields=["status", "reason", "detail", "updated_at"])
        return False

    async def _repair_drift(
        self, instance: Instance, subscription: Subscription, node: WorkerNode
    ) -> bool:
        """Applies the instance again when any of its objects (not only the Deployment) is
        missing or edited: a deleted NetworkPolicy would otherwise leave the tenant open."""
        template = await self.template_of(instance)
        drifted = await self.provisioner.drift(instance, subscription, template, node)
        if not drifted:
            return False
        log.warning(
            "instance %s drifted in the cluster (%s); applying it again",
            instance.id,
            "; ".join(str(d) for d in drifted),
        )
        say(instance, REPAIRING, "; ".join(str(d) for d in drifted))
        await instance.save(update_fields=["reason", "detail", "updated_at"])
        await self.provision(instance, subscription, template, node)
        return True

    async def suspend(
        self,
        instance: Instance,
        subscription: Subscription,
        why: str = "suspended by an administrator",
    ) -> None:
        """Scales the pod to zero; the node keeps the room and the volumes keep the data."""
        if instance.node_id is not None:
            node = await WorkerNode.get(id=instance.node_id)
            await self.provision(instance, subscription, await self.template_of(instance), node)
        instance.status = InstanceStatus.STOPPED
        say(instance, why)
        await instance.save(update_fields=["status", "reason", "detail", "updated_at"])

    async def resume(self, instance: Instance, subscription: Subscription) -> None:
        node = await WorkerNode.get_or_none(id=instance.node_id) if instance.node_id else None
        if node is None:
            instance.status = InstanceStatus.PENDING
            say(instance, "resumed; waiting for placement")
            await instance.save(update_fields=["status", "reason", "detail", "updated_at"])
            return
        instance.status = InstanceStatus.PROVISIONING
        say(instance, "resumed; starting")
        await instance.save(update_fields=["status", "reason", "detail", "updated_at"])
        await self.provision(instance, subscription, await self.template_of(instance), node)

    async def restart(self, instance: Instance) -> None:
        if instance.status not in (InstanceStatus.RUNNING, InstanceStatus.FAILED):
            raise Conflict(f"Only a running or failed instance restarts (it is {instance.status})")
        try:
            await self.provisioner.gateway.restart(str(instance.id), instance.namespace)
        except InstanceNotFound:
            raise Conflict("The instance is not in the cluster right now; try again soon") from None
        except ClusterError as exc:
            log.warning("restarting %s failed: %s", instance.id, exc)
            raise Unavailable(CLUSTER_AWAY, 10) from exc

    async def logs(self, instance: Instance, tail: int) -> list[str]:
        if instance.node_id is None:
            return []
        try:
            return await self.provisioner.gateway.logs(str(instance.id), instance.namespace, tail)
        except InstanceNotFound:
            return []
        except ClusterError as exc:
            log.warning("reading the logs of %s failed: %s", instance.id, exc)
            raise Unavailable(CLUSTER_AWAY, 10) from exc


def evictable_nodes(now: datetime, eviction_timeout: float) -> Q:
    """Nodes whose instances must move: INACTIVE past the timeout, or in MAINTENANCE."""
    return Q(status=NodeStatus.MAINTENANCE) | Q(
        status=NodeStatus.INACTIVE, status_changed_at__lt=now - timedelta(seconds=eviction_timeout)
    )


async def counts_by_status() -> dict[str, int]:
    """Instances in each state."""
    return await tallies.by_status(Instance, InstanceStatus)


@dataclass(frozen=True)
class FailedInstance:
    id: uuid.UUID
    namespace: str
    since: datetime
    reason: str | None


async def failed() -> list[FailedInstance]:
    """Instances in FAILED, each since its last change (an instance row changes with its
    status, and a failed one otherwise stands still)."""
    rows = await Instance.filter(status=InstanceStatus.FAILED).values_list(
        "id", "namespace", "updated_at", "reason"
    )
    return [FailedInstance(i, namespace, since, reason) for i, namespace, since, reason in rows]
