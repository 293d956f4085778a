"""The life of an instance: placed, provisioned, observed, evicted, torn down; and its views."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tortoise.expressions import Q

from controlplane.cluster.gateway import ClusterError, InstanceNotFound
from controlplane.db.models import Instance, Service, Subscription, User, WorkerNode
from controlplane.db.reservations import Requests, release
from controlplane.scheduler import Profile
from controlplane.services import tallies
from controlplane.services.apps import placement
from controlplane.services.apps.provisioning import Provisioner, is_failure
from controlplane.services.clock import Clock
from controlplane.services.errors import Conflict, Unavailable
from controlplane.services.ownership import find_visible, visible_to
from controlplane.services.paging import page
from shared.enums import InstanceStatus, NodeStatus, Role, SubscriptionStatus
from shared.wire.catalog import ServiceTemplate
from shared.wire.subscriptions import InstanceList, InstanceListQuery, InstanceOut

log = logging.getLogger("minispod.instances")

TERMINAL_SUBSCRIPTIONS = (SubscriptionStatus.CANCELLED, SubscriptionStatus.EXPIRED)
# What the customer reads while parts of the app are put back; it clears once healthy.
REPAIRING = "parts of the app were missing or changed in the cluster; restoring them"


def out(instance: Instance) -> InstanceOut:
    return InstanceOut.model_validate(instance)


def requests_held(instance: Instance) -> Requests:
    return Requests(instance.cpu, instance.memory, instance.storage)


async def visible_instance(actor: User, raw_id: str) -> Instance:
    return await find_visible(actor, Instance.all(), raw_id, "Instance")


async def list_instances(actor: User, query: InstanceListQuery) -> InstanceList:
    qs = visible_to(actor, Instance.all(), query.user_id)
    if query.status is not None:
        qs = qs.filter(status=query.status)
    if query.node_id is not None and actor.role is Role.ADMINISTRATOR:
        qs = qs.filter(node_id=query.node_id)
    rows, pagination = await page(qs, query, "created_at")
    return InstanceList(instances=[out(i) for i in rows], pagination=pagination)


class Lifecycle:
    """Moves instances between states; the only code that reserves, provisions or removes."""

    def __init__(
        self, provisioner: Provisioner, profile: Profile, clock: Clock, fleet: placement.Fleet
    ) -> None:
        self.provisioner = provisioner
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
        result = await placement.place(
            template, instance.user_id, self.profile, self.fleet, instance.id
        )
        now = self._clock()
        if result.node is None:
            instance.reason = result.decision.reason
            await instance.save(update_fields=["reason", "updated_at"])
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
        instance.placed_at = now
        instance.url = spec.url
        instance.reason = f"placed on {node.name}; provisioning"
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
            # Stays PROVISIONING: the reconcile job applies again.
            instance.reason = f"cluster refused the objects, retrying: {exc}"
            await instance.save(update_fields=["reason", "updated_at"])
            log.warning("provisioning %s failed: %s", instance.id, exc)

    async def unplace(self, instance: Instance, status: InstanceStatus, reason: str) -> None:
        """Removes the instance from its node and the cluster, and gives the room back."""
        try:
            await self.provisioner.remove(instance)
        except ClusterError as exc:
            # The reconcile job removes orphans; the reservation is freed now.
            log.warning("removing %s from the cluster failed: %s", instance.id, exc)
        if instance.node_id is not None:
            await release(instance.node_id, requests_held(instance))
        instance.node_id = None
        instance.status = status
        instance.reason = reason
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
            instance.reason = "objects missing from the cluster; recreated"
            await instance.save(update_fields=["reason", "updated_at"])
            await self.provision(instance, subscription, await self.template_of(instance), node)
            return True
        if node is not None and await self._repair_drift(instance, subscription, node):
            return True
        if state.available:
            if instance.status is not InstanceStatus.RUNNING or instance.reason:
                instance.status = InstanceStatus.RUNNING
                instance.reason = None
                await instance.save(update_fields=["status", "reason", "updated_at"])
            if subscription.status is SubscriptionStatus.PENDING:
                subscription.status = SubscriptionStatus.ACTIVE
                await subscription.save(update_fields=["status", "updated_at"])
            return False
        if is_failure(state):
            if instance.status is not InstanceStatus.FAILED or instance.reason != state.reason:
                instance.status = InstanceStatus.FAILED
                instance.reason = state.reason
                await instance.save(update_fields=["status", "reason", "updated_at"])
        elif instance.status is InstanceStatus.FAILED:
            instance.status = InstanceStatus.PROVISIONING
            instance.reason = state.reason
            await instance.save(update_fields=["status", "reason", "updated_at"])
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
        instance.reason = REPAIRING
        await instance.save(update_fields=["reason", "updated_at"])
        await self.provision(instance, subscription, template, node)
        return True

    async def suspend(self, instance: Instance, subscription: Subscription) -> None:
        """Scales the pod to zero; the node keeps the room and the volumes keep the data."""
        if instance.node_id is not None:
            node = await WorkerNode.get(id=instance.node_id)
            await self.provision(instance, subscription, await self.template_of(instance), node)
        instance.status = InstanceStatus.STOPPED
        instance.reason = "suspended by an administrator"
        await instance.save(update_fields=["status", "reason", "updated_at"])

    async def resume(self, instance: Instance, subscription: Subscription) -> None:
        node = await WorkerNode.get_or_none(id=instance.node_id) if instance.node_id else None
        if node is None:
            instance.status = InstanceStatus.PENDING
            instance.reason = "resumed; waiting for placement"
            await instance.save(update_fields=["status", "reason", "updated_at"])
            return
        instance.status = InstanceStatus.PROVISIONING
        instance.reason = "resumed; starting"
        await instance.save(update_fields=["status", "reason", "updated_at"])
        await self.provision(instance, subscription, await self.template_of(instance), node)

    async def restart(self, instance: Instance) -> None:
        if instance.status not in (InstanceStatus.RUNNING, InstanceStatus.FAILED):
            raise Conflict(f"Only a running or failed instance restarts (it is {instance.status})")
        try:
            await self.provisioner.gateway.restart(str(instance.id), instance.namespace)
        except InstanceNotFound:
            raise Conflict("The instance is not in the cluster right now; try again soon") from None
        except ClusterError as exc:
            raise Unavailable(f"Cluster unavailable: {exc}", 10) from exc

    async def logs(self, instance: Instance, tail: int) -> list[str]:
        if instance.node_id is None:
            return []
        try:
            return await self.provisioner.gateway.logs(str(instance.id), instance.namespace, tail)
        except InstanceNotFound:
            return []
        except ClusterError as exc:
            raise Unavailable(f"Cluster unavailable: {exc}", 10) from exc


def evictable_nodes(now: datetime, eviction_timeout: float) -> Q:
    """Nodes whose instances must move: INACTIVE past the timeout, or in MAINTENANCE."""
    return Q(status=NodeStatus.MAINTENANCE) | Q(
        status=NodeStatus.INACTIVE, status_changed_at__lt=now - timedelta(seconds=eviction_timeout)
    )


async def counts_by_status() -> dict[str, int]:
    """Instances in each state."""
    return await tallies.by_status(Instance, InstanceStatus)
